/**
 * Training: the span tagger and the technique classifier, then everything that decides
 * how they are used (span decoding, class bias, the second-label threshold, confidence
 * calibration), chosen on out-of-fold predictions over the training articles so that the
 * dev set stays a clean measurement. Seeded and deterministic.
 */
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { groupByArticle, type SpanLabel, type TechniqueSpanLabel } from '../formats/labels.js';
import { corpusName, type Corpus } from '../formats/corpus.js';
import { scoreFullTask } from '../eval/full.js';
import { scoreSi } from '../eval/si.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import { parseArticle, type TextSpan } from '../text/document.js';
import { applyPlatt, type Platt } from '../detect/calibration.js';
import {
  checkConfidence,
  fitPlatt,
  type ConfidenceCheck,
  type HeldOutHighlight,
} from './calibration.js';
import type { WordClusters } from '../features/clusters.js';
import { readClusters, sha256 } from '../formats/model-file.js';
import { toTextSpan } from '../detect/detector.js';
import { labelDecisionOf, type ModelHeader } from '../detect/model-header.js';
import { articleContext, type ArticleContext } from '../features/context.js';
import { LogisticModel, SoftmaxModel } from '../detect/linear.js';
import { fullTaskLabels } from '../detect/predict.js';
import { SparseRows } from '../features/sparse.js';
import { findTokenSpans, tokenProbabilities, type SpanDecoding } from '../detect/span-tagger.js';
import { linearTechniqueProbabilities } from '../detect/stages/linear.js';
import { tokenLabels } from './tagger-rows.js';
import { addTokenRows } from '../features/token-rows.js';
import { trainLogistic, trainSoftmax } from './linear-training.js';
import { addSpanRows, spanContexts } from '../features/span-rows.js';
import {
  adjust,
  adjustTechniques,
  chooseTechniques,
  repetitionCues,
  topClasses,
  type ClassifierDecision,
  type RepetitionCues,
} from '../detect/technique-decision.js';
import type { TrainedModel } from './trained-model.js';

export interface TrainSettings {
  name: string;
  seed: number;
  folds: number;
  taggerBits: number;
  taggerEpochs: number;
  taggerLearningRate: number;
  /** The tagger's L2, set apart from the classifier's (the shipped models used 1e-6 and 1e-5). */
  taggerL2: number;
  classifierBits: number;
  classifierEpochs: number;
  classifierLearningRate: number;
  /** The technique classifier's L2. */
  l2: number;
  /**
   * Each technique is predicted, out of fold, at least this share of the times it occurs
   * (its class bias raised until it is; 0: the class bias for accuracy alone).
   */
  minPredictedShare: number;
}

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  name: 'sm',
  seed: 1,
  folds: 4,
  taggerBits: 20,
  taggerEpochs: 4,
  taggerLearningRate: 0.05,
  taggerL2: 1e-6,
  classifierBits: 18,
  classifierEpochs: 8,
  classifierLearningRate: 0.2,
  l2: 1e-5,
  minPredictedShare: 0,
};

export interface TrainProgress {
  stage: string;
  done: number;
  total: number;
}

export interface TrainInput {
  corpus: Corpus;
  /** The word-cluster file the model will use (its file name is recorded in the model). */
  clustersFile: string;
  settings?: Partial<TrainSettings>;
  /**
   * Articles the linear models learn from more than once, by id (`train --weight`); each
   * is still held out and scored once.
   */
  articleWeights?: ReadonlyMap<string, number>;
  onProgress?: (progress: TrainProgress) => void;
}

export interface TrainingArticle {
  id: string;
  /** How many times the linear models learn from it (a desk's own corpus may count more). */
  weight: number;
  ctx: ArticleContext;
  fold: number;
  labels: Uint8Array;
  si: SpanLabel[];
  tc: TechniqueSpanLabel[];
}

