/**
 * The accurate model's neural layer over the fast model: a BiLSTM tagger refines the linear
 * tagger's token probabilities, and a BiLSTM span classifier refines the linear classifier's
 * technique probabilities. Both read the same token inputs, computed once per article.
 */
import { tokensInSpan, type TextSpan } from '../../text/document.js';
import type { ArticleContext } from '../features.js';
import type { WordVectors } from '../vectors.js';
import { bilstmFromTensors, bilstmTensors } from './bilstm.js';
import { neuralTechniqueProbabilities, type NeuralClassifierWeights } from './classifier.js';
import { neuralTokenProbabilities, type NeuralTaggerWeights } from './tagger.js';
import { sentencePieces, tokenInputs, tokenInputSize } from './token-inputs.js';

/** What the model file's header says of the neural layer. */
export interface NeuralHeader {
  vectors: { file: string; sha256: string };
  inputs: number;
  /** The tagger reads sentences in pieces of at most this many tokens. */
  pieceLength: number;
  tagger: { hidden: number; outputBias: number; epoch: number };
  classifier: { hidden: number; classes: number; epoch: number };
}

export class NeuralStack {
  private readonly inputs = new WeakMap<ArticleContext, Float32Array>();

  constructor(
    readonly header: NeuralHeader,
    readonly vectors: WordVectors,
    readonly tagger: NeuralTaggerWeights,
    readonly classifier: NeuralClassifierWeights,
  ) {}

  /** Token inputs of an article, computed once from the fast tagger's probabilities. */
  tokenInputs(ctx: ArticleContext, linearTokens: () => Float32Array): Float32Array {
    let x = this.inputs.get(ctx);
    if (!x) {
      x = tokenInputs(ctx, this.vectors, linearTokens());
      this.inputs.set(ctx, x);
    }
    return x;
  }

  tokenProbabilities(ctx: ArticleContext, linearTokens: Float32Array): Float32Array {
    const x = this.tokenInputs(ctx, () => linearTokens);
    return neuralTokenProbabilities(this.tagger, x, sentencePieces(ctx, this.header.pieceLength));
  }

  techniqueProbabilities(
    ctx: ArticleContext,
    spans: readonly TextSpan[],
    linearTechniques: readonly Float64Array[],
    linearTokens: () => Float32Array,
  ): Float64Array[] {
    const x = this.tokenInputs(ctx, linearTokens);
    return neuralTechniqueProbabilities(
      this.classifier,
      x,
      spans.map((span, i) => {
        const [first, last] = tokensInSpan(ctx.doc, span);
        return { first, last, linear: linearTechniques[i] as Float64Array };
      }),
    );
  }

  tensors(): [string, Float32Array][] {
    return [
      ...bilstmTensors('neural.tagger', this.tagger.encoder),
      ['neural.tagger.output', this.tagger.output],
      ...bilstmTensors('neural.classifier', this.classifier.encoder),
      ['neural.classifier.head', this.classifier.head],
      ['neural.classifier.headBias', this.classifier.headBias],
      ['neural.classifier.mix', this.classifier.mix],
    ];
  }

  static fromTensors(
    header: NeuralHeader,
    tensors: ReadonlyMap<string, Float32Array>,
    vectors: WordVectors,
  ): NeuralStack {
    if (tokenInputSize(vectors) !== header.inputs)
      throw new Error(
        `the word vectors give ${tokenInputSize(vectors)} inputs, not ${header.inputs}`,
      );
    const get = (name: string, length: number): Float32Array => {
      const t = tensors.get(name);
      if (!t || t.length !== length) throw new Error(`tensor ${name} is missing or wrong`);
      return t;
    };
    const { tagger, classifier, inputs } = header;
    const C = classifier.classes;
    return new NeuralStack(
      header,
      vectors,
      {
        encoder: bilstmFromTensors('neural.tagger', inputs, tagger.hidden, tensors),
        output: get('neural.tagger.output', 2 * tagger.hidden),
        outputBias: tagger.outputBias,
      },
      {
        classes: C,
        encoder: bilstmFromTensors('neural.classifier', inputs + 1, classifier.hidden, tensors),
        head: get('neural.classifier.head', 4 * classifier.hidden * C),
        headBias: get('neural.classifier.headBias', C),
        mix: get('neural.classifier.mix', C * C),
      },
    );
  }
}
