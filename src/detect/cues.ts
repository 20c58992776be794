/**
 * Explanations of a highlighted phrase, in plain words: first the charged words inside the
 * phrase that weighed most for its technique (with their offsets, so a reader sees them
 * marked), then what around it counted (a question in the same sentence, the phrase repeated
 * in the article). A cue that rests on a word names it, and no word is named twice. Stop
 * words, numbers, names of people, places and titles, and words without a charge of their
 * own ("reading", "conference") are never cues.
 */
import { CHARGED_VALENCE, type ArticleContext } from '../features/context.js';
import {
  featureName,
  featureSlot,
  type Emit,
  type FeatureKey,
  type FeatureValue,
} from '../features/hash.js';
import {
  countOccurrences,
  spanFeatures,
  spanWordCues,
  spanWordIdentity,
  type SpanContext,
} from '../features/span-features.js';
import { OWN_SHARE, sentenceFeatures, wordFeatures } from '../features/token-features.js';
import type { Token } from '../text/document.js';
import type { Cue } from './analysis.js';
import type { LogisticModel, SoftmaxModel } from './linear.js';

/** At most this many cues per phrase, of which at most WORD_CUES are words of the phrase. */
const MAX_CUES = 5;
const WORD_CUES = 2;
/** A strong valence (VADER's "very"): "tragic" (-2.2) has one, "ready" (1.5) has not. */
const STRONG_VALENCE = 2;
/**
 * A word outside the lexicons is charged when the span tagger's weight for the word alone is
 * at least this, as for 6% of the distinct content words of the dev articles: "faceless"
 * (1.1) and "traitors" (0.9) are, "foot" (0.5) and "reading" (-0.3) are not.
 */
const TAGGER_CHARGE = 0.6;

/**
 * The cue lists (models/word-lists/cue-lists.json) in plain words, true of any one content
 * word on them. Not `cliche` and `slogan`: those lists hold the words that stock phrases and
 * slogans are made of ("end", "stand"), which alone are neither.
 */
const CUE_LISTS: Readonly<Record<string, string>> = {
  nation: 'a word about the nation',
  doubt: 'a word of doubt',
  fear: 'a word of fear',
  causal: 'a word of cause and effect',
  authority: 'a word that cites or names an authority',
  blackWhite: 'an all-or-nothing word',
  whatabout: 'a word of whataboutism',
  hitler: 'a word about dictators or the majority',
  exaggeration: 'an exaggerating word',
};

/** A found phrase: its tokens and offsets. */
export interface PhraseSpan {
  tokenStart: number;
  tokenEnd: number;
  cpStart: number;
  cpEnd: number;
}

/** The models whose weights are read. */
export interface CueModels {
  tagger: LogisticModel;
  classifier: SoftmaxModel;
}

/** Cues for `span` under technique index `technique`, strongest first. */
export function explainSpan(
  models: CueModels,
  ctx: ArticleContext,
  span: PhraseSpan,
  context: SpanContext,
  technique: number,
): Cue[] {
  const named = new Set<string>();
  const cues = wordCues(models, ctx, span, technique, named);
  for (const cue of contextCues(models, ctx, span, context, technique, named)) {
    if (cues.length >= MAX_CUES) break;
    cues.push(cue);
  }
  return cues;
}

/** The span tagger's weight for a feature. */
function taggerWeight(
  tagger: LogisticModel,
  key: FeatureKey,
  value?: FeatureValue,
  value2?: string,
): number {
  return tagger.weights[featureSlot(key, value, value2) & tagger.mask] as number;
}

/**
 * Can word i be a cue for the technique? A content word with a charge (see isCharged), not
 * a number, a name or a title.
 */
function isCueWord(models: CueModels, ctx: ArticleContext, i: number, technique: number): boolean {
  const token = ctx.doc.tokens[i] as Token;
  if (!ctx.content[i] || token.type !== 'word') return false;
  if (ctx.pos[i] === 'PROPN' || ctx.pos[i] === 'NUM') return false;
  // A capitalised word inside a sentence is a name or a title ("General Idriss"), except in a
  // headline, where every word may be capitalised.
  const first = ctx.doc.sentences[token.sentence]!.tokenStart === i;
  if (!first && !ctx.doc.lines[token.line]!.isTitle && /^\p{Lu}/u.test(token.text)) return false;
  return isCharged(models, ctx, i, technique);
}

/**
 * Does word i carry a charge of its own for the technique, beyond its topic? A strong
 * valence, a cue list that speaks for the technique (the one its weight favours most), or a
 * span-tagger weight for the word alone, wherever it stands, that marks propaganda. The
 * classifier's weights alone cannot tell: they only set techniques apart, so a neutral word
 * can weigh for one ("reading").
 */
function isCharged(models: CueModels, ctx: ArticleContext, i: number, technique: number): boolean {
  if (Math.abs(ctx.valence[i] as number) >= STRONG_VALENCE) return true;
  let listed = false;
  spanWordCues(ctx, i, (key, list) => {
    if (
      CUE_LISTS[list as string] &&
      speaksFor(models.classifier, featureSlot(key, list)) === technique
    )
      listed = true;
  });
  if (listed) return true;
  let own = 0;
  wordFeatures(ctx, i, OWN_SHARE, (key, value, value2) => {
    own += taggerWeight(models.tagger, key, value, value2);
  });
  return own >= TAGGER_CHARGE;
}

/** The technique that a feature's weight favours most. */
function speaksFor(classifier: SoftmaxModel, slot: number): number {
  let best = 0;
  for (let c = 1; c < classifier.classes; c++)
    if (classifier.relativeWeight(slot, c) > classifier.relativeWeight(slot, best)) best = c;
  return best;
}

