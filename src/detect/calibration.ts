/**
 * Confidence calibration: Platt scaling maps a raw score to the probability that a
 * prediction is right, fitted on out-of-fold predictions (train/calibration.ts) so that
 * "0.7" means about 70%.
 */
import { sigmoid } from './linear.js';

export interface Platt {
  a: number;
  b: number;
}

export function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

export function applyPlatt(platt: Platt, p: number): number {
  return sigmoid(platt.a * logit(p) + platt.b);
}
