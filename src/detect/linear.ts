/**
 * Linear models over hashed binary features, trained with AdaGrad and L2 regularisation:
 * a binary logistic regression (token tagger) and a multinomial one (technique
 * classifier). Weight slot = feature hash & mask (the hashing trick): no vocabulary to
 * store, and unseen features cost nothing.
 */
import { seededRandom, shuffle } from '../train/random.js';
import type { SparseRows } from '../features/sparse.js';

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

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Binary logistic regression. `weights.length` is a power of two. */
export class LogisticModel {
  /** Counts the training runs that changed the weights: caches of weight sums check it. */
  revision = 0;

  constructor(
    readonly weights: Float32Array,
    public bias = 0,
  ) {}

  static create(bits: number): LogisticModel {
    return new LogisticModel(new Float32Array(1 << bits));
  }

  get mask(): number {
    return this.weights.length - 1;
  }

  score(slots: ArrayLike<number>): number {
    let z = this.bias;
    const w = this.weights;
    const mask = this.mask;
    for (let i = 0; i < slots.length; i++) z += w[(slots[i] as number) & mask] as number;
    return z;
  }

  probability(slots: ArrayLike<number>): number {
    return sigmoid(this.score(slots));
  }

  train(rows: SparseRows, labels: Uint8Array, options: TrainOptions): void {
    const w = this.weights;
    const mask = this.mask;
    this.revision++;
    const g2 = new Float32Array(w.length);
    let biasG2 = 0;
    runEpochs(rows, options, (slots, r) => {
      const y = labels[r] as number;
      const p = sigmoid(this.score(slots));
      const g = p - y;
      for (let i = 0; i < slots.length; i++) {
        const k = (slots[i] as number) & mask;
        const grad = g + options.l2 * (w[k] as number);
        adagradStep(w, g2, k, grad, options.learningRate);
      }
      biasG2 += g * g;
      this.bias -= (options.learningRate * g) / Math.sqrt(biasG2 + 1e-8);
      return y ? -Math.log(p + 1e-12) : -Math.log(1 - p + 1e-12);
    });
  }
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

/**
 * Rows of the multinomial model are L2-normalised binary vectors: a long span with hundreds
 * of features must not outvote a short one by sheer number.
 */
function rowScale(length: number): number {
  return length > 0 ? 1 / Math.sqrt(length) : 1;
}

/**
 * Multinomial logistic regression over `classes` outputs. Weights are slot-major (the
 * `classes` weights of a slot sit side by side), so a feature costs one cache line, not one
 * per class.
 */
export class SoftmaxModel {
  constructor(
    readonly classes: number,
    readonly weights: Float32Array,
    readonly biases: Float32Array,
  ) {}

  static create(classes: number, bits: number): SoftmaxModel {
    return new SoftmaxModel(classes, new Float32Array(classes << bits), new Float32Array(classes));
  }

  get slots(): number {
    return this.weights.length / this.classes;
  }

  /** A model from weights stored class-major (all of class 0's slots, then class 1's…), as model files keep them. */
  static fromClassMajor(
    classes: number,
    weights: Float32Array,
    biases: Float32Array,
  ): SoftmaxModel {
    return new SoftmaxModel(classes, transpose(weights, classes, weights.length / classes), biases);
  }

  /** The weights class-major, as model files keep them. */
  classMajorWeights(): Float32Array {
    return transpose(this.weights, this.slots, this.classes);
  }

  /** How much a feature slot (before masking) favours class c over the average class. */
  relativeWeight(slot: number, c: number): number {
    const base = (slot & (this.slots - 1)) * this.classes;
    let sum = 0;
    for (let k = 0; k < this.classes; k++) sum += this.weights[base + k] as number;
    return (this.weights[base + c] as number) - sum / this.classes;
  }

  scores(slots: ArrayLike<number>, out = new Float64Array(this.classes)): Float64Array {
    const classes = this.classes;
    const mask = this.slots - 1;
    const w = this.weights;
    out.fill(0);
    for (let i = 0; i < slots.length; i++) {
      const base = ((slots[i] as number) & mask) * classes;
      for (let c = 0; c < classes; c++) out[c] = (out[c] as number) + (w[base + c] as number);
    }
    const scale = rowScale(slots.length);
    for (let c = 0; c < classes; c++)
      out[c] = (this.biases[c] as number) + (out[c] as number) * scale;
    return out;
  }

  probabilities(slots: ArrayLike<number>, out = new Float64Array(this.classes)): Float64Array {
    this.scores(slots, out);
    let max = -Infinity;
    for (let c = 0; c < this.classes; c++) max = Math.max(max, out[c] as number);
    let sum = 0;
    for (let c = 0; c < this.classes; c++) {
      out[c] = Math.exp((out[c] as number) - max);
      sum += out[c] as number;
    }
    for (let c = 0; c < this.classes; c++) out[c] = (out[c] as number) / sum;
    return out;
  }

  train(rows: SparseRows, labels: Uint8Array, options: TrainOptions): void {
    const classes = this.classes;
    const mask = this.slots - 1;
    const w = this.weights;
    const g2 = new Float32Array(w.length);
    const biasG2 = new Float64Array(classes);
    const p = new Float64Array(classes);
    runEpochs(rows, options, (slots, r) => {
      const y = labels[r] as number;
      this.probabilities(slots, p);
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
        adagradStep(this.biases, biasG2, c, g, options.learningRate);
      }
      return loss;
    });
  }
}

/** A rows × columns matrix (row-major) transposed. */
function transpose(matrix: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) out[c * rows + r] = matrix[r * columns + c] as number;
  return out;
}
