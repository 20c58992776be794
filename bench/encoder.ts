/**
 * The sentence encoder's engines side by side: the dev articles' lines, an article's lines in
 * one call (as a model encodes an article's texts), on one thread, by each engine installed, in
 * the same process, interleaved round by round; milliseconds a text, texts a second, and the
 * smallest cosine between the engines' vectors of a text.
 *
 *   npm run bench:encoder [-- --articles 10 --rounds 3]
 */
import { parseArgs } from 'node:util';
import { defaultCorpusDir } from '../src/config.js';
import {
  onnxEncoder,
  tensorflowEncoder,
  type Encoder,
} from '../src/features/sentence-encoder-engines.js';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import { readCorpus } from '../src/formats/corpus.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
    articles: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
  },
});
const corpus = await readCorpus(values.data as string);
// Each article's lines in one call, as a model encodes an article's texts.
const articles = corpus.articles
  .slice(0, Number(values.articles))
  .map((a) => a.text.split('\n').filter((line) => line.trim() !== ''));
const texts = articles.flat();

const ort = await onnxRuntime();
const engines: Encoder[] = [await tensorflowEncoder(), ...(ort ? [await onnxEncoder(ort)] : [])];
const best = new Map<string, number>();
const vectors = new Map<string, Float32Array[]>();
for (let round = 0; round < Number(values.rounds); round++)
  for (const encoder of engines) {
    const started = performance.now();
    const out: Float32Array[] = [];
    for (const lines of articles) out.push(...(await encoder.embed(lines)));
    const ms = performance.now() - started;
    best.set(encoder.engine, Math.min(best.get(encoder.engine) ?? Infinity, ms));
    vectors.set(encoder.engine, out);
  }

console.log(`${texts.length} lines of ${values.articles} dev articles, best of ${values.rounds}`);
for (const [engine, ms] of best)
  console.log(
    `${engine.padEnd(14)} ${(ms / texts.length).toFixed(2).padStart(6)} ms a line  ${(
      (1000 * texts.length) /
      ms
    ).toFixed(0)} lines/s`,
  );
const [reference, fast] = [...vectors.values()];
if (reference && fast) {
  let smallest = 1;
  reference.forEach((a, i) => {
    const b = fast[i]!;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < a.length; j++) {
      dot += a[j]! * b[j]!;
      na += a[j]! * a[j]!;
      nb += b[j]! * b[j]!;
    }
    smallest = Math.min(smallest, dot / Math.sqrt(na * nb));
  });
  console.log(`smallest cosine between the engines' vectors: ${smallest.toFixed(9)}`);
}
