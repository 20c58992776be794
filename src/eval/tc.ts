/**
 * The TC (technique classification) score of SemEval-2020 Task 11. Gold and predictions
 * label the same spans; the score is micro-F1 over all gold instances, which equals
 * accuracy. Where one span carries several gold labels, the official scorer pairs the
 * predicted labels with the gold ones by a greedy swap that can miss a valid pairing (the
 * "pairing quirk"); `official` reproduces it, `order-free` counts every predicted label
 * that is one of the span's unused gold labels.
 */
import { SpinscopeError } from '../errors.js';
import { compareSpans, groupByArticle, type TechniqueSpanLabel } from '../formats/labels.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import { f1Score, type PrecisionRecallF1 } from './si.js';

export type TcPairing = 'official' | 'order-free';

export interface TcClassScore extends PrecisionRecallF1 {
  readonly technique: TechniqueLabel;
  /** Gold instances of this technique. */
  readonly support: number;
  /** Predicted instances of this technique. */
  readonly predicted: number;
}

export interface TcScore {
  readonly pairing: TcPairing;
  /** Micro-F1 (equal to accuracy here). */
  readonly microF1: number;
  readonly correct: number;
  readonly instances: number;
  /** Mean of the 14 per-technique F1 values. */
  readonly macroF1: number;
  readonly perTechnique: readonly TcClassScore[];
}

export function scoreTc(
  gold: readonly TechniqueSpanLabel[],
  predicted: readonly TechniqueSpanLabel[],
  pairing: TcPairing = 'official',
): TcScore {
  const goldByArticle = sortedByArticle(gold);
  const predictedByArticle = sortedByArticle(predicted);
  checkSameSpans(goldByArticle, predictedByArticle);

  const goldLabels: TechniqueLabel[] = [];
  const predictedLabels: TechniqueLabel[] = [];
  for (const [articleId, g] of goldByArticle) {
    const p = predictedByArticle.get(articleId) as TechniqueSpanLabel[];
    if (pairing === 'official') alignOfficial(p, g);
    else alignOrderFree(p, g);
    for (let i = 0; i < g.length; i++) {
      goldLabels.push((g[i] as TechniqueSpanLabel).technique);
      predictedLabels.push((p[i] as TechniqueSpanLabel).technique);
    }
  }

  let correct = 0;
  const tp = new Map<string, number>();
  const goldCount = new Map<string, number>();
  const predictedCount = new Map<string, number>();
  goldLabels.forEach((g, i) => {
    const p = predictedLabels[i] as string;
    increment(goldCount, g);
    increment(predictedCount, p);
    if (g === p) {
      correct++;
      increment(tp, g);
    }
  });
  const perTechnique = TECHNIQUE_LABELS.map((technique): TcClassScore => {
    const hits = tp.get(technique) ?? 0;
    const support = goldCount.get(technique) ?? 0;
    const predictedN = predictedCount.get(technique) ?? 0;
    const precision = predictedN === 0 ? 0 : hits / predictedN;
    const recall = support === 0 ? 0 : hits / support;
    return {
      technique,
      precision,
      recall,
      f1: f1Score(precision, recall),
      support,
      predicted: predictedN,
    };
  });
  const instances = goldLabels.length;
  return {
    pairing,
    microF1: instances === 0 ? 0 : correct / instances,
    correct,
    instances,
    macroF1: perTechnique.reduce((sum, t) => sum + t.f1, 0) / perTechnique.length,
    perTechnique,
  };
}

function sortedByArticle(labels: readonly TechniqueSpanLabel[]): Map<string, TechniqueSpanLabel[]> {
  const sorted = [...labels].sort(compareSpans);
  return groupByArticle(sorted);
}

function checkSameSpans(
  gold: Map<string, TechniqueSpanLabel[]>,
  predicted: Map<string, TechniqueSpanLabel[]>,
): void {
  for (const articleId of predicted.keys()) {
    if (!gold.has(articleId)) {
      throw new SpinscopeError(
        'SPN_ERR_SCORE_MISMATCH',
        `article ${articleId} has predictions but no gold labels`,
      );
    }
  }
  for (const [articleId, g] of gold) {
    const p = predicted.get(articleId);
    if (!p)
      throw new SpinscopeError(
        'SPN_ERR_SCORE_MISMATCH',
        `article ${articleId} has gold labels but no predictions`,
      );
    if (p.length !== g.length) {
      throw new SpinscopeError(
        'SPN_ERR_SCORE_MISMATCH',
        `article ${articleId} has ${g.length} gold spans but ${p.length} predicted ones (TC predictions must label the template's spans)`,
      );
    }
    g.forEach((span, i) => {
      const other = p[i] as TechniqueSpanLabel;
      if (!sameSpan(span, other)) {
        throw new SpinscopeError(
          'SPN_ERR_SCORE_MISMATCH',
          `article ${articleId}: gold span ${span.cpStart}-${span.cpEnd} has no predicted twin (found ${other.cpStart}-${other.cpEnd})`,
        );
      }
    });
  }
}

function sameSpan(a: TechniqueSpanLabel, b: TechniqueSpanLabel): boolean {
  return a.cpStart === b.cpStart && a.cpEnd === b.cpEnd;
}

/**
 * The official scorer's greedy alignment, ported step for step (including its skip after an
 * unmatched position, which is what makes it order-dependent). Swaps entries in place.
 */
function alignOfficial(predicted: TechniqueSpanLabel[], gold: TechniqueSpanLabel[]): void {
  const n = predicted.length;
  const matching = (i: number): [number, number] => {
    for (let j2 = i; j2 < n && sameSpan(gold[j2]!, gold[i]!); j2++) {
      for (let j1 = i; j1 < n && sameSpan(predicted[j1]!, predicted[i]!); j1++) {
        if (predicted[j1]!.technique === gold[j2]!.technique) return [j1, j2];
      }
    }
    return [-1, -1];
  };
  let i = 0;
  while (i < n) {
    const [j1, j2] = matching(i);
    if (j1 > i) swap(predicted, j1, i);
    if (j2 > i) swap(gold, j2, i);
    i++;
    if (j1 === -1) {
      while (i + 1 < n && sameSpan(predicted[i]!, predicted[i + 1]!)) i++;
    }
  }
}

/**
 * Within each group of identical spans, give every gold label an unused predicted label
 * equal to it where one exists; the leftover predictions fill the remaining places.
 */
function alignOrderFree(predicted: TechniqueSpanLabel[], gold: TechniqueSpanLabel[]): void {
  let start = 0;
  while (start < gold.length) {
    let end = start + 1;
    while (end < gold.length && sameSpan(gold[end]!, gold[start]!)) end++;
    const pool = predicted.slice(start, end);
    const placed: (TechniqueSpanLabel | undefined)[] = gold.slice(start, end).map((g) => {
      const at = pool.findIndex((p) => p.technique === g.technique);
      return at < 0 ? undefined : pool.splice(at, 1)[0];
    });
    placed.forEach((p, k) => {
      predicted[start + k] = p ?? (pool.shift() as TechniqueSpanLabel);
    });
    start = end;
  }
}

function swap<T>(items: T[], i: number, j: number): void {
  const tmp = items[i] as T;
  items[i] = items[j] as T;
  items[j] = tmp;
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
