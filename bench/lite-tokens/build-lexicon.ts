/**
 * The lexicon of the lite tokenizer's second arm (bench/lite-tokens/tokenize.ts, with
 * SPINSCOPE_LITE_LEXICON set): for each token text of the labelled articles, the part of speech
 * and lemma that wink-nlp gives it most often. Tags come from wink's tagger, not from the
 * corpus's labels.
 *
 *   node --import tsx bench/lite-tokens/build-lexicon.ts OUT.json
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCorpusDir } from '../../src/config.js';
import { readCorpus } from '../../src/formats/corpus.js';
import { tokenize } from '../../src/text/tokenize.js';

const counts = new Map<string, Map<string, number>>();
for (const split of ['train', 'dev'])
  for (const article of (await readCorpus(join(defaultCorpusDir(), split))).articles)
    for (const t of tokenize(article.text).tokens) {
      const key = `${t.pos}\t${t.lemma.toLowerCase()}`;
      const seen = counts.get(t.text) ?? new Map<string, number>();
      seen.set(key, (seen.get(key) ?? 0) + 1);
      counts.set(t.text, seen);
    }
const lexicon: Record<string, [string, string]> = {};
for (const [text, seen] of counts) {
  const [best] = [...seen].sort((a, b) => b[1] - a[1])[0]!;
  lexicon[text] = best.split('\t') as [string, string];
}
writeFileSync(process.argv[2]!, JSON.stringify(lexicon));
console.log(`${counts.size} token texts`);
