/**
 * The span tagger (SI): a logistic regression gives every token the probability of lying
 * inside a propaganda span; runs of likely tokens become spans. Its training rows are built
 * in features/token-rows.ts.
 */
import { type ArticleDocument, type Token } from '../text/document.js';
import type { ArticleContext } from '../features/context.js';
import {
  AFTER_SHARE,
  BEFORE_SHARE,
  OWN_SHARE,
  WINDOW_SHARE,
  WORD_SHARES,
  sentenceFeatures,
  tokenFeatures,
  wordFeatures,
} from '../features/token-features.js';
import { featureSlot, type Emit } from '../features/hash.js';
import { sigmoid, type LogisticModel } from './linear.js';
import { toWholeWords } from './whole-words.js';

/** A span in token indices [tokenStart, tokenEnd), with a score in [0, 1]. */
export interface TokenSpan {
  tokenStart: number;
  tokenEnd: number;
  score: number;
}

/** How token probabilities become spans; fitted on held-out predictions in training. */
export interface SpanDecoding {
  /** Tokens at or above `low` can be in a span... */
  low: number;
  /** ...and a span needs one token at or above `high`. */
  high: number;
  /** Runs separated by at most this many tokens are joined. */
  maxGap: number;
}

/** The spans a model with this decoding finds in token probabilities. */
export function findTokenSpans(
  doc: ArticleDocument,
  probs: Float32Array,
  decoding: SpanDecoding,
): TokenSpan[] {
  return decodeRuns(doc, probs, decoding)
    .filter((span) =>
      probs.subarray(span.tokenStart, span.tokenEnd).some((p) => p >= decoding.high),
    )
    .map((span) => toWholeWords(doc, span))
    .filter((span) => span !== undefined)
    .map((span) => widenToQuotes(doc, span));
}

/** A word's share of a tagger's score at each place it can take (see WORD_SHARES). */
interface WordShare {
  readonly lemma: string;
  readonly pos: string;
  readonly type: string;
  readonly sums: Float64Array;
}

/**
 * Word shares per model, by token text (then lemma, tag and type, which the text nearly
 * always settles): most of a token's features depend on one word, and words recur, so they
 * are summed once per word rather than once per token. Bounded; cleared when full.
 */
const wordShareCaches = new WeakMap<
  LogisticModel,
  { revision: number; words: Map<string, WordShare[]> }
>();
const WORD_SHARE_CACHE_LIMIT = 200_000;

function wordShares(model: LogisticModel, ctx: ArticleContext): Float64Array[] {
  let entry = wordShareCaches.get(model);
  // Shares summed before the model was trained again are stale.
  if (entry?.revision !== model.revision)
    wordShareCaches.set(model, (entry = { revision: model.revision, words: new Map() }));
  const cache = entry.words;
  const weights = model.weights;
  const mask = model.mask;
  const tokens = ctx.doc.tokens;
  const shares: Float64Array[] = new Array(tokens.length);
  for (let j = 0; j < tokens.length; j++) {
    const token = tokens[j] as Token;
    const lemma = ctx.lemma[j] as string;
    const pos = ctx.pos[j] as string;
    let known = cache.get(token.text);
    let share = known?.find((s) => s.lemma === lemma && s.pos === pos && s.type === token.type);
    if (!share) {
      const sums = new Float64Array(WORD_SHARES);
      for (let place = 0; place < WORD_SHARES; place++) {
        if (place === WINDOW_SHARE) continue; // offset 0 is the token's own share
        wordFeatures(ctx, j, place, (key, value, value2) => {
          sums[place]! += weights[featureSlot(key, value, value2) & mask] as number;
        });
      }
      if (cache.size >= WORD_SHARE_CACHE_LIMIT) {
        cache.clear();
        known = undefined;
      }
      share = { lemma, pos, type: token.type, sums };
      if (known) known.push(share);
      else cache.set(token.text, [share]);
    }
    shares[j] = share.sums;
  }
  return shares;
}

/**
 * P(inside a span) for every token. Sentence features are scored once per sentence and word
 * features once per word (wordShares); the rest is scored while it is emitted, so no
 * feature list is built on the hot path.
 */
