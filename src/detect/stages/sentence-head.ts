/**
 * The sentence-head stage of `lg`: the sentence vectors (features/sentence-encoder.ts) of
 * the span and of its sentence, standardised, go through one dense layer whose scores are
 * added to a learned mix of the linear stage's log-probabilities (initialised to the
 * identity, so training starts from the linear model). Techniques are semantic categories
 * (fear, doubt, flag-waving, causal claims) that the span's words and word clusters catch
 * only in part; the encoder has read far more text than the corpus holds.
 */
import { headTexts, SENTENCE_VECTOR_SIZE, spanText } from '../../features/sentence-encoder.js';
import type { ArticleDocument, TextSpan } from '../../text/document.js';
import { tensorOf } from '../../formats/model-container.js';
import { TECHNIQUE_LABELS } from '../../techniques/catalogue.js';
import { softmax } from '../linear.js';
import { logLinear } from '../neural/classifier.js';
import { fromStageBefore, type StagePlugin, type TechniqueStage } from '../stage.js';

/** The span's vector and its sentence's. */
export const HEAD_INPUTS = 2 * SENTENCE_VECTOR_SIZE;

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
}

export const sentenceHead: StagePlugin = {
  name: 'sentence-head',
  load: ({ tensors, header }) => [
    sentenceHeadStage(
      SentenceHead.fromTensors(TECHNIQUE_LABELS.length, tensors),
      header.sentenceHead?.reads ?? 'both',
    ),
  ],
};

/**
 * `reads`: the span's vector and its sentence's, or the span's alone. A head that reads the
 * span alone learnt from a constant in the sentence's place (a blank's vector, spanOnlyTexts):
 * that half is its training mean, standardised to zero, and nothing is encoded for it (the
 * blank encoded again by another engine would differ, and its near-zero spread in training
 * magnifies any difference).
 */
export function sentenceHeadStage(head: SentenceHead, reads: 'span' | 'both'): TechniqueStage {
  const texts = (doc: ArticleDocument, span: TextSpan) =>
    reads === 'span' ? [spanText(doc, span)] : headTexts(doc, span);
  return {
    kind: 'technique',
    texts: (doc, spans) => spans.flatMap((span) => texts(doc, span)),
    // The head reads the linear probabilities: it learnt from them, out of fold.
    techniqueProbabilities: (article, spans, before) => {
      const linear = fromStageBefore(before, 'sentence-head');
      const sentenceHalf = head.weights.mean.subarray(SENTENCE_VECTOR_SIZE);
      return spans.map((span, i) => {
        const vectors = texts(article.ctx.doc, span).map((text) => article.vector(text));
        if (reads === 'span') vectors.push(sentenceHalf);
        return head.probabilities(head.inputs(vectors), linear[i] as Float64Array);
      });
    },
  };
}

export class SentenceHead {
  constructor(readonly weights: SentenceHeadWeights) {}

  /** The standardised inputs of a span: its vector and its sentence's. */
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
    ];
  }

  static fromTensors(classes: number, tensors: ReadonlyMap<string, Float32Array>): SentenceHead {
    const get = (name: string, size: number) => tensorOf(tensors, `sentenceHead.${name}`, size);
    return new SentenceHead({
      classes,
      mean: get('mean', HEAD_INPUTS),
      scale: get('scale', HEAD_INPUTS),
      weights: get('weights', HEAD_INPUTS * classes),
      biases: get('biases', classes),
      mix: get('mix', classes * classes),
    });
  }
}

/** The raw inputs of a span: its vector and its sentence's, end to end. */
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

/** The head's scores (logits): biases + x · weights + log(linear) · mix. */
export function headScores(
  w: SentenceHeadWeights,
  x: Float32Array,
  linear: ArrayLike<number>,
): Float64Array {
  const C = w.classes;
  const scores = Float64Array.from(w.biases);
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
