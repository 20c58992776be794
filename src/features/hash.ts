/**
 * Feature hashing: a feature is a key (`w`, `cue+1`, …) with an optional value, named
 * `key=value`, and its weight slot is the 32-bit FNV-1a hash of that name (the hashing
 * trick). The hash of `key=` is computed once, when the key is defined, and the value's
 * characters are hashed on from there: no feature name is ever built to score a token.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const PAIR_SEPARATOR = '|'.charCodeAt(0);
const ZERO = '0'.charCodeAt(0);

/** FNV-1a state `h` continued over the UTF-16 units of `text`. */
function continueString(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** FNV-1a state `h` continued over the decimal digits of a non-negative integer. */
function continueNumber(h: number, n: number): number {
  let divisor = 1;
  while (divisor * 10 <= n) divisor *= 10;
  for (; divisor >= 1; divisor /= 10) {
    h = Math.imul(h ^ (ZERO + (Math.floor(n / divisor) % 10)), FNV_PRIME);
  }
  return h;
}

/** 32-bit FNV-1a over UTF-16 units. */
export function hashString(text: string): number {
  return continueString(FNV_OFFSET, text) >>> 0;
}

/** A feature key with its hashes: of the key alone, and of the key and its separator. */
export interface FeatureKey {
  readonly name: string;
  /** Between key and value in the feature's name: `=`, or `:` for a few older features. */
  readonly separator: string;
  readonly hash: number;
  readonly prefix: number;
}

export function featureKey(name: string, separator = '='): FeatureKey {
  return {
    name,
    separator,
    hash: hashString(name),
    prefix: continueString(FNV_OFFSET, name + separator),
  };
}

/** A feature value: a string, a non-negative integer, or absent (the key alone). */
export type FeatureValue = string | number | undefined;

/** Receives one feature: `key`, `key=value`, or `key=value|value2` (a pair). */
export type Emit = (key: FeatureKey, value?: FeatureValue, value2?: string) => void;

/** The weight slot of a feature (before masking): the FNV-1a hash of its name. */
export function featureSlot(key: FeatureKey, value?: FeatureValue, value2?: string): number {
  if (value === undefined) return key.hash;
  let h =
    typeof value === 'number'
      ? continueNumber(key.prefix, value)
      : continueString(key.prefix, value);
  if (value2 !== undefined) h = continueString(Math.imul(h ^ PAIR_SEPARATOR, FNV_PRIME), value2);
  return h >>> 0;
}

/** A feature's name, as explanations read it. */
export function featureName(key: FeatureKey, value?: FeatureValue, value2?: string): string {
  if (value === undefined) return key.name;
  const name = `${key.name}${key.separator}${value}`;
  return value2 === undefined ? name : `${name}|${value2}`;
}
