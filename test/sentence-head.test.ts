import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Detector } from '../src/detect/detector.js';
import { HEAD_INPUTS, SentenceHead } from '../src/detect/stages/sentence-head.js';
import { parseArticle } from '../src/text/document.js';
import { readCorpus } from '../src/formats/corpus.js';
import {
  SENTENCE_VECTOR_SIZE,
  SentenceEncoder,
  headTexts,
  TextVectors,
} from '../src/features/sentence-encoder.js';
import {
  fastestEncoder,
  onnxEncoder,
  tensorflowEncoder,
} from '../src/features/sentence-encoder-engines.js';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import { PieceTokenizer, type Vocabulary } from '../src/features/sentence-pieces.js';
import { encoderPackageDir } from '../src/features/sentence-encoder-graph.js';
import { DEFAULT_HEAD_SETTINGS, trainSentenceHead } from '../src/train/sentence-head.js';
import { trainSentenceHeadDetector } from '../src/train/train-sentence-head.js';
import { detectorOf, encodeTrainedModel, readTrainedModel } from '../src/train/trained-model.js';
import { cachedEmbedder, VectorFile } from '../src/train/vector-file.js';
import { seededRandom } from '../src/train/random.js';
import {
  FIXTURES,
  ROOT,
  SHARED,
  analyzeFixture,
  needsShared,
  spinscope,
  tempDir,
} from './helpers.js';

test("the encoder's tokenizer splits texts into the package tokenizer's pieces", async () => {
  const vocabulary = JSON.parse(
    readFileSync(join(encoderPackageDir(), 'vocab.json'), 'utf8'),
  ) as Vocabulary;
  const { EmbeddingsModel } = await import('@energetic-ai/embeddings');
  const reference = new EmbeddingsModel({
    vocabulary: vocabulary as [string, number][],
    model: undefined as never,
  }).tokenizer;
  const ours = new PieceTokenizer(vocabulary);
  const texts = [
    '',
    ' ',
    'Stand firm!',
    '\ufeffThe council caves in 😡😡 again, 🇬🇧 flags & ﬁne print…',
    'Arabic «قال الوزير» and Hebrew "השר אמר", 東京 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 — ½ ﬀ Ⅻ',
    '  double  spaces\tand\ttabs\nand lines  ',
    readFileSync(join(FIXTURES, 'emoji-paragraphs.txt'), 'utf8'),
  ];
  // Every line of the dev articles too, where shared/ is beside the repository.
  const dev = join(SHARED, 'data/ptc/dev');
  if (!needsShared(dev))
    for (const article of (await readCorpus(dev)).articles) texts.push(...article.text.split('\n'));
  for (const text of texts) assert.deepEqual(ours.encode(text), reference.encode(text), text);
  assert.ok(ours.encode('Stand firm!').length > 1);
});

test('the sentence encoder runs offline and gives similar vectors to similar sentences', async () => {
  const encoder = SentenceEncoder.load();
  const [a, b, c, empty] = await encoder.embed([
    'The invaders will destroy our homes.',
    'The invaders are going to wreck our houses.',
    'The committee approved the budget on Tuesday.',
    '',
  ]);
  assert.equal(a!.length, SENTENCE_VECTOR_SIZE);
  assert.equal(empty!.length, SENTENCE_VECTOR_SIZE);
  assert.ok(cosine(a!, b!) > cosine(a!, c!) + 0.2, `${cosine(a!, b!)} vs ${cosine(a!, c!)}`);
  // A long list is shared between threads: the vectors come back in order all the same.
  const texts = Array.from(
    { length: 12 },
    (_, i) => `Sentence number ${i} says ${'so '.repeat(i)}`,
  );
  const together = await encoder.embed(texts);
  const alone = await Promise.all(texts.map(async (t) => (await encoder.embed([t]))[0]!));
  together.forEach((v, i) => assert.ok(cosine(v, alone[i]!) > 0.999, `text ${i} out of order`));
});

