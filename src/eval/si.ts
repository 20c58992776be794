/**
 * The SI (span identification) score of SemEval-2020 Task 11, as the official scorer
 * computes it with predicted spans merged (its `-m` option, used for the leaderboard).
 * Spans are half-open code-point ranges [cpStart, cpEnd).
 */
import { SpinscopeError } from '../errors.js';
import { groupByArticle, type SpanLabel } from '../formats/labels.js';

export interface PrecisionRecallF1 {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface SiScore extends PrecisionRecallF1 {
  /** Gold spans after merging (|T|). */
  readonly goldSpans: number;
  /** Predicted spans after merging (|S|). */
  readonly predictedSpans: number;
}

interface Range {
  start: number;
  end: number;
}

/**
 * Merge spans that share at least one character, until none do. Spans that only touch
 * ([a,b) and [b,c)) stay separate.
 */
export function mergeOverlapping(spans: readonly Range[]): Range[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Range[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ start: span.start, end: span.end });
  }
  return merged;
}

/** The sums behind SI precision and recall, kept apart so that scores can be pooled. */
export interface SiSums {
  precisionSum: number;
  recallSum: number;
  predictedSpans: number;
  goldSpans: number;
}

export function siSums(gold: readonly SpanLabel[], predicted: readonly SpanLabel[]): SiSums {
  for (const span of predicted) {
    if (span.cpStart < 0 || span.cpStart >= span.cpEnd) {
      throw new SpinscopeError(
        'SPN_ERR_SCORE_MISMATCH',
        `predicted span ${span.cpStart}-${span.cpEnd} of article ${span.articleId} is empty or negative`,
      );
    }
  }
  const goldByArticle = groupByArticle(gold);
  const predictedByArticle = groupByArticle(predicted);
  const sums: SiSums = { precisionSum: 0, recallSum: 0, predictedSpans: 0, goldSpans: 0 };
  for (const spans of goldByArticle.values())
    sums.goldSpans += mergeOverlapping(toRanges(spans)).length;
  for (const [articleId, spans] of predictedByArticle) {
    const s = mergeOverlapping(toRanges(spans));
    // An article with predictions and no gold line has no gold spans (the official script
    // crashes there).
    const t = mergeOverlapping(toRanges(goldByArticle.get(articleId) ?? []));
    sums.predictedSpans += s.length;
    for (const p of s) {
      for (const g of t) {
        const overlap = Math.min(p.end, g.end) - Math.max(p.start, g.start);
        if (overlap <= 0) continue;
        sums.precisionSum += overlap / (p.end - p.start);
        sums.recallSum += overlap / (g.end - g.start);
      }
    }
  }
  return sums;
}

export function scoreFromSums(sums: SiSums): PrecisionRecallF1 {
  if (sums.predictedSpans === 0 && sums.goldSpans === 0) return { precision: 1, recall: 1, f1: 1 };
  const precision = sums.predictedSpans === 0 ? 0 : sums.precisionSum / sums.predictedSpans;
  const recall = sums.goldSpans === 0 ? 0 : sums.recallSum / sums.goldSpans;
  return { precision, recall, f1: f1Score(precision, recall) };
}

export function f1Score(precision: number, recall: number): number {
  return precision > 0 && recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** SI precision, recall and F1 over all articles; techniques, if any, are ignored. */
export function scoreSi(gold: readonly SpanLabel[], predicted: readonly SpanLabel[]): SiScore {
  const sums = siSums(gold, predicted);
  return { ...scoreFromSums(sums), goldSpans: sums.goldSpans, predictedSpans: sums.predictedSpans };
}

function toRanges(spans: readonly SpanLabel[]): Range[] {
  return spans.map((s) => ({ start: s.cpStart, end: s.cpEnd }));
}
