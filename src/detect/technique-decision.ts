/**
 * The technique classifier (TC): a multinomial logistic regression over span features,
 * with per-class offsets tuned out of fold (the raw model over-predicts the frequent
 * Loaded_Language), and the Repetition rule of the top published system: a phrase that
 * never recurs in the article is not a Repetition.
 */
import type { TextSpan } from '../text/document.js';
import { tokensInSpan } from '../text/document.js';
import {
  lowerBound,
  positionsOfLemmas,
  spanFeatures,
  type ArticleContext,
  type SpanContext,
} from '../features/features.js';
import { featureSlot, type Emit } from '../features/hash.js';
import type { SoftmaxModel } from './linear.js';
import { SparseRows } from '../features/sparse.js';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';

export const REPETITION = TECHNIQUE_LABELS.indexOf('Repetition');

/**
 * What each span of a set (a template, or the tagger's spans) shares with the others. Counted
 * with sorted offsets and maps rather than pairwise, so a huge article's spans stay cheap.
 */
export function spanContexts(ctx: ArticleContext, spans: readonly TextSpan[]): SpanContext[] {
  const texts = spans.map((s) => ctx.doc.offsets.slice(s.cpStart, s.cpEnd).toLowerCase());
  const sameOffsets = new Map<string, number>();
  for (const s of spans) {
    const key = `${s.cpStart}:${s.cpEnd}`;
    sameOffsets.set(key, (sameOffsets.get(key) ?? 0) + 1);
  }
  const starts = spans.map((s) => s.cpStart).sort((a, b) => a - b);
  const ends = spans.map((s) => s.cpEnd).sort((a, b) => a - b);
  // Distinct starts of the spans with each text.
  const startsByText = new Map<string, number[]>();
  spans.forEach((s, i) => {
    const list = startsByText.get(texts[i] as string) ?? [];
    list.push(s.cpStart);
    startsByText.set(texts[i] as string, list);
  });
  for (const [text, list] of startsByText)
    startsByText.set(
      text,
      [...new Set(list)].sort((a, b) => a - b),
    );
  return spans.map((s, i) => {
    const sameSpanCount = sameOffsets.get(`${s.cpStart}:${s.cpEnd}`) as number;
    // Spans that start before s ends, less those that end before s starts: every span that
    // overlaps s, s and its twins included.
    const overlapping = lowerBound(starts, s.cpEnd) - upperBound(ends, s.cpStart) - sameSpanCount;
    // Twins have the same start, so distinct other starts of the same text are other places.
    const sameText = startsByText.get(texts[i] as string) as number[];
    const at = lowerBound(sameText, s.cpStart);
    const beforeCount = at;
    const afterCount = sameText.length - at - (sameText[at] === s.cpStart ? 1 : 0);
    return {
      sameSpanCount,
      overlapping,
      sameTextBefore: beforeCount,
      sameTextAfter: afterCount,
    };
  });
}

/** The first index of a sorted array whose value is > target. */
function upperBound(sorted: readonly number[], target: number): number {
  return lowerBound(sorted, target + 1);
}

/** Append one row of hashed span features per span. */
export function addSpanRows(
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  rows: SparseRows,
  contexts: readonly SpanContext[] = spanContexts(ctx, spans),
): void {
  const slots: number[] = [];
  const emit: Emit = (key, value, value2) => slots.push(featureSlot(key, value, value2));
  spans.forEach((span, i) => {
    slots.length = 0;
    const [first, last] = tokensInSpan(ctx.doc, span);
    spanFeatures(ctx, first, last, contexts[i] as SpanContext, emit);
    rows.push(slots);
  });
}

/** Do the span's content words recur, in order, elsewhere in the article? */
export function recursInArticle(ctx: ArticleContext, span: TextSpan): boolean {
  const [first, last] = tokensInSpan(ctx.doc, span);
  const words: string[] = [];
  for (let i = first; i < last; i++) if (ctx.content[i]) words.push(ctx.lemma[i] as string);
  if (words.length === 0) return false;
  // Only where the first word occurs can the phrase start (stop words are skipped between).
  let occurrences = 0;
  for (const i of positionsOfLemmas(ctx).get(words[0] as string) ?? []) {
    if (!ctx.content[i]) continue;
    let k = 1;
    for (let j = i + 1; j < ctx.lemma.length && k < words.length; j++) {
      if (!ctx.content[j]) continue;
      if (ctx.lemma[j] !== words[k]) break;
      k++;
    }
    if (k === words.length && ++occurrences > 1) return true;
  }
  return false;
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

/**
 * Technique probabilities of each span, after class offsets and the Repetition rules.
 * `refine` turns the linear model's raw probabilities into better ones (the neural layer).
 */
export function classifySpans(
  model: SoftmaxModel,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  decoding: ClassifierDecoding,
  refine?: (linear: Float64Array[]) => Float64Array[],
): Float64Array[] {
  const contexts = spanContexts(ctx, spans);
  const cues = repetitionCues(ctx, spans, contexts);
  const linear = rawTechniqueProbabilities(model, ctx, spans, contexts);
  return (refine ? refine(linear) : linear).map((p, i) =>
    adjust(p, decoding, cues[i] as RepetitionCues),
  );
}

/** The model's technique probabilities of each span, before offsets and rules. */
function rawTechniqueProbabilities(
  model: SoftmaxModel,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  contexts: readonly SpanContext[] = spanContexts(ctx, spans),
): Float64Array[] {
  const rows = new SparseRows(spans.length * 400); // a span has a few hundred features
  addSpanRows(ctx, spans, rows, contexts);
  return spans.map((_, i) => model.probabilities(rows.row(i)));
}

/** Apply class offsets and the Repetition rules to raw probabilities, renormalised. */
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
