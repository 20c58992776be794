/** Features of a span, for the technique classifier. */
import type { Token } from '../text/document.js';
import { CHARGED_VALENCE, type ArticleContext, lowerBound, positionsOfLemmas } from './context.js';
import { type Emit, featureKey } from './hash.js';
import { bucket, emitClusters, K, levelKeys } from './token-features.js';

/** Content words this many tokens either side of a span (within its sentence) are its context. */
const CONTEXT_WINDOW = 8;

/** What the technique classifier knows about a span beyond its tokens. */
export interface SpanContext {
  /** How many spans of the input share exactly these offsets (a multi-label group). */
  readonly sameSpanCount: number;
  /** How many other input spans overlap or nest with this one. */
  readonly overlapping: number;
  /** How many other input spans (other offsets) have the same lower-cased text, before and after this one. */
  readonly sameTextBefore: number;
  readonly sameTextAfter: number;
}

function lengthBucket(n: number): string {
  return n <= 3 ? String(n) : n <= 5 ? '4-5' : n <= 9 ? '6-9' : n <= 19 ? '10-19' : '20+';
}

const SK = {
  empty: featureKey('empty'),
  bias: featureKey('bias'),
  len: featureKey('len'),
  first: featureKey('first'),
  last: featureKey('last'),
  firstp: featureKey('firstp'),
  lastp: featureKey('lastp'),
  edgepos: featureKey('edgepos'),
  pospat: featureKey('pospat'),
  phrase: featureKey('phrase'),
  sw: featureKey('sw'),
  sb: featureKey('sb'),
  cue: K.cue,
  cliche: K.cliche,
  inquote: K.inquote,
  hashtag: K.hashtag,
  scl: levelKeys('scl'),
  chars: [0, 1, 2, 3, 4, 5].map((n) => featureKey(`c${n}`)),
  neg: featureKey('neg'),
  pos: featureKey('pos'),
  occ: featureKey('occ'),
  occbefore: featureKey('occbefore'),
  occafter: featureKey('occafter'),
  maxrep: featureKey('maxrep'),
  reprate: featureKey('reprate'),
  seenrate: featureKey('seenrate'),
  nocontent: featureKey('nocontent'),
  group: featureKey('group'),
  overlap: featureKey('overlap'),
  sametextbefore: featureKey('sametextbefore'),
  sametextafter: featureKey('sametextafter'),
  title: K.title,
  wholesentence: featureKey('wholesentence'),
  sentstart: featureKey('sentstart'),
  S: K.S,
  Scue: K.Scue,
  cwBefore: [0, 1, 2, 3].map((d) => featureKey(`cw-${d}`)),
  cwAfter: [0, 1, 2, 3].map((d) => featureKey(`cw+${d}`)),
  ctx: featureKey('ctx'),
  hasExclamation: featureKey('has!'),
  hasQuestion: featureKey('has?'),
  capstart: featureKey('capstart'),
  hascaps: featureKey('hascaps'),
};

/** Features of the span [tokenStart, tokenEnd) for the technique classifier. */
export function spanFeatures(
  ctx: ArticleContext,
  tokenStart: number,
  tokenEnd: number,
  spanContext: SpanContext,
  emit: Emit,
): void {
  if (tokenEnd <= tokenStart) {
    emit(SK.empty);
    return;
  }
  // In this order: a model's score sums the weights as they are emitted.
  spanShapeFeatures(ctx, tokenStart, tokenEnd, emit);
  spanWordFeatures(ctx, tokenStart, tokenEnd, emit);
  spanPlaceFeatures(ctx, tokenStart, tokenEnd, spanContext, emit);
}

/** Its length, edge words and parts of speech, and short phrases whole. */
function spanShapeFeatures(
  ctx: ArticleContext,
  tokenStart: number,
  tokenEnd: number,
  emit: Emit,
): void {
  const length = tokenEnd - tokenStart;
  const last = tokenEnd - 1;
  emit(SK.bias);
  emit(SK.len, lengthBucket(length));
  emit(SK.first, ctx.lower[tokenStart]);
  emit(SK.last, ctx.lower[last]);
  emit(SK.firstp, ctx.pos[tokenStart]);
  emit(SK.lastp, ctx.pos[last]);
  if (length > 4)
    emit(SK.edgepos, `${ctx.pos[tokenStart]}_${ctx.pos[tokenStart + 1]}..${ctx.pos[tokenEnd - 1]}`);
  if (length <= 4) emit(SK.pospat, ctx.pos.slice(tokenStart, tokenEnd).join('_'));
  if (length <= 3) emit(SK.phrase, ctx.lower.slice(tokenStart, tokenEnd).join(' '));
}

