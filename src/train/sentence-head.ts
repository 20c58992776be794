/**
 * Training of the sentence-vector technique head (detect/stages/sentence-head.ts): softmax
 * regression by mini-batch Adam, L2 on the dense weights and on the mix's distance from the
 * identity. The number of epochs is chosen on the training articles' own folds (the lowest
 * held-out log-loss), which also gives the head's out-of-fold probabilities for the
 * decisions fitted after it.
 */
import {
  HEAD_INPUTS,
  headScores,
  standardise,
  type SentenceHeadWeights,
} from '../detect/stages/sentence-head.js';
import { softmax } from '../detect/linear.js';
import { seededRandom, shuffle } from './random.js';

export interface HeadExample {
  /** Raw inputs: the span's vector and its sentence's. */
  raw: Float32Array;
  /** The linear classifier's probabilities, out of fold. */
  linear: ArrayLike<number>;
  label: number;
  fold: number;
}

export interface HeadSettings {
  maxEpochs: number;
  learningRate: number;
  l2: number;
  batchSize: number;
  seed: number;
}

export const DEFAULT_HEAD_SETTINGS: HeadSettings = {
  maxEpochs: 30,
  learningRate: 1e-3,
  l2: 1e-4,
  batchSize: 32,
  seed: 1,
};

export interface TrainedHead {
  weights: SentenceHeadWeights;
  /** The head of each fold, trained without it for the chosen epochs. */
  foldWeights: Map<number, SentenceHeadWeights>;
  epochs: number;
  /** Out-of-fold probabilities of each example, at the chosen epoch (inner folds). */
  outOfFold: Float64Array[];
  /** Mean held-out log-loss after each epoch. */
  losses: number[];
}

export function trainSentenceHead(
  examples: readonly HeadExample[],
  classes: number,
  settings: HeadSettings = DEFAULT_HEAD_SETTINGS,
): TrainedHead {
  const { mean, scale } = standardisation(
    examples.map((e) => e.raw),
    HEAD_INPUTS,
  );
  const x = examples.map((e) => standardise(e.raw, mean, scale));
  const folds = [...new Set(examples.map((e) => e.fold))].sort((a, b) => a - b);
  // held[e][epoch]: example e's probabilities after each epoch of the model that did not see it.
  const held: Float64Array[][] = examples.map(() => []);
  const losses = new Array<number>(settings.maxEpochs).fill(0);
  for (const fold of folds) {
    const inFold = examples.flatMap((e, i) => (e.fold === fold ? [] : [i]));
    const out = examples.flatMap((e, i) => (e.fold === fold ? [i] : []));
    fit(x, examples, inFold, classes, mean, scale, settings, settings.maxEpochs, (epoch, w) => {
      for (const i of out) {
        const p = softmax(headScores(w, x[i]!, examples[i]!.linear));
        held[i]![epoch] = p;
        const label = examples[i]!.label;
        losses[epoch]! -= Math.log(Math.max(p[label] as number, 1e-12));
      }
    });
  }
  for (let e = 0; e < losses.length; e++) losses[e]! /= examples.length;
  const best = losses.indexOf(Math.min(...losses));
  const all = examples.map((_, i) => i);
  const weights = fit(x, examples, all, classes, mean, scale, settings, best + 1);
  // Each fold's head again, stopped at the chosen epoch: the decisions fitted after the head
  // read spans that it did not see.
  const foldWeights = new Map(
    folds.map((fold) => [
      fold,
      fit(
        x,
        examples,
        all.filter((i) => examples[i]!.fold !== fold),
        classes,
        mean,
        scale,
        settings,
        best + 1,
      ),
    ]),
  );
  return { weights, foldWeights, epochs: best + 1, outOfFold: held.map((h) => h[best]!), losses };
}

