import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyze.js';
import { SpinscopeError } from '../src/errors.js';
import { readCorpus } from '../src/formats/corpus.js';
import { Detector } from '../src/detect/detector.js';
import { BiLstm, fastSigmoid, fastTanh } from '../src/detect/neural/bilstm.js';
import { createBiLstm, encode, exportBiLstm, readyBackend, tf } from '../src/train/neural/tfjs.js';
import { sentencePieces } from '../src/detect/neural/token-inputs.js';
import { seededRandom } from '../src/train/random.js';
import { tokenProbabilities } from '../src/detect/span-tagger.js';
import { trainAccurateDetector } from '../src/train/train-accurate.js';
import {
  encodeTrainedModel,
  readTrainedModel,
  trainedModelFromBytes,
  type TrainedModel,
} from '../src/train/trained-model.js';
import { articleContext } from '../src/features/context.js';
import { parseArticle } from '../src/text/document.js';
import { FIXTURES, ROOT, analyzeFixture, spinscope, tempDir } from './helpers.js';

/** The shipped models (lg: the md model's spans with the sentence head). */
const MODELS = ['sm', 'md', 'lg'] as const;

test('the TypeScript BiLSTM gives the states that TensorFlow.js trains, with and without the word cache', async () => {
  await readyBackend();
  const random = seededRandom(3);
  const inputs = 7;
  const keyed = 4; // the first 4 inputs depend on the key only, like word vectors
  const variables = createBiLstm(inputs, 5, random);
  const words = [0, 1].map(() => Array.from({ length: keyed }, () => random() - 0.5));
  const steps = 6;
  const x = new Float32Array(2 * steps * inputs);
  const keys = new Int32Array(2 * steps);
  for (let t = 0; t < 2 * steps; t++) {
    const key = t % 3 === 2 ? -1 : t % 2; // -1: no vector, the keyed inputs stay zero
    keys[t] = key;
    if (key >= 0) x.set(words[key]!, t * inputs);
    for (let d = keyed; d < inputs; d++) x[t * inputs + d] = random() - 0.5;
  }
  const expected = encode(variables, tf.tensor3d(x, [2, steps, inputs])).dataSync();
  const weights = exportBiLstm(variables);
  const sequences: [number, number][] = [
    [0, steps],
    [steps, 2 * steps],
  ];
  for (const states of [
    new BiLstm(weights).run(x, sequences),
    new BiLstm(weights, keyed).run(x, sequences, keys),
  ]) {
    assert.equal(states.length, expected.length);
    states.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `state ${i}`));
  }
});

test('the BiLSTM’s rational tanh and sigmoid stay within 3e-7 of the exact functions', () => {
  let tanhError = 0;
  let sigmoidError = 0;
  for (let x = -30; x <= 30; x += 1e-3) {
    tanhError = Math.max(tanhError, Math.abs(fastTanh(x) - Math.tanh(x)));
    sigmoidError = Math.max(sigmoidError, Math.abs(fastSigmoid(x) - 1 / (1 + Math.exp(-x))));
    assert.equal(fastTanh(-x), -fastTanh(x));
  }
  assert.ok(tanhError < 3e-7, `tanh error ${tanhError}`);
  assert.ok(sigmoidError < 1.5e-7, `sigmoid error ${sigmoidError}`);
  assert.equal(fastTanh(0), 0);
  assert.ok(Math.abs(fastTanh(1e6) - 1) < 3e-7 && Math.abs(fastTanh(-1e6) + 1) < 3e-7);
});

