/**
 * Tokens and sentences of a text, from wink-nlp, aligned back to the text.
 *
 * wink returns token values, not positions, and it normalises a few (combining marks are
 * composed, a BOM is dropped), so each value is found again in the text here. Offsets are
 * UTF-16 units; `document.ts` turns them into code points.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type winkNLPType from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface RawToken {
  unitStart: number;
  unitEnd: number;
  text: string;
  normal: string;
  lemma: string;
  pos: string;
  shape: string;
  type: string;
  isStopWord: boolean;
}

export interface RawSentence {
  /** Index range into `tokens`. */
  tokenStart: number;
  tokenEnd: number;
}

let nlp: ReturnType<typeof winkNLPType> | undefined;
let winkFactory: typeof winkNLPType | undefined;

interface WinkCache {
  lookup: (text: string) => number[] | null;
  add: (...args: unknown[]) => unknown;
  intrinsicSize: () => number;
  currentSize: () => number;
}

/** The cache of the engine in use, to watch how many words it has learned. */
let activeCache: WinkCache | undefined;

type WinkNLP = typeof winkNLPType;

/**
 * wink's tokenizer consults a cache that grows with every new word it reads, so the same
 * text could be split differently ("Trump’s" vs "Trump" + "’s") depending on what the
 * process read before. Its cache module is wrapped before wink loads so that look-ups
 * answer from the model's own lexicon only: tokens then depend on the text alone.
 */
function loadDeterministicWink(): WinkNLP {
  const require = createRequire(import.meta.url);
  const cachePath = join(dirname(require.resolve('wink-nlp')), 'cache.js');
  const createCache = require(cachePath) as (...args: unknown[]) => WinkCache;
  const entry = require.cache[cachePath];
  if (entry && !require.cache[require.resolve('wink-nlp')]) {
    entry.exports = (...args: unknown[]) => {
      const cache = createCache(...args);
      activeCache = cache;
      const { lookup, add } = cache;
      const intrinsic = cache.intrinsicSize();
      // Adding a word looks it up again (for its features): those look-ups see everything.
      let adding = false;
      cache.add = (...addArgs: unknown[]) => {
        adding = true;
        try {
          return add(...addArgs);
        } finally {
          adding = false;
        }
      };
      cache.lookup = (text: string) => {
        const found = lookup(text);
        // Only once loaded: building wink's automata looks up a symbolic out-of-lexicon token.
        const tokenizing = lexiconOnly && !adding;
        return tokenizing && found && found.length === 1 && (found[0] as number) >= intrinsic
          ? null
          : found;
      };
      return cache;
    };
  }
  return require('wink-nlp') as WinkNLP;
}

let lexiconOnly = false;

/**
 * The annotations tokens need: sentences, and POS tags with lemmas. wink's entities,
 * negation and sentiment are unused and cost a third of its time; without them tokens,
 * sentences, tags and lemmas are the same (checked on every train and dev article).
 */
const PIPE = ['sbd', 'pos'];

/**
 * wink keeps every new word it reads (about 120 bytes each), in its model, for good: a
 * server that reads news for weeks would grow without end. Past this many learned words the
 * engine is built afresh (~300 ms); tokens do not change, since look-ups ignore learned words.
 */
let learnedWordLimit = 200_000;

/** For tests: how many words the engine has learned, and a lower limit to reach quickly. */
export function winkLearnedWords(): number {
  return activeCache ? activeCache.currentSize() - activeCache.intrinsicSize() : 0;
}
export function setLearnedWordLimit(limit: number): void {
  learnedWordLimit = limit;
}

function engine(): ReturnType<WinkNLP> {
  if (nlp && winkLearnedWords() <= learnedWordLimit) return nlp;
  // Loaded on first use: the model takes ~300 ms to load.
  lexiconOnly = false;
  winkFactory ??= loadDeterministicWink();
  nlp = winkFactory(model, PIPE);
  lexiconOnly = true;
  return nlp;
}

/** Characters that may sit unreported between wink's tokens. */
const SKIPPABLE = /^[\s\u200b-\u200f\u2060\ufeff]*$/u;

export function tokenize(text: string): { tokens: RawToken[]; sentences: RawSentence[] } {
  const nlp = engine();
  const its = nlp.its;
  const doc = nlp.readDoc(text);
  const values = doc.tokens().out(its.value) as string[];
  const normals = doc.tokens().out(its.normal) as string[];
  const lemmas = doc.tokens().out(its.lemma as unknown as typeof its.value) as string[];
  const pos = doc.tokens().out(its.pos) as string[];
  const shapes = doc.tokens().out(its.shape) as string[];
  const types = doc.tokens().out(its.type) as string[];
  const stops = doc.tokens().out(its.stopWordFlag) as boolean[];

  // wink index -> our token index (-1 where a token is whitespace or cannot be aligned).
  const ours = new Int32Array(values.length).fill(-1);
  const tokens: RawToken[] = [];
  let cursor = 0;
  values.forEach((value, i) => {
    if (value.trim() === '') return;
    const found = locate(text, value, cursor);
    if (found === undefined) return;
    ours[i] = tokens.length;
    tokens.push({
      unitStart: found[0],
      unitEnd: found[1],
      text: text.slice(found[0], found[1]),
      normal: normals[i] ?? value.toLowerCase(),
      lemma: lemmas[i] ?? value.toLowerCase(),
      pos: pos[i] ?? 'X',
      shape: shapes[i] ?? '',
      type: types[i] ?? 'word',
      isStopWord: stops[i] ?? false,
    });
    cursor = found[1];
  });

  const sentences: RawSentence[] = [];
  for (const [first, last] of doc.sentences().out(its.span) as unknown as [number, number][]) {
    let start = -1;
    let end = -1;
    for (let i = first; i <= last; i++) {
      const index = ours[i] ?? -1;
      if (index < 0) continue;
      if (start < 0) start = index;
      end = index + 1;
    }
    if (start >= 0) sentences.push({ tokenStart: start, tokenEnd: end });
  }
  return { tokens, sentences };
}

function locate(line: string, value: string, cursor: number): [number, number] | undefined {
  const at = line.indexOf(value, cursor);
  if (at >= 0 && (at - cursor <= 2 || SKIPPABLE.test(line.slice(cursor, at)))) {
    return [at, at + value.length];
  }
  // wink composed or otherwise normalised the value: grow a candidate until it matches.
  let start = cursor;
  while (start < line.length && /\s/u.test(line[start] as string)) start++;
  const wanted = value.normalize('NFC');
  for (let end = start + 1; end <= Math.min(line.length, start + value.length * 3 + 2); end++) {
    if (line.slice(start, end).normalize('NFC') === wanted) return [start, end];
  }
  return undefined;
}