test("ONNX Runtime runs the encoder: the same vectors as the package's TensorFlow.js graph", async () => {
  const ort = await onnxRuntime();
  assert.ok(ort, 'onnxruntime-node is installed on this platform (an optional dependency)');
  const [fast, reference] = await Promise.all([onnxEncoder(ort), tensorflowEncoder()]);
  const texts = [
    'The invaders will destroy our homes.',
    '\ufeffStand firm! 🇺🇸 🔥 They lie, and “everyone knows it”.',
    ' ',
    'x',
    // Over 128 pieces: both cut the text there.
    'The faceless bureaucrats, smug penny-pinchers all, will close our beloved library. '.repeat(
      12,
    ),
  ];
  // Encoded together (packed end to end, over several calls), each as if alone.
  const many = [
    ...texts,
    ...Array.from({ length: 40 }, (_, i) => `Claim ${i}: ${'no '.repeat(i)}`),
  ];
  const [fastVectors, referenceVectors] = [await fast.embed(many), await reference.embed(many)];
  many.forEach((text, i) => {
    const [a, b] = [fastVectors[i]!, referenceVectors[i]!];
    assert.equal(a.length, SENTENCE_VECTOR_SIZE);
    assert.ok(cosine(a, b) > 0.99999, `${cosine(a, b)} for "${text.slice(0, 30)}"`);
  });
  assert.equal(fast.engine, 'onnxruntime');
  // Analyses run the feed-forward layers in int8 (7-bit weights): near the float vectors, not
  // equal to them (smallest cosine over 274 dev lines 0.99854; here 0.99870).
  const int8 = await fastestEncoder('int8');
  assert.equal(int8.engine, 'onnxruntime');
  const int8Vectors = await int8.embed(many);
  const cosines = int8Vectors.map((v, i) => cosine(v, referenceVectors[i]!));
  assert.ok(Math.min(...cosines) > 0.998, `smallest cosine ${Math.min(...cosines)}`);
  assert.ok(Math.min(...cosines) < 0.999999, 'the int8 encoder is a different computation');
  // Its inputs' scales are fixed, so a text's vector is nearly the same alone as packed with
  // others (float noise can still tip a rounding: 0.0002 here; with one scale a call, as
  // before, values moved by 0.003).
  for (const i of [1, 4, 20]) {
    const [alone] = await int8.embed([many[i]!]);
    const largest = Math.max(...alone!.map((v, j) => Math.abs(v - int8Vectors[i]![j]!)));
    assert.ok(largest < 5e-4, `"${many[i]!.slice(0, 20)}" alone moves by ${largest}`);
  }
});

function cosine(x: Float32Array, y: Float32Array): number {
  let dot = 0;
  let nx = 0;
  let ny = 0;
  x.forEach((v, i) => {
    dot += v * y[i]!;
    nx += v * v;
    ny += y[i]! * y[i]!;
  });
  return dot / Math.sqrt(nx * ny);
}

test('text vectors are encoded once, and the vector file keeps them across runs', async () => {
  const path = join(tempDir(), 'vectors.bin');
  const file = new VectorFile(path);
  const vectors = new TextVectors(cachedEmbedder(file));
  assert.throws(() => vectors.get('Stand firm! 🇺🇸'), /ensure it first/);
  await vectors.ensure(['Stand firm! 🇺🇸', 'Stand firm! 🇺🇸', '\ufeffThey lie.']);
  file.save();
  assert.equal(statSync(path).size, 2 * (32 + 4 * SENTENCE_VECTOR_SIZE));
  // A crash mid-write leaves a torn record: it is ignored, and cut off by the next save.
  appendFileSync(path, Buffer.alloc(100, 7));
  const reread = new VectorFile(path);
  assert.equal(reread.size, 2);
  assert.deepEqual(reread.get('Stand firm! 🇺🇸'), vectors.get('Stand firm! 🇺🇸'));
  assert.equal(reread.get('Stand firm!'), undefined);
  reread.add('Stand firm!', new Float32Array(SENTENCE_VECTOR_SIZE).fill(0.5));
  reread.save();
  assert.equal(statSync(path).size, 3 * (32 + 4 * SENTENCE_VECTOR_SIZE));
  assert.equal(new VectorFile(path).get('Stand firm!')![7], 0.5);
});

test('a span is read with its own sentence, in code points', () => {
  const doc = parseArticle('\ufeffFlags 🇫🇷 wave. Cowards run away! Then calm.\nNext line here.');
  const start = Array.from(doc.text).indexOf('C');
  const span = { cpStart: start, cpEnd: start + 7 };
  assert.deepEqual(headTexts(doc, span), ['Cowards', 'Cowards run away!']);
});

test('the head learns a technique that the vectors carry and the linear model misses', () => {
  // Class 1 shifts 32 of the 1,024 inputs a little; the linear model says 50/50 everywhere.
  const random = seededRandom(3);
  const examples = Array.from({ length: 400 }, (_, i) => {
    const label = i % 2;
    const raw = Float32Array.from(
      { length: HEAD_INPUTS },
      (_, j) => random() - 0.5 + (j < 32 ? 0.25 * label : 0),
    );
    return { raw, linear: [0.5, 0.5], label, fold: Math.floor(i / 2) % 4 };
  });
  const head = trainSentenceHead(examples, 2, {
    ...DEFAULT_HEAD_SETTINGS,
    maxEpochs: 6,
    batchSize: 16,
  });
  assert.ok(head.epochs >= 1 && head.epochs <= 6);
  assert.equal(head.outOfFold.length, 400);
  assert.equal(head.foldWeights.size, 4);
  const right = head.outOfFold.filter((p, i) => (p[1]! > 0.5 ? 1 : 0) === examples[i]!.label);
  assert.ok(right.length > 340, `out of fold ${right.length}/400 right`);
  // Trained on the other folds only: an example's out-of-fold probability is its fold head's.
  const model = new SentenceHead(head.foldWeights.get(examples[2]!.fold)!);
  const x = model.inputs([
    examples[2]!.raw.subarray(0, SENTENCE_VECTOR_SIZE),
    examples[2]!.raw.subarray(SENTENCE_VECTOR_SIZE),
  ]);
  const p = model.probabilities(x, [0.5, 0.5]);
  assert.ok(Math.abs(p[1]! - head.outOfFold[2]![1]!) < 1e-6);
});