/** What the model card reports of the held-out predictions the decisions were fitted on. */
export interface OutOfFoldFigures {
  si: number;
  tc: number;
  full: number;
  /** The technique confidence checked out of fold (absent in cards before 2026-12-07). */
  confidence?: ConfidenceCheck;
}

export interface TrainResult {
  model: TrainedModel;
  /** Out-of-fold figures on the training articles, for the model card. */
  outOfFold: OutOfFoldFigures;
  /** What the md model is trained on: the articles, read, with their fold... */
  articles: TrainingArticle[];
  /** ...the fold models' predictions on the articles they did not see (raw probabilities)... */
  outOfFoldPredictions: {
    tokens: Map<string, Float32Array>;
    techniques: Map<string, Float64Array[]>;
  };
  /** ...and the fold models. */
  foldModels: { tagger: LogisticModel; classifier: SoftmaxModel }[];
}

export function trainDetector(input: TrainInput): TrainResult {
  const started = Date.now();
  const settings = { ...DEFAULT_TRAIN_SETTINGS, ...input.settings };
  const progress = input.onProgress ?? (() => {});
  const { corpus } = input;
  if (!corpus.si || !corpus.tc) throw new Error(`${corpus.dir}: training needs SI and TC labels`);
  const clusters = readClusters(input.clustersFile);
  const articles = trainingArticles(
    corpus,
    clusters,
    settings.folds,
    progress,
    input.articleWeights,
  );
  const { tokens, techniques, foldModels } = outOfFoldModels(articles, settings, progress);

  const { accuracy, ...tuned } = tuneClassBias(articles, techniques, settings.minPredictedShare);
  const header = emptyHeader();
  header.classifier = { ...header.classifier, ...tuned };
  const outOfFold = fitDecisions(header, {
    articles,
    tokens,
    classify: (a, spans) => classifyLinear(foldModels[a.fold]!.classifier, header, a.ctx, spans),
    si: corpus.si,
    tc: corpus.tc,
  });

  // The shipped models see every training article.
  const steps = settings.folds + 1;
  progress({ stage: 'training final models', done: settings.folds, total: steps });
  const tagger = trainTagger(articles, settings, settings.seed);
  const classifier = trainClassifier(articles, settings, settings.seed);
  progress({ stage: 'training final models', done: steps, total: steps });

  const finalHeader: ModelHeader = {
    ...header,
    name: settings.name,
    version: new Date(started).toISOString().slice(0, 10),
    createdAt: new Date(started).toISOString(),
    training: {
      corpus: corpusName(corpus.dir),
      split: corpus.dir
        .split('+')
        .map((dir) => basename(dir))
        .join('+'),
      articles: articles.length,
      seed: settings.seed,
      folds: settings.folds,
      seconds: Math.round((Date.now() - started) / 1000),
      ...(settings.minPredictedShare > 0 && { minPredictedShare: settings.minPredictedShare }),
    },
    clusters: {
      file: basename(input.clustersFile),
      sha256: sha256(readFileSync(input.clustersFile)),
    },
    tagger: { bits: settings.taggerBits, bias: tagger.bias, decoding: header.tagger.decoding },
    classifier: {
      ...header.classifier,
      bits: settings.classifierBits,
      biases: Array.from(classifier.biases),
    },
  };
  return {
    model: { header: finalHeader, tagger, classifier, clusters },
    outOfFold: { ...outOfFold, tc: accuracy },
    articles,
    outOfFoldPredictions: { tokens, techniques },
    foldModels,
  };
}

/** The corpus's articles, parsed, with their gold labels and their fold (by position). */
function trainingArticles(
  corpus: Corpus,
  clusters: WordClusters,
  folds: number,
  progress: (p: TrainProgress) => void,
  weights?: ReadonlyMap<string, number>,
): TrainingArticle[] {
  const siByArticle = groupByArticle(corpus.si ?? []);
  const tcByArticle = groupByArticle(corpus.tc ?? []);
  return corpus.articles.map((article, i) => {
    const doc = parseArticle(article.text);
    const si = siByArticle.get(article.id) ?? [];
    progress({ stage: 'reading articles', done: i + 1, total: corpus.articles.length });
    return {
      id: article.id,
      weight: weights?.get(article.id) ?? 1,
      ctx: articleContext(doc, clusters),
      fold: i % folds,
      labels: tokenLabels(doc, si),
      si,
      tc: tcByArticle.get(article.id) ?? [],
    };
  });
}

