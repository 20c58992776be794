/**
 * The md model's neural layer over the sm model: a BiLSTM tagger refines the linear
 * tagger's token probabilities, and a BiLSTM span classifier refines the linear classifier's
 * technique probabilities. Both read the same token inputs, computed once per article.
 */
import { tokensInSpan, type TextSpan } from '../../text/document.js';
import type { ArticleContext } from '../../features/context.js';
import { tensorOf } from '../../formats/model-container.js';
import type { WordVectors } from '../../features/vectors.js';
import { bilstmFromTensors, bilstmTensors } from './bilstm.js';
import { NeuralClassifier, type NeuralClassifierWeights } from './classifier.js';
import { NeuralTagger, type NeuralTaggerWeights } from './tagger.js';
import { onnxRuntime } from '../../features/onnx-runtime.js';
import { classifierGraph, OnnxSequences, taggerGraph } from './bilstm-graph.js';
import { spanWindow, windowRows } from './classifier.js';
import { sentencePieces, tokenInputs, tokenInputSize, type TokenInputs } from './token-inputs.js';

export type NeuralNetworkName = 'tagger' | 'classifier';

/** What the model file's header says of the neural layer. */
export interface NeuralHeader {
  vectors: { file: string; sha256: string };
  inputs: number;
  /** The tagger reads sentences in pieces of at most this many tokens. */
  pieceLength: number;
  tagger: {
    hidden: number;
    outputBias: number;
    epoch: number;
    /**
     * Further taggers of the same shape, trained with other seeds (absent: one tagger). A
     * token's probability is the mean of all the taggers' (+0.003 span F1 over seeds 1–3).
     */
    more?: { outputBias: number; epoch: number }[];
  };
  /** Absent where the sentence head decides techniques instead (stages/sentence-head.ts). */
  classifier?: { hidden: number; classes: number; epoch: number };
  /** Networks trained again on every article after the held-out fold chose their epochs. */
  refitted?: readonly NeuralNetworkName[];
}

/** The model file's name of tagger k's tensors: `neural.tagger`, then `neural.tagger2`, … */
function taggerPrefix(k: number): string {
  return k === 0 ? 'neural.tagger' : `neural.tagger${k + 1}`;
}

export class NeuralStack {
  private readonly inputs = new WeakMap<ArticleContext, TokenInputs>();
  private native?: Promise<NativeNetworks | undefined>;
  readonly taggers: NeuralTagger[];
  readonly classifier: NeuralClassifier | undefined;

  constructor(
    readonly header: NeuralHeader,
    readonly vectors: WordVectors,
    taggers: readonly NeuralTaggerWeights[],
    classifier: NeuralClassifierWeights | undefined,
  ) {
    this.taggers = taggers.map((weights) => new NeuralTagger(weights, vectors.dimensions));
    this.classifier = classifier && new NeuralClassifier(classifier, vectors.dimensions);
  }

  /** The same taggers without the technique classifier. */
  withoutClassifier(): NeuralStack {
    const { classifier: _classifier, refitted, ...header } = this.header;
    return new NeuralStack(
      { ...header, refitted: refitted?.filter((network) => network !== 'classifier') },
      this.vectors,
      this.taggers.map((t) => t.weights),
      undefined,
    );
  }

  /** Token inputs of an article, computed once from the sm tagger's probabilities. */
  tokenInputs(ctx: ArticleContext, linearTokens: () => Float32Array): TokenInputs {
    let inputs = this.inputs.get(ctx);
    if (!inputs) {
      inputs = tokenInputs(ctx, this.vectors, linearTokens());
      this.inputs.set(ctx, inputs);
    }
    return inputs;
  }

  tokenProbabilities(ctx: ArticleContext, linearTokens: Float32Array): Float32Array {
    const { x, keys } = this.tokenInputs(ctx, () => linearTokens);
    const pieces = sentencePieces(ctx, this.header.pieceLength);
    const [own, ...seeds] = this.taggers.map((t) => t.tokenProbabilities(x, pieces, keys));
    if (seeds.length === 0) return own as Float32Array;
    const mean = new Float32Array(own!.length);
    for (let i = 0; i < mean.length; i++) {
      let sum = own![i] as number;
      for (const probs of seeds) sum += probs[i] as number;
      mean[i] = sum / (seeds.length + 1);
    }
    return mean;
  }

  /** The networks on ONNX Runtime, where it is installed (bilstm-graph.ts). */
  private nativeNetworks(): Promise<NativeNetworks | undefined> {
    this.native ??= onnxRuntime().then(async (ort) => {
      if (!ort) return undefined;
      const { inputs } = this.header;
      return {
        taggers: await OnnxSequences.create(
          ort,
          taggerGraph(this.taggers.map((t) => t.weights)),
          inputs,
        ),
        classifier:
          this.classifier &&
          (await OnnxSequences.create(
            ort,
            classifierGraph(this.classifier.weights.encoder),
            inputs + 1,
          )),
      };
    });
    return this.native;
  }

