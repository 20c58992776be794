/**
 * Fitting the run-time calibration (detect/calibration.ts) and measuring it for the model
 * card: Platt scaling by Newton's method, and reliability tables.
 */
import { logit, type Platt } from '../detect/calibration.js';
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
