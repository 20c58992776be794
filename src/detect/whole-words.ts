/**
 * Spans on whole words (issue #32). The span tagger decides token by token, so a decoded
 * span can cut a word ("hard" of "hard-working"), leave its phrase hanging ("our clinics and
 * our"), start on an emoji or miss the closing quote of a quotation it opened. This step moves
 * a span's edges so that a reader sees whole words and finished phrases.
 */
import type { ArticleDocument, Token } from '../text/document.js';

/** How many words a span may take in to finish its phrase before it is trimmed back instead. */
export const MAX_COMPLETING_WORDS = 3;

/** Word boundaries by Unicode (UAX #29): "don't" and "Trump’s" are one word each. */
const WORD_SEGMENTER = new Intl.Segmenter('en', { granularity: 'word' });
const HYPHEN = /^[-‐‑]$/u;
const ALPHANUMERIC_EDGES = /^[\p{L}\p{N}](?:.*[\p{L}\p{N}])?$/u;
/**
 * Emoji, flags (regional indicators), their modifiers and joiners, and symbols (\p{S}) other
 * than currency signs, which belong to their amount ("$5").
 */
const SYMBOLIC =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200d|\ufe0e|\ufe0f|\u20e3|(?!\p{Sc})\p{S})+$/u;
const QUOTE = /^["“”'‘’«»]$/u;

/** Parts of speech that leave a phrase open when a word follows ("of", "the", "and"). */
const FUNCTION_POS = new Set(['DET', 'ADP', 'CCONJ', 'SCONJ']);
const CONJUNCTION_POS = new Set(['CCONJ', 'SCONJ']);
/** Words that wink tags otherwise but that need the next word as much ("our", "to", "’s"). */
const FUNCTION_WORDS = new Set(['my', 'our', 'your', 'their', 'its', 'to', "'s", '’s']);
/**
 * Function words that never end a phrase, even before punctuation: a span left ending on one
 * gives it up. Others can ("they gave up.", "they did that.").
 */
const NEVER_LAST = new Set('the a an every my our your their and or but nor'.split(' '));
/** Words that can stand between a determiner and its noun ("every single week"). */
const MODIFIER_POS = new Set(['ADJ', 'ADV', 'NUM', 'PROPN']);
/** Words that finish a noun phrase a determiner opened. */
const NOMINAL_POS = new Set(['NOUN', 'PROPN', 'ADJ', 'NUM']);

/**
 * Whether token i+1 continues token i's word. Asked only at a span's edges: segmenting a
 * whole article by words would cost a fifth of the `sm` model's time.
 */
function joinsNext(doc: ArticleDocument, i: number): boolean {
  const tokens = doc.tokens;
  const glued = (k: number) => k >= 0 && tokens[k]!.cpEnd === tokens[k + 1]?.cpStart;
  if (!glued(i)) return false;
  // A hyphen between two glued words makes one compound ("hard-working", "state-of-the-art").
  const hyphenBetween = (k: number) =>
    HYPHEN.test(tokens[k + 1]!.text) &&
    glued(k + 1) &&
    ALPHANUMERIC_EDGES.test(tokens[k]!.text) &&
    ALPHANUMERIC_EDGES.test(tokens[k + 2]!.text);
  if (hyphenBetween(i) || (glued(i - 1) && hyphenBetween(i - 1))) return true;
  // Word boundaries by UAX #29, over the two tokens and one on each side (its rules look
  // no further).
  const from = doc.offsets.toUnit(tokens[Math.max(0, i - 1)]!.cpStart);
  const junction = doc.offsets.toUnit(tokens[i]!.cpEnd);
  const to = doc.offsets.toUnit(tokens[Math.min(tokens.length - 1, i + 2)]!.cpEnd);
  for (const { index } of WORD_SEGMENTER.segment(doc.text.slice(from, to)))
    if (from + index === junction) return false;
  return true;
}

/**
 * The span moved onto whole words, or undefined when nothing of it is left:
 * 1. edges inside a word move out to the word's edges;
 * 2. emoji, flags and symbols at the edges are dropped, and so are an opening quotation mark
 *    at the end and a closing one at the start;
 * 3. a span that ends on a word that needs the next one ("our", "of", "every single", "Our
 *    Beloved") takes in up to MAX_COMPLETING_WORDS words of its sentence to finish the
 *    phrase, never across punctuation; where that is not enough, or a word that never ends a
 *    phrase ("the", "and") stands before punctuation, the span gives up its open end instead;
 * 4. a leading coordinating conjunction ("and our parks") is dropped;
 * 5. an opening quotation mark in the span takes in its closing mark right after the span.
 * The score is kept: it is the run's.
 */
/** A span by token: [tokenStart, tokenEnd). */
interface TokenRange {
  tokenStart: number;
  tokenEnd: number;
}

export function toWholeWords<S extends TokenRange>(doc: ArticleDocument, span: S): S | undefined {
  const tokens = doc.tokens;
  const wordStart = (i: number) => {
    while (i > 0 && joinsNext(doc, i - 1)) i--;
    return i;
  };
  const wordEnd = (i: number) => {
    while (joinsNext(doc, i)) i++;
    return i + 1;
  };
  const text = (from: number, to: number) =>
    tokens
      .slice(from, to)
      .map((t) => t.text)
      .join('');

  let start = wordStart(span.tokenStart);
  let end = wordEnd(span.tokenEnd - 1);
  while (
    start < end &&
    (SYMBOLIC.test(text(start, wordEnd(start))) || isClosingQuote(tokens, start))
  )
    start = wordEnd(start);
  while (
    end > start &&
    (SYMBOLIC.test(text(wordStart(end - 1), end)) || isOpeningQuote(tokens, end - 1))
  )
    end = wordStart(end - 1);
  if (start === end) return undefined;

  const sentence = tokens[start]!.sentence;
  const isWord = (t: Token | undefined) =>
    t !== undefined && t.sentence === sentence && (t.type === 'word' || t.type === 'number');
  const opens = (i: number) => isFunctionWord(tokens, wordStart(i), i + 1);
  /** Whether the phrase ending at token `last` needs the word at `last + 1`. */
  const needsNext = (last: number) => {
    const next = tokens[last + 1];
    if (!isWord(next)) return false;
    if (opens(last)) return true;
    const pos = tokens[last]!.pos;
    if (pos === 'PROPN' && next!.pos === 'PROPN') return true; // a name goes on
    if (!MODIFIER_POS.has(pos) || !NOMINAL_POS.has(next!.pos)) return false;
    // Modifiers after a determiner or preposition wait for their noun ("every single").
    for (let i = last - 1; i >= start && isWord(tokens[i]); i--) {
      if (opens(i)) return !CONJUNCTION_POS.has(tokens[i]!.pos);
      if (!MODIFIER_POS.has(tokens[i]!.pos)) return false;
    }
    return false;
  };
  const dangles = (last: number) => needsNext(last) || NEVER_LAST.has(tokens[last]!.normal);

  let completed = end;
  for (let taken = 0; needsNext(completed - 1) && taken < MAX_COMPLETING_WORDS; taken++)
    completed = wordEnd(completed);
  if (dangles(completed - 1)) {
    while (end > start && (dangles(end - 1) || (opens(end - 1) && isWord(tokens[end]))))
      end = wordStart(end - 1);
    if (start === end) return undefined;
  } else end = completed;

  if (
    tokens[start]!.pos === 'CCONJ' &&
    wordEnd(start) === start + 1 &&
    wordEnd(start) < end &&
    isWord(tokens[start + 1])
  )
    start++;

  if (opensQuote(tokens, start, end) && isClosingQuote(tokens, end)) end++;
  return { ...span, tokenStart: start, tokenEnd: end };
}

/** Whether tokens [from, to) are one word that leaves its phrase open ("the", "our", "of"). */
function isFunctionWord(tokens: readonly Token[], from: number, to: number): boolean {
  const last = tokens[to - 1]!;
  // A word of two tokens opens a phrase by its ending: "Trump’s".
  if (to - from > 1) return to - from === 2 && FUNCTION_WORDS.has(last.normal);
  return FUNCTION_POS.has(last.pos) || FUNCTION_WORDS.has(last.normal);
}

/** A quotation mark glued to the word before it, and not to a word after it, closes. */
function isClosingQuote(tokens: readonly Token[], i: number): boolean {
  const quote = tokens[i];
  if (!quote || !QUOTE.test(quote.text) || tokens[i - 1]?.cpEnd !== quote.cpStart) return false;
  return tokens[i + 1]?.cpStart !== quote.cpEnd || !/^[\p{L}\p{N}]/u.test(tokens[i + 1]!.text);
}

function isOpeningQuote(tokens: readonly Token[], i: number): boolean {
  return QUOTE.test(tokens[i]!.text) && !isClosingQuote(tokens, i);
}

/** Whether tokens [start, end) hold an opening quotation mark that they do not close. */
function opensQuote(tokens: readonly Token[], start: number, end: number): boolean {
  let open = 0;
  for (let i = start; i < end; i++) {
    if (isClosingQuote(tokens, i)) open = Math.max(0, open - 1);
    else if (isOpeningQuote(tokens, i)) open++;
  }
  return open > 0;
}
