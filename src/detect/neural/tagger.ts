/**
 * The md model's span tagger: a BiLSTM over each sentence reads the token inputs
 * (word vectors, the sm tagger's probability, hand features) and gives every token the
 * probability of lying inside a propaganda span. Spans are then decoded as in the sm model.
 */
import { BiLstm, type BiLstmWeights } from './bilstm.js';

export interface NeuralTaggerWeights {
  readonly encoder: BiLstmWeights;
  /** [2H] */
  readonly output: Float32Array;
  readonly outputBias: number;
}

/** The tagger at run time. */
export class NeuralTagger {
  private readonly encoder: BiLstm;

  /** `keyedInputs`: the leading inputs that depend on the token's key only (its word vector). */
  constructor(
    readonly weights: NeuralTaggerWeights,
    keyedInputs: number,
  ) {
    this.encoder = new BiLstm(weights.encoder, keyedInputs);
  }

  /** P(inside a span) for each token of an article; `pieces` are the sequences read. */
  tokenProbabilities(
    x: Float32Array,
    pieces: readonly (readonly [number, number])[],
    keys?: Int32Array,
  ): Float32Array {
    const w = this.weights;
    const states = this.encoder.run(x, pieces, keys);
    const width = 2 * w.encoder.hidden;
    const n = x.length / w.encoder.inputs;
    const probs = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      let z = w.outputBias;
      for (let k = 0; k < width; k++)
        z += (states[t * width + k] as number) * (w.output[k] as number);
      probs[t] = 1 / (1 + Math.exp(-z));
    }
    return probs;
  }
}
