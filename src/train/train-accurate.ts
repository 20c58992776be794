/**
 * Training of the md model: the sm model first (its out-of-fold predictions are the
 * neural layer's inputs, so the neural models learn to correct a linear model that has not
 * seen the article), then a BiLSTM tagger and a BiLSTM span classifier in TensorFlow.js.
 * One fold of the training articles is held out: it picks each network's best epoch and
 * fits decoding and calibration, so the dev set stays a clean measurement.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import {
  decodeModel,
  encodeModel,
  gunzipModel,
  MODEL_FORMAT,
  sha256,
} from '../formats/model-file.js';
import { tokenProbabilities } from '../detect/span-tagger.js';
import { linearTechniqueProbabilities } from '../detect/stages/linear.js';
import { spanContexts } from '../features/span-rows.js';
import {
  NeuralStack,
  type NeuralHeader,
  type NeuralNetworkName,
} from '../detect/neural/neural-stack.js';
import { NeuralClassifier, type NeuralClassifierWeights } from '../detect/neural/classifier.js';
import { trainNeuralClassifier } from './neural/train-classifier.js';
import { NeuralTagger, type NeuralTaggerWeights } from '../detect/neural/tagger.js';
import { trainNeuralTagger } from './neural/train-tagger.js';
import {
  sentencePieces,
  tokenInputs,
  tokenInputSize,
  type TokenInputs,
} from '../detect/neural/token-inputs.js';
import { adjustTechniques, topClasses } from '../detect/technique-decision.js';
import { tokensInSpan } from '../text/document.js';
import type { TrainedModel } from './trained-model.js';
import {
  fitDecisions,
  trainDetector,
  tuneClassBias,
  tuneDecoding,
  type TrainInput,
  type TrainingArticle,
  type TrainProgress,
  type TrainResult,
} from './train.js';
import { WordVectors } from '../features/vectors.js';

export interface AccurateSettings {
  hidden: number;
  /** How many neural taggers (seeds seed, seed + 1000, …) average their probabilities. */
  taggers: number;
  taggerEpochs: number;
  taggerLearningRate: number;
  classifierHidden: number;
  classifierEpochs: number;
  classifierLearningRate: number;
  dropout: number;
  batchSize: number;
  pieceLength: number;
  /** The fold of the training articles held out for epochs, decoding and calibration. */
  heldOutFold: number;
  /**
   * The networks trained again on every article, for the epochs the held-out fold chose
   * (a third more data; the decisions stay those fitted on the held-out fold).
   */
  refit: readonly NeuralNetworkName[];
}

/** What `train --refit` takes: which networks are refitted on every article. */
export type RefitChoice = 'none' | 'classifier' | 'tagger' | 'both';

export function refitNetworks(choice: RefitChoice): NeuralNetworkName[] {
  if (choice === 'both') return ['tagger', 'classifier'];
  return choice === 'none' ? [] : [choice];
}

export const DEFAULT_ACCURATE_SETTINGS: AccurateSettings = {
  hidden: 32,
  taggers: 2,
  taggerEpochs: 8,
  taggerLearningRate: 2e-3,
  classifierHidden: 32,
  classifierEpochs: 4,
  classifierLearningRate: 1e-3,
  dropout: 0.25,
  batchSize: 32,
  pieceLength: 80,
  heldOutFold: 0,
  refit: ['classifier'],
};

export interface AccurateTrainInput extends TrainInput {
  vectorsFile: string;
  accurate?: Partial<AccurateSettings>;
}

export interface AccurateTrainResult extends TrainResult {
  /** The sm model trained on the way (the same as `train --model sm` with this seed). */
  fast: TrainedModel;
  /**
   * The neural classifier's technique probabilities of the held-out fold's gold spans, from
   * the classifier trained without that fold (before any refit), by article id.
   */
  heldOutTechniques: Map<string, Float64Array[]>;
}

