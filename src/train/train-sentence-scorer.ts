/**
 * Models with the sentence scorer (detect/sentence-scorer.ts) over their tagger. The scorer
 * learns from every sentence of the training articles (does a gold span overlap it?), each
 * fold's scorer giving out-of-fold probabilities. The fusion weight is the one whose fused
 * held-out token probabilities decode to the best SI F1; decoding and span calibration are
 * fitted again on them:
 *   - `fast` (the fast model): on the out-of-fold token probabilities of every article, then
 *     every decision again (fitDecisions);
 *   - `accurate` and `lg`: on the accurate model's held-out fold, whose articles its neural
 *     taggers did not see; the technique decisions stay as they were.
 */
import { Detector, toTextSpan } from '../detect/detector.js';
import { fuse, SentenceScorer } from '../detect/sentence-scorer.js';
import { findTokenSpans } from '../detect/span-tagger.js';
import type { Token } from '../text/document.js';
import { SentenceEncoder, TextVectors } from '../features/sentence-encoder.js';
import { SENTENCE_ENCODER_NAME, type SentenceHeadTrainInput } from './train-sentence-head.js';
import {
  DEFAULT_SCORER_SETTINGS,
  trainSentenceScorer,
  type SentenceExample,
} from './sentence-scorer.js';
import {
  fitDecisions,
  fitSpanCalibration,
  trainDetector,
  tuneDecoding,
  type TrainingArticle,
  type TrainResult,
} from './train.js';

/** The fusion weights tried; 0 keeps the tagger's probabilities as they are. */
const FUSION_WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

/** A trained scorer, its out-of-fold probabilities of each article's sentences, and the base rate. */
interface ScoredSentences {
  scorer: SentenceScorer;
  outOfFold: Map<string, number[]>;
  centre: number;
}

async function scoreSentences(
  articles: readonly TrainingArticle[],
  input: SentenceHeadTrainInput,
  seed: number,
): Promise<ScoredSentences> {
  const progress = input.onProgress ?? (() => {});
  const vectors = new TextVectors(SentenceEncoder.load(), input.vectorCache);
  const examples: SentenceExample[] = [];
  for (const [n, a] of articles.entries()) {
    const sentences = a.ctx.doc.sentences;
    await vectors.ensure(sentences.map((s) => s.text));
    for (const s of sentences) {
      const label = a.si.some((g) => g.cpStart < s.cpEnd && g.cpEnd > s.cpStart) ? 1 : 0;
      examples.push({ raw: vectors.get(s.text), label, fold: a.fold });
    }
    progress({ stage: 'encoding sentences', done: n + 1, total: articles.length });
  }
  const trained = trainSentenceScorer(examples, { ...DEFAULT_SCORER_SETTINGS, seed });
  const outOfFold = new Map<string, number[]>();
  let next = 0;
  for (const a of articles)
    outOfFold.set(
      a.id,
      a.ctx.doc.sentences.map(() => trained.outOfFold[next++] as number),
    );
  return {
    scorer: new SentenceScorer(trained.weights),
    outOfFold,
    centre: examples.reduce((sum, e) => sum + e.label, 0) / Math.max(1, examples.length),
  };
}

/** The fusion weight and span decoding with the best SI F1 on these articles' fused tokens. */
function fitFusion(
  articles: readonly TrainingArticle[],
  tokens: ReadonlyMap<string, Float32Array>,
  scored: ScoredSentences,
  snapWords: number | undefined,
) {
  const si = articles.flatMap((a) => a.si);
  let best: ReturnType<typeof tuneDecoding> & {
    weight: number;
    tokens: Map<string, Float32Array>;
  } = { weight: 0, f1: -1, decoding: { low: 0, high: 0, maxGap: 0 }, tokens: new Map() };
  for (const weight of FUSION_WEIGHTS) {
    const fused = new Map(
      articles.map((a) => [
        a.id,
        fuse(
          tokens.get(a.id) as Float32Array,
          (i) => (a.ctx.doc.tokens[i] as Token).sentence,
          scored.outOfFold.get(a.id) as number[],
          weight,
          scored.centre,
        ),
      ]),
    );
    const tuned = tuneDecoding(articles, fused, si, snapWords);
    if (tuned.f1 > best.f1) best = { ...tuned, weight, tokens: fused };
  }
  return best;
}