/** The linear span tagger, trained on some articles. */
function trainTagger(
  subset: TrainingArticle[],
  settings: TrainSettings,
  seed: number,
): LogisticModel {
  const rows = new SparseRows();
  const labels: number[] = [];
  for (const a of byWeight(subset)) {
    addTokenRows(a.ctx, rows);
    for (const l of a.labels) labels.push(l);
  }
  const model = LogisticModel.create(settings.taggerBits);
  trainLogistic(model, rows, Uint8Array.from(labels), {
    epochs: settings.taggerEpochs,
    learningRate: settings.taggerLearningRate,
    l2: settings.taggerL2,
    seed,
  });
  return model;
}

/** Each article as many times as its weight, copies together. */
function byWeight(articles: readonly TrainingArticle[]): TrainingArticle[] {
  return articles.flatMap((a) => Array.from({ length: a.weight }, () => a));
}

/** Technique probabilities of spans as the linear stage and the decision's steps 3–4 give them. */
function classifyLinear(
  classifier: SoftmaxModel,
  header: ModelHeader,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
): Float64Array[] {
  const contexts = spanContexts(ctx, spans);
  const probabilities = linearTechniqueProbabilities(classifier, ctx, spans, contexts);
  return adjustTechniques(ctx, spans, probabilities, header.classifier, contexts);
}

/** The linear technique classifier, trained on the gold spans of some articles. */
function trainClassifier(
  subset: TrainingArticle[],
  settings: TrainSettings,
  seed: number,
): SoftmaxModel {
  const rows = new SparseRows();
  const labels: number[] = [];
  for (const a of byWeight(subset)) {
    addSpanRows(a.ctx, a.tc, rows);
    for (const s of a.tc) labels.push(TECHNIQUE_LABELS.indexOf(s.technique));
  }
  const model = SoftmaxModel.create(TECHNIQUE_LABELS.length, settings.classifierBits);
  trainSoftmax(model, rows, Uint8Array.from(labels), {
    epochs: settings.classifierEpochs,
    learningRate: settings.classifierLearningRate,
    l2: settings.l2,
    seed,
  });
  return model;
}

/**
 * One tagger and classifier per fold, trained on the other folds, and their predictions on
 * the articles they did not see: token probabilities and raw technique probabilities.
 */
function outOfFoldModels(
  articles: TrainingArticle[],
  settings: TrainSettings,
  progress: (p: TrainProgress) => void,
) {
  const tokens = new Map<string, Float32Array>();
  const techniques = new Map<string, Float64Array[]>();
  const foldModels: { tagger: LogisticModel; classifier: SoftmaxModel }[] = [];
  const steps = settings.folds + 1;
  for (let k = 0; k < settings.folds; k++) {
    progress({ stage: 'training out-of-fold models', done: k, total: steps });
    const inFold = articles.filter((a) => a.fold !== k);
    const tagger = trainTagger(inFold, settings, settings.seed + k);
    const classifier = trainClassifier(inFold, settings, settings.seed + k);
    foldModels.push({ tagger, classifier });
    for (const a of articles.filter((x) => x.fold === k)) {
      tokens.set(a.id, tokenProbabilities(tagger, a.ctx));
      const rows = new SparseRows();
      addSpanRows(a.ctx, a.tc, rows);
      techniques.set(
        a.id,
        a.tc.map((_, i) => Float64Array.from(classifier.probabilities(rows.row(i)))),
      );
    }
  }
  progress({ stage: 'training out-of-fold models', done: settings.folds, total: steps });
  return { tokens, techniques, foldModels };
}

