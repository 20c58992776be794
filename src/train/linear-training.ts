/**
 * Training of the linear models (detect/linear.ts): stochastic AdaGrad with lazy L2
 * regularisation, rows in a seeded random order each epoch.
 */
import type { SparseRows } from '../features/sparse.js';
import { rowScale, sigmoid, type LogisticModel, type SoftmaxModel } from '../detect/linear.js';
import { seededRandom, shuffle } from './random.js';

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 strength, applied lazily to the weights a row touches. */
  l2: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** One AdaGrad update of weight k: steps shrink as squared gradients accumulate. */
function adagradStep(
  w: Float32Array,
  g2: Float32Array | Float64Array,
  k: number,
  grad: number,
  rate: number,
): void {
  g2[k] = (g2[k] as number) + grad * grad;
  w[k] = (w[k] as number) - (rate * grad) / Math.sqrt((g2[k] as number) + 1e-8);
}

/**
 * Epochs of stochastic updates in a seeded random order; `update` learns from row r and
 * returns its loss (before the update).
 */
function runEpochs(
  rows: SparseRows,
  options: TrainOptions,
  update: (slots: Uint32Array, r: number) => number,
): void {
  const random = seededRandom(options.seed);
  const order = Array.from({ length: rows.rows }, (_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    let loss = 0;
    for (const r of order) loss += update(rows.row(r), r);
    options.onEpoch?.(epoch, loss / Math.max(1, rows.rows));
  }
}

/** Train a logistic model on rows with 0/1 labels (its weights change in place). */
export function trainLogistic(
  model: LogisticModel,
  rows: SparseRows,
  labels: Uint8Array,
  options: TrainOptions,
): void {
  const w = model.weights;
  const mask = model.mask;
  model.revision++;
  const g2 = new Float32Array(w.length);
  let biasG2 = 0;
  runEpochs(rows, options, (slots, r) => {
    const y = labels[r] as number;
    const p = sigmoid(model.score(slots));
    const g = p - y;
    for (let i = 0; i < slots.length; i++) {
      const k = (slots[i] as number) & mask;
      const grad = g + options.l2 * (w[k] as number);
      adagradStep(w, g2, k, grad, options.learningRate);
    }
    biasG2 += g * g;
    model.bias -= (options.learningRate * g) / Math.sqrt(biasG2 + 1e-8);
    return y ? -Math.log(p + 1e-12) : -Math.log(1 - p + 1e-12);
  });
}

/** Train a multinomial model on rows with class labels (its weights change in place). */
export function trainSoftmax(
  model: SoftmaxModel,
  rows: SparseRows,
  labels: Uint8Array,
  options: TrainOptions,
): void {
  const classes = model.classes;
  const mask = model.slots - 1;
  const w = model.weights;
  const g2 = new Float32Array(w.length);
  const biasG2 = new Float64Array(classes);
  const p = new Float64Array(classes);
  runEpochs(rows, options, (slots, r) => {
    const y = labels[r] as number;
    model.probabilities(slots, p);
    const loss = -Math.log((p[y] as number) + 1e-12);
    const scale = rowScale(slots.length);
    for (let c = 0; c < classes; c++) {
      const g = (p[c] as number) - (c === y ? 1 : 0);
      if (Math.abs(g) < 1e-6) continue;
      for (let i = 0; i < slots.length; i++) {
        const k = ((slots[i] as number) & mask) * classes + c;
        const grad = g * scale + options.l2 * (w[k] as number);
        adagradStep(w, g2, k, grad, options.learningRate);
      }
      adagradStep(model.biases, biasG2, c, g, options.learningRate);
    }
    return loss;
  });
}
