import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModelPath } from '../src/detect/detector.js';
import { stageNames, type ModelHeader } from '../src/detect/model-header.js';
import { tokenProbabilities } from '../src/detect/span-tagger.js';
import { ArticleRun, type Stage } from '../src/detect/stage.js';
import { loadStages } from '../src/detect/stages/index.js';
import { lengthBatches } from '../src/detect/neural/bilstm-graph.js';
import { linearStages } from '../src/detect/stages/linear.js';
import { neuralStages } from '../src/detect/stages/neural.js';
import {
  HEAD_INPUTS,
  SentenceHead,
  sentenceHeadStage,
} from '../src/detect/stages/sentence-head.js';
import { articleContext } from '../src/features/context.js';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import { SENTENCE_VECTOR_SIZE } from '../src/features/sentence-encoder.js';
import { SpinscopeError } from '../src/errors.js';
import { TECHNIQUE_LABELS } from '../src/techniques/catalogue.js';
import { parseArticle } from '../src/text/document.js';
import { ROOT } from './helpers.js';
import { readTrainedModel } from '../src/train/trained-model.js';

const TEXT = 'A headline\n\nThe traitors lie to you every day. Stand firm, patriots!\n';
const fast = readTrainedModel(defaultModelPath('sm'));
const runOf = (
  stages: Stage[],
  embed = async (texts: readonly string[]) =>
    texts.map(() => new Float32Array(SENTENCE_VECTOR_SIZE)),
) =>
  new ArticleRun(articleContext(parseArticle(TEXT), fast.clusters), {
    stages,
    clusters: fast.clusters,
    embedder: { embed },
  });
const SPANS = [{ cpStart: 16, cpEnd: 24 }];

