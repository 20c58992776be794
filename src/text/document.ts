/**
 * The document model: an article split into lines, sentences and tokens.
 *
 * Every offset here is a half-open code-point offset (`cpStart` inclusive, `cpEnd`
 * exclusive) into the article text exactly as given, BOM included. UTF-16 offsets exist
 * only inside this module and `offsets.ts`.
 */
import { CodePointIndex } from './offsets.js';
import { tokenize, type RawToken } from './tokenize.js';

export interface TextSpan {
  readonly cpStart: number;
  readonly cpEnd: number;
}

export interface Line extends TextSpan {
  readonly index: number;
  readonly text: string;
  /** Line 0 of an article in the corpus layout (title, empty line, body). */
  readonly isTitle: boolean;
}

export interface Sentence extends TextSpan {
  readonly index: number;
  readonly text: string;
  readonly line: number;
  /** Token index range [tokenStart, tokenEnd). */
  readonly tokenStart: number;
  readonly tokenEnd: number;
}

export interface Token extends TextSpan {
  readonly index: number;
  readonly text: string;
  /** Lower-cased, contractions expanded (wink's `normal`). */
  readonly normal: string;
  readonly lemma: string;
  /** Universal POS tag. */
  readonly pos: string;
  /** Word shape, e.g. `Xxxx`, `dd`. */
  readonly shape: string;
  /** wink's type: word, punctuation, number, emoji, hashtag, url, ... */
  readonly type: string;
  readonly isStopWord: boolean;
  readonly line: number;
  readonly sentence: number;
}

export type ArticleLayout = 'auto' | 'corpus' | 'plain';

export interface ArticleDocument {
  readonly text: string;
  /** Length in code points. */
  readonly length: number;
  readonly offsets: CodePointIndex;
  readonly title: Line | undefined;
  readonly lines: readonly Line[];
  readonly sentences: readonly Sentence[];
  readonly tokens: readonly Token[];
}

/**
 * Parse an article. In the corpus layout line 1 is the title and line 2 is empty; `auto`
 * takes that layout when the text has it (a first line followed by an empty line), and
 * plain text otherwise.
 */
export function parseArticle(text: string, layout: ArticleLayout = 'auto'): ArticleDocument {
  const offsets = new CodePointIndex(text);
  const lines = splitLines(text, offsets, layout);
  const raw = tokenize(text);
  const lineStarts = lines.map((l) => offsets.toUnit(l.cpStart));
  const lineOf = (unit: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((lineStarts[mid] as number) <= unit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const tokens: Token[] = [];
  const sentences: Sentence[] = [];
  const closeSentence = (tokenStart: number) => {
    if (tokens.length === tokenStart) return;
    const first = tokens[tokenStart] as Token;
    const last = tokens[tokens.length - 1] as Token;
    sentences.push({
      index: sentences.length,
      cpStart: first.cpStart,
      cpEnd: last.cpEnd,
      text: offsets.slice(first.cpStart, last.cpEnd),
      line: first.line,
      tokenStart,
      tokenEnd: tokens.length,
    });
  };
  for (const rawSentence of raw.sentences) {
    // A sentence never crosses a line break: the corpus has one sentence per line at most.
    let sentenceStart = tokens.length;
    for (let i = rawSentence.tokenStart; i < rawSentence.tokenEnd; i++) {
      const t = raw.tokens[i] as RawToken;
      const line = lineOf(t.unitStart);
      if (tokens.length > sentenceStart && (tokens[tokens.length - 1] as Token).line !== line) {
        closeSentence(sentenceStart);
        sentenceStart = tokens.length;
      }
      tokens.push(makeToken(t, tokens.length, offsets, line, sentences.length));
    }
    closeSentence(sentenceStart);
  }
  return {
    text,
    length: offsets.length,
    offsets,
    title: lines[0]?.isTitle ? lines[0] : undefined,
    lines,
    sentences,
    tokens,
  };
}

function makeToken(
  t: RawToken,
  index: number,
  offsets: CodePointIndex,
  line: number,
  sentence: number,
): Token {
  return {
    index,
    cpStart: offsets.toCodePoint(t.unitStart),
    cpEnd: offsets.toCodePoint(t.unitEnd),
    text: t.text,
    normal: t.normal,
    lemma: t.lemma,
    pos: t.pos,
    shape: t.shape,
    type: t.type,
    isStopWord: t.isStopWord,
    line,
    sentence,
  };
}

function splitLines(text: string, offsets: CodePointIndex, layout: ArticleLayout): Line[] {
  const parts = text.split('\n');
  const corpusLayout =
    layout === 'corpus' ||
    (layout === 'auto' && parts.length >= 3 && parts[0]!.trim() !== '' && parts[1]!.trim() === '');
  const lines: Line[] = [];
  let unit = 0;
  parts.forEach((part, index) => {
    // A trailing \r (Windows line ends) is not part of the line's text.
    const content = part.endsWith('\r') ? part.slice(0, -1) : part;
    lines.push({
      index,
      text: content,
      cpStart: offsets.toCodePoint(unit),
      cpEnd: offsets.toCodePoint(unit + content.length),
      isTitle: corpusLayout && index === 0,
    });
    unit += part.length + 1;
  });
  return lines;
}

/** The smallest token range covering a code-point span (tokens that overlap it). */
export function tokensInSpan(doc: ArticleDocument, span: TextSpan): [number, number] {
  const tokens = doc.tokens;
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((tokens[mid] as Token).cpEnd <= span.cpStart) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < tokens.length && (tokens[end] as Token).cpStart < span.cpEnd) end++;
  return [lo, end];
}