/** The held-out articles are cut into this many parts to check the calibration out of fold. */
const CONFIDENCE_CHECK_PARTS = 5;

/** Out-of-fold (or held-out) predictions from which the decisions of a model are fitted. */
export interface HeldOutPredictions {
  articles: readonly TrainingArticle[];
  /** Token probabilities of each article. */
  tokens: ReadonlyMap<string, Float32Array>;
  /** Technique probabilities of spans of an article, from a model that did not see it. */
  classify: (article: TrainingArticle, spans: readonly TextSpan[]) => Float64Array[];
  /** Gold labels of these articles. */
  si: readonly SpanLabel[];
  tc: readonly TechniqueSpanLabel[];
}

/**
 * Choose span decoding, span and technique calibration and the second-label threshold on
 * held-out predictions, writing them into the header; returns the held-out SI and full-task
 * F1 as decoded.
 */
export function fitDecisions(
  header: ModelHeader,
  held: HeldOutPredictions,
): { si: number; full: number; confidence: ConfidenceCheck } {
  const { articles } = held;
  header.tagger.decoding = tuneDecoding(articles, held.tokens, held.si).decoding;
  const found = articles.map((a) => {
    const spans = findTokenSpans(a.ctx.doc, held.tokens.get(a.id)!, header.tagger.decoding);
    const textSpans = spans.map((s) => toTextSpan(a.ctx.doc, s));
    const probabilities = held.classify(a, textSpans);
    return spans.map((s, i) => ({
      ...textSpans[i]!,
      ...s,
      confidence: s.score,
      probabilities: probabilities[i]!,
    }));
  });
  const spanCalibration = fitSpanCalibration(articles, found);
  header.calibration.span = spanCalibration;
  for (const spans of found)
    for (const s of spans) s.confidence = applyPlatt(spanCalibration, s.score);
  let best = { threshold: 1.01, f1: -1 };
  for (const threshold of [0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 1.01]) {
    header.classifier.secondLabelThreshold = threshold;
    const decision = labelDecisionOf(header);
    const predicted = found.flatMap((spans, a) => fullTaskLabels(decision, spans, articles[a]!.id));
    const f1 = scoreFullTask(held.tc, predicted).micro.f1;
    if (f1 > best.f1) best = { threshold, f1 };
  }
  header.classifier.secondLabelThreshold = best.threshold;
  const highlights: HeldOutHighlight[] = [];
  let goldSpans = 0;
  found.forEach((spans, a) => {
    const article = articles[a]!;
    const goldIds = article.tc.map((_, g) => goldSpans + g);
    goldSpans += article.tc.length;
    for (const s of spans) {
      for (const t of chooseTechniques(s.probabilities, header.classifier.secondLabelThreshold)) {
        const technique = TECHNIQUE_LABELS[t] as TechniqueLabel;
        const gold = article.tc.flatMap((g, i) => (g.technique === technique ? [i] : []));
        const hit = gold.filter((i) => overlap(s, article.tc[i]!) > 0);
        highlights.push({
          part: a % CONFIDENCE_CHECK_PARTS,
          score: s.confidence * (s.probabilities[t] as number),
          overlaps: hit.length > 0,
          halfCovered:
            coverage(
              s,
              gold.map((i) => article.tc[i]!),
            ) >= 0.5,
          gold: hit.map((i) => goldIds[i]!),
        });
      }
    }
  });
  // Right, for a reader, is a highlight that overlaps a phrase annotators gave its technique.
  header.calibration.technique = fitPlatt(
    highlights.map((h) => h.score),
    highlights.map((h) => Number(h.overlaps)),
  );
  const confidence = checkConfidence(highlights, goldSpans, CONFIDENCE_CHECK_PARTS);
  const si = scoreSi(
    held.si,
    found.flatMap((spans, a) =>
      spans.map((s) => ({ articleId: articles[a]!.id, cpStart: s.cpStart, cpEnd: s.cpEnd })),
    ),
  ).f1;
  const full = scoreFullTask(
    held.tc,
    found.flatMap((spans, a) => fullTaskLabels(labelDecisionOf(header), spans, articles[a]!.id)),
  ).micro.f1;
  return { si, full, confidence };
}

