/**
 * The technique decision (TC): which techniques a span gets, and how sure we are. Its steps
 * run in this order, each a named function below:
 *
 *   1. probabilities   rawTechniqueProbabilities: a multinomial logistic regression over the
 *                      span's features (features/span-rows.ts)
 *   2. refinement      `refine`: the accurate model's neural classifier replaces them
 *                      (detect/neural/neural-stack.ts)
 *   3. offsets         adjust: each class's log-probability shifted by an offset tuned out of
 *                      fold (the raw model over-predicts the frequent Loaded_Language)
 *   4. Repetition      adjust: a boost where an earlier span has the same text, and the rule
 *                      of the top published system: a phrase that never recurs is not a
 *                      Repetition
 *   5. second label    chooseTechniques: the runner-up too when it is likely enough
 *   6. calibration     decideTechniques: Platt scaling of span confidence × technique
 *                      probability, so that 0.7 means right about 70% of the time
 *   7. threshold       decideTechniques: techniques below the caller's threshold are dropped
 *
 * Steps 1–4 are `techniqueProbabilities`, 5–7 `decideTechniques`. Their parameters are
 * fitted in train/train.ts (tuneClassBias for 3–4, fitDecisions for 5–6).
 */
import { addSpanRows, recursInArticle, spanContexts } from '../features/span-rows.js';
import type { ArticleContext } from '../features/context.js';
import type { SpanContext, SpanFeatureSet } from '../features/span-features.js';
import { SparseRows } from '../features/sparse.js';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import type { TextSpan } from '../text/document.js';
import { applyPlatt, type Platt } from './calibration.js';
import type { SoftmaxModel } from './linear.js';

export const REPETITION = TECHNIQUE_LABELS.indexOf('Repetition');

/** Steps 1–4: the technique probabilities of each span. */
export function techniqueProbabilities(
  model: SoftmaxModel,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  decoding: ClassifierDecoding,
  refine?: (linear: Float64Array[]) => Float64Array[],
): Float64Array[] {
  const contexts = spanContexts(ctx, spans);
  const cues = repetitionCues(ctx, spans, contexts);
  const linear = rawTechniqueProbabilities(model, ctx, spans, contexts, decoding.features);
  return (refine ? refine(linear) : linear).map((p, i) =>
    adjust(p, decoding, cues[i] as RepetitionCues),
  );
}

/** What steps 5–7 need: the second-label threshold and the technique calibration. */
export interface LabelDecision {
  secondLabelThreshold: number;
  calibration: Platt;
}

/** Steps 5–7: the span's techniques (best first) with their calibrated confidence. */
export function decideTechniques(
  spanConfidence: number,
  probabilities: Float64Array,
  decision: LabelDecision,
  threshold = 0,
): { index: number; confidence: number }[] {
  return chooseTechniques(probabilities, decision.secondLabelThreshold)
    .map((index) => ({
      index,
      confidence: applyPlatt(
        decision.calibration,
        spanConfidence * (probabilities[index] as number),
      ),
    }))
    .filter((t) => t.confidence >= threshold);
}

/** Step 5: the best technique, and the second one when its probability reaches `threshold`. */
export function chooseTechniques(probabilities: Float64Array, threshold: number): number[] {
  const [first, second] = topClasses(probabilities, 2) as [number, number];
  return (probabilities[second] as number) >= threshold ? [first, second] : [first];
}

export interface ClassifierDecoding {
  /** Added to each class's log-probability. */
  classBias: readonly number[];
  /** Apply the Repetition rule. */
  repetitionNeedsRecurrence: boolean;
  /**
   * Added to Repetition's log-probability when an earlier span of the input has the same
   * text: annotators mark most later mentions of a phrase as Repetition, and a linear model
   * lets the phrase's own words outvote that. Absent in older model files (no offset).
   */
  repeatedSpanBoost?: number;
  /** The optional span features the linear classifier was trained with (absent: none). */
  features?: SpanFeatureSet;
}

/** What the decoding knows of a span's repetition. */
export interface RepetitionCues {
  /** An earlier span of the input has the same (lower-cased) text. */
  readonly repeatsEarlierSpan: boolean;
  /** Does the span recur in the article? Computed only when asked (it scans the article). */
  recurs(): boolean;
}

export function repetitionCues(
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  contexts: readonly SpanContext[] = spanContexts(ctx, spans),
): RepetitionCues[] {
  return spans.map((span, i) => {
    const c = contexts[i] as SpanContext;
    return {
      repeatsEarlierSpan: c.sameTextBefore > 0,
      // Another span with the same text is a recurrence even when the span has no content
      // word ("Why?") for recursInArticle to follow.
      recurs: () => c.sameTextBefore + c.sameTextAfter > 0 || recursInArticle(ctx, span),
    };
  });
}

/** Step 1: the linear model's technique probabilities of each span. */
function rawTechniqueProbabilities(
  model: SoftmaxModel,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  contexts: readonly SpanContext[],
  features?: SpanFeatureSet,
): Float64Array[] {
  const rows = new SparseRows(spans.length * 400); // a span has a few hundred features
  addSpanRows(ctx, spans, rows, contexts, features);
  return spans.map((_, i) => model.probabilities(rows.row(i)));
}

/** Steps 3–4: class offsets and the Repetition rules applied to probabilities, renormalised. */
export function adjust(
  p: Float64Array,
  decoding: ClassifierDecoding,
  repetition: RepetitionCues,
): Float64Array {
  let sum = 0;
  for (let c = 0; c < p.length; c++) {
    let offset = decoding.classBias[c] ?? 0;
    if (c === REPETITION && repetition.repeatsEarlierSpan)
      offset += decoding.repeatedSpanBoost ?? 0;
    p[c] = (p[c] as number) * Math.exp(offset);
    sum += p[c] as number;
  }
  if (decoding.repetitionNeedsRecurrence && (p[REPETITION] as number) > 0 && !repetition.recurs()) {
    sum -= p[REPETITION] as number;
    p[REPETITION] = 0;
  }
  for (let c = 0; c < p.length; c++) p[c] = (p[c] as number) / (sum || 1);
  return p;
}

/** The k most likely distinct classes, best first. */
export function topClasses(p: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: p.length }, (_, c) => c)
    .sort((a, b) => (p[b] as number) - (p[a] as number) || a - b)
    .slice(0, k);
}