/** Its words, their clusters, cues and valence, character n-grams, and how they recur. */
function spanWordFeatures(
  ctx: ArticleContext,
  tokenStart: number,
  tokenEnd: number,
  emit: Emit,
): void {
  const tokens = ctx.doc.tokens;
  let text = '';
  let maxRepeat = 0;
  let contentWords = 0;
  let repeatedWords = 0;
  let seen = 0;
  let negative = 0;
  let positive = 0;
  for (let i = tokenStart; i < tokenEnd; i++) {
    const w = ctx.lower[i] as string;
    text += (i > tokenStart ? ' ' : '') + w;
    spanWordIdentity(ctx, i, emit);
    if (i + 1 < tokenEnd) emit(SK.sb, ctx.lemma[i], ctx.lemma[i + 1]);
    spanWordCues(ctx, i, emit);
    const v = ctx.valence[i] as number;
    if (v <= -CHARGED_VALENCE) negative++;
    if (v >= CHARGED_VALENCE) positive++;
    if (ctx.content[i]) {
      contentWords++;
      const count = ctx.lemmaCount[i] as number;
      maxRepeat = Math.max(maxRepeat, count);
      if (count > 1) repeatedWords++;
      if (ctx.seenBefore[i]) seen++;
    }
    if (ctx.inCliche[i]) emit(SK.cliche);
    if (ctx.inQuote[i]) emit(SK.inquote);
    if ((tokens[i] as Token).type === 'hashtag') emit(SK.hashtag);
  }
  // Character n-grams of the span generalise over inflections and rare words.
  const padded = ` ${text.slice(0, 60)} `;
  for (let n = 3; n <= 5; n++)
    for (let k = 0; k + n <= padded.length; k++) emit(SK.chars[n]!, padded.slice(k, k + n));
  emit(SK.neg, Math.min(negative, 3));
  emit(SK.pos, Math.min(positive, 3));
  // Repetition: how often the span and its words recur in the article.
  const [before, after] = countOccurrences(ctx, tokenStart, tokenEnd);
  emit(SK.occ, bucket(before + after + 1));
  emit(SK.occbefore, bucket(before));
  if (after > 0) emit(SK.occafter);
  emit(SK.maxrep, bucket(maxRepeat));
  if (contentWords > 0) {
    emit(SK.reprate, Math.round((4 * repeatedWords) / contentWords));
    emit(SK.seenrate, Math.round((4 * seen) / contentWords));
  } else emit(SK.nocontent);
}

/** What one word of a span is: its lemma and its word clusters (the explanations weigh them). */
export function spanWordIdentity(ctx: ArticleContext, i: number, emit: Emit): void {
  emit(SK.sw, ctx.lemma[i]);
  emitClusters(emit, SK.scl, ctx.cluster[i] as number[]);
}

/** The cue lists that one word of a span is on. */
export function spanWordCues(ctx: ArticleContext, i: number, emit: Emit): void {
  for (const c of ctx.cues[i] as string[]) emit(SK.cue, c);
}

/** Where it sits: among the other spans, in its line and sentence, and the words around it. */
function spanPlaceFeatures(
  ctx: ArticleContext,
  tokenStart: number,
  tokenEnd: number,
  spanContext: SpanContext,
  emit: Emit,
): void {
  const tokens = ctx.doc.tokens;
  const first = tokens[tokenStart] as Token;
  const sentence = ctx.doc.sentences[first.sentence]!;
  // The input's own structure: multi-label groups and nesting.
  emit(SK.group, Math.min(spanContext.sameSpanCount, 3));
  emit(SK.overlap, Math.min(spanContext.overlapping, 3));
  emit(SK.sametextbefore, Math.min(spanContext.sameTextBefore, 3));
  if (spanContext.sameTextAfter > 0) emit(SK.sametextafter);
  // Where it sits.
  const line = ctx.doc.lines[first.line]!;
  if (line.isTitle) emit(SK.title);
  if (tokenStart === sentence.tokenStart && tokenEnd >= sentence.tokenEnd - 1)
    emit(SK.wholesentence);
  else if (tokenStart === sentence.tokenStart) emit(SK.sentstart);
  for (const flag of ctx.sentenceFlags[first.sentence] as string[]) emit(SK.S, flag);
  for (const c of ctx.sentenceCues[first.sentence] as string[]) emit(SK.Scue, c);
  // Context words around the span.
  for (let d = 1; d <= 3; d++) {
    const before = tokenStart - d;
    const after = tokenEnd - 1 + d;
    if (before >= sentence.tokenStart) emit(SK.cwBefore[d]!, ctx.lower[before]);
    if (after < sentence.tokenEnd) emit(SK.cwAfter[d]!, ctx.lower[after]);
  }
  for (
    let i = Math.max(sentence.tokenStart, tokenStart - CONTEXT_WINDOW);
    i < Math.min(sentence.tokenEnd, tokenEnd + CONTEXT_WINDOW);
    i++
  ) {
    if ((i < tokenStart || i >= tokenEnd) && ctx.content[i]) emit(SK.ctx, ctx.lemma[i]);
  }
  const spanText = ctx.doc.offsets.slice(first.cpStart, (tokens[tokenEnd - 1] as Token).cpEnd);
  if (spanText.includes('!')) emit(SK.hasExclamation);
  if (spanText.includes('?')) emit(SK.hasQuestion);
  if (/^[A-Z]/u.test(spanText)) emit(SK.capstart);
  if (/\b[A-Z]{2,}\b/u.test(spanText)) emit(SK.hascaps);
}

/** The features only tell counts apart up to 9 (see bucket), so counting stops there. */
const COUNT_CAP = 9;

/**
 * How often the span's lemmas recur, in order, before and after it (each capped at
 * COUNT_CAP). Only the places where its first lemma occurs are tried, so a huge article
 * costs no more than its repetitions.
 */
export function countOccurrences(
  ctx: ArticleContext,
  tokenStart: number,
  tokenEnd: number,
): [number, number] {
  const length = tokenEnd - tokenStart;
  if (length > 8) return [0, 0];
  const lemma = ctx.lemma;
  const positions = positionsOfLemmas(ctx).get(lemma[tokenStart] as string) as number[];
  const matches = (i: number) => {
    if (i + length > lemma.length) return false;
    for (let k = 1; k < length; k++) if (lemma[i + k] !== lemma[tokenStart + k]) return false;
    return true;
  };
  const here = lowerBound(positions, tokenStart);
  let before = 0;
  for (let p = here - 1; p >= 0 && before < COUNT_CAP; p--)
    if (matches(positions[p] as number)) before++;
  let after = 0;
  for (let p = here + 1; p < positions.length && after < COUNT_CAP; p++)
    if (matches(positions[p] as number)) after++;
  return [before, after];
}
