import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Detector, mixProbabilities } from '../src/detect/detector.js';
import { headInputSize, SentenceHead } from '../src/detect/sentence-head.js';

const HEAD_INPUTS = headInputSize();
import { fuse, SentenceScorer } from '../src/detect/sentence-scorer.js';
import { DEFAULT_SCORER_SETTINGS, trainSentenceScorer } from '../src/train/sentence-scorer.js';
import {
  trainSentenceScorerDetector,
  withSentenceScorer,
} from '../src/train/train-sentence-scorer.js';
import { trainAccurateDetector } from '../src/train/train-accurate.js';
import { parseArticle } from '../src/text/document.js';
import { readCorpus } from '../src/formats/corpus.js';
import {
  SENTENCE_VECTOR_SIZE,
  SentenceEncoder,
  headTexts,
  TextVectors,
} from '../src/features/sentence-encoder.js';
import { DEFAULT_HEAD_SETTINGS, trainSentenceHead } from '../src/train/sentence-head.js';
import {
  accurateWithSentenceHead,
  trainSentenceHeadDetector,
  withNeuralClassifier,
} from '../src/train/train-sentence-head.js';
import { VectorFile } from '../src/train/vector-file.js';
import { tokenTechniqueProbabilities } from '../src/detect/token-techniques.js';
import { topClasses } from '../src/detect/technique-decision.js';
import { TECHNIQUE_LABELS } from '../src/techniques/catalogue.js';
import { seededRandom } from '../src/train/random.js';
import { FIXTURES, ROOT, analyzeFixture, spinscope, tempDir } from './helpers.js';

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
  const cosine = (x: Float32Array, y: Float32Array) => {
    let dot = 0;
    let nx = 0;
    let ny = 0;
    x.forEach((v, i) => {
      dot += v * y[i]!;
      nx += v * v;
      ny += y[i]! * y[i]!;
    });
    return dot / Math.sqrt(nx * ny);
  };
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

