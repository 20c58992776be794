/**
 * Training of the accurate model: the fast model first (its out-of-fold predictions are the
 * neural layer's inputs, so the neural models learn to correct a linear model that has not
 * seen the article), then a BiLSTM tagger and a BiLSTM span classifier in TensorFlow.js.
 * One fold of the training articles is held out: it picks each network's best epoch and
 * fits decoding and calibration, so the dev set stays a clean measurement.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import { Detector } from '../detect/detector.js';
import { sha256 } from '../detect/model-file.js';
import { decodeModel, encodeModel, MODEL_FORMAT } from '../detect/model-file.js';
import {
  NeuralStack,
  type NeuralHeader,
  type NeuralNetworkName,
} from '../detect/neural/neural-stack.js';
import { NeuralClassifier, type NeuralClassifierWeights } from '../detect/neural/classifier.js';
import { trainNeuralClassifier } from './neural/train-classifier.js';
import { NeuralTagger, type NeuralTaggerWeights } from '../detect/neural/tagger.js';
import { trainNeuralTagger } from './neural/train-tagger.js';
import { sentencePieces, tokenInputs, tokenInputSize } from '../detect/neural/token-inputs.js';
import { topClasses } from '../detect/technique-decision.js';
import { tokensInSpan } from '../text/document.js';
import {
  fitDecisions,
  trainDetector,
  tuneClassBias,
  tuneDecoding,
  type TrainInput,
  type TrainingArticle,
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
  /** The fast model trained on the way (the same as `train --model fast` with this seed). */
  fast: Detector;
}

