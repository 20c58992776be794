/**
 * A fast model with the sentence scorer (detect/sentence-scorer.ts) over its tagger: the
 * scorer learns from every sentence of the training articles (does a gold span overlap
 * it?); the fusion weight is the one whose fused out-of-fold token probabilities decode to
 * the best out-of-fold SI F1; decoding and calibration are then fitted again on them.
 */
import { Detector } from '../detect/detector.js';
import { fuse, SentenceScorer } from '../detect/sentence-scorer.js';
import type { Token } from '../text/document.js';
import { SentenceEncoder, TextVectors } from '../features/sentence-encoder.js';
import { SENTENCE_ENCODER_NAME, type SentenceHeadTrainInput } from './train-sentence-head.js';
import {
  DEFAULT_SCORER_SETTINGS,
  trainSentenceScorer,
  type SentenceExample,
} from './sentence-scorer.js';
import { fitDecisions, trainDetector, tuneDecoding, type TrainResult } from './train.js';

/** The fusion weights tried; 0 keeps the tagger's probabilities as they are. */
const FUSION_WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

export async function trainSentenceScorerDetector(
  input: SentenceHeadTrainInput,
  fast: TrainResult = trainDetector(input),
): Promise<TrainResult> {
  const progress = input.onProgress ?? (() => {});
  const { articles, outOfFoldPredictions, foldModels } = fast;
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
  const scorer = trainSentenceScorer(examples, {
    ...DEFAULT_SCORER_SETTINGS,
    seed: fast.detector.header.training.seed,
  });
  const centre = examples.reduce((sum, e) => sum + e.label, 0) / Math.max(1, examples.length);

  // Fuse each article's out-of-fold token probabilities with its out-of-fold sentence ones.
  const fusedWith = (weight: number) => {
    const fused = new Map<string, Float32Array>();
    let next = 0;
    for (const a of articles) {
      const sentences = Array.from(a.ctx.doc.sentences, () => scorer.outOfFold[next++] as number);
      const tokens = outOfFoldPredictions.tokens.get(a.id) as Float32Array;
      const sentenceOf = (i: number) => (a.ctx.doc.tokens[i] as Token).sentence;
      fused.set(a.id, fuse(tokens, sentenceOf, sentences, weight, centre));
    }
    return fused;
  };
  const si = articles.flatMap((a) => a.si);
  const snapWords = fast.detector.header.tagger.decoding.snapWords;
  let best = { weight: 0, f1: -1, tokens: outOfFoldPredictions.tokens };
  for (const weight of FUSION_WEIGHTS) {
    const tokens = fusedWith(weight);
    const { f1 } = tuneDecoding(articles, tokens, si, snapWords);
    if (f1 > best.f1) best = { weight, f1, tokens };
  }

  const header = structuredClone(fast.detector.header);
  header.sentenceScorer = { encoder: SENTENCE_ENCODER_NAME, weight: best.weight, centre };
  const { clusters } = fast.detector;
  const probe = new Detector(header, foldModels[0]!.tagger, foldModels[0]!.classifier, clusters);
  const outOfFold = fitDecisions(probe, {
    articles,
    tokens: best.tokens,
    classify: (a, spans) => {
      const { tagger, classifier } = foldModels[a.fold]!;
      return new Detector(header, tagger, classifier, clusters).classify(a.ctx, spans);
    },
    si,
    tc: articles.flatMap((a) => a.tc),
  });
  const detector = new Detector(
    header,
    fast.detector.tagger,
    fast.detector.classifier,
    clusters,
    undefined,
    undefined,
    new SentenceScorer(scorer.weights),
  );
  detector.vectorCache = input.vectorCache;
  return {
    ...fast,
    detector,
    outOfFold: { ...fast.outOfFold, si: outOfFold.si, full: outOfFold.full },
    outOfFoldPredictions: { ...outOfFoldPredictions, tokens: best.tokens },
  };
}
