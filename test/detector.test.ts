import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze, loadDetector } from '../src/analyze.js';
import { SpinscopeError } from '../src/errors.js';
import { readCorpus } from '../src/formats/corpus.js';
import { defaultModelPath, Detector, sentenceScores } from '../src/detect/detector.js';
import type { DetectedSpan } from '../src/detect/analysis.js';
import { LogisticModel } from '../src/detect/linear.js';
import { SparseRows } from '../src/features/sparse.js';
import { articleContext } from '../src/features/context.js';
import { spanContexts } from '../src/features/span-rows.js';
import { tokenProbabilities } from '../src/detect/span-tagger.js';
import { addTokenRows } from '../src/features/token-rows.js';
import { trainLogistic } from '../src/train/linear-training.js';
import { trainDetector, tuneClassBias } from '../src/train/train.js';
import {
  encodeTrainedModel,
  readTrainedModel,
  trainedModelFromBytes,
} from '../src/train/trained-model.js';
import { adjust, repetitionCues, topClasses } from '../src/detect/technique-decision.js';
import { TECHNIQUE_LABELS } from '../src/techniques/catalogue.js';
import { parseArticle } from '../src/text/document.js';
import { FIXTURES, ROOT } from './helpers.js';

const CLUSTERS = join(ROOT, 'models/word-clusters.bin');
const ARTICLE = `Traitors Sell Out Our Nation 🇺🇸

These so-called leaders are a disgrace 😡 and they will destroy everything we love.
Everyone knows the truth: stand firm, stand proud!
Why do the corrupt elites always lie to us?
`;

function isError(code: string) {
  return (error: unknown) => error instanceof SpinscopeError && error.code === code;
}

function expectError(run: () => unknown, code: string): void {
  assert.throws(run, isError(code));
}

async function expectRejection(run: () => Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(run, isError(code));
}

test('the shipped model loads and finds techniques with valid code-point offsets', async () => {
  const analysis = await analyze(ARTICLE);
  const codePoints = Array.from(ARTICLE);
  assert.equal(analysis.offsetUnit, 'codepoint');
  assert.equal(analysis.length, codePoints.length);
  assert.equal(analysis.title, 'Traitors Sell Out Our Nation 🇺🇸');
  assert.ok(analysis.spans.length > 0, 'expected at least one span in a loaded article');
  for (const span of analysis.spans) {
    assert.ok(span.start >= 0 && span.start < span.end && span.end <= analysis.length);
    assert.equal(codePoints.slice(span.start, span.end).join(''), span.text);
    assert.ok(span.confidence >= 0 && span.confidence <= 1);
    assert.ok(span.techniques.length >= 1 && span.techniques.length <= 2);
    for (const t of span.techniques) {
      assert.ok(TECHNIQUE_LABELS.includes(t.technique));
      assert.ok(t.confidence >= 0 && t.confidence <= 1);
    }
    assert.ok(span.cues.length > 0, 'every span explains itself');
  }
  assert.equal(analysis.sentences.length, 4);
  assert.ok(analysis.document.score > 0 && analysis.document.score <= 1);
  const counted = Object.values(analysis.document.techniqueCounts).reduce((a, b) => a + b, 0);
  assert.equal(
    counted,
    analysis.spans.reduce((n, s) => n + s.techniques.length, 0),
  );
});

test('the threshold hides low-confidence techniques, explain=false drops cues', async () => {
  const all = await analyze(ARTICLE);
  const none = await analyze(ARTICLE, { threshold: 1, explain: false });
  assert.equal(none.spans.length, 0);
  const some = await analyze(ARTICLE, { threshold: 0.2 });
  assert.ok(some.spans.length <= all.spans.length);
  for (const s of some.spans) for (const t of s.techniques) assert.ok(t.confidence >= 0.2);
  // The threshold hides phrases; the scores read every phrase.
  assert.deepEqual(none.sentences, all.sentences);
  assert.deepEqual(none.document, all.document);
  assert.ok((await analyze(ARTICLE, { explain: false })).spans.every((s) => s.cues.length === 0));
});

