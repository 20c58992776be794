/**
 * Training of the token-level technique classifier (detect/token-techniques.ts): one row per
 * token of each gold technique span, labelled with the span's technique, learnt like the span
 * classifier (train/linear-training.ts). One model per fold gives out-of-fold probabilities,
 * from which its weight beside the sentence head is chosen; the shipped one sees every article.
 */
import { SoftmaxModel } from '../detect/linear.js';
import { tokenTechniqueProbabilities } from '../detect/token-techniques.js';
import { mixProbabilities } from '../detect/detector.js';
import { topClasses } from '../detect/technique-decision.js';
import { SparseRows } from '../features/sparse.js';
import { addTokenRows } from '../features/token-rows.js';
import { TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import { tokensInSpan } from '../text/document.js';
import { trainSoftmax } from './linear-training.js';
import type { TrainingArticle } from './train.js';

export const TOKEN_TECHNIQUE_SETTINGS = { bits: 18, epochs: 3, learningRate: 0.2, l2: 1e-5 };

/** Weights of the token-level probabilities tried beside the head (0: the head alone). */
const TOKEN_WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

export function trainTokenTechniques(
  articles: readonly TrainingArticle[],
  seed: number,
): SoftmaxModel {
  const rows = new SparseRows();
  const labels: number[] = [];
  for (const a of articles)
    for (const span of a.tc) {
      const [first, end] = tokensInSpan(a.ctx.doc, span);
      addTokenRows(
        a.ctx,
        rows,
        Array.from({ length: end - first }, (_, k) => first + k),
      );
      for (let i = first; i < end; i++) labels.push(TECHNIQUE_LABELS.indexOf(span.technique));
    }
  const { bits, ...options } = TOKEN_TECHNIQUE_SETTINGS;
  const model = SoftmaxModel.create(TECHNIQUE_LABELS.length, bits);
  trainSoftmax(model, rows, Uint8Array.from(labels), { ...options, seed });
  return model;
}

export interface TokenTechniques {
  /** Trained on every article. */
  model: SoftmaxModel;
  /** Each fold's model, trained without it. */
  foldModels: Map<number, SoftmaxModel>;
  /** The power of its probabilities beside the head's. */
  weight: number;
  /** The head's out-of-fold probabilities of each article's gold spans, mixed with the weight. */
  mixed: Map<string, Float64Array[]>;
}

/**
 * The token-level classifier of these articles and its weight beside the head: the weight
 * that labels the most gold spans right out of fold. `head`: the head's out-of-fold
 * probabilities of each article's gold spans.
 */
export function fitTokenTechniques(
  articles: readonly TrainingArticle[],
  head: ReadonlyMap<string, Float64Array[]>,
  seed: number,
): TokenTechniques {
  const folds = [...new Set(articles.map((a) => a.fold))].sort((a, b) => a - b);
  const foldModels = new Map<number, SoftmaxModel>();
  const outOfFold = new Map<string, Float64Array[]>();
  for (const fold of folds) {
    const model = trainTokenTechniques(
      articles.filter((a) => a.fold !== fold),
      seed + fold,
    );
    foldModels.set(fold, model);
    for (const a of articles.filter((x) => x.fold === fold))
      outOfFold.set(a.id, tokenTechniqueProbabilities(model, a.ctx, a.tc));
  }
  const mix = (weight: number) =>
    new Map(
      articles.map((a) => [
        a.id,
        head.get(a.id)!.map((p, i) => mixProbabilities(p, outOfFold.get(a.id)![i]!, weight)),
      ]),
    );
  const right = (mixed: Map<string, Float64Array[]>) =>
    articles.reduce(
      (n, a) =>
        n +
        a.tc.filter(
          (span, i) =>
            topClasses(mixed.get(a.id)![i]!, 1)[0] === TECHNIQUE_LABELS.indexOf(span.technique),
        ).length,
      0,
    );
  const tried = TOKEN_WEIGHTS.map((weight) => {
    const mixed = mix(weight);
    return { weight, mixed, right: right(mixed) };
  });
  const best = tried.reduce((a, b) => (b.right > a.right ? b : a));
  return {
    model: trainTokenTechniques(articles, seed),
    foldModels,
    weight: best.weight,
    mixed: best.mixed,
  };
}