test('a model with the sentence head trains, survives its file, and prepares what it reads', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const { model } = await trainSentenceHeadDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    settings: { folds: 2, taggerBits: 12, classifierBits: 10 },
    head: { maxEpochs: 3 },
  });
  assert.equal(model.header.sentenceHead?.epochs !== undefined, true);
  const bytes = encodeTrainedModel(model);
  const loaded = Detector.fromBytes(bytes, join(ROOT, 'models/sm/model.bin'));
  assert.deepEqual(loaded.header.stages, ['linear', 'sentence-head']);
  // Each call encodes what its stages read: no call needs another before it.
  const ctx = loaded.context(parseArticle(corpus.articles[0]!.text));
  const spans = [{ cpStart: 0, cpEnd: 20 }];
  const [p] = await loaded.classify(ctx, spans);
  assert.ok(Math.abs(p!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const calm = loaded.context(parseArticle('Calm words.'));
  assert.deepEqual(await loaded.classify(calm, []), []);
  // The int8 file keeps the head's decisions: the same best technique as before writing.
  const original = detectorOf(model);
  const [q] = await original.classify(
    original.context(parseArticle(corpus.articles[0]!.text)),
    spans,
  );
  assert.equal(p!.indexOf(Math.max(...p!)), q!.indexOf(Math.max(...q!)));
  const analysis = await loaded.analyze(corpus.articles[1]!.text);
  for (const span of analysis.spans)
    for (const t of span.techniques) assert.ok(t.confidence >= 0 && t.confidence <= 1);
});

test('a head that reads the span alone says so in its file and encodes the span alone', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const { model } = await trainSentenceHeadDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    settings: { folds: 2, taggerBits: 12, classifierBits: 10 },
    head: { maxEpochs: 2 },
    spanOnly: true,
  });
  const seen: string[] = [];
  const embedder = {
    embed: async (texts: readonly string[]) => {
      seen.push(...texts);
      return SentenceEncoder.load().embed(texts);
    },
  };
  const loaded = Detector.fromBytes(encodeTrainedModel(model), join(ROOT, 'models/sm/model.bin'), {
    embedder,
  });
  assert.equal(loaded.header.sentenceHead?.reads, 'span');
  const text = corpus.articles[0]!.text;
  const ctx = loaded.context(parseArticle(text));
  const spans = [
    { cpStart: ctx.doc.sentences[1]!.cpStart, cpEnd: ctx.doc.sentences[1]!.cpStart + 12 },
  ];
  await loaded.classify(ctx, spans);
  const spanText = [...text].slice(spans[0]!.cpStart, spans[0]!.cpEnd).join('');
  // Its sentence half is the constant it learnt from (a blank's vector), never encoded again.
  assert.deepEqual(seen, [spanText]);
});

test('train --model lg writes a model with the sentence head whose card reports cross-validation', () => {
  const dir = tempDir();
  const out = join(dir, 'tiny-lg');
  const cv = join(dir, 'cv.json');
  const fold = { si: 0.4, tc: 0.6, tcMacro: 0.4, full: 0.16 };
  writeFileSync(
    cv,
    JSON.stringify([
      {
        recipe: 'lg',
        articles: 446,
        minutes: 60,
        pooled: fold,
        perFold: [fold, { ...fold, tc: 0.62 }],
      },
    ]),
  );
  const trained = spinscope(
    'train',
    '--model',
    'lg',
    '--data',
    join(FIXTURES, 'corpus'),
    '--dev-split',
    '',
    '--out',
    out,
    '--min-share',
    '0.6',
    '--vector-cache',
    join(dir, 'vectors.bin'),
    '--cv',
    cv,
  );
  assert.equal(trained.code, 0, trained.stderr);
  assert.ok(existsSync(join(dir, 'vectors.bin')), 'the sentence vectors are kept for next time');
  const card = readFileSync(join(out, 'card.md'), 'utf8');
  assert.match(card, /# Model card: `tiny-lg`/);
  assert.match(card, /Universal Sentence Encoder/);
  assert.match(card, /## Cross-validated figures \(recipe `lg`\)/);
  assert.match(card, /--model lg --min-share 0\.6 --seed 1`/);
  assert.match(card, /\| TC micro-F1 \(gold spans\) \| 0\.6000 \| 0\.6100 ± 0\.0141 \|/);
  assert.equal(analyzeFixture(join(out, 'model.bin')).model.name, 'tiny-lg');
  assert.ok(readTrainedModel(join(out, 'model.bin')).sentenceHead);
});
