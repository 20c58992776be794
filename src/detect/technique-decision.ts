/**
 * The technique decision (TC): which techniques a span gets, and how sure we are. Its steps
 * run in this order:
 *
 *   1. probabilities   the linear stage: a multinomial logistic regression over the span's
 *                      features (detect/stages/linear.ts)
 *   2. refinement      the technique stages after it, each from the one before: the neural
 *                      classifier (stages/neural.ts) or the sentence head (stages/sentence-head.ts)
 *   3. class bias      adjust: each class's log-probability shifted by a bias tuned out of
 *                      fold (the raw model over-predicts the frequent Loaded_Language)
 *   4. Repetition      adjust: a boost where an earlier span has the same text, and the rule
 *                      of the top published system: a phrase that never recurs is not a
 *                      Repetition
 *   5. second label    chooseTechniques: the runner-up too when it is likely enough (on a TC
 *                      template, templateTechniques: as many as the template lists the span)
 *   6. calibration     decideTechniques: Platt scaling of span confidence × technique
 *                      probability, so that 0.7 means that about 70% of such spans overlap a
 *                      gold span of the technique
 *   7. minimum         decideTechniques: techniques below the caller's confidence are dropped
 *
 * Steps 1–2 are ArticleRun.techniqueProbabilities (detect/stage.ts), 3–4 `adjustTechniques`,
 * 5–7 `decideTechniques`. Their parameters are fitted in train/train.ts (tuneClassBias for
 * 3–4, fitDecisions for 5–6).
 */
import { recursInArticle } from '../features/span-rows.js';
import type { ArticleContext } from '../features/context.js';
import type { SpanContext } from '../features/span-features.js';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import type { TextSpan } from '../text/document.js';
import { applyPlatt, type Platt } from './calibration.js';

export const REPETITION = TECHNIQUE_LABELS.indexOf('Repetition');

/** What steps 3–4 read (the header's `classifier`). */
export interface ClassifierDecision {
  /** Added to each class's log-probability. */
  classBias: readonly number[];
  /** Apply the Repetition rule. */
  repetitionNeedsRecurrence: boolean;
  /**
   * Added to Repetition's log-probability when an earlier span of the input has the same
   * text: annotators mark most later mentions of a phrase as Repetition, and a linear model
   * lets the phrase's own words outvote that. Absent in older model files (no boost).
   */
  repeatedSpanBoost?: number;
}

/** Steps 3–4 over the technique stages' probabilities of an article's spans (in place). */
export function adjustTechniques(
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  probabilities: Float64Array[],
  decision: ClassifierDecision,
  contexts: readonly SpanContext[],
): Float64Array[] {
  const cues = repetitionCues(ctx, spans, contexts);
  return probabilities.map((p, i) => adjust(p, decision, cues[i] as RepetitionCues));
}

/** What steps 5–6 read: the second-label threshold and the technique calibration. */
export interface LabelDecision {
  secondLabelThreshold: number;
  calibration: Platt;
}

/** Steps 5–7: the span's techniques (best first) with their calibrated confidence. */
export function decideTechniques(
  spanConfidence: number,
  probabilities: Float64Array,
  decision: LabelDecision,
  minConfidence = 0,
): { index: number; confidence: number }[] {
  return chooseTechniques(probabilities, decision.secondLabelThreshold)
    .map((index) => ({
      index,
      confidence: applyPlatt(
        decision.calibration,
        spanConfidence * (probabilities[index] as number),
      ),
    }))
    .filter((t) => t.confidence >= minConfidence);
}

/** Step 5: the best technique, and the runner-up when its probability reaches the threshold. */
export function chooseTechniques(
  probabilities: Float64Array,
  secondLabelThreshold: number,
): number[] {
  const [best, runnerUp] = topClasses(probabilities, 2) as [number, number];
  return (probabilities[runnerUp] as number) >= secondLabelThreshold ? [best, runnerUp] : [best];
}

/**
 * Step 5 on a TC template: a span the template lists `times` times (a multi-label span) gets
 * its `times` most likely distinct techniques, so identical offsets never repeat a label.
 */
export function templateTechniques(probabilities: Float64Array, times: number): number[] {
  return topClasses(probabilities, times);
}

/** What the decision knows of a span's repetition. */
export interface RepetitionCues {
  /** An earlier span of the input has the same (lower-cased) text. */
  readonly repeatsEarlierSpan: boolean;
  /** Does the span recur in the article? Computed only when asked (it scans the article). */
  recurs(): boolean;
}

export function repetitionCues(
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  contexts: readonly SpanContext[],
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

/** Steps 3–4: class bias and the Repetition rules applied to probabilities, renormalised. */
export function adjust(
  p: Float64Array,
  decision: ClassifierDecision,
  repetition: RepetitionCues,
): Float64Array {
  let sum = 0;
  for (let c = 0; c < p.length; c++) {
    let bias = decision.classBias[c] ?? 0;
    if (c === REPETITION && repetition.repeatsEarlierSpan) bias += decision.repeatedSpanBoost ?? 0;
    p[c] = (p[c] as number) * Math.exp(bias);
    sum += p[c] as number;
  }
  if (decision.repetitionNeedsRecurrence && (p[REPETITION] as number) > 0 && !repetition.recurs()) {
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
