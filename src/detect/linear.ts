/**
 * Linear models over hashed binary features, as they score at run time: a binary logistic
 * regression (token tagger) and a multinomial one (technique classifier). Weight slot =
 * feature hash & mask (the hashing trick): no vocabulary to store, and unseen features cost
 * nothing. Their training is train/linear-training.ts.
 */

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
}

/**
 * Rows of the multinomial model are L2-normalised binary vectors: a long span with hundreds
 * of features must not outvote a short one by sheer number.
 */
export function rowScale(length: number): number {
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
    return softmax(this.scores(slots, out));
  }
}

/** Scores turned into probabilities, in place. */
export function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp((scores[c] as number) - max);
    sum += scores[c] as number;
  }
  for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] as number) / sum;
  return scores;
}

/** A rows × columns matrix (row-major) transposed. */
function transpose(matrix: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) out[c * rows + r] = matrix[r * columns + c] as number;
  return out;
}