export async function trainAccurateDetector(
  input: AccurateTrainInput,
): Promise<AccurateTrainResult> {
  const started = Date.now();
  const fast = trainDetector(input);
  const run = new AccurateTraining(input, fast);
  // Each tagger keeps its own best epoch on the held-out fold; the decisions are fitted to
  // their mean.
  const taggers: TrainedTagger[] = [];
  for (let member = 0; member < run.settings.taggers; member++) {
    taggers.push(await run.fitTaggerOnTraining(member));
  }
  const classifier = await run.fitClassifierOnTraining();
  const neural = run.quantised(
    taggers,
    classifier,
    taggers.map((t) => t.weights),
    classifier.weights,
  );
  const { header, heldOutTc, decided, heldOutTechniques } = run.fitDecisions(neural);
  const shipped = await run.refit(taggers, classifier, neural);
  header.neural = shipped.header;
  header.training.seconds = Math.round((Date.now() - started) / 1000);
  return {
    ...fast,
    fast: fast.model,
    model: { ...fast.model, header, neural: shipped },
    outOfFold: { ...decided, tc: heldOutTc },
    heldOutTechniques,
  };
}

type TrainedTagger = Awaited<ReturnType<typeof trainNeuralTagger>>;
type TrainedClassifier = Awaited<ReturnType<typeof trainNeuralClassifier>>;

/** An article ready for the networks: its context, token inputs and word-vector keys. */
interface PreparedArticle extends TokenInputs {
  article: TrainingArticle;
}

/**
 * The neural layer's training over the sm model's out-of-fold predictions: the training
 * and held-out articles, and each step (fitting a network, quantising the layer, fitting the
 * decisions on the held-out fold, refitting on every article) as a method.
 */
class AccurateTraining {
  readonly settings: AccurateSettings;
  private readonly seed: number;
  private readonly progress: (p: TrainProgress) => void;
  private readonly vectorBytes: Buffer;
  private readonly vectors: WordVectors;
  private readonly inputs: number;
  private readonly prepared: PreparedArticle[];
  private readonly heldOut: PreparedArticle[];
  private readonly training: PreparedArticle[];
  private readonly heldOutArticles: TrainingArticle[];

  constructor(
    private readonly input: AccurateTrainInput,
    private readonly fast: TrainResult,
  ) {
    this.settings = { ...DEFAULT_ACCURATE_SETTINGS, ...input.accurate };
    this.progress = input.onProgress ?? (() => {});
    this.seed = fast.model.header.training.seed;
    this.vectorBytes = readFileSync(input.vectorsFile);
    this.vectors = WordVectors.decode(
      gunzipModel(this.vectorBytes, input.vectorsFile),
      input.vectorsFile,
    );
    this.inputs = tokenInputSize(this.vectors);
    const { tokens } = fast.outOfFoldPredictions;
    this.prepared = fast.articles.map((a) => ({
      article: a,
      ...tokenInputs(a.ctx, this.vectors, tokens.get(a.id) as Float32Array),
    }));
    const held = this.settings.heldOutFold;
    this.heldOut = this.prepared.filter((p) => p.article.fold === held);
    this.training = this.prepared.filter((p) => p.article.fold !== held);
    if (this.heldOut.length === 0 || this.training.length === 0)
      throw new Error('the md model needs articles in more than one fold');
    this.heldOutArticles = this.heldOut.map((p) => p.article);
  }

  private pieces(a: TrainingArticle) {
    return sentencePieces(a.ctx, this.settings.pieceLength);
  }

  /**
   * Train tagger `member` (its own seed) on some articles; keep the best epoch by `score`, or
   * else the last.
   */
  private fitTagger(
    member: number,
    on: PreparedArticle[],
    epochs: number,
    stage: string,
    score?: (weights: NeuralTaggerWeights) => number,
  ): Promise<TrainedTagger> {
    const { settings } = this;
    return trainNeuralTagger(
      on.map((p) => ({ x: p.x, labels: p.article.labels, pieces: this.pieces(p.article) })),
      this.inputs,
      {
        hidden: settings.hidden,
        epochs,
        learningRate: settings.taggerLearningRate,
        dropout: settings.dropout,
        batchSize: settings.batchSize,
        seed: this.seed + 1000 * member,
        onProgress: (done, total) => this.progress({ stage, done, total }),
        // Without a held-out score, the last epoch is kept.
        score: score ? (weights) => score(weights) : (_, epoch) => epoch,
      },
    );
  }

