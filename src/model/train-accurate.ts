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
import { Detector, sha256 } from './detector.js';
import { decodeModel, encodeModel, MODEL_FORMAT } from './model-file.js';
import { NeuralStack, type NeuralHeader } from './neural/neural-stack.js';
import { neuralTechniqueProbabilities } from './neural/classifier.js';
import { trainNeuralClassifier } from './neural/train-classifier.js';
import { neuralTokenProbabilities } from './neural/tagger.js';
import { trainNeuralTagger } from './neural/train-tagger.js';
import { sentencePieces, tokenInputs, tokenInputSize } from './neural/token-inputs.js';
import { topClasses } from './technique-classifier.js';
import { tokensInSpan } from '../text/document.js';
import {
  fitDecisions,
  trainDetector,
  tuneDecoding,
  type TrainInput,
  type TrainingArticle,
  type TrainResult,
} from './train.js';
import { WordVectors } from './vectors.js';

export interface AccurateSettings {
  hidden: number;
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
}

export const DEFAULT_ACCURATE_SETTINGS: AccurateSettings = {
  hidden: 64,
  taggerEpochs: 6,
  taggerLearningRate: 2e-3,
  classifierHidden: 64,
  classifierEpochs: 4,
  classifierLearningRate: 1e-3,
  dropout: 0.25,
  batchSize: 32,
  pieceLength: 80,
  heldOutFold: 0,
};

export interface AccurateTrainInput extends TrainInput {
  vectorsFile: string;
  accurate?: Partial<AccurateSettings>;
}

export async function trainAccurateDetector(input: AccurateTrainInput): Promise<TrainResult> {
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
    x: tokenInputs(a.ctx, vectors, oofTokens.get(a.id) as Float32Array),
  }));
  const heldOut = prepared.filter((p) => p.article.fold === settings.heldOutFold);
  const training = prepared.filter((p) => p.article.fold !== settings.heldOutFold);
  if (heldOut.length === 0 || training.length === 0)
    throw new Error('the accurate model needs articles in more than one fold');
  const heldOutArticles = heldOut.map((p) => p.article);
  const heldOutSi = heldOutArticles.flatMap((a) => a.si);

  const pieces = (a: TrainingArticle) => sentencePieces(a.ctx, settings.pieceLength);
  const tagger = await trainNeuralTagger(
    training.map((p) => ({ x: p.x, labels: p.article.labels, pieces: pieces(p.article) })),
    inputs,
    {
      hidden: settings.hidden,
      epochs: settings.taggerEpochs,
      learningRate: settings.taggerLearningRate,
      dropout: settings.dropout,
      batchSize: settings.batchSize,
      seed,
      onProgress: (done, total) => progress({ stage: 'training the neural tagger', done, total }),
      score: (weights) => {
        const probs = new Map(
          heldOut.map((p) => [
            p.article.id,
            neuralTokenProbabilities(weights, p.x, pieces(p.article)),
          ]),
        );
        return tuneDecoding(heldOutArticles, probs, heldOutSi).f1;
      },
    },
  );

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
  const classifier = await trainNeuralClassifier(
    training.map((p) => ({ x: p.x, spans: spansOf(p.article) })),
    inputs,
    TECHNIQUE_LABELS.length,
    {
      hidden: settings.classifierHidden,
      epochs: settings.classifierEpochs,
      learningRate: settings.classifierLearningRate,
      dropout: settings.dropout,
      batchSize: settings.batchSize,
      seed: seed + 1,
      onProgress: (done, total) =>
        progress({ stage: 'training the neural classifier', done, total }),
      score: (weights) => {
        let right = 0;
        let total = 0;
        for (const p of heldOut) {
          const spans = spansOf(p.article);
          neuralTechniqueProbabilities(weights, p.x, spans).forEach((probs, i) => {
            total++;
            if (topClasses(probs, 1)[0] === spans[i]!.label) right++;
          });
        }
        return right / Math.max(1, total);
      },
    },
  );

  const neuralHeader: NeuralHeader = {
    vectors: { file: basename(input.vectorsFile), sha256: sha256(vectorBytes) },
    inputs,
    pieceLength: settings.pieceLength,
    tagger: { hidden: settings.hidden, outputBias: tagger.weights.outputBias, epoch: tagger.epoch },
    classifier: {
      hidden: settings.classifierHidden,
      classes: TECHNIQUE_LABELS.length,
      epoch: classifier.epoch,
    },
  };
  // Fit decisions on what ships: the weights after int8 quantisation.
  const stored = decodeModel<object>(
    encodeModel(
      { format: MODEL_FORMAT },
      new Map(new NeuralStack(neuralHeader, vectors, tagger.weights, classifier.weights).tensors()),
    ),
    'the neural weights',
  );
  const neural = NeuralStack.fromTensors(neuralHeader, stored.tensors, vectors);

  const base = fast.detector;
  const header = structuredClone({
    ...base.header,
    name: input.settings?.name ?? 'accurate',
    neural: neuralHeader,
  });
  // The neural classifier learned the class balance itself: no offsets, no Repetition rule.
  header.classifier.classBias = new Array<number>(TECHNIQUE_LABELS.length).fill(0);
  header.classifier.repetitionNeedsRecurrence = false;
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
  header.training.seconds = Math.round((Date.now() - started) / 1000);
  return {
    ...fast,
    detector: new Detector(header, base.tagger, base.classifier, base.clusters, neural),
    outOfFold: { si: decided.si, tc: classifier.score, full: decided.full },
  };
}