test('bad input is refused clearly', async () => {
  await expectRejection(() => analyze(''), 'SPN_ERR_INPUT_EMPTY');
  await expectRejection(() => analyze(' \n\t\n '), 'SPN_ERR_INPUT_EMPTY');
  await expectRejection(() => analyze('a\u0000b'), 'SPN_ERR_INPUT_BINARY');
  await expectRejection(() => analyze(42 as unknown as string), 'SPN_ERR_INPUT_TYPE');
  await expectRejection(() => analyze('x'.repeat(5 * 1024 * 1024)), 'SPN_ERR_INPUT_TOO_LARGE');
  await assert.rejects(
    () => analyze('x'.repeat(5 * 1024 * 1024)),
    /5\.0 MiB, over the limit of 2\.0 MiB/,
  );
  // The limit is configurable.
  assert.equal((await analyze('word '.repeat(1000), { maxBytes: 10_000 })).length, 5000);
  await expectRejection(
    () => analyze('word '.repeat(1000), { maxBytes: 100 }),
    'SPN_ERR_INPUT_TOO_LARGE',
  );
});

test('awkward text: one word, a leading BOM, emoji only', async () => {
  assert.equal((await analyze('Hello')).sentences.length, 1);
  const bom = await analyze('\ufeffShameful traitors! 😀 Stand firm, stand proud!');
  assert.equal(
    bom.length,
    Array.from('\ufeffShameful traitors! 😀 Stand firm, stand proud!').length,
  );
  for (const s of bom.spans) assert.ok(s.start >= 1);
  assert.equal((await analyze('😀🇫🇷')).spans.length, 0);
});

test('models answer to their former names too, and say their names sm, md and lg', () => {
  assert.equal(loadDetector('fast'), loadDetector('sm'));
  assert.equal(loadDetector('accurate'), loadDetector('md'));
  // The shipped headers say fast and accurate: the detector reads them as sm and md.
  assert.deepEqual(
    ['sm', 'md', 'lg'].map((name) => loadDetector(name).header.name),
    ['sm', 'md', 'lg'],
  );
});

test('an unknown model is a clear error', () => {
  expectError(() => loadDetector('no-such-model'), 'SPN_ERR_MODEL');
  expectError(() => Detector.fromBytes(Buffer.from('not a model'), 'x.bin'), 'SPN_ERR_MODEL');
});

test('training on a tiny corpus gives a working, reproducible model', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const settings = {
    taggerBits: 12,
    classifierBits: 10,
    folds: 2,
    taggerEpochs: 2,
    classifierEpochs: 3,
  };
  const stages = new Set<string>();
  const first = trainDetector({
    corpus,
    clustersFile: CLUSTERS,
    settings,
    onProgress: (p) => stages.add(p.stage),
  });
  const second = trainDetector({ corpus, clustersFile: CLUSTERS, settings });
  assert.ok(stages.has('reading articles') && stages.has('training final models'));
  // Same data and seed: the same weights and the same decisions.
  assert.deepEqual(first.model.tagger.weights, second.model.tagger.weights);
  assert.deepEqual(first.model.classifier.weights, second.model.classifier.weights);
  assert.deepEqual(first.model.header.tagger.decoding, second.model.header.tagger.decoding);
  const third = trainDetector({
    corpus,
    clustersFile: CLUSTERS,
    settings: { ...settings, seed: 7 },
  });
  assert.notDeepEqual(first.model.tagger.weights, third.model.tagger.weights);

  // The file round trip (int8 quantisation) keeps probabilities within a small tolerance.
  const bytes = encodeTrainedModel(first.model);
  const loaded = Detector.fromBytes(bytes, join(ROOT, 'models/sm/model.bin'));
  const read = trainedModelFromBytes(bytes, join(ROOT, 'models/sm/model.bin'));
  const doc = parseArticle(corpus.articles[0]!.text);
  const before = tokenProbabilities(first.model.tagger, articleContext(doc, first.model.clusters));
  const after = tokenProbabilities(read.tagger, articleContext(doc, read.clusters));
  before.forEach((p, i) =>
    assert.ok(Math.abs(p - (after[i] as number)) < 0.02, `token ${i}: ${p} vs ${after[i]}`),
  );
  const analysis = await loaded.analyze(corpus.articles[1]!.text);
  assert.equal(analysis.offsetUnit, 'codepoint');
});

