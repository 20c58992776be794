/**
 * The word lists' files on Node: read from models/word-lists/ and from the VADER package.
 * The browser's detector bundles the same files (browser/word-list-files.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../config.js';

const WORD_LISTS = join(PACKAGE_ROOT, 'models', 'word-lists');

/** A word list file of the package (models/word-lists/NAME). */
export function wordListFile(name: 'cue-lists.json' | 'cliches.txt'): string {
  return readFileSync(join(WORD_LISTS, name), 'utf8');
}

/** VADER's valences, -4..4 (a CommonJS file of the package, without types). */
export function vaderLexicon(): Record<string, number> {
  const require = createRequire(import.meta.url);
  return (require('vader-sentiment/src/vader_lexicon.js') as { lexicon: Record<string, number> })
    .lexicon;
}
