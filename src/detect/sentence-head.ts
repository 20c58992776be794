/**
 * The technique head over sentence vectors (features/sentence-encoder.ts): the vectors of
 * the span and of its sentence (and, when trained so, of the span in its context),
 * standardised, go through one dense layer whose scores are added to a learned mix of the linear classifier's log-probabilities (initialised to the
 * identity, so training starts from the linear model). Techniques are semantic categories
 * (fear, doubt, flag-waving, causal claims) that the span's words and word clusters catch
 * only in part; the encoder has read far more text than the corpus holds.
 */
import { SENTENCE_VECTOR_SIZE } from '../features/sentence-encoder.js';
import { logLinear } from './neural/classifier.js';
import { softmax, SoftmaxModel } from './linear.js';
import { tensorOf } from '../formats/model-file.js';

/** The span's vector, its sentence's, and its context's when the head reads one. */
export function headInputSize(contextWords = 0): number {
  return (contextWords > 0 ? 3 : 2) * SENTENCE_VECTOR_SIZE;
}

export interface SentenceHeadWeights {
  readonly classes: number;
  /** Standardisation of each input: (x - mean) * scale. */
  readonly mean: Float32Array;
  readonly scale: Float32Array;
  /** [inputs x classes], input-major. */
  readonly weights: Float32Array;
  readonly biases: Float32Array;
  /** [classes x classes]: linear log-probabilities to scores. */
  readonly mix: Float32Array;
  /** An optional hidden layer of ReLU units beside the direct one; its scores are added. */
  readonly hidden?: HiddenLayer;
}

export interface HiddenLayer {
  readonly size: number;
  /** [inputs x size], input-major. */
  readonly weights: Float32Array;
  readonly biases: Float32Array;
  /** [size x classes]. */
  readonly out: Float32Array;
}

/** What a model file says of its head's shape (the header's `sentenceHead`). */
export interface SentenceHeadShape {
  hidden?: number;
  contextWords?: number;
  /** The token-level technique classifier beside the head (detect/token-techniques.ts). */
  tokenTechniques?: { bits: number; weight: number };
}

export class SentenceHead {
  constructor(
    readonly weights: SentenceHeadWeights,
    /** The token-level technique classifier whose probabilities multiply the head's. */
    readonly tokenTechniques?: SoftmaxModel,
  ) {}

  /** The standardised inputs of a span: its vector, its sentence's (and its context's). */
  inputs(vectors: readonly Float32Array[]): Float32Array {
    return standardise(headInputs(vectors), this.weights.mean, this.weights.scale);
  }

  /** Technique probabilities from standardised inputs and the linear probabilities. */
  probabilities(x: Float32Array, linear: ArrayLike<number>): Float64Array {
    return softmax(headScores(this.weights, x, linear));
  }

  tensors(): [string, Float32Array][] {
    const w = this.weights;
    return [
      ['sentenceHead.mean', w.mean],
      ['sentenceHead.scale', w.scale],
      ['sentenceHead.weights', w.weights],
      ['sentenceHead.biases', w.biases],
      ['sentenceHead.mix', w.mix],
      ...(w.hidden
        ? ([
            ['sentenceHead.hidden.weights', w.hidden.weights],
            ['sentenceHead.hidden.biases', w.hidden.biases],
            ['sentenceHead.hidden.out', w.hidden.out],
          ] as [string, Float32Array][])
        : []),
      ...(this.tokenTechniques
        ? ([
            ['sentenceHead.tokenTechniques', this.tokenTechniques.classMajorWeights()],
            ['sentenceHead.tokenTechniques.biases', this.tokenTechniques.biases],
          ] as [string, Float32Array][])
        : []),
    ];
  }

  static fromTensors(
    classes: number,
    tensors: ReadonlyMap<string, Float32Array>,
    shape: SentenceHeadShape = {},
  ): SentenceHead {
    const { hidden = 0, contextWords = 0, tokenTechniques } = shape;
    const inputs = headInputSize(contextWords);
    const get = (name: string, size: number) => tensorOf(tensors, `sentenceHead.${name}`, size);
    const tokens =
      tokenTechniques &&
      SoftmaxModel.fromClassMajor(
        classes,
        get('tokenTechniques', classes << tokenTechniques.bits),
        get('tokenTechniques.biases', classes),
      );
    return new SentenceHead(
      {
        classes,
        mean: get('mean', inputs),
        scale: get('scale', inputs),
        weights: get('weights', inputs * classes),
        biases: get('biases', classes),
        mix: get('mix', classes * classes),
        ...(hidden > 0 && {
          hidden: {
            size: hidden,
            weights: get('hidden.weights', inputs * hidden),
            biases: get('hidden.biases', hidden),
            out: get('hidden.out', hidden * classes),
          },
        }),
      },
      tokens,
    );
  }
}

/** The raw inputs of a span: its vector, its sentence's (and its context's), end to end. */
export function headInputs(vectors: readonly Float32Array[]): Float32Array {
  const raw = new Float32Array(vectors.length * SENTENCE_VECTOR_SIZE);
  vectors.forEach((v, i) => raw.set(v, i * SENTENCE_VECTOR_SIZE));
  return raw;
}

export function standardise(
  raw: Float32Array,
  mean: Float32Array,
  scale: Float32Array,
): Float32Array {
  const x = new Float32Array(raw.length);
  for (let j = 0; j < raw.length; j++)
    x[j] = ((raw[j] as number) - (mean[j] as number)) * (scale[j] as number);
  return x;
}

/** The hidden layer's activations: relu(x · weights + biases). */
export function hiddenActivations(layer: HiddenLayer, x: Float32Array): Float64Array {
  const H = layer.size;
  const a = Float64Array.from(layer.biases);
  for (let j = 0; j < x.length; j++) {
    const v = x[j] as number;
    if (v === 0) continue;
    const row = j * H;
    for (let h = 0; h < H; h++) a[h] = (a[h] as number) + v * (layer.weights[row + h] as number);
  }
  for (let h = 0; h < H; h++) if ((a[h] as number) < 0) a[h] = 0;
  return a;
}

/**
 * The head's scores (logits): biases + x · weights + log(linear) · mix, plus the hidden
 * layer's activations · out when there is one (`activations`: already computed).
 */
export function headScores(
  w: SentenceHeadWeights,
  x: Float32Array,
  linear: ArrayLike<number>,
  activations = w.hidden && hiddenActivations(w.hidden, x),
): Float64Array {
  const C = w.classes;
  const scores = Float64Array.from(w.biases);
  if (w.hidden && activations) {
    const { out, size } = w.hidden;
    for (let h = 0; h < size; h++) {
      const a = activations[h] as number;
      if (a === 0) continue;
      for (let c = 0; c < C; c++)
        scores[c] = (scores[c] as number) + a * (out[h * C + c] as number);
    }
  }
  for (let j = 0; j < x.length; j++) {
    const v = x[j] as number;
    if (v === 0) continue;
    const row = j * C;
    for (let c = 0; c < C; c++)
      scores[c] = (scores[c] as number) + v * (w.weights[row + c] as number);
  }
  for (let m = 0; m < C; m++) {
    const l = logLinear(linear, m);
    for (let c = 0; c < C; c++)
      scores[c] = (scores[c] as number) + l * (w.mix[m * C + c] as number);
  }
  return scores;
}
