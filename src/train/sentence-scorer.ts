/**
 * Training of the sentence scorer (detect/sentence-scorer.ts): logistic regression over
 * standardised sentence vectors by mini-batch Adam with L2, a fixed number of epochs. Each
 * fold's scorer, trained on the other folds, gives the out-of-fold probabilities that the
 * tagger's fusion weight is fitted on.
 */
import { SENTENCE_VECTOR_SIZE } from '../features/sentence-encoder.js';
import { sigmoid } from '../detect/linear.js';
import { standardise } from '../detect/sentence-head.js';
import type { SentenceScorerWeights } from '../detect/sentence-scorer.js';
import { seededRandom, shuffle } from './random.js';
import { adamStep, standardisation } from './sentence-head.js';

export interface SentenceExample {
  /** The sentence's vector. */
  raw: Float32Array;
  /** 1 when a gold span overlaps the sentence. */
  label: number;
  fold: number;
}

export interface ScorerSettings {
  epochs: number;
  learningRate: number;
  l2: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_SCORER_SETTINGS: ScorerSettings = {
  epochs: 8,
  learningRate: 1e-3,
  l2: 1e-3,
  batchSize: 64,
  seed: 1,
};

export interface TrainedScorer {
  weights: SentenceScorerWeights;
  /** Each example's probability from the scorer of the other folds. */
  outOfFold: Float64Array;
}

export function trainSentenceScorer(
  examples: readonly SentenceExample[],
  settings: ScorerSettings = DEFAULT_SCORER_SETTINGS,
): TrainedScorer {
  const { mean, scale } = standardisation(
    examples.map((e) => e.raw),
    SENTENCE_VECTOR_SIZE,
  );
  const x = examples.map((e) => standardise(e.raw, mean, scale));
  const outOfFold = new Float64Array(examples.length);
  for (const fold of new Set(examples.map((e) => e.fold))) {
    const rows = examples.flatMap((e, i) => (e.fold === fold ? [] : [i]));
    const w = fit(x, examples, rows, settings);
    examples.forEach((e, i) => {
      if (e.fold === fold) outOfFold[i] = score(w, x[i]!);
    });
  }
  const all = fit(
    x,
    examples,
    examples.map((_, i) => i),
    settings,
  );
  return { weights: { mean, scale, weights: all.weights, bias: all.bias[0] as number }, outOfFold };
}

function score(w: { weights: Float32Array; bias: Float32Array }, x: Float32Array): number {
  let z = w.bias[0] as number;
  for (let j = 0; j < x.length; j++) z += (x[j] as number) * (w.weights[j] as number);
  return sigmoid(z);
}

function fit(
  x: readonly Float32Array[],
  examples: readonly SentenceExample[],
  rows: readonly number[],
  settings: ScorerSettings,
): { weights: Float32Array; bias: Float32Array } {
  const w = { weights: new Float32Array(SENTENCE_VECTOR_SIZE), bias: new Float32Array(1) };
  const grads = { weights: new Float32Array(SENTENCE_VECTOR_SIZE), bias: new Float32Array(1) };
  const adam = {
    weights: {
      m: new Float32Array(SENTENCE_VECTOR_SIZE),
      v: new Float32Array(SENTENCE_VECTOR_SIZE),
    },
    bias: { m: new Float32Array(1), v: new Float32Array(1) },
  };
  const random = seededRandom(settings.seed);
  const order = [...rows];
  let step = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffle(order, random);
    for (let at = 0; at < order.length; at += settings.batchSize) {
      const batch = order.slice(at, at + settings.batchSize);
      grads.weights.fill(0);
      grads.bias.fill(0);
      for (const i of batch) {
        const xi = x[i]!;
        const d = score(w, xi) - examples[i]!.label;
        for (let j = 0; j < xi.length; j++) grads.weights[j]! += d * (xi[j] as number);
        grads.bias[0]! += d;
      }
      for (let j = 0; j < SENTENCE_VECTOR_SIZE; j++)
        grads.weights[j] =
          (grads.weights[j] as number) / batch.length + settings.l2 * (w.weights[j] as number);
      grads.bias[0]! /= batch.length;
      step++;
      adamStep(w.weights, grads.weights, adam.weights, settings.learningRate, step);
      adamStep(w.bias, grads.bias, adam.bias, settings.learningRate, step);
    }
  }
  return w;
}