/**
 * Platt scaling of span scores into the probability that a found span is right (at least
 * half of it inside gold spans), from the spans found in each article.
 */
export function fitSpanCalibration(
  articles: readonly TrainingArticle[],
  found: readonly (readonly (TextSpan & { score: number })[])[],
): Platt {
  return fitPlatt(
    found.flatMap((spans) => spans.map((s) => s.score)),
    found.flatMap((spans, a) => spans.map((s) => Number(coverage(s, articles[a]!.si) >= 0.5))),
  );
}

/** How many characters two spans share. */
function overlap(a: TextSpan, b: TextSpan): number {
  return Math.max(0, Math.min(a.cpEnd, b.cpEnd) - Math.max(a.cpStart, b.cpStart));
}

/** Share of a span's characters that lie inside the given gold spans. */
export function coverage(span: TextSpan, gold: readonly TextSpan[]): number {
  const covered = new Set<number>();
  for (const g of gold) {
    for (let i = Math.max(g.cpStart, span.cpStart); i < Math.min(g.cpEnd, span.cpEnd); i++)
      covered.add(i);
  }
  return covered.size / Math.max(1, span.cpEnd - span.cpStart);
}

/** The span decoding with the best SI F1 on the given articles, and that F1. */
export function tuneDecoding(
  articles: readonly TrainingArticle[],
  probs: ReadonlyMap<string, Float32Array>,
  gold: readonly SpanLabel[],
): { decoding: SpanDecoding; f1: number } {
  let best = { decoding: { low: 0.2, high: 0.3, maxGap: 1 } as SpanDecoding, f1: -1 };
  for (const low of [0.1, 0.15, 0.2, 0.25, 0.3]) {
    for (const high of [0.25, 0.3, 0.35, 0.4, 0.5]) {
      if (high < low) continue;
      for (const maxGap of [1, 2, 3, 4]) {
        const decoding = { low, high, maxGap };
        const predicted = articles.flatMap((a) =>
          findTokenSpans(a.ctx.doc, probs.get(a.id) as Float32Array, decoding).map((s) => ({
            articleId: a.id,
            ...toTextSpan(a.ctx.doc, s),
          })),
        );
        const f1 = scoreSi(gold, predicted).f1;
        if (f1 > best.f1) best = { decoding, f1 };
      }
    }
  }
  return best;
}

/** The decision over technique probabilities that tuneClassBias fits (steps 3–4). */
export type TunedClassDecision = Required<ClassifierDecision> & { classBias: number[] };

/**
 * The class bias (per-class log-probability offsets), the Repetition rule and the
 * repeated-span boost that maximise out-of-fold accuracy: a grid over the rule and the
 * boost, and coordinate ascent over the class bias for each.
 */