  /** Tagger `member` on the training folds, its epoch chosen by span F1 on the held-out fold. */
  fitTaggerOnTraining(member: number): Promise<TrainedTagger> {
    const { settings, heldOut } = this;
    const numbered = settings.taggers > 1 ? ` ${member + 1} of ${settings.taggers}` : '';
    const heldOutSi = this.heldOutArticles.flatMap((a) => a.si);
    return this.fitTagger(
      member,
      this.training,
      settings.taggerEpochs,
      `training the neural tagger${numbered}`,
      (weights) => {
        const tagger = new NeuralTagger(weights, this.vectors.dimensions);
        const probs = new Map(
          heldOut.map((p) => [
            p.article.id,
            tagger.tokenProbabilities(p.x, this.pieces(p.article), p.keys),
          ]),
        );
        return tuneDecoding(this.heldOutArticles, probs, heldOutSi).f1;
      },
    );
  }

  /** An article's gold spans as the classifier reads them, with the linear probabilities. */
  private spansOf(a: TrainingArticle) {
    const linear = this.fast.outOfFoldPredictions.techniques.get(a.id) as Float64Array[];
    return a.tc.map((span, i) => {
      const [first, last] = tokensInSpan(a.ctx.doc, span);
      return {
        first,
        last,
        linear: linear[i] as Float64Array,
        label: TECHNIQUE_LABELS.indexOf(span.technique),
      };
    });
  }

  private fitClassifier(
    on: PreparedArticle[],
    epochs: number,
    stage: string,
    score?: (weights: NeuralClassifierWeights) => number,
  ): Promise<TrainedClassifier> {
    const { settings } = this;
    return trainNeuralClassifier(
      on.map((p) => ({ x: p.x, spans: this.spansOf(p.article) })),
      this.inputs,
      TECHNIQUE_LABELS.length,
      {
        hidden: settings.classifierHidden,
        epochs,
        learningRate: settings.classifierLearningRate,
        dropout: settings.dropout,
        batchSize: settings.batchSize,
        seed: this.seed + 1,
        onProgress: (done, total) => this.progress({ stage, done, total }),
        // Without a held-out score, the last epoch is kept.
        score: score ? (weights) => score(weights) : (_, epoch) => epoch,
      },
    );
  }

  /** The classifier on the training folds, its epoch chosen by accuracy on the held-out fold. */
  fitClassifierOnTraining(): Promise<TrainedClassifier> {
    return this.fitClassifier(
      this.training,
      this.settings.classifierEpochs,
      'training the neural classifier',
      (weights) => {
        let right = 0;
        let total = 0;
        const classifier = new NeuralClassifier(weights, this.vectors.dimensions);
        for (const p of this.heldOut) {
          const spans = this.spansOf(p.article);
          classifier.techniqueProbabilities(p.x, spans, p.keys).forEach((probs, i) => {
            total++;
            if (topClasses(probs, 1)[0] === spans[i]!.label) right++;
          });
        }
        return right / Math.max(1, total);
      },
    );
  }

