/** 32-bit FNV-1a over UTF-16 units: feature names to weight slots (the hashing trick). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const EQUALS = '='.charCodeAt(0);

/** hashString(`${key}=${value}`) (or of `key` alone), without building the string. */
export function hashFeature(key: string, value?: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  if (value === undefined) return h >>> 0;
  h ^= EQUALS;
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The name of a feature emitted as (key, value). */
export function featureName(key: string, value?: string): string {
  return value === undefined ? key : `${key}=${value}`;
}