test('the floor moves predictions from the frequent technique to the starved ones', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const settings = { taggerBits: 12, classifierBits: 10, folds: 2, classifierEpochs: 3 };
  const { articles, outOfFoldPredictions } = trainDetector({
    corpus,
    clustersFile: CLUSTERS,
    settings,
  });
  const probs = outOfFoldPredictions.techniques;
  /** Gold and predicted counts of each technique under these class decisions. */
  const counts = (decoding: ReturnType<typeof tuneClassBias>) => {
    const gold = new Array<number>(TECHNIQUE_LABELS.length).fill(0);
    const predicted = [...gold];
    for (const a of articles) {
      const cues = repetitionCues(a.ctx, a.tc, spanContexts(a.ctx, a.tc));
      a.tc.forEach((span, i) => {
        const p = Float64Array.from(probs.get(a.id)![i]!);
        adjust(p, decoding, cues[i]!);
        gold[TECHNIQUE_LABELS.indexOf(span.technique)]!++;
        predicted[topClasses(p, 1)[0]!]!++;
      });
    }
    return { gold, predicted };
  };
  /** How many predictions the techniques under 0.6 of their gold count lack, all together. */
  const shortfall = ({ gold, predicted }: ReturnType<typeof counts>) =>
    gold.reduce((sum, g, c) => sum + Math.max(0, 0.6 * g - predicted[c]!), 0);
  const plain = counts(tuneClassBias(articles, probs));
  const floored = counts(tuneClassBias(articles, probs, 0.6));
  // Ten gold spans, eight of them predicted Loaded_Language: the floor must take predictions
  // from it for the starved techniques (it raises their offsets a step at a time, together,
  // so on so few spans it closes part of the gap; on the corpus, all of it).
  assert.ok(shortfall(plain) > 0, 'offsets tuned for accuracy alone starve some technique');
  assert.ok(shortfall(floored) < shortfall(plain), `${shortfall(floored)} vs ${shortfall(plain)}`);
  const trained = trainDetector({
    corpus,
    clustersFile: CLUSTERS,
    settings: { ...settings, minPredictedShare: 0.6 },
  });
  assert.equal(trained.model.header.training.minPredictedShare, 0.6);
});

test('the tagger scores with word shares exactly as with each token full feature row', async () => {
  const fast = loadDetector('sm');
  const { tagger } = readTrainedModel(defaultModelPath('sm'));
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  // Words repeated in other places of the window, across sentences, twice in a row.
  const texts = [ARTICLE, `${ARTICLE}\nTraitors traitors! Lie, lie, lie. Stand firm.`];
  for (const text of [...texts, ...corpus.articles.map((a) => a.text)]) {
    const ctx = fast.context(parseArticle(text));
    const rows = new SparseRows();
    addTokenRows(ctx, rows);
    const fromRows = Array.from({ length: rows.rows }, (_, i) =>
      Math.fround(tagger.probability(rows.row(i))),
    );
    // Twice: the second run reads the shares the first one cached.
    for (let run = 0; run < 2; run++)
      assert.deepEqual(Array.from(tokenProbabilities(tagger, ctx)), fromRows);
  }
});

test('word shares summed before a tagger is trained again are not reused', () => {
  const fast = loadDetector('sm');
  const shipped = readTrainedModel(defaultModelPath('sm')).tagger;
  const tagger = new LogisticModel(Float32Array.from(shipped.weights), shipped.bias);
  const ctx = fast.context(parseArticle(ARTICLE));
  const rows = new SparseRows();
  addTokenRows(ctx, rows);
  const before = Array.from(tokenProbabilities(tagger, ctx));
  trainLogistic(tagger, rows, new Uint8Array(rows.rows).fill(1), {
    epochs: 1,
    learningRate: 0.5,
    l2: 0,
    seed: 1,
  });
  const after = Array.from(tokenProbabilities(tagger, ctx));
  assert.notDeepEqual(after, before);
  assert.deepEqual(
    after,
    Array.from({ length: rows.rows }, (_, i) => Math.fround(tagger.probability(rows.row(i)))),
  );
});

test('a sentence scores how likely it holds a technique, whatever its length', () => {
  const doc = parseArticle(
    'The imperialist budget was passed on Tuesday after a long debate in parliament. Traitors!',
  );
  const [long, short] = doc.sentences;
  const span = (start: number, end: number, confidence: number): DetectedSpan => ({
    start,
    end,
    text: doc.offsets.slice(start, end),
    confidence: 0.9,
    techniques: [
      {
        technique: 'Name_Calling,Labeling',
        id: 'name-calling-labeling',
        name: 'Name calling',
        confidence,
      },
    ],
    cues: [],
  });
  const word = doc.text.indexOf('imperialist');
  const budget = doc.text.indexOf('budget');
  const scores = sentenceScores(doc, [
    span(word, word + 'imperialist'.length, 0.6),
    span(budget, budget + 'budget'.length, 0.5),
    span(short!.cpStart, short!.cpEnd, 0.6),
  ]);
  // One loaded word counts in a long sentence as in a short one; two phrases make it likelier
  // that one of them is right: 1 − (1 − 0.6)(1 − 0.5).
  assert.equal(scores[0]!.score, 0.8);
  assert.equal(scores[1]!.score, 0.6);
  assert.equal(scores[0]!.spans, 2);
  assert.ok(long!.cpEnd <= short!.cpStart);
});