test('the linear stage: token probabilities of its tagger, technique probabilities, cues', async () => {
  const run = runOf(linearStages(fast.tagger, fast.classifier));
  assert.deepEqual(run.tokenProbabilities(), tokenProbabilities(fast.tagger, run.ctx));
  const [p] = await run.techniqueProbabilities(SPANS);
  assert.equal(p!.length, TECHNIQUE_LABELS.length);
  assert.ok(Math.abs(p!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const explainer = run.explainer()!;
  const span = { ...SPANS[0]!, tokenStart: 3, tokenEnd: 4 };
  assert.ok(Array.isArray(explainer.cues!(run, span, 0)));
});

test('the neural stage reads the linear stage before it, and refines its probabilities', async () => {
  const accurate = readTrainedModel(defaultModelPath('md'));
  const [tagger] = neuralStages(accurate.neural!);
  const alone = runOf([tagger!]);
  await assert.rejects(alone.prepareTokens(), /the neural stage reads the stage before it/);
  const run = runOf([
    ...linearStages(accurate.tagger, accurate.classifier),
    ...neuralStages(accurate.neural!),
  ]);
  assert.throws(() => run.tokenProbabilities(), /have not run for this article/);
  await run.prepareTokens();
  const refined = run.tokenProbabilities();
  assert.equal(refined.length, run.ctx.doc.tokens.length);
  assert.notDeepEqual(refined, run.tokensBefore(tagger as never));
  assert.equal((await run.techniqueProbabilities(SPANS))[0]!.length, TECHNIQUE_LABELS.length);
});

test("the BiLSTM taggers on ONNX Runtime give the TypeScript BiLSTM's probabilities", async () => {
  assert.ok(await onnxRuntime(), 'onnxruntime-node is installed (an optional dependency)');
  const accurate = readTrainedModel(defaultModelPath('md'));
  const stack = accurate.neural!;
  // Long sentences too: the tagger reads them in pieces of at most pieceLength tokens.
  const text = readFileSync(join(ROOT, 'examples/harbour-bridge.txt'), 'utf8');
  const long = `${'The traitors, liars and cowards '.repeat(30)}lie.\n🇬🇧 🔥 They lie!`;
  for (const article of [text, long, 'Stand firm!']) {
    const ctx = articleContext(parseArticle(article), accurate.clusters);
    const linear = tokenProbabilities(accurate.tagger, ctx);
    const script = stack.tokenProbabilities(ctx, linear);
    const native = await stack.tokenProbabilitiesFastest(ctx, linear);
    assert.equal(native.length, script.length);
    const worst = Math.max(...script.map((p, i) => Math.abs(p - native[i]!)));
    assert.ok(worst < 1e-5, `taggers differ by ${worst}`);
    // The span classifier: every sentence as a span, and a one-token span.
    const spans = [
      ...ctx.doc.sentences.map((s) => ({ cpStart: s.cpStart, cpEnd: s.cpEnd })),
      { cpStart: 0, cpEnd: 1 },
    ];
    const linearTechniques = spans.map(() =>
      new Float64Array(TECHNIQUE_LABELS.length).fill(1 / TECHNIQUE_LABELS.length),
    );
    const [a, b] = [
      stack.techniqueProbabilities(ctx, spans, linearTechniques, () => linear),
      await stack.techniqueProbabilitiesFastest(ctx, spans, linearTechniques, () => linear),
    ];
    const apart = Math.max(...a.flatMap((p, i) => [...p].map((v, c) => Math.abs(v - b[i]![c]!))));
    assert.ok(apart < 1e-5, `classifiers differ by ${apart}`);
  }
});

test('the BiLSTMs get sequences in batches of like length, each sequence once', () => {
  const lengths = [3, 80, 4, 79, 5, 81, 2, 40];
  const batches = lengthBatches(lengths, 16);
  assert.deepEqual(
    batches.flat().sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  // The short ones together, apart from the long ones: padding 80 rows each is dearer.
  assert.deepEqual(batches, [[6, 0, 2, 4], [7], [3, 1, 5]]);
  // A call dearer than any padding: one batch.
  assert.deepEqual(lengthBatches(lengths, 1e6), [[6, 0, 2, 4, 7, 3, 1, 5]]);
  // At most 256 sequences a call.
  assert.ok(lengthBatches(Array.from({ length: 600 }, () => 7)).every((b) => b.length <= 256));
  assert.deepEqual(lengthBatches([]), []);
});

test('the sentence-head stage reads the vectors of the span and its sentence, prepared first', async () => {
  const C = TECHNIQUE_LABELS.length;
  const mix = new Float32Array(C * C);
  for (let c = 0; c < C; c++) mix[c * C + c] = 1;
  // No weight on the vectors, the identity mix: the head gives back the linear probabilities.
  const head = new SentenceHead({
    classes: C,
    mean: new Float32Array(HEAD_INPUTS),
    scale: new Float32Array(HEAD_INPUTS).fill(1),
    weights: new Float32Array(HEAD_INPUTS * C),
    biases: new Float32Array(C),
    mix,
  });
  const encoded: string[] = [];
  const run = runOf(
    [...linearStages(fast.tagger, fast.classifier), sentenceHeadStage(head, 'both')],
    async (texts) => {
      encoded.push(...texts);
      return texts.map(() => new Float32Array(SENTENCE_VECTOR_SIZE));
    },
  );
  await assert.rejects(run.techniqueProbabilities(SPANS), /no sentence vectors were prepared/);
  await run.prepareTechniques(SPANS);
  assert.deepEqual(encoded, ['traitors', 'The traitors lie to you every day.']);
  const [p] = await run.techniqueProbabilities(SPANS);
  const [linear] = await runOf(linearStages(fast.tagger, fast.classifier)).techniqueProbabilities(
    SPANS,
  );
  p!.forEach((v, c) => assert.ok(Math.abs(v - linear![c]!) < 1e-6, `class ${c}`));
});

test('model files list their stages; older files get theirs from their header parts', () => {
  const header = { neural: {}, sentenceHead: {} } as unknown as ModelHeader;
  assert.deepEqual(stageNames(header), ['linear', 'neural', 'sentence-head']);
  assert.deepEqual(stageNames({ ...header, stages: ['linear'] }), ['linear']);
  const source = { header, tensors: new Map(), sideFile: () => Buffer.alloc(0) };
  assert.throws(
    () => loadStages(['crystal-ball'], source, 'model.bin'),
    (error: unknown) => error instanceof SpinscopeError && /crystal-ball/.test(error.message),
  );
});
