/**
 * The md model's technique classifier: a BiLSTM reads a window around the span (the
 * span's tokens flagged), its states are pooled over the span (mean and max), and a dense
 * layer turns them into technique scores, added to a learned mix of the sm classifier's
 * log-probabilities (initialised to the identity, so training starts from the linear model).
 */
import { BiLstm, type BiLstmWeights } from './bilstm.js';

/** Tokens of context read on each side of a span, and the longest span read in full. */
export const SPAN_CONTEXT = 12;
export const MAX_SPAN_TOKENS = 60;

export interface NeuralClassifierWeights {
  readonly classes: number;
  /** Reads token inputs plus the in-span flag. */
  readonly encoder: BiLstmWeights;
  /** [4H x classes]: mean and max pooled states to scores. */
  readonly head: Float32Array;
  readonly headBias: Float32Array;
  /** [classes x classes]: sm-model log-probabilities to scores. */
  readonly mix: Float32Array;
}

/** A span in token indices [first, last), with the sm classifier's probabilities. */
export interface ClassifierSpan {
  first: number;
  last: number;
  linear: ArrayLike<number>;
}

export interface Window {
  from: number;
  to: number;
  first: number;
  last: number;
}

export function spanWindow(span: ClassifierSpan, tokens: number): Window {
  const first = Math.min(span.first, tokens - 1);
  const last = Math.min(Math.max(span.last, first + 1), first + MAX_SPAN_TOKENS);
  return {
    from: Math.max(0, first - SPAN_CONTEXT),
    to: Math.min(tokens, last + SPAN_CONTEXT),
    first,
    last,
  };
}

/** Copy a window's token inputs, adding the in-span flag as the last input. */
export function windowInputs(
  x: Float32Array,
  inputs: number,
  w: Window,
  out: Float32Array,
  at: number,
) {
  for (let t = w.from; t < w.to; t++) {
    const o = at + (t - w.from) * (inputs + 1);
    out.set(x.subarray(t * inputs, (t + 1) * inputs), o);
    out[o + inputs] = t >= w.first && t < w.last ? 1 : 0;
  }
}

export function logLinear(p: ArrayLike<number>, k: number): number {
  return Math.log(Math.max(p[k] as number, 1e-6));
}

/** The classifier at run time. */
export class NeuralClassifier {
  private readonly encoder: BiLstm;

  /** `keyedInputs`: the leading inputs that depend on the token's key only (its word vector). */
  constructor(
    readonly weights: NeuralClassifierWeights,
    keyedInputs: number,
  ) {
    this.encoder = new BiLstm(weights.encoder, keyedInputs);
  }

  /** Technique probabilities of each span of an article whose token inputs are x. */
  techniqueProbabilities(
    x: Float32Array,
    spans: readonly ClassifierSpan[],
    keys?: Int32Array,
  ): Float64Array[] {
    const inputs = this.weights.encoder.inputs - 1;
    const tokens = x.length / inputs;
    return spans.map((span) => {
      if (tokens === 0) return Float64Array.from(span.linear);
      const win = spanWindow(span, tokens);
      const states = this.encoder.run(
        windowRows(x, inputs, win),
        [[0, win.to - win.from]],
        keys?.subarray(win.from, win.to),
      );
      return this.probabilities(states, win, span.linear);
    });
  }

  /**
   * A span's technique probabilities from the BiLSTM's states over its window ([rows x 2H]):
   * pooled over the span (mean and max), through the head, plus the mix of the linear ones.
   */
  probabilities(states: Float32Array, win: Window, linear: ArrayLike<number>): Float64Array {
    const w = this.weights;
    const hidden = w.encoder.hidden;
    const C = w.classes;
    const pooled = new Float32Array(4 * hidden).fill(-Infinity, 2 * hidden);
    const inside = win.last - win.first;
    for (let t = win.first - win.from; t < win.last - win.from; t++)
      for (let k = 0; k < 2 * hidden; k++) {
        const v = states[t * 2 * hidden + k] as number;
        pooled[k]! += v / inside;
        if (v > (pooled[2 * hidden + k] as number)) pooled[2 * hidden + k] = v;
      }
    const z = new Float64Array(C);
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = w.headBias[c] as number;
      for (let k = 0; k < 4 * hidden; k++)
        s += (pooled[k] as number) * (w.head[k * C + c] as number);
      for (let k = 0; k < C; k++) s += logLinear(linear, k) * (w.mix[k * C + c] as number);
      z[c] = s;
      max = Math.max(max, s);
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += z[c] = Math.exp((z[c] as number) - max);
    for (let c = 0; c < C; c++) z[c]! /= sum;
    return z;
  }
}

/** A window's token inputs with the in-span flag, [rows x (inputs + 1)]. */
export function windowRows(x: Float32Array, inputs: number, win: Window): Float32Array {
  const rows = new Float32Array((win.to - win.from) * (inputs + 1));
  windowInputs(x, inputs, win, rows, 0);
  return rows;
}
