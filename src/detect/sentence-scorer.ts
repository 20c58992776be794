/**
 * The sentence scorer: the probability that a sentence holds propaganda, from its sentence
 * vector (features/sentence-encoder.ts) by logistic regression. The span tagger's token
 * probabilities are moved toward it (`fuse`): a token in a sentence that reads like
 * propaganda needs less evidence of its own, one in a plain sentence more.
 */
import { SENTENCE_VECTOR_SIZE } from '../features/sentence-encoder.js';
import { sigmoid } from './linear.js';
import { tensorOf } from '../formats/model-file.js';
import { standardise } from './sentence-head.js';

export interface SentenceScorerWeights {
  /** Standardisation of each input: (x - mean) * scale. */
  readonly mean: Float32Array;
  readonly scale: Float32Array;
  readonly weights: Float32Array;
  readonly bias: number;
}

export class SentenceScorer {
  constructor(readonly weights: SentenceScorerWeights) {}

  /** P(the sentence holds propaganda) from its vector. */
  probability(vector: Float32Array): number {
    const { mean, scale, weights, bias } = this.weights;
    const x = standardise(vector, mean, scale);
    let z = bias;
    for (let j = 0; j < x.length; j++) z += (x[j] as number) * (weights[j] as number);
    return sigmoid(z);
  }

  tensors(): [string, Float32Array][] {
    const w = this.weights;
    return [
      ['sentenceScorer.mean', w.mean],
      ['sentenceScorer.scale', w.scale],
      ['sentenceScorer.weights', w.weights],
      ['sentenceScorer.bias', Float32Array.of(w.bias)],
    ];
  }

  static fromTensors(tensors: ReadonlyMap<string, Float32Array>): SentenceScorer {
    const get = (name: string, size: number) => tensorOf(tensors, `sentenceScorer.${name}`, size);
    return new SentenceScorer({
      mean: get('mean', SENTENCE_VECTOR_SIZE),
      scale: get('scale', SENTENCE_VECTOR_SIZE),
      weights: get('weights', SENTENCE_VECTOR_SIZE),
      bias: get('bias', 1)[0] as number,
    });
  }
}

/** Probabilities far from 0 and 1 are clipped this close, so their log-odds stay finite. */
const EDGE = 1e-6;

function logit(p: number): number {
  const q = Math.min(1 - EDGE, Math.max(EDGE, p));
  return Math.log(q / (1 - q));
}

/**
 * Token probabilities moved toward their sentence's: the token's log-odds plus `weight`
 * times the sentence's (centred on `centre`, the sentence probability that moves nothing).
 */
export function fuse(
  tokens: Float32Array,
  sentenceOfToken: (i: number) => number,
  sentenceProbabilities: readonly number[],
  weight: number,
  centre: number,
): Float32Array {
  const shift = sentenceProbabilities.map((p) => weight * (logit(p) - logit(centre)));
  return tokens.map((p, i) => sigmoid(logit(p) + (shift[sentenceOfToken(i)] as number)));
}
