/**
 * The full task: spans with techniques, as a user sees them. For each technique, the SI
 * score restricted to that technique's spans on both sides; the micro average pools the
 * sums of all techniques (see shared/docs/metrics.md). No official script exists.
 */
import type { TechniqueSpanLabel } from '../formats/labels.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import { scoreFromSums, siSums, type PrecisionRecallF1, type SiSums } from './si.js';

export interface TechniqueScore extends PrecisionRecallF1 {
  readonly technique: TechniqueLabel;
  /** Gold spans of this technique after merging. */
  readonly goldSpans: number;
  /** Predicted spans of this technique after merging. */
  readonly predictedSpans: number;
}

export interface FullTaskScore {
  readonly micro: PrecisionRecallF1;
  /** Mean F1 over the techniques that occur in the gold labels. */
  readonly macroF1: number;
  readonly perTechnique: readonly TechniqueScore[];
}

export function scoreFullTask(
  gold: readonly TechniqueSpanLabel[],
  predicted: readonly TechniqueSpanLabel[],
): FullTaskScore {
  const pooled: SiSums = { precisionSum: 0, recallSum: 0, predictedSpans: 0, goldSpans: 0 };
  const perTechnique = TECHNIQUE_LABELS.map((technique): TechniqueScore => {
    const sums = siSums(
      gold.filter((s) => s.technique === technique),
      predicted.filter((s) => s.technique === technique),
    );
    pooled.precisionSum += sums.precisionSum;
    pooled.recallSum += sums.recallSum;
    pooled.predictedSpans += sums.predictedSpans;
    pooled.goldSpans += sums.goldSpans;
    return {
      technique,
      ...scoreFromSums(sums),
      goldSpans: sums.goldSpans,
      predictedSpans: sums.predictedSpans,
    };
  });
  const present = perTechnique.filter((t) => t.goldSpans > 0);
  const macroF1 =
    present.length === 0 ? 0 : present.reduce((sum, t) => sum + t.f1, 0) / present.length;
  return { micro: scoreFromSums(pooled), macroF1, perTechnique };
}
