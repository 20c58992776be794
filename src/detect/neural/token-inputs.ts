/**
 * What the md model reads of each token: its word vector, the sm tagger's
 * probability (the neural model refines the linear one rather than starting over), and a few
 * hand features that vectors do not carry (title, quotes, repetition, valence, case).
 */
import type { ArticleContext } from '../../features/context.js';
import type { WordVectors } from '../../features/vectors.js';

const HAND_FEATURES = 18;

export function tokenInputSize(vectors: WordVectors): number {
  return vectors.dimensions + HAND_FEATURES;
}

// The BiLSTM's hand inputs are scaled to about -1..1, the range of the word vectors' values:
/** The linear tagger's logit, clipped at ±ln(9999) ≈ ±9.2. */
const LOGIT_SCALE = 4;
/** log(1 + occurrences of the lemma): 3 is about 20 occurrences. */
const LOG_COUNT_SCALE = 3;
/** Valence runs -4..4 (VADER's range). */
const VALENCE_SCALE = 4;

const PUNCTUATION_MARK = /^[!?]+$/u;
const QUOTE = /^["“”'‘’]+$/u;
const CAPITALISED = /^\p{Lu}/u;
const HAS_UPPER = /\p{Lu}/u;
const HAS_LOWER = /\p{Ll}/u;

export interface TokenInputs {
  /** Row-major [tokens x tokenInputSize]; each row starts with the word vector. */
  x: Float32Array;
  /** The word-vector row of each token (-1: no vector), so that encoders can cache by word. */
  keys: Int32Array;
}

export function tokenInputs(
  ctx: ArticleContext,
  vectors: WordVectors,
  linearProbabilities: Float32Array,
): TokenInputs {
  const tokens = ctx.doc.tokens;
  const dims = vectors.dimensions;
  const width = dims + HAND_FEATURES;
  const x = new Float32Array(tokens.length * width);
  const keys = new Int32Array(tokens.length);
  const lastSentence = Math.max(1, ctx.doc.sentences.length - 1);
  tokens.forEach((token, i) => {
    const o = i * width;
    let row = vectors.row(ctx.lower[i] as string);
    if (row < 0) row = vectors.row(ctx.lemma[i] as string);
    keys[i] = row;
    if (row >= 0) x.set(vectors.values.subarray(row * dims, (row + 1) * dims), o);
    const p = Math.min(Math.max(linearProbabilities[i] as number, 1e-4), 1 - 1e-4);
    const text = token.text;
    // Written in place, in the order the shipped models were trained with.
    let k = o + dims;
    x[k++] = row < 0 ? 1 : 0;
    x[k++] = p;
    x[k++] = Math.log(p / (1 - p)) / LOGIT_SCALE;
    x[k++] = ctx.doc.lines[token.line]?.isTitle ? 1 : 0;
    x[k++] = ctx.inQuote[i] ? 1 : 0;
    x[k++] = ctx.inCliche[i] ? 1 : 0;
    x[k++] = ctx.content[i] ? 1 : 0;
    x[k++] = ctx.seenBefore[i] ? 1 : 0;
    x[k++] = ctx.bigramRepeated[i] ? 1 : 0;
    x[k++] = Math.log1p(ctx.lemmaCount[i] as number) / LOG_COUNT_SCALE;
    x[k++] = (ctx.valence[i] as number) / VALENCE_SCALE;
    x[k++] = (ctx.cues[i] as readonly string[]).length > 0 ? 1 : 0;
    x[k++] = CAPITALISED.test(text) ? 1 : 0;
    x[k++] = text.length > 1 && HAS_UPPER.test(text) && !HAS_LOWER.test(text) ? 1 : 0;
    x[k++] = PUNCTUATION_MARK.test(text) ? 1 : 0;
    x[k++] = QUOTE.test(text) ? 1 : 0;
    x[k++] = token.sentence / lastSentence;
    x[k] = token.sentence === 0 ? 1 : 0;
  });
  return { x, keys };
}

/** Token ranges the tagger reads: sentences, cut into pieces of at most `maxLength`. */
export function sentencePieces(ctx: ArticleContext, maxLength: number): [number, number][] {
  const pieces: [number, number][] = [];
  for (const s of ctx.doc.sentences)
    for (let k = s.tokenStart; k < s.tokenEnd; k += maxLength)
      pieces.push([k, Math.min(s.tokenEnd, k + maxLength)]);
  return pieces;
}
