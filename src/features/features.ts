/**
 * Features of tokens (for the span tagger) and of spans (for the technique classifier).
 * A feature is a key with an optional value, named like `w=traitor` or `cue+1=fear`; the
 * models hash them (see hash.ts), and explanations show them in plain words (see
 * `describeFeature`).
 */
import { tokensInSpan, type ArticleDocument, type Token } from '../text/document.js';
import type { WordClusters } from './clusters.js';
import { featureKey, type Emit, type FeatureKey } from './hash.js';
import { lexicons } from './lexicons.js';

export type { Emit } from './hash.js';

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

export function articleContext(doc: ArticleDocument, clusters: WordClusters): ArticleContext {
  const lex = lexicons();
  const tokens = doc.tokens;
  const n = tokens.length;
  const lower = tokens.map((t) => t.text.toLowerCase());
  const lemma = tokens.map((t) => t.lemma.toLowerCase());
  const content = tokens.map((t) => t.type === 'word' && !t.isStopWord && t.text.length > 1);
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
  const inQuote: boolean[] = new Array(n).fill(false);
  let open = false;
  let line = -1;
  for (let i = 0; i < n; i++) {
    const t = tokens[i] as Token;
    if (t.line !== line) {
      open = false;
      line = t.line;
    }
    if (QUOTES.has(t.text)) open = !open;
    else inQuote[i] = open;
  }
  const inCliche: boolean[] = new Array(n).fill(false);
  // Lower-cased once; the rare text whose lower case changes length is lower-cased per place.
  const lowerText = doc.text.toLowerCase();
  const sameLength = lowerText.length === doc.text.length;
  for (let i = 0; i < n; i++) {
    const candidates = lex.clichesByFirstWord.get(lower[i] as string);
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
  const cues = lower.map((w) => lex.cues.get(w) ?? NO_CUES);
  const valence = lower.map((w) => lex.vader.get(w) ?? (lex.afinn.get(w) ?? 0) * 0.8);
  const cluster = lower.map((w) => clusters.get(w) ?? NO_CLUSTERS);

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
      if (v <= -1.5) negative++;
      if (v >= 1.5) positive++;
    }
    const flags: string[] = [];
    if (s.text.includes('!')) flags.push('excl');
    if (s.text.includes('?')) flags.push('question');
    if (/["“”]/u.test(s.text)) flags.push('quote');
    flags.push(`neg=${Math.min(negative, 3)}`, `pos=${Math.min(positive, 3)}`);
    const len = s.tokenEnd - s.tokenStart;
    flags.push(
      `len=${len <= 5 ? 'xs' : len <= 12 ? 's' : len <= 25 ? 'm' : len <= 40 ? 'l' : 'xl'}`,
    );
    sentenceWords.push([...words].slice(0, 40));
    sentenceCues.push([...cueSet]);
    sentenceFlags.push(flags);
  }
  const bodyLines = Math.max(1, doc.lines.filter((l) => !l.isTitle && l.text.trim() !== '').length);
  const shape = tokens.map((t) => shortShape(t.shape));
  const pos = tokens.map((t) => t.pos);
  return {
    doc,
    lower,
    lemma,
    shape,
    pos,
    content,
    lemmaCount: lemma.map((l, i) => (content[i] ? (counts.get(l) ?? 0) : 0)),
    seenBefore,
    bigramRepeated: lemma.map((_, i) => i + 1 < n && (bigrams.get(bigramKey(i)) ?? 0) > 1),
    inQuote,
    inCliche,
    cues,
    valence,
    cluster,
    sentenceWords,
    sentenceCues,
    sentenceFlags,
    bodyLines,
  };
}

/** Keys, hashed once. Window keys are indexed by offset + 3; cluster keys by level. */
const K = {
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

function levelKeys(prefix: string, suffix = ''): FeatureKey[] {
  return [0, 1, 2, 3, 4, 5, 6, 7].map((level) => featureKey(`${prefix}${level}${suffix}`));
}

/** A key=value feature for each word cluster (coarse to fine) of a token. */
function emitClusters(emit: Emit, keys: readonly FeatureKey[], clusters: readonly number[]): void {
  for (let level = 0; level < clusters.length; level++)
    emit(keys[level] as FeatureKey, clusters[level]);
}

const SENTENCE_START = '<s>';

function bucket(n: number): string {
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

/**
 * Plain words for a feature, for explanations shown to people; undefined for features that
 * mean nothing to a reader (word shapes, positions, hashed pairs). `clusterWords` names a
 * few words of a word cluster.
 */
export function describeFeature(
  feature: string,
  clusterWords?: (id: number) => string[],
): string | undefined {
  const [key, value] = splitFeature(feature);
  if (/^s?cl0$/u.test(key) && value !== undefined && clusterWords) {
    const words = clusterWords(Number(value));
    return words.length > 0 ? `a word like "${words.slice(0, 3).join('", "')}"` : undefined;
  }
  switch (key) {
    case 'sw':
    case 'phrase':
      return `the words "${value}"`;
    case 'first':
      return `starting with "${value}"`;
    case 'sb':
      return `the words "${value?.replace('|', ' ')}"`;
    case 'occbefore':
      return value === '0' ? undefined : 'a phrase used earlier in the article';
    case 'sametextbefore':
      return value === '0' ? undefined : 'the same phrase is flagged earlier';
    case 'has!':
      return 'an exclamation mark';
    case 'has?':
      return 'a question mark';
    case 'hascaps':
      return 'words in capitals';
    case 'w':
    case 'l':
      return `the word "${value}"`;
    case 'w-1':
      return `after "${value}"`;
    case 'w1':
      return `before "${value}"`;
    case 'ww-1':
    case 'ww+1':
      return `the words "${value?.replace('|', ' ')}"`;
    case 'ctx':
      return `"${value}" nearby`;
    case 'sbag':
      return `"${value}" in the sentence`;
    case 'val':
      return value === 'vneg' || value === 'neg'
        ? 'emotionally negative wording'
        : 'emotionally positive wording';
    case 'cue':
      return `a ${value} cue word`;
    case 'Scue':
      return `a ${value} cue in the sentence`;
    case 'seen':
      return 'a word repeated from earlier in the article';
    case 'seen3':
      return 'a word repeated three or more times';
    case 'bigramrep':
    case 'bigramrep-1':
      return 'a phrase repeated in the article';
    case 'rep':
      return `a word used ${value} times in the article`;
    case 'title':
      return 'in the headline';
    case 'inquote':
      return 'inside a quotation';
    case 'cliche':
      return 'a stock phrase (cliché)';
    case 'allcaps':
      return 'written in capitals';
    case 'hashtag':
      return 'a hashtag';
    case 'hedge':
      return 'a hedge or weasel word';
    case 'S':
      return value === 'excl'
        ? 'an exclamation'
        : value === 'question'
          ? 'a question'
          : value === 'quote'
            ? 'a sentence with a quotation'
            : undefined;
    default:
      return undefined;
  }
}

/** A feature name's key and value: keys hold neither '=' nor ':' (featureKey's separators). */
function splitFeature(feature: string): [string, string | undefined] {
  const at = feature.search(/[=:]/u);
  return at < 0 ? [feature, undefined] : [feature.slice(0, at), feature.slice(at + 1)];
}

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
  const tokens = ctx.doc.tokens;
  if (tokenEnd <= tokenStart) {
    emit(SK.empty);
    return;
  }
  const first = tokens[tokenStart] as Token;
  const sentence = ctx.doc.sentences[first.sentence]!;
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
    emit(SK.sw, ctx.lemma[i]);
    emitClusters(emit, SK.scl, ctx.cluster[i] as number[]);
    if (i + 1 < tokenEnd) emit(SK.sb, ctx.lemma[i], ctx.lemma[i + 1]);
    for (const c of ctx.cues[i] as string[]) emit(SK.cue, c);
    const v = ctx.valence[i] as number;
    if (v <= -1.5) negative++;
    if (v >= 1.5) positive++;
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
    let i = Math.max(sentence.tokenStart, tokenStart - 8);
    i < Math.min(sentence.tokenEnd, tokenEnd + 8);
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

/** The features only tell counts apart up to 9 (see bucket), so counting stops there. */
const COUNT_CAP = 9;

/**
 * How often the span's lemmas recur, in order, before and after it (each capped at
 * COUNT_CAP). Only the places where its first lemma occurs are tried, so a huge article
 * costs no more than its repetitions.
 */
function countOccurrences(
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
