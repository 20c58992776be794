/**
 * Build models/word-lists/cliches.txt: the phrase list of the no-cliches package (MIT), one
 * lower-cased phrase a line. The package exports only a matcher built from one regular
 * expression of 700 alternatives (about 3 ms per article); the list lets the features look
 * clichés up by their first word instead. Run again when the package is updated:
 *
 *   npm run build:word-lists
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('no-cliches/cliches.js'), 'utf8');
const list = /let cliches = \[([\s\S]*?)\];/u.exec(source)?.[1];
if (list === undefined) throw new Error('no-cliches/cliches.js no longer has a `cliches` array');
const phrases = [...list.matchAll(/'((?:[^'\\]|\\.)*)'/gu)].map((m) =>
  (m[1] as string).replace(/\\'/gu, "'").toLowerCase(),
);
writeFileSync('models/word-lists/cliches.txt', `${phrases.join('\n')}\n`);
console.log(`models/word-lists/cliches.txt: ${phrases.length} phrases`);