test('training the md model on a tiny corpus is seeded, and the model file round-trips', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const train = (seed: number) =>
    trainAccurateDetector({
      corpus,
      clustersFile: join(ROOT, 'models/word-clusters.bin'),
      vectorsFile: join(ROOT, 'models/word-vectors.bin'),
      settings: { seed, taggerBits: 12, classifierBits: 10, folds: 2, taggerEpochs: 2 },
      accurate: { hidden: 6, classifierHidden: 6, taggerEpochs: 2, classifierEpochs: 2 },
    });
  const first = await train(1);
  const second = await train(1);
  const other = await train(5);
  const tensors = (m: TrainedModel) => new Map(m.neural!.tensors());
  assert.ok(first.model.header.neural, 'the accurate model has a neural layer');
  assert.deepEqual(tensors(first.model), tensors(second.model));
  assert.deepEqual(first.model.header.tagger.decoding, second.model.header.tagger.decoding);
  assert.notDeepEqual(
    tensors(first.model).get('neural.tagger.forward.kernel'),
    tensors(other.model).get('neural.tagger.forward.kernel'),
  );

  // Refitting the classifier on every article changes the classifier only, and says so.
  assert.deepEqual(first.model.header.neural!.refitted, ['classifier']);
  const kept = await trainAccurateDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    vectorsFile: join(ROOT, 'models/word-vectors.bin'),
    settings: { seed: 1, taggerBits: 12, classifierBits: 10, folds: 2, taggerEpochs: 2 },
    accurate: {
      hidden: 6,
      classifierHidden: 6,
      taggerEpochs: 2,
      classifierEpochs: 2,
      refit: [],
    },
  });
  assert.deepEqual(kept.model.header.neural!.refitted, []);
  assert.deepEqual(
    tensors(kept.model).get('neural.tagger.forward.kernel'),
    tensors(first.model).get('neural.tagger.forward.kernel'),
  );
  assert.notDeepEqual(
    tensors(kept.model).get('neural.classifier.head'),
    tensors(first.model).get('neural.classifier.head'),
  );

  const path = join(ROOT, 'models/sm/model.bin');
  const loaded = trainedModelFromBytes(encodeTrainedModel(first.model), path);
  const text = corpus.articles[0]!.text;
  const tokensOf = (m: TrainedModel, ctx = articleContext(parseArticle(text), m.clusters)) =>
    m.neural!.tokenProbabilities(ctx, tokenProbabilities(m.tagger, ctx));
  const before = tokensOf(first.model);
  const after = tokensOf(loaded);
  before.forEach((p, i) =>
    assert.ok(Math.abs(p - after[i]!) < 0.03, `token ${i}: ${p} vs ${after[i]}`),
  );
  // Two taggers by default, each with its own seed: a token's probability is their mean.
  assert.equal(loaded.neural!.taggers.length, 2);
  assert.equal(loaded.header.neural!.tagger.more?.length, 1);
  assert.notDeepEqual(
    tensors(first.model).get('neural.tagger2.forward.kernel'),
    tensors(first.model).get('neural.tagger.forward.kernel'),
  );
  const ctx = articleContext(parseArticle(text), loaded.clusters);
  const { x, keys } = loaded.neural!.tokenInputs(ctx, () => tokenProbabilities(loaded.tagger, ctx));
  const pieces = sentencePieces(ctx, loaded.header.neural!.pieceLength);
  const [a, b] = loaded.neural!.taggers.map((t) => t.tokenProbabilities(x, pieces, keys));
  assert.notDeepEqual(a, b);
  tokensOf(loaded, ctx).forEach((p, i) =>
    assert.ok(Math.abs(p - (a![i]! + b![i]!) / 2) < 1e-6, `token ${i}: the mean of both taggers`),
  );
  // One tagger, as older model files have.
  const single = await trainAccurateDetector({
    corpus,
    clustersFile: join(ROOT, 'models/word-clusters.bin'),
    vectorsFile: join(ROOT, 'models/word-vectors.bin'),
    settings: { seed: 1, taggerBits: 12, classifierBits: 10, folds: 2, taggerEpochs: 2 },
    accurate: { hidden: 6, classifierHidden: 6, taggerEpochs: 2, classifierEpochs: 2, taggers: 1 },
  });
  assert.equal(single.model.header.neural!.tagger.more, undefined);
  assert.equal(tensors(single.model).has('neural.tagger2.forward.kernel'), false);
  assert.deepEqual(
    tensors(single.model).get('neural.tagger.forward.kernel'),
    tensors(first.model).get('neural.tagger.forward.kernel'),
  );

  const detector = Detector.fromBytes(encodeTrainedModel(first.model), path);
  const analysis = await detector.analyze(corpus.articles[1]!.text);
  for (const span of analysis.spans) {
    assert.ok(span.techniques.length >= 1);
    for (const t of span.techniques) assert.ok(t.confidence >= 0 && t.confidence <= 1);
  }
});