  /**
   * `tokenProbabilities` from the fastest engine installed: ONNX Runtime where it is, else
   * the TypeScript BiLSTMs (which training keeps to).
   */
  async tokenProbabilitiesFastest(
    ctx: ArticleContext,
    linearTokens: Float32Array,
  ): Promise<Float32Array> {
    const native = await this.nativeNetworks();
    if (!native) return this.tokenProbabilities(ctx, linearTokens);
    const { x } = this.tokenInputs(ctx, () => linearTokens);
    const { inputs } = this.header;
    const probabilities = new Float32Array(x.length / inputs);
    const pieces = sentencePieces(ctx, this.header.pieceLength);
    if (pieces.length === 0) return probabilities;
    const outputs = await native.taggers.run(
      pieces.map(([start, end]) => x.subarray(start * inputs, end * inputs)),
      'probabilities',
    );
    pieces.forEach(([start], b) => probabilities.set(outputs[b]!, start));
    return probabilities;
  }

  /** `techniqueProbabilities` from the fastest engine installed, as the taggers'. */
  async techniqueProbabilitiesFastest(
    ctx: ArticleContext,
    spans: readonly TextSpan[],
    linearTechniques: readonly Float64Array[],
    linearTokens: () => Float32Array,
  ): Promise<Float64Array[]> {
    const native = await this.nativeNetworks();
    const classifier = this.classifier;
    const tokens = ctx.doc.tokens.length;
    if (!native?.classifier || !classifier || tokens === 0 || spans.length === 0)
      return this.techniqueProbabilities(ctx, spans, linearTechniques, linearTokens);
    const { x } = this.tokenInputs(ctx, linearTokens);
    const windows = spans.map((span) => {
      const [first, last] = tokensInSpan(ctx.doc, span);
      return spanWindow({ first, last, linear: [] }, tokens);
    });
    const { inputs } = this.header;
    const states = await native.classifier.run(
      windows.map((win) => windowRows(x, inputs, win)),
      'states',
    );
    return windows.map((win, b) =>
      classifier.probabilities(states[b]!, win, linearTechniques[b] as Float64Array),
    );
  }

  techniqueProbabilities(
    ctx: ArticleContext,
    spans: readonly TextSpan[],
    linearTechniques: readonly Float64Array[],
    linearTokens: () => Float32Array,
  ): Float64Array[] {
    if (!this.classifier) throw new Error('this neural layer has no technique classifier');
    const { x, keys } = this.tokenInputs(ctx, linearTokens);
    return this.classifier.techniqueProbabilities(
      x,
      spans.map((span, i) => {
        const [first, last] = tokensInSpan(ctx.doc, span);
        return { first, last, linear: linearTechniques[i] as Float64Array };
      }),
      keys,
    );
  }

  tensors(): [string, Float32Array][] {
    return [
      ...this.taggers.flatMap((tagger, k): [string, Float32Array][] => [
        ...bilstmTensors(taggerPrefix(k), tagger.weights.encoder),
        [`${taggerPrefix(k)}.output`, tagger.weights.output],
      ]),
      ...(this.classifier ? classifierTensors(this.classifier.weights) : []),
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
    const get = (name: string, length: number) => tensorOf(tensors, name, length);
    const { tagger, classifier, inputs } = header;
    // The file's `tagger.more` lists the taggers trained with further seeds.
    const members = [tagger, ...(tagger.more ?? [])];
    const taggers = members.map((member, k) => ({
      encoder: bilstmFromTensors(taggerPrefix(k), inputs, tagger.hidden, tensors),
      output: get(`${taggerPrefix(k)}.output`, 2 * tagger.hidden),
      outputBias: member.outputBias,
    }));
    return new NeuralStack(
      header,
      vectors,
      taggers,
      classifier && {
        classes: classifier.classes,
        encoder: bilstmFromTensors('neural.classifier', inputs + 1, classifier.hidden, tensors),
        head: get('neural.classifier.head', 4 * classifier.hidden * classifier.classes),
        headBias: get('neural.classifier.headBias', classifier.classes),
        mix: get('neural.classifier.mix', classifier.classes * classifier.classes),
      },
    );
  }
}

/** The networks of a stack on ONNX Runtime. */
interface NativeNetworks {
  taggers: OnnxSequences;
  classifier: OnnxSequences | undefined;
}

function classifierTensors(weights: NeuralClassifierWeights): [string, Float32Array][] {
  return [
    ...bilstmTensors('neural.classifier', weights.encoder),
    ['neural.classifier.head', weights.head],
    ['neural.classifier.headBias', weights.headBias],
    ['neural.classifier.mix', weights.mix],
  ];
}