export async function trainAccurateDetector(
  input: AccurateTrainInput,
): Promise<AccurateTrainResult> {
  const started = Date.now();
  const settings = { ...DEFAULT_ACCURATE_SETTINGS, ...input.accurate };
  const progress = input.onProgress ?? (() => {});
  const fast = trainDetector(input);
  const seed = fast.detector.header.training.seed;
  const vectorBytes = readFileSync(input.vectorsFile);
  const vectors = WordVectors.decode(vectorBytes, input.vectorsFile);
  const inputs = tokenInputSize(vectors);
  const { tokens: oofTokens, techniques: oofTechniques } = fast.outOfFoldPredictions;
  const prepared = fast.articles.map((a) => ({
    article: a,
    ...tokenInputs(a.ctx, vectors, oofTokens.get(a.id) as Float32Array),
  }));
  const heldOut = prepared.filter((p) => p.article.fold === settings.heldOutFold);
  const training = prepared.filter((p) => p.article.fold !== settings.heldOutFold);
  if (heldOut.length === 0 || training.length === 0)
    throw new Error('the accurate model needs articles in more than one fold');
  const heldOutArticles = heldOut.map((p) => p.article);
  const heldOutSi = heldOutArticles.flatMap((a) => a.si);

  const pieces = (a: TrainingArticle) => sentencePieces(a.ctx, settings.pieceLength);
  type Prepared = (typeof prepared)[number];
  /**
   * Train tagger `member` (its own seed) on some articles; keep the best epoch by `score`, or
   * else the last.
   */
  const fitTagger = (
    member: number,
    on: Prepared[],
    epochs: number,
    stage: string,
    score?: (weights: NeuralTaggerWeights) => number,
  ) =>
    trainNeuralTagger(
      on.map((p) => ({ x: p.x, labels: p.article.labels, pieces: pieces(p.article) })),
      inputs,
      {
        hidden: settings.hidden,
        epochs,
        learningRate: settings.taggerLearningRate,
        dropout: settings.dropout,
        batchSize: settings.batchSize,
        seed: seed + 1000 * member,
        onProgress: (done, total) => progress({ stage, done, total }),
        // Without a held-out score, the last epoch is kept.
        score: score ? (weights) => score(weights) : (_, epoch) => epoch,
      },
    );
  // Each tagger keeps its own best epoch on the held-out fold; the decisions below are fitted
  // to their mean.
  const taggers: Awaited<ReturnType<typeof fitTagger>>[] = [];
  for (let member = 0; member < settings.taggers; member++) {
    const numbered = settings.taggers > 1 ? ` ${member + 1} of ${settings.taggers}` : '';
    taggers.push(
      await fitTagger(
        member,
        training,
        settings.taggerEpochs,
        `training the neural tagger${numbered}`,
        (weights) => {
          const tagger = new NeuralTagger(weights, vectors.dimensions);
          const probs = new Map(
            heldOut.map((p) => [
              p.article.id,
              tagger.tokenProbabilities(p.x, pieces(p.article), p.keys),
            ]),
          );
          return tuneDecoding(heldOutArticles, probs, heldOutSi).f1;
        },
      ),
    );
  }

  const spansOf = (a: TrainingArticle) => {
    const linear = oofTechniques.get(a.id) as Float64Array[];
    return a.tc.map((span, i) => {
      const [first, last] = tokensInSpan(a.ctx.doc, span);
      return {
        first,
        last,
        linear: linear[i] as Float64Array,
        label: TECHNIQUE_LABELS.indexOf(span.technique),
      };
    });
  };
  const fitClassifier = (
    on: Prepared[],
    epochs: number,
    stage: string,
    score?: (weights: NeuralClassifierWeights) => number,
  ) =>
    trainNeuralClassifier(
      on.map((p) => ({ x: p.x, spans: spansOf(p.article) })),
      inputs,
      TECHNIQUE_LABELS.length,
      {
        hidden: settings.classifierHidden,
        epochs,
        learningRate: settings.classifierLearningRate,
        dropout: settings.dropout,
        batchSize: settings.batchSize,
        seed: seed + 1,
        onProgress: (done, total) => progress({ stage, done, total }),
        // Without a held-out score, the last epoch is kept.
        score: score ? (weights) => score(weights) : (_, epoch) => epoch,
      },
    );
  const classifier = await fitClassifier(
    training,
    settings.classifierEpochs,
    'training the neural classifier',
    (weights) => {
      let right = 0;
      let total = 0;
      const classifier = new NeuralClassifier(weights, vectors.dimensions);
      for (const p of heldOut) {
        const spans = spansOf(p.article);
        classifier.techniqueProbabilities(p.x, spans, p.keys).forEach((probs, i) => {
          total++;
          if (topClasses(probs, 1)[0] === spans[i]!.label) right++;
        });
      }
      return right / Math.max(1, total);
    },
  );

  /** The layer as it ships: weights after int8 quantisation, so decisions fit what runs. */
  const quantised = (
    taggerWeights: readonly NeuralTaggerWeights[],
    classifierWeights: NeuralClassifierWeights,
    refitted: readonly NeuralNetworkName[] = [],
  ): NeuralStack => {
    const neuralHeader: NeuralHeader = {
      vectors: { file: basename(input.vectorsFile), sha256: sha256(vectorBytes) },
      inputs,
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
  };
  const neural = quantised(
    taggers.map((t) => t.weights),
    classifier.weights,
  );

  const base = fast.detector;
  const header = structuredClone({
    ...base.header,
    name: input.settings?.name ?? 'accurate',
    neural: neural.header,
  });
  // Class offsets and the Repetition rule, tuned again for the neural probabilities.
  const heldOutTechniques = new Map(
    heldOut.map((p) => [
      p.article.id,
      neural.classifier.techniqueProbabilities(p.x, spansOf(p.article), p.keys),
    ]),
  );
  const { accuracy: heldOutTc, ...classDecoding } = tuneClassBias(
    heldOutArticles,
    heldOutTechniques,
  );
  header.classifier = { ...header.classifier, ...classDecoding };
  const fold = fast.foldModels[settings.heldOutFold]!;
  const probe = new Detector(header, fold.tagger, fold.classifier, base.clusters, neural);
  const heldOutTokens = new Map(
    heldOut.map((p) => [
      p.article.id,
      neural.tokenProbabilities(p.article.ctx, oofTokens.get(p.article.id)!),
    ]),
  );
  const decided = fitDecisions(probe, {
    articles: heldOutArticles,
    tokens: heldOutTokens,
    classify: (a, spans) => probe.classify(a.ctx, spans),
    si: heldOutSi,
    tc: heldOutArticles.flatMap((a) => a.tc),
  });
  // Decisions stay those fitted on the held-out fold; the shipped networks may then learn
  // from every article for the epochs the fold chose.
  const refits = new Set(settings.refit);
  const shippedTaggers: NeuralTaggerWeights[] = [];
  for (const [member, tagger] of taggers.entries()) {
    shippedTaggers.push(
      refits.has('tagger')
        ? (
            await fitTagger(
              member,
              prepared,
              tagger.epoch,
              'refitting the neural tagger on every article',
            )
          ).weights
        : tagger.weights,
    );
  }
  const shippedClassifier = refits.has('classifier')
    ? (
        await fitClassifier(
          prepared,
          classifier.epoch,
          'refitting the neural classifier on every article',
        )
      ).weights
    : classifier.weights;
  const shipped =
    refits.size > 0 ? quantised(shippedTaggers, shippedClassifier, [...refits]) : neural;
  header.neural = shipped.header;
  header.training.seconds = Math.round((Date.now() - started) / 1000);
  return {
    ...fast,
    fast: fast.detector,
    detector: new Detector(header, base.tagger, base.classifier, base.clusters, shipped),
    outOfFold: { si: decided.si, tc: heldOutTc, full: decided.full },
  };
}
