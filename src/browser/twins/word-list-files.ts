/**
 * Browser twin of features/word-list-files.ts: the same word list files, bundled.
 */
import cliches from '../../../models/word-lists/cliches.txt?raw';
import cueLists from '../../../models/word-lists/cue-lists.json?raw';
import { lexicon } from 'vader-sentiment/src/vader_lexicon.js';

const FILES = { 'cue-lists.json': cueLists, 'cliches.txt': cliches };

export function wordListFile(name: keyof typeof FILES): string {
  return FILES[name];
}

export function vaderLexicon(): Record<string, number> {
  return lexicon;
}
