/**
 * The span tagger's training rows (detect/span-tagger.ts scores the same features at run
 * time, word by word): one row of hashed features per token, and its 0/1 label.
 */
import type { ArticleContext } from '../features/context.js';
import { sentenceFeatures, tokenFeatures } from '../features/token-features.js';
import { featureSlot, type Emit } from '../features/hash.js';
import type { SparseRows } from '../features/sparse.js';
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

/** Hashed features of each sentence (shared by its tokens). */
function sentenceSlots(ctx: ArticleContext): number[][] {
  return ctx.doc.sentences.map((s) => {
    const slots: number[] = [];
    sentenceFeatures(ctx, s.index, (key, value, value2) =>
      slots.push(featureSlot(key, value, value2)),
    );
    return slots;
  });
}

/** Append one row of hashed features per token: its own and its sentence's. */
export function addTokenRows(ctx: ArticleContext, rows: SparseRows): void {
  const shared = sentenceSlots(ctx);
  const slots: number[] = [];
  const emit: Emit = (key, value, value2) => slots.push(featureSlot(key, value, value2));
  ctx.doc.tokens.forEach((token, i) => {
    slots.length = 0;
    tokenFeatures(ctx, i, emit);
    for (const slot of shared[token.sentence] as number[]) slots.push(slot);
    rows.push(slots);
  });
}
