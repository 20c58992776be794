/**
 * Features of tokens and sentences, for the span tagger. A feature is a key with an optional
 * value, named like `w=traitor` or `cue+1=fear`; the models hash them (see hash.ts).
 */
import type { Token } from '../text/document.js';
import type { ArticleContext } from './context.js';
import { type Emit, type FeatureKey, featureKey } from './hash.js';
import { lexicons } from './lexicons.js';

/** Keys, hashed once. Window keys are indexed by offset + 3; cluster keys by level. */
export const K = {
  bias: featureKey('bias'),
  w: featureKey('w'),
  l: featureKey('l'),
  sh: featureKey('sh'),
  p: featureKey('p'),
  pre: featureKey('pre'),
  suf: featureKey('suf'),
  wwBefore: featureKey('ww-1'),
  ppBefore: featureKey('pp-1'),
  wwAfter: featureKey('ww+1'),
  ppAfter: featureKey('pp+1'),
  title: featureKey('title'),
  art: featureKey('art'),
  sstart: featureKey('sstart'),
  send: featureKey('send'),
  inquote: featureKey('inquote'),
  cliche: featureKey('cliche'),
  allcaps: featureKey('allcaps'),
  hashtag: featureKey('hashtag'),
  rep: featureKey('rep'),
  seen: featureKey('seen'),
  seen3: featureKey('seen3'),
  bigramrep: featureKey('bigramrep'),
  bigramrepBefore: featureKey('bigramrep-1'),
  val: featureKey('val'),
  cue: featureKey('cue'),
  hedge: featureKey('hedge'),
  S: featureKey('S', ':'),
  Scue: featureKey('Scue'),
  sbag: featureKey('sbag'),
  window: Object.fromEntries(
    ['w', 'p', 'v', 'cue', 'seen'].map((k) => [
      k,
      [-3, -2, -1, 0, 1, 2, 3].map((d) => featureKey(`${k}${d}`)),
    ]),
  ) as Record<'w' | 'p' | 'v' | 'cue' | 'seen', FeatureKey[]>,
  cl: levelKeys('cl'),
  clBefore: levelKeys('cl', '-1'),
  clAfter: levelKeys('cl', '1'),
};

export function levelKeys(prefix: string, suffix = ''): FeatureKey[] {
  return [0, 1, 2, 3, 4, 5, 6, 7].map((level) => featureKey(`${prefix}${level}${suffix}`));
}

/** A key=value feature for each word cluster (coarse to fine) of a token. */
export function emitClusters(
  emit: Emit,
  keys: readonly FeatureKey[],
  clusters: readonly number[],
): void {
  for (let level = 0; level < clusters.length; level++)
    emit(keys[level] as FeatureKey, clusters[level]);
}

const SENTENCE_START = '<s>';

export function bucket(n: number): string {
  return n <= 1 ? String(n) : n <= 2 ? '2' : n <= 4 ? '3-4' : n <= 8 ? '5-8' : '9+';
}

function valenceBucket(v: number): string {
  return v <= -2 ? 'vneg' : v < -0.5 ? 'neg' : v >= 2 ? 'vpos' : v > 0.5 ? 'pos' : '';
}

/**
 * Features every token of a sentence shares (its flags, cues and words). The tagger adds
 * them to each token's own features; at prediction time their weight is summed once per
 * sentence instead of once per token.
 */
export function sentenceFeatures(ctx: ArticleContext, sentence: number, emit: Emit): void {
  for (const flag of ctx.sentenceFlags[sentence] as string[]) emit(K.S, flag);
  for (const c of ctx.sentenceCues[sentence] as string[]) emit(K.Scue, c);
  for (const word of ctx.sentenceWords[sentence] as string[]) emit(K.sbag, word);
}

/**
 * Features of token i for the span tagger (besides its sentence's, see sentenceFeatures).
 * With `words` false, the features that depend on one token's word alone are left out (its
 * own, and each neighbour's at its place in the window: see wordFeatures); a scorer that
 * keeps each word's share of the score adds them back. The order of emission is the order
 * the shipped models were trained with.
 */
