/**
 * Rows of hashed features of tokens: each token's own (word, shape, neighbours, cues) and its
 * sentence's. The span tagger learns from the rows of every token (train/tagger-rows.ts) and
 * scores the same features at run time (detect/span-tagger.ts); the token-level technique
 * classifier reads the rows of the tokens inside spans (detect/token-techniques.ts).
 */
import type { ArticleContext } from './context.js';
import { sentenceFeatures, tokenFeatures } from './token-features.js';
import { featureSlot, type Emit } from './hash.js';
import type { SparseRows } from './sparse.js';

/** Append one row per token, in order: every token of the article, or those given. */
export function addTokenRows(
  ctx: ArticleContext,
  rows: SparseRows,
  tokens: Iterable<number> = ctx.doc.tokens.keys(),
): void {
  const shared = new Map<number, number[]>();
  const slots: number[] = [];
  const emit: Emit = (key, value, value2) => slots.push(featureSlot(key, value, value2));
  for (const i of tokens) {
    const sentence = ctx.doc.tokens[i]!.sentence;
    let sentenceSlots = shared.get(sentence);
    if (!sentenceSlots) {
      sentenceSlots = [];
      const list = sentenceSlots;
      sentenceFeatures(ctx, sentence, (key, value, value2) =>
        list.push(featureSlot(key, value, value2)),
      );
      shared.set(sentence, sentenceSlots);
    }
    slots.length = 0;
    tokenFeatures(ctx, i, emit);
    for (const slot of sentenceSlots) slots.push(slot);
    rows.push(slots);
  }
}