function fit(
  x: readonly Float32Array[],
  examples: readonly HeadExample[],
  rows: number[],
  classes: number,
  mean: Float32Array,
  scale: Float32Array,
  settings: HeadSettings,
  epochs: number,
  afterEpoch?: (epoch: number, weights: SentenceHeadWeights) => void,
): SentenceHeadWeights {
  const C = classes;
  const random = seededRandom(settings.seed);
  const inputs = mean.length;
  const w: SentenceHeadWeights = {
    classes,
    mean,
    scale,
    weights: new Float32Array(inputs * C),
    biases: new Float32Array(C),
    mix: new Float32Array(C * C),
  };
  for (let c = 0; c < C; c++) w.mix[c * C + c] = 1;
  const params = [w.weights, w.biases, w.mix];
  const [gw, gb, gm] = params.map((p) => new Float32Array(p.length)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const adam = params.map((p) => ({
    m: new Float32Array(p.length),
    v: new Float32Array(p.length),
  }));
  const order = [...rows];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    for (let at = 0; at < order.length; at += settings.batchSize) {
      const batch = order.slice(at, at + settings.batchSize);
      for (const g of [gw, gb, gm]) g.fill(0);
      for (const i of batch) addGradients(w, x[i]!, examples[i]!, gw, gb, gm);
      const n = batch.length;
      // L2 toward zero on the dense weights, toward the identity on the mix; none on biases.
      for (let k = 0; k < gw.length; k++)
        gw[k] = (gw[k] as number) / n + settings.l2 * (w.weights[k] as number);
      for (let k = 0; k < gb.length; k++) gb[k]! /= n;
      for (let k = 0; k < gm.length; k++) {
        const identity = Math.floor(k / C) === k % C ? 1 : 0;
        gm[k] = (gm[k] as number) / n + settings.l2 * ((w.mix[k] as number) - identity);
      }
      step++;
      [gw, gb, gm].forEach((g, k) =>
        adamStep(params[k]!, g, adam[k]!, settings.learningRate, step),
      );
    }
    afterEpoch?.(epoch, w);
  }
  return w;
}

/** Add one example's gradients of the log-loss to those of the dense layer, biases and mix. */
function addGradients(
  w: SentenceHeadWeights,
  xi: Float32Array,
  e: HeadExample,
  gw: Float32Array,
  gb: Float32Array,
  gm: Float32Array,
): void {
  const C = w.classes;
  const p = softmax(headScores(w, xi, e.linear));
  p[e.label]! -= 1;
  for (let j = 0; j < xi.length; j++) {
    const v = xi[j] as number;
    const row = j * C;
    for (let c = 0; c < C; c++) gw[row + c]! += v * (p[c] as number);
  }
  for (let c = 0; c < C; c++) gb[c]! += p[c] as number;
  for (let m = 0; m < C; m++) {
    const l = Math.log(Math.max(e.linear[m] as number, 1e-6));
    for (let c = 0; c < C; c++) gm[m * C + c]! += l * (p[c] as number);
  }
}

/** One Adam step on `param` from its gradient. */
export function adamStep(
  param: Float32Array,
  grad: Float32Array,
  state: { m: Float32Array; v: Float32Array },
  learningRate: number,
  step: number,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const correction1 = 1 - b1 ** step;
  const correction2 = 1 - b2 ** step;
  for (let k = 0; k < param.length; k++) {
    const g = grad[k] as number;
    const m = (state.m[k] = b1 * (state.m[k] as number) + (1 - b1) * g);
    const v = (state.v[k] = b2 * (state.v[k] as number) + (1 - b2) * g * g);
    param[k] =
      (param[k] as number) -
      (learningRate * (m / correction1)) / (Math.sqrt(v / correction2) + 1e-8);
  }
}

/** Mean and inverse standard deviation of each of `size` inputs over the rows. */
export function standardisation(
  rows: readonly Float32Array[],
  size: number,
): {
  mean: Float32Array;
  scale: Float32Array;
} {
  const mean = new Float32Array(size);
  const squares = new Float64Array(size);
  for (const raw of rows)
    for (let j = 0; j < size; j++) {
      mean[j]! += raw[j] as number;
      squares[j]! += (raw[j] as number) ** 2;
    }
  const n = Math.max(1, rows.length);
  const scale = new Float32Array(size);
  for (let j = 0; j < size; j++) {
    mean[j]! /= n;
    const variance = (squares[j] as number) / n - (mean[j] as number) ** 2;
    scale[j] = 1 / Math.sqrt(Math.max(variance, 1e-8));
  }
  return { mean, scale };
}