/** The fast model with the sentence scorer; every decision fitted again out of fold. */
export async function trainSentenceScorerDetector(
  input: SentenceHeadTrainInput,
  fast: TrainResult = trainDetector(input),
): Promise<TrainResult> {
  const { articles, outOfFoldPredictions, foldModels } = fast;
  const scored = await scoreSentences(articles, input, fast.detector.header.training.seed);
  const snapWords = fast.detector.header.tagger.decoding.snapWords;
  const fusion = fitFusion(articles, outOfFoldPredictions.tokens, scored, snapWords);
  const header = structuredClone(fast.detector.header);
  header.sentenceScorer = {
    encoder: SENTENCE_ENCODER_NAME,
    weight: fusion.weight,
    centre: scored.centre,
  };
  const { clusters } = fast.detector;
  const probe = new Detector(header, foldModels[0]!.tagger, foldModels[0]!.classifier, clusters);
  const outOfFold = fitDecisions(probe, {
    articles,
    tokens: fusion.tokens,
    classify: (a, spans) => {
      const { tagger, classifier } = foldModels[a.fold]!;
      return new Detector(header, tagger, classifier, clusters).classify(a.ctx, spans);
    },
    si: articles.flatMap((a) => a.si),
    tc: articles.flatMap((a) => a.tc),
  });
  const detector = fast.detector.with({ header, sentenceScorer: scored.scorer });
  detector.vectorCache = input.vectorCache;
  return {
    ...fast,
    detector,
    outOfFold: { ...fast.outOfFold, si: outOfFold.si, full: outOfFold.full },
    outOfFoldPredictions: { ...outOfFoldPredictions, tokens: fusion.tokens },
  };
}

/**
 * An accurate or lg model with the sentence scorer over its neural taggers. `fast` is the
 * fast model of the same training (its out-of-fold token probabilities are what the taggers
 * read on `heldOutFold`, the accurate training's held-out fold); the model's taggers must not have been refitted on every
 * article, so that the held-out fold is still unseen.
 */
export async function withSentenceScorer(
  model: Detector,
  fast: TrainResult,
  input: SentenceHeadTrainInput,
  heldOutFold: number,
): Promise<Detector> {
  const { neural } = model;
  if (!neural) throw new Error('the sentence scorer goes over an accurate or lg model');
  if (model.header.neural?.refitted?.includes('tagger'))
    throw new Error('the taggers were refitted on every article: no held-out fold is left');
  const scored = await scoreSentences(fast.articles, input, model.header.training.seed);
  const heldOut = fast.articles.filter((a) => a.fold === heldOutFold);
  const tokens = new Map(
    heldOut.map((a) => [
      a.id,
      neural.tokenProbabilities(a.ctx, fast.outOfFoldPredictions.tokens.get(a.id)!),
    ]),
  );
  const fusion = fitFusion(heldOut, tokens, scored, model.header.tagger.decoding.snapWords);
  const header = structuredClone(model.header);
  header.sentenceScorer = {
    encoder: SENTENCE_ENCODER_NAME,
    weight: fusion.weight,
    centre: scored.centre,
  };
  header.tagger.decoding = fusion.decoding;
  header.calibration.span = fitSpanCalibration(
    heldOut,
    heldOut.map((a) =>
      findTokenSpans(a.ctx.doc, fusion.tokens.get(a.id)!, fusion.decoding).map((s) => ({
        ...toTextSpan(a.ctx.doc, s),
        score: s.score,
      })),
    ),
  );
  const detector = model.with({ header, sentenceScorer: scored.scorer });
  detector.vectorCache = input.vectorCache;
  return detector;
}
