/**
 * Fitting the run-time calibration (detect/calibration.ts) and measuring it for the model
 * card: Platt scaling by Newton's method, and reliability tables.
 */
import { applyPlatt, logit, type Platt } from '../detect/calibration.js';
import { sigmoid } from '../detect/linear.js';

/** Fit sigmoid(a * logit(p) + b) to 0/1 outcomes by Newton's method on the log loss. */
export function fitPlatt(scores: readonly number[], outcomes: readonly number[]): Platt {
  let a = 1;
  let b = 0;
  const x = scores.map(logit);
  for (let iteration = 0; iteration < 50; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-6;
    let hab = 0;
    let hbb = 1e-6;
    x.forEach((xi, i) => {
      const p = sigmoid(a * xi + b);
      const r = p - (outcomes[i] as number);
      const w = p * (1 - p);
      ga += r * xi;
      gb += r;
      haa += w * xi * xi;
      hab += w * xi;
      hbb += w;
    });
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

export interface ReliabilityBin {
  /** Confidence range [from, to). */
  from: number;
  to: number;
  count: number;
  meanConfidence: number;
  /** Share of predictions in the bin that were right. */
  accuracy: number;
}

/** Reliability table over ten equal-width bins, and the expected calibration error. */
export function reliability(
  confidences: readonly number[],
  outcomes: readonly number[],
): { bins: ReliabilityBin[]; ece: number } {
  const bins: ReliabilityBin[] = Array.from({ length: 10 }, (_, i) => ({
    from: i / 10,
    to: (i + 1) / 10,
    count: 0,
    meanConfidence: 0,
    accuracy: 0,
  }));
  confidences.forEach((c, i) => {
    const bin = bins[Math.min(9, Math.floor(c * 10))] as ReliabilityBin;
    bin.count++;
    bin.meanConfidence += c;
    bin.accuracy += outcomes[i] as number;
  });
  let ece = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    bin.meanConfidence /= bin.count;
    bin.accuracy /= bin.count;
    ece +=
      (bin.count / Math.max(1, confidences.length)) * Math.abs(bin.meanConfidence - bin.accuracy);
  }
  return { bins, ece };
}

/** A technique highlight of held-out predictions: its score before calibration, and what it hit. */
export interface HeldOutHighlight {
  /** The part of the held-out articles it belongs to (cross-fitting leaves one part out). */
  part: number;
  /** Span confidence × technique probability: what the technique calibration maps. */
  score: number;
  /** It overlaps a gold span of its technique (what a reader means by right). */
  overlaps: boolean;
  /** At least half of it lies inside gold spans of its technique (the outcome before 2026-12-07). */
  halfCovered: boolean;
  /** The gold spans of its technique it overlaps, by an id unique over the held-out articles. */
  gold: readonly number[];
}

/** A display threshold: the highlights shown at or above it, scored as a reader sees them. */
export interface ThresholdRow {
  threshold: number;
  shown: number;
  /** Share of the shown highlights that overlap a gold span of their technique. */
  precision: number;
  /** Share of the gold technique spans that a shown highlight of that technique overlaps. */
  recall: number;
  /** F0.5: precision weighs twice as much as recall (a reader wants few, surer highlights). */
  f05: number;
}

/** How the technique confidence fares out of fold: its reliability then and now, and thresholds. */
export interface ConfidenceCheck {
  /** Parts of the held-out articles, each scored by a calibration fitted on the others. */
  parts: number;
  /** The calibration fitted to "overlaps a gold span of that technique" (as shipped). */
  overlap: { bins: ReliabilityBin[]; ece: number };
  /** The calibration fitted to "at least half inside" (before), scored against overlap. */
  halfCovered: { bins: ReliabilityBin[]; ece: number };
  thresholds: ThresholdRow[];
  /** The threshold of the best F0.5. */
  best: number;
}

/**
 * Cross-fitted check of the technique calibration: each part's highlights get the confidence
 * of a Platt scaling fitted on the other parts, so that its tables are out of fold.
 */
export function checkConfidence(
  highlights: readonly HeldOutHighlight[],
  goldSpans: number,
  parts: number,
): ConfidenceCheck {
  const crossFitted = (outcome: (h: HeldOutHighlight) => boolean) => {
    const confidences = new Array<number>(highlights.length).fill(0);
    for (let part = 0; part < parts; part++) {
      const rest = highlights.filter((h) => h.part !== part);
      const platt = fitPlatt(
        rest.map((h) => h.score),
        rest.map((h) => Number(outcome(h))),
      );
      highlights.forEach((h, i) => {
        if (h.part === part) confidences[i] = applyPlatt(platt, h.score);
      });
    }
    return confidences;
  };
  const overlaps = highlights.map((h) => Number(h.overlaps));
  const confidences = crossFitted((h) => h.overlaps);
  const thresholds = Array.from({ length: 9 }, (_, i) => (i + 1) / 10).map((threshold) => {
    const shown = highlights.filter((_, i) => (confidences[i] as number) >= threshold);
    const right = shown.filter((h) => h.overlaps).length;
    const found = new Set(shown.flatMap((h) => h.gold)).size;
    const precision = right / Math.max(1, shown.length);
    const recall = found / Math.max(1, goldSpans);
    const f05 =
      precision + recall === 0 ? 0 : (1.25 * precision * recall) / (0.25 * precision + recall);
    return { threshold, shown: shown.length, precision, recall, f05 };
  });
  const best = thresholds.reduce((a, b) => (b.f05 > a.f05 ? b : a)).threshold;
  return {
    parts,
    overlap: reliability(confidences, overlaps),
    halfCovered: reliability(
      crossFitted((h) => h.halfCovered),
      overlaps,
    ),
    thresholds,
    best,
  };
}