for (const model of MODELS) {
  test(`the shipped ${model} model handles awkward text`, async () => {
    const bomText = '\ufeffShameful traitors 🇺🇸! 😀 Stand firm, stand proud! They lie and lie.';
    const bom = await analyze(bomText, { model });
    const codePoints = Array.from(bomText);
    assert.equal(bom.length, codePoints.length);
    for (const s of bom.spans) {
      assert.ok(s.start >= 1 && s.end <= codePoints.length);
      assert.equal(codePoints.slice(s.start, s.end).join(''), s.text);
    }
    assert.equal((await analyze('Hello', { model })).sentences.length, 1);
    assert.equal((await analyze('😀🇫🇷', { model })).spans.length, 0);
    for (const [text, code] of [
      ['', 'SPN_ERR_INPUT_EMPTY'],
      ['x'.repeat(5 * 1024 * 1024), 'SPN_ERR_INPUT_TOO_LARGE'],
    ] as const) {
      await assert.rejects(
        () => analyze(text, { model }),
        (error: unknown) => error instanceof SpinscopeError && error.code === code,
      );
    }
  });
}

test('analyze --model sm, md and lg (or the former fast, accurate) answer with their names', () => {
  const file = join(tempDir(), 'article.txt');
  writeFileSync(file, 'These traitors will destroy everything we love. Stand firm, stand proud!\n');
  const names: [string, string][] = [
    ...MODELS.map((m): [string, string] => [m, m]),
    ['fast', 'sm'],
    ['accurate', 'md'],
  ];
  for (const [model, name] of names) {
    const run = spinscope('analyze', file, '--model', model, '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { model: { name: string }; offsetUnit: string };
    assert.equal(result.model.name, name);
    assert.equal(result.offsetUnit, 'codepoint');
  }
});

test('train --model md (or accurate) writes a model that carries its word vectors and loads', () => {
  const out = join(tempDir(), 'tiny-md');
  const trained = spinscope(
    'train',
    '--model',
    'accurate',
    '--data',
    join(FIXTURES, 'corpus'),
    '--dev-split',
    '',
    '--out',
    out,
    '--refit',
    'both',
  );
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /model written to .*model\.bin/);
  // Outside models/, the side files are copied next to the model so that it loads anywhere.
  assert.ok(
    existsSync(join(out, 'word-vectors.bin')) && existsSync(join(out, 'word-clusters.bin')),
  );
  const card = readFileSync(join(out, 'card.md'), 'utf8');
  assert.match(card, /# Model card: `tiny-md`/);
  assert.match(card, /trained again on all the training articles.*: tagger and classifier;/);
  assert.match(card, /--model md --seed 1`/);
  assert.equal(analyzeFixture(join(out, 'model.bin')).model.name, 'tiny-md');

  // lg from this md model: its taggers are taken as they are, only the head is trained.
  const lgOut = join(tempDir(), 'tiny-lg');
  const lg = (flag: '--md' | '--accurate', ...extra: string[]) =>
    spinscope(
      'train',
      '--model',
      'lg',
      '--data',
      join(FIXTURES, 'corpus'),
      '--dev-split',
      '',
      '--out',
      lgOut,
      '--vector-cache',
      join(lgOut, 'vectors.bin'),
      flag,
      join(out, 'model.bin'),
      ...extra,
    );
  const mismatched = lg('--accurate', '--seed', '2'); // the former name of --md
  assert.equal(mismatched.code, 1, mismatched.stderr);
  assert.match(mismatched.stderr, /trained on 3 articles with seed 1, this run has 3 with seed 2/);
  const reused = lg('--md');
  assert.equal(reused.code, 0, reused.stderr);
  const accurate = readTrainedModel(join(out, 'model.bin'));
  const lgModel = readTrainedModel(join(lgOut, 'model.bin'));
  assert.ok(lgModel.sentenceHead);
  assert.deepEqual(lgModel.header.stages, ['linear', 'neural', 'sentence-head']);
  assert.deepEqual(lgModel.header.tagger, accurate.header.tagger);
  const taggerTensors = (d: TrainedModel) =>
    new Map(d.neural!.tensors().filter(([name]) => !name.includes('classifier')));
  assert.deepEqual(taggerTensors(lgModel), taggerTensors(accurate));
});
