/**
 * The input ranges of the sentence encoder's int8 products (ACTIVATION_CLIPS in
 * src/features/sentence-encoder-graph.ts): the float encoder runs over the gold span texts of
 * the PTC train split (the texts `lg` encodes), its feed-forward layers' inputs as extra
 * outputs, and the largest value each product reads is printed, with percentiles of each
 * piece's largest value for comparison. Its texts are never the dev articles, whose vectors
 * `npm run bench:encoder` checks.
 *
 *   npm run calibrate:encoder [-- --data ../shared/data/ptc/train]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCorpusDir } from '../src/config.js';
import { spanText } from '../src/features/sentence-encoder.js';
import {
  encoderGraph,
  encoderPackageDir,
  readEncoderWeights,
  timingFrequencies,
} from '../src/features/sentence-encoder-graph.js';
import { encodableText, packedEmbed, packFeeds } from '../src/features/sentence-encoder-packs.js';
import { PieceTokenizer, type Vocabulary } from '../src/features/sentence-pieces.js';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import { readCorpus } from '../src/formats/corpus.js';
import { parseArticle } from '../src/text/document.js';
import { scriptArgs } from './script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: join(defaultCorpusDir(), 'train') },
});
const ort = await onnxRuntime();
if (!ort) throw new Error('calibration needs onnxruntime-node');
const dir = encoderPackageDir();
const weights = readEncoderWeights(dir);
const session = await ort.InferenceSession.create(encoderGraph(weights, { probeInputs: true }));
const tokenizer = new PieceTokenizer(
  JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Vocabulary,
);

/** Each probed input's largest absolute value per piece. */
const pieceMaxima = new Map<string, number[]>();
const embed = packedEmbed(tokenizer, timingFrequencies(weights), async (pack) => {
  const result = await session.run(packFeeds(ort.Tensor, pack));
  for (const [name, tensor] of Object.entries(result)) {
    if (!name.startsWith('ffn-input-')) continue;
    const data = tensor.data as Float32Array;
    const width = tensor.dims.at(-1)!;
    const maxima = pieceMaxima.get(name) ?? [];
    for (let piece = 0; piece < data.length / width; piece++) {
      let max = 0;
      for (let j = 0; j < width; j++) max = Math.max(max, Math.abs(data[piece * width + j]!));
      maxima.push(max);
    }
    pieceMaxima.set(name, maxima);
  }
  return result.vectors!.data as Float32Array;
});

const corpus = await readCorpus(values.data);
const docs = new Map(corpus.articles.map((a) => [a.id, parseArticle(a.text)]));
const texts = (corpus.tc ?? []).flatMap((span) => {
  const doc = docs.get(span.articleId);
  return doc ? [encodableText(spanText(doc, span))] : [];
});
for (let i = 0; i < texts.length; i += 50) await embed(texts.slice(i, i + 50));

console.log(`${texts.length} span texts of ${values.data}`);
console.log('| input | pieces | median | 99th | 99.9th | largest |');
console.log('| --- | --: | --: | --: | --: | --: |');
for (const [name, maxima] of [...pieceMaxima].sort()) {
  maxima.sort((a, b) => a - b);
  const at = (share: number) =>
    maxima[Math.min(maxima.length - 1, Math.floor(share * maxima.length))]!;
  const cells = [at(0.5), at(0.99), at(0.999), maxima.at(-1)!].map((v) => v.toFixed(3));
  console.log(`| ${name} | ${maxima.length} | ${cells.join(' | ')} |`);
}