export function tokenProbabilities(model: LogisticModel, ctx: ArticleContext): Float32Array {
  const weights = model.weights;
  const mask = model.mask;
  // The sum lives in a typed array because a captured `let` number would be boxed on every add.
  const z = new Float64Array(1);
  const add: Emit = (key, value, value2) => {
    z[0]! += weights[featureSlot(key, value, value2) & mask] as number;
  };
  const sentenceScores = ctx.doc.sentences.map((s) => {
    z[0] = 0;
    sentenceFeatures(ctx, s.index, add);
    return z[0] as number;
  });
  const shares = wordShares(model, ctx);
  const tokens = ctx.doc.tokens;
  const probs = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const sentence = ctx.doc.sentences[(tokens[i] as Token).sentence]!;
    let words = (shares[i] as Float64Array)[OWN_SHARE] as number;
    if (i > 0) words += (shares[i - 1] as Float64Array)[BEFORE_SHARE] as number;
    if (i + 1 < tokens.length) words += (shares[i + 1] as Float64Array)[AFTER_SHARE] as number;
    const from = Math.max(i - 3, sentence.tokenStart);
    const to = Math.min(i + 3, sentence.tokenEnd - 1);
    for (let j = from; j <= to; j++)
      if (j !== i) words += (shares[j] as Float64Array)[WINDOW_SHARE + j - i] as number;
    z[0] = model.bias + (sentenceScores[(tokens[i] as Token).sentence] as number) + words;
    tokenFeatures(ctx, i, add, false);
    probs[i] = sigmoid(z[0] as number);
  }
  return probs;
}

const EDGE_PUNCTUATION = /^[.,;:!?)\]}\-–—]+$/u;
const OPENING = /^[([{]+$/u;

/** Runs of likely tokens, within one sentence, trimmed of edge punctuation. */
function decodeRuns(
  doc: ArticleDocument,
  probs: Float32Array,
  decoding: SpanDecoding,
): TokenSpan[] {
  const spans: TokenSpan[] = [];
  for (const sentence of doc.sentences) {
    let start = -1;
    let lastInside = -1;
    const close = () => {
      if (start >= 0) spans.push(trim(doc, probs, start, lastInside + 1));
      start = -1;
    };
    for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
      if ((probs[i] as number) < decoding.low) continue;
      if (start >= 0 && i - lastInside - 1 > decoding.maxGap) close();
      if (start < 0) start = i;
      lastInside = i;
    }
    close();
  }
  return spans.filter((s) => s.tokenEnd > s.tokenStart);
}

function trim(doc: ArticleDocument, probs: Float32Array, start: number, end: number): TokenSpan {
  const tokens = doc.tokens;
  while (
    start < end &&
    (EDGE_PUNCTUATION.test((tokens[start] as Token).text) ||
      (isQuote(tokens[start] as Token) && !hasQuoteIn(tokens, start + 1, end)))
  )
    start++;
  while (
    end > start &&
    (EDGE_PUNCTUATION.test((tokens[end - 1] as Token).text) ||
      OPENING.test((tokens[end - 1] as Token).text) ||
      (isQuote(tokens[end - 1] as Token) && !hasQuoteIn(tokens, start, end - 1)))
  )
    end--;
  let sum = 0;
  for (let i = start; i < end; i++) sum += probs[i] as number;
  return { tokenStart: start, tokenEnd: end, score: end > start ? sum / (end - start) : 0 };
}

function isQuote(token: Token): boolean {
  return /^["“”'‘’«»]+$/u.test(token.text);
}

function hasQuoteIn(tokens: readonly Token[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isQuote(tokens[i] as Token)) return true;
  return false;
}

/**
 * Take in the quotation marks that enclose a span exactly ("traitors" rather than traitors),
 * as annotators did.
 */
function widenToQuotes(doc: ArticleDocument, span: TokenSpan): TokenSpan {
  const before = doc.tokens[span.tokenStart - 1];
  const after = doc.tokens[span.tokenEnd];
  if (before && after && isQuote(before) && isQuote(after) && before.sentence === after.sentence) {
    return { ...span, tokenStart: span.tokenStart - 1, tokenEnd: span.tokenEnd + 1 };
  }
  return span;
}
