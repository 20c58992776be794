/**
 * The span tagger's training labels: 1 for tokens inside a gold span. Its rows are
 * features/token-rows.ts (detect/span-tagger.ts scores the same features at run time).
 */
import type { SpanLabel } from '../formats/labels.js';
import { tokensInSpan, type ArticleDocument } from '../text/document.js';

/** 1 for tokens that overlap a gold span, else 0. */
export function tokenLabels(doc: ArticleDocument, gold: readonly SpanLabel[]): Uint8Array {
  const labels = new Uint8Array(doc.tokens.length);
  for (const span of gold) {
    const [first, last] = tokensInSpan(doc, span);
    labels.fill(1, first, last);
  }
  return labels;
}
