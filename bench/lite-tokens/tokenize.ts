/**
 * An experiment (issue #35, the `sm` speed bar): a tokenizer of regular expressions in place
 * of wink-nlp's parse, which takes about 30% of `sm`'s time. It gives what `text/tokenize.ts`
 * gives, more cheaply and more coarsely: tokens split as wink splits most of them (contractions,
 * URLs, e-mails, hashtags, mentions, numbers, emoji one code point a token), sentences ended
 * by `.`, `!`, `?` or `…` before a capital, a digit or a quote; no part-of-speech tags (`X`
 * for every token) and the lower-cased form as the lemma. `lite-tokens-hook.mjs` puts it in
 * place of `src/text/tokenize.ts` for one process: `npm run bench:cv` then trains and scores
 * on it, so the product's code is left as it is.
 */
import { readFileSync } from 'node:fs';
import type { RawSentence, RawToken } from '../../src/text/tokenize.js';

/**
 * The second arm: with SPINSCOPE_LITE_LEXICON naming a file of build-lexicon.ts, each token
 * takes the tag and lemma wink gives its text most often (its lower case's, else rules).
 */
const LEXICON_FILE = process.env.SPINSCOPE_LITE_LEXICON;
const lexicon: Map<string, [string, string]> | undefined = LEXICON_FILE
  ? new Map(
      Object.entries(
        JSON.parse(readFileSync(LEXICON_FILE, 'utf8')) as Record<string, [string, string]>,
      ),
    )
  : undefined;

/** A tag for a text the lexicon lacks, from its type and form. */
function guessedTag(value: string, type: string): string {
  if (type === 'number' || type === 'ordinal' || type === 'time') return 'NUM';
  if (type === 'punctuation') return 'PUNCT';
  if (type !== 'word' && type !== 'contraction' && type !== 'abbreviation') return 'SYM';
  if (/^\p{Lu}/u.test(value)) return 'PROPN';
  if (/ly$/u.test(value)) return 'ADV';
  if (/(?:ing|ed)$/u.test(value)) return 'VERB';
  return 'NOUN';
}

/** The type of each of TOKEN's groups, in order. */
const TYPES = [
  'url',
  'email',
  'hashtag',
  'mention',
  'time',
  'ordinal',
  'number',
  'abbreviation',
  'contraction',
  'word',
  'emoji',
  'punctuation',
  'currency',
  'symbol',
];

/** One token's pattern, tried in this order at each place; the group that matched is its type (TYPES). */
const TOKEN = new RegExp(
  [
    String.raw`((?:https?://|www\.)[^\s<>"“”]+[^\s<>"“”.,;:!?)\]'’])`,
    String.raw`([\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)`,
    String.raw`(#[\p{L}\p{N}_]+)`,
    String.raw`(@[\p{L}\p{N}_]+)`,
    String.raw`(\d{1,2}:\d{2}(?::\d{2})?)`,
    String.raw`(\d+(?:st|nd|rd|th)\b)`,
    String.raw`(\d+(?:[.,]\d+)*)`,
    // Initialisms (U.S., e.g.) and titles keep their full stop.
    String.raw`((?:\p{L}\.){2,}|(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Gov|Sen|Rep|Rev|Col|Lt|Sgt|Capt|Mt|No|vs|etc|Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)`,
    // A contraction's second part: n't, 's, 're, 've, 'll, 'd, 'm.
    String.raw`(n['’]t\b|['’](?:s|re|ve|ll|d|m)\b)`,
    // A word, hyphenated compounds whole; before n't it stops ("did" + "n't").
    String.raw`(\p{L}+?(?=n['’]t\b)|\p{L}[\p{L}\p{M}\p{N}]*(?:-[\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*)`,
    String.raw`(\p{Regional_Indicator}|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f)`,
    String.raw`(\.\.\.+|--+|[!?]+|\p{P})`,
    String.raw`(\p{Sc})`,
    String.raw`(\S)`,
  ].join('|'),
  'gu',
);