/** The charged words of the phrase that weigh most for the technique (lemma, clusters, cue lists). */
function wordCues(
  models: CueModels,
  ctx: ArticleContext,
  span: PhraseSpan,
  technique: number,
  named: Set<string>,
): Cue[] {
  const words: { i: number; weight: number }[] = [];
  for (let i = span.tokenStart; i < span.tokenEnd; i++) {
    if (!isCueWord(models, ctx, i, technique)) continue;
    let weight = 0;
    const add: Emit = (key, value, value2) => {
      weight += models.classifier.relativeWeight(featureSlot(key, value, value2), technique);
    };
    spanWordIdentity(ctx, i, add);
    spanWordCues(ctx, i, add);
    if (weight > 0) words.push({ i, weight });
  }
  const cues: Cue[] = [];
  for (const { i, weight } of words.sort((a, b) => b.weight - a.weight || a.i - b.i)) {
    if (cues.length >= WORD_CUES) break;
    if (named.has(ctx.lower[i] as string)) continue; // "books, not bulldozers" twice
    named.add(ctx.lower[i] as string);
    const token = ctx.doc.tokens[i] as Token;
    cues.push({
      text: `the word "${token.text}"`,
      source: 'technique',
      weight: round(weight),
      start: token.cpStart,
      end: token.cpEnd,
    });
  }
  return cues;
}

/**
 * What around the words counted: the technique classifier's features of the phrase and the
 * tagger's features of its sentence that have a plain description, by weight.
 */
function contextCues(
  models: CueModels,
  ctx: ArticleContext,
  span: PhraseSpan,
  context: SpanContext,
  technique: number,
  named: Set<string>,
): Cue[] {
  const weights = new Map<string, { weight: number; source: Cue['source'] }>();
  const keep = (name: string, weight: number, source: Cue['source']) => {
    if (weight > (weights.get(name)?.weight ?? 0)) weights.set(name, { weight, source });
  };
  spanFeatures(ctx, span.tokenStart, span.tokenEnd, context, (key, value, value2) =>
    keep(
      featureName(key, value, value2),
      models.classifier.relativeWeight(featureSlot(key, value, value2), technique),
      'technique',
    ),
  );
  const sentence = (ctx.doc.tokens[span.tokenStart] as Token).sentence;
  sentenceFeatures(ctx, sentence, (key, value, value2) =>
    keep(featureName(key, value, value2), taggerWeight(models.tagger, key, value, value2), 'span'),
  );
  const cues: Cue[] = [];
  for (const [name, { weight, source }] of [...weights].sort((a, b) => b[1].weight - a[1].weight)) {
    const text = contextText(name, ctx, span, named, (i) => isCueWord(models, ctx, i, technique));
    if (text && !cues.some((c) => c.text === text))
      cues.push({ text, source, weight: round(weight) });
  }
  return cues;
}

/**
 * What the phrase and its sentence hold, by feature name, in plain words, or undefined when
 * it has none or it is not so. A cue that rests on a word names the first content word that
 * no cue names yet (and names it from then on), so that a reader can check it.
 */
function contextText(
  name: string,
  ctx: ArticleContext,
  span: PhraseSpan,
  named: Set<string>,
  isCue: (i: number) => boolean,
): string | undefined {
  const at = name.search(/[=:]/u);
  const key = at < 0 ? name : name.slice(0, at);
  const value = at < 0 ? undefined : name.slice(at + 1);
  const word = (from: number, to: number, has: (i: number) => boolean) => {
    for (let i = from; i < to; i++) {
      const lower = ctx.lower[i] as string;
      if (!ctx.content[i] || !has(i) || named.has(lower)) continue;
      named.add(lower);
      return `"${(ctx.doc.tokens[i] as Token).text}"`;
    }
    return undefined;
  };
  switch (key) {
    case 'S':
      return value === 'question'
        ? 'a question in the same sentence'
        : value === 'excl'
          ? 'an exclamation in the same sentence'
          : value === 'quote'
            ? 'a quotation in the same sentence'
            : undefined;
    case 'Scue': {
      const list = CUE_LISTS[value as string];
      const sentence = ctx.doc.sentences[(ctx.doc.tokens[span.tokenStart] as Token).sentence]!;
      const found =
        list &&
        word(sentence.tokenStart, sentence.tokenEnd, (i) =>
          (ctx.cues[i] as string[]).includes(value as string),
        );
      return found && `${list} (${found}) in the same sentence`;
    }
    case 'neg':
    case 'pos': {
      if (value === '0') return undefined;
      const sign = key === 'neg' ? -1 : 1;
      const found = word(
        span.tokenStart,
        span.tokenEnd,
        (i) => sign * (ctx.valence[i] as number) >= CHARGED_VALENCE && isCue(i),
      );
      return found && `a strongly ${key === 'neg' ? 'negative' : 'positive'} word (${found})`;
    }
    case 'has?':
      return 'a question mark in the phrase';
    case 'has!':
      return 'an exclamation mark in the phrase';
    case 'hascaps':
      return 'words in capitals';
    case 'inquote':
      return 'inside a quotation';
    case 'cliche':
      return 'a stock phrase (cliché)';
    case 'title':
      return 'in the headline';
    case 'wholesentence':
      return 'the phrase is a whole sentence';
    case 'sametextbefore':
      return value === '0' ? undefined : 'the same phrase is highlighted earlier';
    case 'occ':
    case 'occbefore': {
      const [before, after] = countOccurrences(ctx, span.tokenStart, span.tokenEnd);
      const times = before + after + 1;
      return times < 2 ? undefined : `the same phrase appears ${times} times in the article`;
    }
    default:
      return undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
