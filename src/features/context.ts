/**
 * Everything about an article that features look up more than once (lemmas, shapes, cue
 * words, repetitions, clusters, quotes), built once per article, and indexes over it.
 */
import { type ArticleDocument, type Token, tokensInSpan } from '../text/document.js';
import type { WordClusters } from './clusters.js';
import { lexicons } from './lexicons.js';

/** Everything about an article that features look up more than once. */
export interface ArticleContext {
  readonly doc: ArticleDocument;
  readonly lower: readonly string[];
  readonly lemma: readonly string[];
  readonly shape: readonly string[];
  readonly pos: readonly string[];
  /** Content word: a word that is not a stop word. */
  readonly content: readonly boolean[];
  /** How many times the token's lemma occurs in the article (content words only, else 0). */
  readonly lemmaCount: readonly number[];
  /** The lemma occurred earlier in the article (Repetition marks every repeat after the first). */
  readonly seenBefore: readonly boolean[];
  /** The lemma bigram starting here occurs more than once in the article. */
  readonly bigramRepeated: readonly boolean[];
  readonly inQuote: readonly boolean[];
  readonly inCliche: readonly boolean[];
  /** Cue-list names per token. */
  readonly cues: readonly (readonly string[])[];
  readonly valence: readonly number[];
  /** Word-vector clusters of each token, coarse to fine (empty when unknown): words of similar use. */
  readonly cluster: readonly (readonly number[])[];
  /** Per sentence: distinct content words, distinct cue names, flags. */
  readonly sentenceWords: readonly (readonly string[])[];
  readonly sentenceCues: readonly (readonly string[])[];
  readonly sentenceFlags: readonly (readonly string[])[];
  readonly bodyLines: number;
}

/** AFINN scores words -5..5, VADER -4..4: AFINN's are scaled onto VADER's range. */
const AFINN_TO_VADER = 0.8;
/** A valence this far from neutral counts as a charged word (VADER's "strongly" valenced words). */
export const CHARGED_VALENCE = 1.5;
/** A sentence's distinct content words kept as features: enough for a long sentence's gist. */
const SENTENCE_WORDS = 40;

/** Sentence length in tokens, bucketed: very short, short, medium, long, very long. */
function sentenceLengthBucket(tokens: number): string {
  return tokens <= 5 ? 'xs' : tokens <= 12 ? 's' : tokens <= 25 ? 'm' : tokens <= 40 ? 'l' : 'xl';
}

const QUOTES = new Set(['"', '“', '”', '«', '»', "''", '``']);
const NO_CUES: readonly string[] = [];
const NO_CLUSTERS: readonly number[] = [];

const shortShapes = new Map<string, string>();

function shortShape(shape: string): string {
  let short = shortShapes.get(shape);
  if (short === undefined) {
    short = capShape(shape);
    if (shortShapes.size < 100_000) shortShapes.set(shape, short);
  }
  return short;
}

function capShape(shape: string): string {
  // wink's shape keeps length for long words (xxxx); cap runs at 4 so shapes generalise.
  return shape
    .replace(/(x{4})x+/gu, '$1')
    .replace(/(X{4})X+/gu, '$1')
    .replace(/(d{4})d+/gu, '$1');
}

/** What the word lists and the clusters say of a lower-cased word. */
interface WordFacts {
  readonly cues: readonly string[];
  readonly valence: number;
  readonly cluster: readonly number[];
}

/**
 * Word facts per cluster set, by lower-cased word: one look-up in a map of the words news
 * uses rather than four in the lists' and clusters' large maps. Bounded; cleared when full.
 */
const wordFactCaches = new WeakMap<WordClusters, Map<string, WordFacts>>();
const WORD_FACT_CACHE_LIMIT = 200_000;

function wordFacts(clusters: WordClusters): (word: string) => WordFacts {
  let cache = wordFactCaches.get(clusters);
  if (!cache) wordFactCaches.set(clusters, (cache = new Map()));
  const known = cache;
  const lex = lexicons();
  return (word) => {
    let facts = known.get(word);
    if (facts === undefined) {
      if (known.size >= WORD_FACT_CACHE_LIMIT) known.clear();
      facts = {
        cues: lex.cues.get(word) ?? NO_CUES,
        valence: lex.vader.get(word) ?? (lex.afinn.get(word) ?? 0) * AFINN_TO_VADER,
        cluster: clusters.get(word) ?? NO_CLUSTERS,
      };
      known.set(word, facts);
    }
    return facts;
  };
}

export function articleContext(doc: ArticleDocument, clusters: WordClusters): ArticleContext {
  const lex = lexicons();
  const tokens = doc.tokens;
  const lower = tokens.map((t) => t.text.toLowerCase());
  const lemma = tokens.map((t) => t.lemma.toLowerCase());
  const content = tokens.map((t) => t.type === 'word' && !t.isStopWord && t.text.length > 1);
  const factsOf = wordFacts(clusters);
  const facts = lower.map(factsOf);
  const cues = facts.map((f) => f.cues);
  const valence = facts.map((f) => f.valence);
  return {
    doc,
    lower,
    lemma,
    shape: tokens.map((t) => shortShape(t.shape)),
    pos: tokens.map((t) => t.pos),
    content,
    ...repetitions(lemma, content),
    inQuote: quoted(tokens),
    inCliche: inCliches(doc, lower, lex.clichesByFirstWord),
    cues,
    valence,
    cluster: facts.map((f) => f.cluster),
    ...sentenceSummaries(doc, lemma, content, cues, valence),
    bodyLines: Math.max(1, doc.lines.filter((l) => !l.isTitle && l.text.trim() !== '').length),
  };
}

