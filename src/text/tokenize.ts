/**
 * Tokens and sentences of a text, from wink-nlp, aligned back to the text.
 *
 * wink returns token values, not positions, and it normalises a few (combining marks are
 * composed, a BOM is dropped), so each value is found again in the text here. Offsets are
 * UTF-16 units; `document.ts` turns them into code points.
 */
import type winkNLPType from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { learnedWords, setLexiconOnly } from './wink-cache.js';
import { loadWink } from './wink-loader.js';

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
  return learnedWords();
}
export function setLearnedWordLimit(limit: number): void {
  learnedWordLimit = limit;
}

function engine(): ReturnType<typeof winkNLPType> {
  if (nlp && learnedWords() <= learnedWordLimit) return nlp;
  // Loaded on first use: the model takes ~300 ms to load.
  setLexiconOnly(false);
  winkFactory ??= loadWink();
  nlp = winkFactory(model, PIPE);
  setLexiconOnly(true);
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