  /** The layer as it ships: weights after int8 quantisation, so decisions fit what runs. */
  quantised(
    taggers: readonly TrainedTagger[],
    classifier: TrainedClassifier,
    taggerWeights: readonly NeuralTaggerWeights[],
    classifierWeights: NeuralClassifierWeights,
    refitted: readonly NeuralNetworkName[] = [],
  ): NeuralStack {
    const { settings, vectors } = this;
    const neuralHeader: NeuralHeader = {
      vectors: { file: basename(this.input.vectorsFile), sha256: sha256(this.vectorBytes) },
      inputs: this.inputs,
      pieceLength: settings.pieceLength,
      tagger: {
        hidden: settings.hidden,
        outputBias: taggerWeights[0]!.outputBias,
        epoch: taggers[0]!.epoch,
        ...(taggers.length > 1 && {
          more: taggers.slice(1).map((t, k) => ({
            outputBias: taggerWeights[k + 1]!.outputBias,
            epoch: t.epoch,
          })),
        }),
      },
      classifier: {
        hidden: settings.classifierHidden,
        classes: TECHNIQUE_LABELS.length,
        epoch: classifier.epoch,
      },
      refitted,
    };
    const stored = decodeModel<object>(
      encodeModel(
        { format: MODEL_FORMAT },
        new Map(new NeuralStack(neuralHeader, vectors, taggerWeights, classifierWeights).tensors()),
      ),
      'the neural weights',
    );
    return NeuralStack.fromTensors(neuralHeader, stored.tensors, vectors);
  }

  /**
   * Class offsets and the Repetition rule tuned again for the neural probabilities, then span
   * decoding, second label and calibration, all on the held-out fold.
   */
  fitDecisions(neural: NeuralStack) {
    const { fast, heldOut, heldOutArticles, settings } = this;
    const base = fast.model;
    const header = structuredClone({
      ...base.header,
      name: this.input.settings?.name ?? 'md',
      neural: neural.header,
    });
    const heldOutTechniques = new Map(
      heldOut.map((p) => [
        p.article.id,
        neural.classifier!.techniqueProbabilities(p.x, this.spansOf(p.article), p.keys),
      ]),
    );
    const { accuracy: heldOutTc, ...classDecoding } = tuneClassBias(
      heldOutArticles,
      heldOutTechniques,
      this.input.settings?.minPredictedShare,
    );
    header.classifier = { ...header.classifier, ...classDecoding };
    const fold = fast.foldModels[settings.heldOutFold]!;
    const { tokens } = fast.outOfFoldPredictions;
    const heldOutTokens = new Map(
      heldOut.map((p) => [
        p.article.id,
        neural.tokenProbabilities(p.article.ctx, tokens.get(p.article.id)!),
      ]),
    );
    const decided = fitDecisions(header, {
      articles: heldOutArticles,
      tokens: heldOutTokens,
      // The linear and neural technique stages, then the decision's steps 3–4.
      classify: ({ ctx }, spans) => {
        const contexts = spanContexts(ctx, spans);
        const linear = linearTechniqueProbabilities(fold.classifier, ctx, spans, contexts);
        const refined = neural.techniqueProbabilities(ctx, spans, linear, () =>
          tokenProbabilities(fold.tagger, ctx),
        );
        return adjustTechniques(ctx, spans, refined, header.classifier, contexts);
      },
      si: heldOutArticles.flatMap((a) => a.si),
      tc: heldOutArticles.flatMap((a) => a.tc),
    });
    return { header, heldOutTc, decided, heldOutTechniques };
  }

  /**
   * The shipped networks: those named in `refit` learn again from every article for the
   * epochs the held-out fold chose (the decisions stay those fitted on the fold).
   */
  async refit(
    taggers: readonly TrainedTagger[],
    classifier: TrainedClassifier,
    neural: NeuralStack,
  ): Promise<NeuralStack> {
    const refits = new Set(this.settings.refit);
    const shippedTaggers: NeuralTaggerWeights[] = [];
    for (const [member, tagger] of taggers.entries()) {
      shippedTaggers.push(
        refits.has('tagger')
          ? (
              await this.fitTagger(
                member,
                this.prepared,
                tagger.epoch,
                'refitting the neural tagger on every article',
              )
            ).weights
          : tagger.weights,
      );
    }
    const shippedClassifier = refits.has('classifier')
      ? (
          await this.fitClassifier(
            this.prepared,
            classifier.epoch,
            'refitting the neural classifier on every article',
          )
        ).weights
      : classifier.weights;
    return refits.size > 0
      ? this.quantised(taggers, classifier, shippedTaggers, shippedClassifier, [...refits])
      : neural;
  }
}