/** How often each content lemma occurs, whether it occurred before, and repeated bigrams. */
function repetitions(lemma: readonly string[], content: readonly boolean[]) {
  const n = lemma.length;
  const counts = new Map<string, number>();
  const seenBefore: boolean[] = new Array(n).fill(false);
  for (let i = 0; i < n; i++) {
    if (!content[i]) continue;
    const key = lemma[i] as string;
    const c = counts.get(key) ?? 0;
    seenBefore[i] = c > 0;
    counts.set(key, c + 1);
  }
  // Bigrams by the ids of their lemmas: no string is built per token.
  const lemmaIds = new Map<string, number>();
  const lemmaId = lemma.map((l) => {
    let id = lemmaIds.get(l);
    if (id === undefined) lemmaIds.set(l, (id = lemmaIds.size));
    return id;
  });
  const bigrams = new Map<number, number>();
  const bigramKey = (i: number) => (lemmaId[i] as number) * 0x100000 + (lemmaId[i + 1] as number);
  for (let i = 0; i + 1 < n; i++) {
    if (content[i] || content[i + 1]) {
      const key = bigramKey(i);
      bigrams.set(key, (bigrams.get(key) ?? 0) + 1);
    }
  }
  return {
    lemmaCount: lemma.map((l, i) => (content[i] ? (counts.get(l) ?? 0) : 0)),
    seenBefore,
    bigramRepeated: lemma.map((_, i) => i + 1 < n && (bigrams.get(bigramKey(i)) ?? 0) > 1),
  };
}

/** Tokens between quotation marks (a quote never runs past its line). */
function quoted(tokens: readonly Token[]): boolean[] {
  const inQuote: boolean[] = new Array(tokens.length).fill(false);
  let open = false;
  let line = -1;
  tokens.forEach((t, i) => {
    if (t.line !== line) {
      open = false;
      line = t.line;
    }
    if (QUOTES.has(t.text)) open = !open;
    else inQuote[i] = open;
  });
  return inQuote;
}

/** Tokens inside a known cliché, looked up by its first word. */
function inCliches(
  doc: ArticleDocument,
  lower: readonly string[],
  clichesByFirstWord: ReadonlyMap<string, readonly string[]>,
): boolean[] {
  const tokens = doc.tokens;
  const inCliche: boolean[] = new Array(tokens.length).fill(false);
  // Lower-cased once; the rare text whose lower case changes length is lower-cased per place.
  const lowerText = doc.text.toLowerCase();
  const sameLength = lowerText.length === doc.text.length;
  for (let i = 0; i < tokens.length; i++) {
    const candidates = clichesByFirstWord.get(lower[i] as string);
    if (!candidates) continue;
    const start = doc.offsets.toUnit((tokens[i] as Token).cpStart);
    const rest = sameLength ? lowerText : doc.text.slice(start, start + 60).toLowerCase();
    const at = sameLength ? start : 0;
    for (const cliche of candidates) {
      if (!rest.startsWith(cliche, at) || /\w/u.test(rest[at + cliche.length] ?? '')) continue;
      const [, last] = tokensInSpan(doc, {
        cpStart: (tokens[i] as Token).cpStart,
        cpEnd: doc.offsets.toCodePoint(start + cliche.length),
      });
      for (let j = i; j < last; j++) inCliche[j] = true;
    }
  }
  return inCliche;
}

/** Per sentence: its distinct content words, its cue-list names, and its flags. */
function sentenceSummaries(
  doc: ArticleDocument,
  lemma: readonly string[],
  content: readonly boolean[],
  cues: readonly (readonly string[])[],
  valence: readonly number[],
) {
  const sentenceWords: string[][] = [];
  const sentenceCues: string[][] = [];
  const sentenceFlags: string[][] = [];
  for (const s of doc.sentences) {
    const words = new Set<string>();
    const cueSet = new Set<string>();
    let negative = 0;
    let positive = 0;
    for (let i = s.tokenStart; i < s.tokenEnd; i++) {
      if (content[i]) words.add(lemma[i] as string);
      for (const c of cues[i] as string[]) cueSet.add(c);
      const v = valence[i] as number;
      if (v <= -CHARGED_VALENCE) negative++;
      if (v >= CHARGED_VALENCE) positive++;
    }
    const flags: string[] = [];
    if (s.text.includes('!')) flags.push('excl');
    if (s.text.includes('?')) flags.push('question');
    if (/["“”]/u.test(s.text)) flags.push('quote');
    flags.push(`neg=${Math.min(negative, 3)}`, `pos=${Math.min(positive, 3)}`);
    flags.push(`len=${sentenceLengthBucket(s.tokenEnd - s.tokenStart)}`);
    sentenceWords.push([...words].slice(0, SENTENCE_WORDS));
    sentenceCues.push([...cueSet]);
    sentenceFlags.push(flags);
  }
  return { sentenceWords, sentenceCues, sentenceFlags };
}

/** Where each lemma occurs in an article (token indices, ascending), built once per article. */
const lemmaPositions = new WeakMap<ArticleContext, Map<string, number[]>>();

export function positionsOfLemmas(ctx: ArticleContext): Map<string, number[]> {
  let index = lemmaPositions.get(ctx);
  if (!index) {
    index = new Map();
    ctx.lemma.forEach((lemma, i) => {
      const list = index!.get(lemma);
      if (list) list.push(i);
      else index!.set(lemma, [i]);
    });
    lemmaPositions.set(ctx, index);
  }
  return index;
}

/** The first index of a sorted array whose value is >= target. */
export function lowerBound(sorted: readonly number[], target: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
