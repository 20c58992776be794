/**
 * The sentence encoder's engines side by side: the dev articles' lines, an article's lines in
 * one call (as a model encodes an article's texts), on one thread, by each engine installed, in
 * the same process, interleaved round by round; milliseconds a text, texts a second, and the
 * smallest cosine of each engine's vectors to the reference (TensorFlow.js).
 *
 *   npm run bench:encoder [-- --articles 10 --rounds 3]
 */
import { defaultCorpusDir } from '../src/config.js';
import {
  onnxEncoder,
  tensorflowEncoder,
  type Encoder,
} from '../src/features/sentence-encoder-engines.js';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import { readCorpus } from '../src/formats/corpus.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
  articles: { type: 'string', default: '10' },
  rounds: { type: 'string', default: '3' },
});
const corpus = await readCorpus(values.data as string);
// Each article's lines in one call, as a model encodes an article's texts.
const articles = corpus.articles
  .slice(0, Number(values.articles))
  .map((a) => a.text.split('\n').filter((line) => line.trim() !== ''));
const texts = articles.flat();

const ort = await onnxRuntime();
// The reference first: the package's own graph on TensorFlow.js.
const engines: { name: string; encoder: Encoder }[] = [
  { name: 'tensorflow.js', encoder: await tensorflowEncoder() },
  ...(ort
    ? [
        { name: 'onnxruntime', encoder: await onnxEncoder(ort) },
        { name: 'onnxruntime int8', encoder: await onnxEncoder(ort, { int8: true }) },
      ]
    : []),
];
const best = new Map<string, number>();
const vectors = new Map<string, Float32Array[]>();
for (let round = 0; round < Number(values.rounds); round++)
  for (const { name, encoder } of engines) {
    const started = performance.now();
    const out: Float32Array[] = [];
    for (const lines of articles) out.push(...(await encoder.embed(lines)));
    const ms = performance.now() - started;
    best.set(name, Math.min(best.get(name) ?? Infinity, ms));
    vectors.set(name, out);
  }

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
  }
  return dot / Math.sqrt(na * nb);
};
const reference = vectors.get('tensorflow.js')!;
console.log(`${texts.length} lines of ${values.articles} dev articles, best of ${values.rounds}`);
for (const [name, ms] of best) {
  const smallest = Math.min(...vectors.get(name)!.map((v, i) => cosine(v, reference[i]!)));
  console.log(
    `${name.padEnd(17)} ${(ms / texts.length).toFixed(2).padStart(6)} ms a line  ${(
      (1000 * texts.length) /
      ms
    )
      .toFixed(0)
      .padStart(4)} lines/s  smallest cosine to tensorflow.js ${smallest.toFixed(6)}`,
  );
}