test('text vectors are encoded once, and the vector file keeps them across runs', async () => {
  const path = join(tempDir(), 'vectors.bin');
  const file = new VectorFile(path);
  const vectors = new TextVectors(SentenceEncoder.load(), file);
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

test('a span is read with its own sentence and its context on its line, in code points', () => {
  const doc = parseArticle('\ufeffFlags 🇫🇷 wave. Cowards run away! Then calm.\nNext line here.');
  const start = Array.from(doc.text).indexOf('C');
  const span = { cpStart: start, cpEnd: start + 7 };
  assert.deepEqual(headTexts(doc, span), ['Cowards', 'Cowards run away!']);
  // Two tokens each side, across the sentence's edge: the flag and the full stop before it.
  assert.deepEqual(headTexts(doc, span, 2)[2], 'wave. Cowards run away');
  // Never past its line: the next line stays out however wide the window.
  assert.equal(headTexts(doc, span, 50)[2], 'Flags 🇫🇷 wave. Cowards run away! Then calm.');
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

test('a hidden layer learns what one dense layer cannot (the sign of a product)', () => {
  const random = seededRandom(5);
  const examples = Array.from({ length: 600 }, (_, i) => {
    // Two inputs carry the label; the others are constant (zero once standardised).
    const raw = new Float32Array(HEAD_INPUTS);
    raw[0] = random() - 0.5;
    raw[1] = random() - 0.5;
    return { raw, linear: [0.5, 0.5], label: raw[0]! * raw[1]! > 0 ? 1 : 0, fold: i % 3 };
  });
  const outOfFoldRight = (hidden: number) => {
    const head = trainSentenceHead(examples, 2, {
      ...DEFAULT_HEAD_SETTINGS,
      maxEpochs: 15,
      learningRate: 1e-2,
      batchSize: 32,
      hidden,
    });
    return head.outOfFold.filter((p, i) => (p[1]! > 0.5 ? 1 : 0) === examples[i]!.label).length;
  };
  const direct = outOfFoldRight(0);
  const withHidden = outOfFoldRight(16);
  assert.ok(direct < 400, `one layer: ${direct}/600 right`);
  assert.ok(withHidden > direct + 60, `hidden layer: ${withHidden}/600 right, one layer ${direct}`);
});

test('a model with the sentence head trains, survives its file, and needs its spans prepared', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const { detector } = await trainSentenceHeadDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    settings: { folds: 2, taggerBits: 12, classifierBits: 10 },
    head: { maxEpochs: 3, hidden: 4, contextWords: 3 },
    tokenTechniques: true,
  });
  assert.equal(detector.header.sentenceHead?.epochs !== undefined, true);
  const loaded = Detector.fromBytes(detector.encode(), join(ROOT, 'models/fast/model.bin'));
  assert.equal(loaded.sentenceHead?.weights.hidden?.size, 4);
  // A head with the context reads three vectors a span.
  assert.equal(loaded.header.sentenceHead?.contextWords, 3);
  assert.equal(loaded.sentenceHead?.weights.mean.length, 3 * SENTENCE_VECTOR_SIZE);
  // The token-level technique classifier travels with the head.
  const tokenWeight = detector.header.sentenceHead?.tokenTechniques?.weight;
  assert.ok(tokenWeight !== undefined && tokenWeight >= 0 && tokenWeight <= 1);
  // (int8 in the file: the same biases to two decimals)
  loaded.sentenceHead!.tokenTechniques!.biases.forEach((b, c) =>
    assert.ok(Math.abs(b - detector.sentenceHead!.tokenTechniques!.biases[c]!) < 0.02),
  );
  const ctx = loaded.context(parseArticle(corpus.articles[0]!.text));
  const spans = [{ cpStart: 0, cpEnd: 20 }];
  assert.throws(() => loaded.classify(ctx, spans), /prepare the article first/);
  // An article where no span was found is prepared too: classifying no spans gives none.
  const calm = loaded.context(parseArticle('Calm words.'));
  await loaded.prepare(calm, []);
  assert.deepEqual(loaded.classify(calm, []), []);
  await loaded.prepare(ctx, spans);
  const [p] = loaded.classify(ctx, spans);
  assert.ok(Math.abs(p!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // The int8 file keeps the head's decisions: the same best technique as before writing.
  const original = detector.context(parseArticle(corpus.articles[0]!.text));
  await detector.prepare(original, spans);
  const [q] = detector.classify(original, spans);
  assert.equal(p!.indexOf(Math.max(...p!)), q!.indexOf(Math.max(...q!)));
  const analysis = await loaded.analyze(corpus.articles[1]!.text);
  for (const span of analysis.spans)
    for (const t of span.techniques) assert.ok(t.confidence >= 0 && t.confidence <= 1);
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
    '--head-hidden',
    '4',
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
  assert.match(card, /# Model card: `lg`/);
  assert.match(card, /Universal Sentence Encoder/);
  assert.match(card, /## Cross-validated figures \(recipe `lg`\)/);
  assert.match(card, /--model lg --head-hidden 4 --min-share 0\.6 --seed 1`/);
  assert.match(card, /\| TC micro-F1 \(gold spans\) \| 0\.6000 \| 0\.6100 ± 0\.0141 \|/);
  assert.equal(analyzeFixture(join(out, 'model.bin')).model.name, 'lg');
  assert.equal(Detector.load(join(out, 'model.bin')).sentenceHead?.weights.hidden?.size, 4);
});

test('the sentence scorer learns which sentences hold spans, and moves token probabilities toward them', () => {
  const random = seededRandom(7);
  const examples = Array.from({ length: 300 }, (_, i) => {
    const label = i % 3 === 0 ? 1 : 0;
    // Sixteen inputs carry the label; the others are constant (zero once standardised).
    const raw = new Float32Array(SENTENCE_VECTOR_SIZE);
    for (let j = 0; j < 16; j++) raw[j] = random() - 0.5 + 0.3 * label;
    return { raw, label, fold: i % 3 === 0 ? Math.floor(i / 3) % 3 : i % 3 };
  });
  const { weights, outOfFold } = trainSentenceScorer(examples, {
    ...DEFAULT_SCORER_SETTINGS,
    epochs: 30,
    learningRate: 1e-2,
    batchSize: 16,
  });
  const right = examples.filter((e, i) => (outOfFold[i]! > 0.5 ? 1 : 0) === e.label).length;
  assert.ok(right > 270, `out of fold ${right}/300 right`);
  const scorer = new SentenceScorer(weights);
  assert.ok(scorer.probability(examples[0]!.raw) > scorer.probability(examples[1]!.raw));
  // Fusion: weight 0 changes nothing; a sentence at the centre moves nothing; above, up.
  const tokens = Float32Array.of(0.2, 0.5, 0.2);
  const sentenceOf = (i: number) => (i < 2 ? 0 : 1);
  assert.deepEqual(fuse(tokens, sentenceOf, [0.9, 0.1], 0, 0.3), tokens);
  const fused = fuse(tokens, sentenceOf, [0.3, 0.9], 1, 0.3);
  assert.ok(Math.abs(fused[0]! - 0.2) < 1e-6 && Math.abs(fused[1]! - 0.5) < 1e-6);
  assert.ok(fused[2]! > 0.5, `a token in a likely sentence rises: ${fused[2]}`);
});

test('a fast model with the sentence scorer trains, survives its file, and reads whole articles', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const { detector } = await trainSentenceScorerDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    settings: { folds: 2, taggerBits: 12, classifierBits: 10 },
  });
  const fusion = detector.header.sentenceScorer!;
  assert.ok(fusion.weight >= 0 && fusion.centre > 0 && fusion.centre < 1);
  const loaded = Detector.fromBytes(detector.encode(), join(ROOT, 'models/fast/model.bin'));
  assert.ok(loaded.sentenceScorer);
  const ctx = loaded.context(parseArticle(corpus.articles[0]!.text));
  assert.throws(() => loaded.tokenProbabilities(ctx), /prepare the article first/);
  const analysis = await loaded.analyze(corpus.articles[0]!.text);
  assert.equal(analysis.model.name, detector.header.name);
  const again = await detector.analyze(corpus.articles[0]!.text);
  assert.deepEqual(
    analysis.spans.map((s) => [s.start, s.end]),
    again.spans.map((s) => [s.start, s.end]),
  );
});

test('an lg model takes the sentence scorer over its neural taggers, fitted on the held-out fold', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const input = {
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    vectorsFile: join(ROOT, 'models/word-vectors.bin'),
    settings: { folds: 2, taggerBits: 12, classifierBits: 10 },
    accurate: { taggers: 1, taggerEpochs: 1, classifierEpochs: 1 },
    head: { maxEpochs: 2 },
  };
  const accurate = await trainAccurateDetector(input);
  const fast = { ...accurate, detector: accurate.fast };
  const lg = accurateWithSentenceHead(
    accurate.detector,
    (await trainSentenceHeadDetector(input, fast)).detector,
  );
  const withScorer = await withSentenceScorer(lg, fast, input, 0);
  const fusion = withScorer.header.sentenceScorer!;
  assert.ok([0, 0.25, 0.5, 0.75, 1].includes(fusion.weight));
  assert.deepEqual(withScorer.header.classifier, lg.header.classifier);
  const loaded = Detector.fromBytes(withScorer.encode(), join(ROOT, 'models/lg/model.bin'));
  assert.ok(loaded.sentenceScorer && loaded.sentenceHead && loaded.neural);
  const analysis = await loaded.analyze(corpus.articles[1]!.text);
  for (const span of analysis.spans) assert.ok(span.end > span.start);

  // The head times the neural classifier (5c): the weight is fitted on the held-out fold,
  // and the model keeps the classifier that it reads.
  const head = await trainSentenceHeadDetector(input, fast);
  const ensemble = withNeuralClassifier(lg, accurate, head);
  assert.ok([0, 0.25, 0.5, 0.75, 1].includes(ensemble.header.sentenceHead!.neuralWeight!));
  const reloaded = Detector.fromBytes(ensemble.encode(), join(ROOT, 'models/lg/model.bin'));
  assert.ok(reloaded.neural?.classifier && reloaded.sentenceHead);
  const ctx = reloaded.context(parseArticle(corpus.articles[0]!.text));
  const spans = [{ cpStart: 0, cpEnd: 20 }];
  await reloaded.prepare(ctx, spans);
  const [p] = reloaded.classify(ctx, spans);
  assert.ok(Math.abs(p!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test('mixing two classifiers: weight 0 keeps the first, 1 multiplies them', () => {
  const p = Float64Array.of(0.6, 0.4);
  const q = Float64Array.of(0.2, 0.8);
  assert.deepEqual(Array.from(mixProbabilities(p, q, 0)), [0.6, 0.4]);
  const mixed = mixProbabilities(p, q, 1);
  assert.ok(Math.abs(mixed[0]! - 0.12 / 0.44) < 1e-12 && Math.abs(mixed[1]! - 0.32 / 0.44) < 1e-12);
});

test('the token-level technique classifier learns from the words inside spans, and multiplies the head', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const { detector, articles } = await trainSentenceHeadDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    settings: { folds: 2, taggerBits: 12, classifierBits: 10 },
    head: { maxEpochs: 2 },
    tokenTechniques: true,
  });
  const model = detector.sentenceHead!.tokenTechniques!;
  // Trained on these spans: most of them get their own technique back.
  const gold = articles.flatMap((a) =>
    tokenTechniqueProbabilities(model, a.ctx, a.tc).map((p, i) => ({
      p,
      label: TECHNIQUE_LABELS.indexOf(a.tc[i]!.technique),
    })),
  );
  assert.ok(gold.length >= 8);
  const right = gold.filter(({ p, label }) => topClasses(p, 1)[0] === label).length;
  assert.ok(right >= 0.8 * gold.length, `${right}/${gold.length} right`);
  for (const { p } of gold) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  // A span without a token says nothing: equal probabilities.
  const [empty] = tokenTechniqueProbabilities(model, articles[0]!.ctx, [{ cpStart: 0, cpEnd: 0 }]);
  assert.ok(empty!.every((v) => Math.abs(v - 1 / TECHNIQUE_LABELS.length) < 1e-9));
  // With weight 1 the model's probabilities are the head's times the token-level ones.
  const bits = detector.header.sentenceHead!.tokenTechniques!.bits;
  const header = structuredClone(detector.header);
  header.sentenceHead!.tokenTechniques = { bits, weight: 0 };
  const alone = detector.with({ header: structuredClone(header) });
  header.sentenceHead!.tokenTechniques = { bits, weight: 1 };
  const both = detector.with({ header: structuredClone(header) });
  const ctx = detector.context(parseArticle(corpus.articles[0]!.text));
  const spans = articles[0]!.tc;
  await alone.prepare(ctx, spans);
  await both.prepare(ctx, spans);
  const tokens = tokenTechniqueProbabilities(model, ctx, spans);
  const expected = alone.classify(ctx, spans);
  both.classify(ctx, spans).forEach((p, i) => {
    const head = expected[i]!;
    // classify applies the class offsets after the mix: compare before them, by ratios.
    const ratio = (q: Float64Array, c: number) => q[c]! / q[0]!;
    for (let c = 1; c < p.length; c++) {
      if (head[c] === 0) continue; // the Repetition rule zeroes a phrase that never recurs
      assert.ok(
        Math.abs(ratio(p, c) / ratio(head, c) - tokens[i]![c]! / tokens[i]![0]!) <
          1e-6 * (1 + tokens[i]![c]! / tokens[i]![0]!),
      );
    }
  });
});