const NORMAL_CONTRACTIONS = new Map([
  ["n't", 'not'],
  ["'re", 'are'],
  ["'ve", 'have'],
  ["'ll", 'will'],
  ["'m", 'am'],
]);

/** English stop words (the common closed-class words, as lists such as NLTK's give them). */
const STOP_WORDS = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
  her hers herself it its itself they them their theirs themselves what which who whom this that
  these those am is are was were be been being have has had having do does did doing a an the and
  but if or because as until while of at by for with about against between into through during
  before after above below to from up down in out on off over under again further then once here
  there when where why how all any both each few more most other some such no nor not only own
  same so than too very s t can will just don should now 's n't 're 've 'll 'd 'm would could`
    .split(/\s+/u)
    .filter(Boolean),
);

/** Word shape as wink writes it: X for a capital, x for a small letter, d for a digit. */
function shapeOf(text: string): string {
  let shape = '';
  for (const ch of text) {
    if (/\p{Lu}/u.test(ch)) shape += 'X';
    else if (/\p{L}/u.test(ch)) shape += 'x';
    else if (/\p{N}/u.test(ch)) shape += 'd';
    else shape += ch;
  }
  return shape;
}

const shapes = new Map<string, string>();

function cachedShape(text: string): string {
  let shape = shapes.get(text);
  if (shape === undefined) {
    shape = shapeOf(text);
    if (shapes.size < 200_000) shapes.set(text, shape);
  }
  return shape;
}

const SENTENCE_END = /^(?:[.!?]+|\.\.\.+|…)$/u;
const CLOSING = /^["”’')\]»]$/u;
const OPENS_SENTENCE = /^[\p{Lu}\p{N}"“‘'([«]/u;

const CHUNK = /\S+/gu;

/** Whether text[start, end) is letters of a-z or A-Z only (most chunks of news text are). */
function asciiWord(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

function push(tokens: RawToken[], value: string, start: number, type: string): void {
  const lower = value.toLowerCase();
  const normal =
    type === 'contraction' ? (NORMAL_CONTRACTIONS.get(lower.replace('’', "'")) ?? lower) : lower;
  const wordLike = type === 'word' || type === 'contraction' || type === 'abbreviation';
  const known = lexicon && (lexicon.get(value) ?? lexicon.get(lower));
  tokens.push({
    unitStart: start,
    unitEnd: start + value.length,
    text: value,
    normal,
    lemma: known ? known[1] : normal,
    pos: known ? known[0] : lexicon ? guessedTag(value, type) : 'X',
    shape: cachedShape(value),
    type: wordLike ? 'word' : type,
    isStopWord: STOP_WORDS.has(normal) || STOP_WORDS.has(lower),
  });
}

export function tokenize(text: string): { tokens: RawToken[]; sentences: RawSentence[] } {
  const tokens: RawToken[] = [];
  for (const chunk of text.matchAll(CHUNK)) {
    const value = chunk[0];
    const at = chunk.index;
    if (asciiWord(value, 0, value.length)) {
      push(tokens, value, at, 'word');
      continue;
    }
    for (const match of value.matchAll(TOKEN)) {
      let group = 1;
      while (match[group] === undefined) group++;
      push(tokens, match[0], at + match.index, TYPES[group - 1] ?? 'symbol');
    }
  }
  const sentences: RawSentence[] = [];
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!SENTENCE_END.test(tokens[i]!.text)) continue;
    let end = i + 1;
    while (end < tokens.length && CLOSING.test(tokens[end]!.text)) end++;
    const next = tokens[end];
    if (next && !OPENS_SENTENCE.test(next.text)) continue;
    sentences.push({ tokenStart: start, tokenEnd: end });
    start = end;
    i = end - 1;
  }
  if (start < tokens.length) sentences.push({ tokenStart: start, tokenEnd: tokens.length });
  return { tokens, sentences };
}