export function tokenFeatures(ctx: ArticleContext, i: number, emit: Emit, words = true): void {
  const tokens = ctx.doc.tokens;
  const t = tokens[i] as Token;
  const sentence = ctx.doc.sentences[t.sentence]!;
  const w = ctx.lower[i] as string;
  emit(K.bias);
  if (words) {
    ownWordFeatures(ctx, i, emit);
    if (i > 0) emitClusters(emit, K.clBefore, ctx.cluster[i - 1] as number[]);
    if (i + 1 < tokens.length) emitClusters(emit, K.clAfter, ctx.cluster[i + 1] as number[]);
    affixFeatures(ctx, i, emit);
  }
  for (let d = -3; d <= 3; d++) {
    if (d === 0) continue;
    const j = i + d;
    const inside = j >= sentence.tokenStart && j < sentence.tokenEnd;
    if (!inside) {
      if (d === -1 || d === 1) emit(K.window.w[d + 3]!, SENTENCE_START);
      continue;
    }
    if (words) windowFeatures(ctx, j, d, emit);
    if (ctx.seenBefore[j]) emit(K.window.seen[d + 3]!);
  }
  if (i > sentence.tokenStart) {
    emit(K.wwBefore, ctx.lower[i - 1], w);
    emit(K.ppBefore, ctx.pos[i - 1], ctx.pos[i]);
  }
  if (i + 1 < sentence.tokenEnd) {
    emit(K.wwAfter, w, ctx.lower[i + 1]);
    emit(K.ppAfter, ctx.pos[i], ctx.pos[i + 1]);
  }
  // Position: title, place in the article, place in the sentence.
  const line = ctx.doc.lines[t.line]!;
  if (line.isTitle) emit(K.title);
  else emit(K.art, Math.min(4, Math.floor((5 * line.index) / (ctx.bodyLines + 2))));
  emit(K.sstart, Math.min(i - sentence.tokenStart, 6));
  emit(K.send, Math.min(sentence.tokenEnd - 1 - i, 6));
  // Quotes, clichés, capitals.
  if (ctx.inQuote[i]) emit(K.inquote);
  if (ctx.inCliche[i]) emit(K.cliche);
  if (words) capitalFeatures(ctx, i, emit);
  // Repetition across the article.
  if (ctx.content[i]) {
    emit(K.rep, bucket(ctx.lemmaCount[i] as number));
    if (ctx.seenBefore[i]) emit(K.seen);
    if (ctx.seenBefore[i] && (ctx.lemmaCount[i] as number) >= 3) emit(K.seen3);
  }
  if (ctx.bigramRepeated[i]) emit(K.bigramrep);
  if (i > 0 && ctx.bigramRepeated[i - 1]) emit(K.bigramrepBefore);
  if (words) lexiconFeatures(ctx, i, emit);
}

/**
 * Where a token's word features go in `wordFeatures`: its own, as the token before another
 * (its clusters only, across sentences too), as the token after, and as the neighbour at
 * offset d (-3..3, inside the sentence) at index WINDOW_SHARE + d.
 */
export const OWN_SHARE = 0;
export const BEFORE_SHARE = 1;
export const AFTER_SHARE = 2;
export const WINDOW_SHARE = 6;
export const WORD_SHARES = 10;

/**
 * The features of token j that depend on its word alone (text, lemma, shape, tag, type),
 * in the place `share` of another token's features (see OWN_SHARE): the parts tokenFeatures
 * leaves out when `words` is false. Tokens with the same text, lemma, tag and type emit the
 * same.
 */
export function wordFeatures(ctx: ArticleContext, j: number, share: number, emit: Emit): void {
  if (share === OWN_SHARE) {
    ownWordFeatures(ctx, j, emit);
    affixFeatures(ctx, j, emit);
    capitalFeatures(ctx, j, emit);
    lexiconFeatures(ctx, j, emit);
  } else if (share === BEFORE_SHARE) emitClusters(emit, K.clBefore, ctx.cluster[j] as number[]);
  else if (share === AFTER_SHARE) emitClusters(emit, K.clAfter, ctx.cluster[j] as number[]);
  else windowFeatures(ctx, j, share - WINDOW_SHARE, emit);
}

function ownWordFeatures(ctx: ArticleContext, i: number, emit: Emit): void {
  emit(K.w, ctx.lower[i]);
  emit(K.l, ctx.lemma[i]);
  emit(K.sh, ctx.shape[i]);
  emit(K.p, ctx.pos[i]);
  emitClusters(emit, K.cl, ctx.cluster[i] as number[]);
}

function affixFeatures(ctx: ArticleContext, i: number, emit: Emit): void {
  const w = ctx.lower[i] as string;
  if (w.length > 3) {
    emit(K.pre, w.slice(0, 3));
    emit(K.suf, w.slice(-3));
  }
}

/** Token j's word as the neighbour at offset d of another token. */
function windowFeatures(ctx: ArticleContext, j: number, d: number, emit: Emit): void {
  if (d >= -2 && d <= 2) {
    emit(K.window.w[d + 3]!, ctx.lower[j]);
    emit(K.window.p[d + 3]!, ctx.pos[j]);
  }
  const v = valenceBucket(ctx.valence[j] as number);
  if (v) emit(K.window.v[d + 3]!, v);
  for (const c of ctx.cues[j] as string[]) emit(K.window.cue[d + 3]!, c);
}

function capitalFeatures(ctx: ArticleContext, i: number, emit: Emit): void {
  const t = ctx.doc.tokens[i] as Token;
  if (t.type === 'word' && isAllCaps(t.text)) emit(K.allcaps);
  if (t.type === 'hashtag') emit(K.hashtag);
}

function lexiconFeatures(ctx: ArticleContext, i: number, emit: Emit): void {
  const v = valenceBucket(ctx.valence[i] as number);
  if (v) emit(K.val, v);
  for (const c of ctx.cues[i] as string[]) emit(K.cue, c);
  if (lexicons().hedges.has(ctx.lower[i] as string)) emit(K.hedge);
}

/** Two or more characters, a capital A–Z among them, and nothing that upper-casing changes. */
function isAllCaps(text: string): boolean {
  if (text.length < 2) return false;
  let capital = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) return false; // a–z
    if (c > 127) return text === text.toUpperCase() && /[A-Z]/u.test(text); // rare: exact rule
    if (c >= 65 && c <= 90) capital = true;
  }
  return capital;
}
