/**
 * Speed of the shipped models: the dev articles analysed one at a time in one process, as a
 * user's `analyze` calls would be. Prints each model's load time, articles/s and characters/s
 * (with and without explanations, and for SI+TC alone), and peak RSS. Several models given
 * with commas are measured one after the other in the same run, so their figures compare.
 *
 *   npm run bench [-- --data ../shared/data/ptc/dev --model sm,md --rounds 3]
 */
import { defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { loadDetector } from '../src/analyze.js';
import { parseArticle } from '../src/text/document.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
  model: { type: 'string', default: 'sm,md' },
  rounds: { type: 'string', default: '3' },
});
const corpus = await readCorpus(values.data as string);
const texts = corpus.articles.map((a) => a.text);
const characters = texts.reduce((n, t) => n + t.length, 0);

async function measure(name: string, run: (text: string) => unknown): Promise<void> {
  for (const text of texts.slice(0, 5)) await run(text); // warm up the JIT
  let best = Infinity;
  for (let round = 0; round < Number(values.rounds); round++) {
    const started = performance.now();
    for (const text of texts) await run(text);
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  const perSecond = texts.length / best;
  console.log(
    `${name.padEnd(34)} ${perSecond.toFixed(1).padStart(7)} articles/s  ${Math.round(
      characters / best,
    )
      .toLocaleString('en')
      .padStart(10)} chars/s  ${((1000 * best) / texts.length).toFixed(2)} ms/article`,
  );
}

console.log(`${texts.length} articles, ${characters.toLocaleString('en')} characters`);
for (const model of (values.model as string).split(',')) {
  const loadStarted = performance.now();
  const detector = loadDetector(model);
  const loadMs = performance.now() - loadStarted;
  console.log(
    `\nmodel ${detector.header.name} ${detector.header.version}: load ${loadMs.toFixed(0)} ms`,
  );
  await measure('SI + TC (spans and techniques)', (text) =>
    detector.detect(detector.context(parseArticle(text))),
  );
  await measure('analyze() without explanations', (text) =>
    detector.analyze(text, { explain: false }),
  );
  await measure('analyze() with explanations', (text) => detector.analyze(text));
  console.log(`peak RSS so far: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}
