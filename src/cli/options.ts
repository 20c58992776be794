/** Parsers of option values: a bad value is a usage error with a clear message. */
import { InvalidArgumentError } from 'commander';

/** Parse a non-negative integer for an option. */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Parse a positive integer for an option. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Parse a number in [0, 1] for an option. */
export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

/** The help of every command's `--model`. */
export const MODEL_HELP =
  'model: lg (the default: most accurate), md, sm (quickest), or the path of a model.bin; fast and accurate are former names of sm and md';
