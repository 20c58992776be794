/**
 * Explanations of a highlighted phrase, in plain words: first the words inside the phrase
 * that weighed most for its technique (with their offsets, so a reader sees them marked),
 * then what around it counted (a question in the same sentence, the phrase repeated in the
 * article). Stop words, numbers and names of people, places and titles are never cues.
 */
import type { ArticleContext } from '../features/context.js';
import { featureName, featureSlot, type Emit } from '../features/hash.js';
import {
  countOccurrences,
  spanFeatures,
  spanWordCues,
  spanWordIdentity,
  type SpanContext,
} from '../features/span-features.js';
import { sentenceFeatures } from '../features/token-features.js';
import type { Token } from '../text/document.js';
import type { Cue } from './analysis.js';
import type { LogisticModel, SoftmaxModel } from './linear.js';

/** At most this many cues per phrase, of which at most WORD_CUES are words of the phrase. */
const MAX_CUES = 5;
const WORD_CUES = 2;

/** The cue lists (models/word-lists/cue-lists.json) in plain words. */
const CUE_LISTS: Readonly<Record<string, string>> = {
  nation: 'a word about the nation',
  doubt: 'a word of doubt',
  fear: 'a word of fear',
  causal: 'a word of cause and effect',
  authority: 'a word citing an authority',
  blackWhite: 'an either-or phrase',
  whatabout: 'a "what about" phrase',
  hitler: 'a comparison with Hitler or the Nazis',
  exaggeration: 'an exaggerating word',
  cliche: 'a stock phrase',
  slogan: 'a slogan',
};

/** What the phrase and its sentence hold, by feature name, in plain words. */
function contextText(name: string, ctx: ArticleContext, span: PhraseSpan): string | undefined {
  const at = name.search(/[=:]/u);
  const key = at < 0 ? name : name.slice(0, at);
  const value = at < 0 ? undefined : name.slice(at + 1);
  switch (key) {
    case 'S':
      return value === 'question'
        ? 'a question in the same sentence'
        : value === 'excl'
          ? 'an exclamation in the same sentence'
          : value === 'quote'
            ? 'a quotation in the same sentence'
            : undefined;
    case 'Scue':
      return value && CUE_LISTS[value] ? `${CUE_LISTS[value]} in the same sentence` : undefined;
    case 'has?':
      return 'a question mark in the phrase';
    case 'has!':
      return 'an exclamation mark in the phrase';
    case 'hascaps':
    case 'allcaps':
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
    case 'neg':
      return value === '0' ? undefined : 'strongly negative wording';
    case 'pos':
      return value === '0' ? undefined : 'strongly positive wording';
    case 'hedge':
      return 'a hedge word ("reportedly", "some say")';
    default:
      return undefined;
  }
}

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
  const cues = wordCues(models, ctx, span, technique);
  const seen = new Set(cues.map((c) => c.text));
  for (const cue of contextCues(models, ctx, span, context, technique)) {
    if (cues.length >= MAX_CUES) break;
    if (seen.has(cue.text)) continue;
    seen.add(cue.text);
    cues.push(cue);
  }
  return cues;
}

/** Can this word of the phrase be a cue? Content words, not numbers, names or titles. */
function isCueWord(ctx: ArticleContext, i: number): boolean {
  const token = ctx.doc.tokens[i] as Token;
  if (!ctx.content[i] || token.type !== 'word') return false;
  if (ctx.pos[i] === 'PROPN' || ctx.pos[i] === 'NUM') return false;
  // A capitalised word inside a sentence is a name or a title ("General Idriss").
  const first = ctx.doc.sentences[token.sentence]!.tokenStart === i;
  return first || !/^\p{Lu}/u.test(token.text);
}

/** The words of the phrase that weigh most for the technique (its lemma, clusters, cue lists). */
function wordCues(
  models: CueModels,
  ctx: ArticleContext,
  span: PhraseSpan,
  technique: number,
): Cue[] {
  const words: { i: number; weight: number }[] = [];
  for (let i = span.tokenStart; i < span.tokenEnd; i++) {
    if (!isCueWord(ctx, i)) continue;
    let weight = 0;
    const add: Emit = (key, value, value2) => {
      weight += models.classifier.relativeWeight(featureSlot(key, value, value2), technique);
    };
    spanWordIdentity(ctx, i, add);
    spanWordCues(ctx, i, add);
    if (weight > 0) words.push({ i, weight });
  }
  return words
    .sort((a, b) => b.weight - a.weight)
    .slice(0, WORD_CUES)
    .map(({ i, weight }) => {
      const token = ctx.doc.tokens[i] as Token;
      return {
        text: `the word "${token.text}"`,
        source: 'technique' as const,
        weight: round(weight),
        start: token.cpStart,
        end: token.cpEnd,
      };
    });
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
    keep(
      featureName(key, value, value2),
      models.tagger.weights[featureSlot(key, value, value2) & models.tagger.mask] as number,
      'span',
    ),
  );
  const cues: Cue[] = [];
  for (const [name, { weight, source }] of [...weights].sort((a, b) => b[1].weight - a[1].weight)) {
    const text = contextText(name, ctx, span);
    if (text && !cues.some((c) => c.text === text))
      cues.push({ text, source, weight: round(weight) });
  }
  return cues;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
