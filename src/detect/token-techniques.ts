/**
 * The token-level technique classifier: a multinomial logistic regression over the span
 * tagger's features of one token (features/token-rows.ts) that names the technique of the
 * span the token lies in. A span's probabilities are the normalised geometric mean of its
 * tokens', that is the softmax of their mean scores: each word of a long span has its say
 * with its own neighbours, where the span classifier reads the span as one bag of words. The
 * sentence head's probabilities are multiplied by these to a power fitted out of fold.
 */
import type { ArticleContext } from '../features/context.js';
import { SparseRows } from '../features/sparse.js';
import { addTokenRows } from '../features/token-rows.js';
import { tokensInSpan, type TextSpan } from '../text/document.js';
import { softmax, type SoftmaxModel } from './linear.js';

export function tokenTechniqueProbabilities(
  model: SoftmaxModel,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
): Float64Array[] {
  const C = model.classes;
  const ranges = spans.map((span) => tokensInSpan(ctx.doc, span));
  const rows = new SparseRows();
  addTokenRows(
    ctx,
    rows,
    ranges.flatMap(([first, end]) => Array.from({ length: end - first }, (_, k) => first + k)),
  );
  const scores = new Float64Array(C);
  let row = 0;
  return ranges.map(([first, end]) => {
    const mean = new Float64Array(C);
    for (let i = first; i < end; i++) {
      model.scores(rows.row(row++), scores);
      for (let c = 0; c < C; c++) mean[c] = (mean[c] as number) + (scores[c] as number);
    }
    // A span without a token (empty) gets equal probabilities: all-zero scores.
    return softmax(mean.map((s) => s / Math.max(1, end - first)));
  });
}
