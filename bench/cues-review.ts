/**
 * The cues of a fixed set of highlights, printed for a reader to judge: the first highlight
 * of each dev article (by file name) until there are 50, with its technique, its sentence
 * and its cues. A reader marks each cue sensible, a neutral word, a false context or a
 * duplicate (docs/experiments.md, "Judged by a reader").
 *
 *   npm run bench:cues [-- --model md --highlights 50]
 */
import { join } from 'node:path';
import { analyze } from '../src/analyze.js';
import { defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { parseArticle } from '../src/text/document.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: defaultCorpusDir() },
  model: { type: 'string', default: 'md' },
  highlights: { type: 'string', default: '50' },
});
const corpus = await readCorpus(join(values.data, 'dev'));
const articles = [...corpus.articles].sort((a, b) => a.id.localeCompare(b.id));

let n = 0;
for (const article of articles) {
  if (n === Number(values.highlights)) break;
  const span = (await analyze(article.text, { model: values.model })).spans[0];
  if (!span) continue;
  const doc = parseArticle(article.text);
  const token = doc.tokens.find((t) => t.cpEnd > span.start)!;
  const sentence = doc.sentences[token.sentence]!;
  const technique = span.techniques[0]!;
  console.log(
    `${++n}. article${article.id} "${span.text}" — ${technique.name} ${Math.round(100 * technique.confidence)}%`,
  );
  console.log(`   sentence: ${sentence.text.replace(/\s+/gu, ' ')}`);
  for (const cue of span.cues) console.log(`   - ${cue.text}`);
}
