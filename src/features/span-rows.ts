/**
 * A span among the others: what it shares with the other spans of its set (a template, or
 * the tagger's spans) and whether its words recur in the article, and the hashed span
 * features the technique classifier reads, one row per span.
 */
import { tokensInSpan, type TextSpan } from '../text/document.js';
import { lowerBound, positionsOfLemmas, type ArticleContext } from './context.js';
import { spanFeatures, type SpanContext } from './span-features.js';
import { featureSlot, type Emit } from './hash.js';
import type { SparseRows } from './sparse.js';

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