export function tuneClassBias(
  articles: readonly TrainingArticle[],
  probs: ReadonlyMap<string, Float64Array[]>,
  minPredictedShare = 0,
): TunedClassDecision & { accuracy: number } {
  const examples: { p: Float64Array; y: number; repetition: RepetitionCues }[] = [];
  for (const a of articles) {
    const cues = repetitionCues(a.ctx, a.tc, spanContexts(a.ctx, a.tc));
    a.tc.forEach((span, i) => {
      const repetition = cues[i] as RepetitionCues;
      const recurs = repetition.recurs();
      examples.push({
        p: (probs.get(a.id) as Float64Array[])[i] as Float64Array,
        y: TECHNIQUE_LABELS.indexOf(span.technique),
        repetition: { repeatsEarlierSpan: repetition.repeatsEarlierSpan, recurs: () => recurs },
      });
    });
  }
  const classes = TECHNIQUE_LABELS.length;
  const scratch = new Float64Array(classes);
  const accuracy = (decision: TunedClassDecision): number => {
    let right = 0;
    for (const e of examples) {
      scratch.set(e.p);
      adjust(scratch, decision, e.repetition);
      if (topClasses(scratch, 1)[0] === e.y) right++;
    }
    return right / Math.max(1, examples.length);
  };
  let best: TunedClassDecision & { accuracy: number } = {
    classBias: new Array<number>(classes).fill(0),
    repetitionNeedsRecurrence: false,
    repeatedSpanBoost: 0,
    accuracy: -1,
  };
  for (const repetitionNeedsRecurrence of [false, true]) {
    for (const repeatedSpanBoost of [0, 0.5, 1, 1.5, 2, 3, 4]) {
      const decision: TunedClassDecision = {
        classBias: new Array<number>(classes).fill(0),
        repetitionNeedsRecurrence,
        repeatedSpanBoost,
      };
      const bias = decision.classBias;
      let current = accuracy(decision);
      for (let round = 0; round < 3; round++) {
        for (let c = 0; c < classes; c++) {
          let bestValue = bias[c] as number;
          for (const step of [-1, -0.5, -0.25, 0.25, 0.5, 1]) {
            const old = bias[c] as number;
            bias[c] = old + step;
            const a = accuracy(decision);
            if (a > current + 1e-9) {
              current = a;
              bestValue = bias[c] as number;
            }
            bias[c] = old;
          }
          bias[c] = bestValue;
        }
      }
      if (current > best.accuracy + 1e-9) best = { ...decision, accuracy: current };
    }
  }
  if (minPredictedShare > 0) {
    raiseRareClasses(best, examples, minPredictedShare);
    best.accuracy = accuracy(best);
  }
  return best;
}

/** A class bias step while raising a rare class, and the most steps taken. */
const RAISE_STEP = 0.25;
const RAISE_ROUNDS = 40;

/**
 * Raise the class bias of the classes predicted less than `share` times as often as they
 * occur until they are not (or RAISE_ROUNDS rounds pass): the accuracy-tuned bias starves the
 * rare techniques, whose share differs from one set of articles to the next.
 */
function raiseRareClasses(
  decision: TunedClassDecision,
  examples: readonly { p: Float64Array; y: number; repetition: RepetitionCues }[],
  share: number,
): void {
  const classes = decision.classBias.length;
  const gold = new Array<number>(classes).fill(0);
  for (const e of examples) gold[e.y]!++;
  const scratch = new Float64Array(classes);
  for (let round = 0; round < RAISE_ROUNDS; round++) {
    const predicted = new Array<number>(classes).fill(0);
    for (const e of examples) {
      scratch.set(e.p);
      adjust(scratch, decision, e.repetition);
      predicted[topClasses(scratch, 1)[0] as number]!++;
    }
    const starved = gold.flatMap((g, c) => ((predicted[c] as number) < share * g ? [c] : []));
    if (starved.length === 0) return;
    for (const c of starved) decision.classBias[c]! += RAISE_STEP;
  }
}

export function emptyHeader(): ModelHeader {
  return {
    format: 1,
    name: '',
    version: '',
    createdAt: '',
    training: { corpus: '', split: '', articles: 0, seed: 0, folds: 0, seconds: 0 },
    clusters: { file: '', sha256: '' },
    tagger: { bits: 0, bias: 0, decoding: { low: 0.2, high: 0.3, maxGap: 1 } },
    classifier: {
      bits: 0,
      biases: [],
      classBias: new Array<number>(TECHNIQUE_LABELS.length).fill(0),
      repetitionNeedsRecurrence: false,
      repeatedSpanBoost: 0,
      secondLabelThreshold: 1.01,
    },
    calibration: { span: { a: 1, b: 0 }, technique: { a: 1, b: 0 } },
  };
}
