/**
 * The 14 propaganda techniques of the Propaganda Techniques Corpus (SemEval-2020 Task 11,
 * technique-classification release), with the texts and colours the product shows.
 *
 * Self-contained on purpose (no imports): the CLI, the web page and the evaluation code
 * all read it. Explanations and examples are our own writing, never corpus text.
 */

/** Exact corpus labels, in the order of data/ptc/techniques-14.txt (SemEval TC files use these). */
export const TECHNIQUE_LABELS = [
  'Appeal_to_Authority',
  'Appeal_to_fear-prejudice',
  'Bandwagon,Reductio_ad_hitlerum',
  'Black-and-White_Fallacy',
  'Causal_Oversimplification',
  'Doubt',
  'Exaggeration,Minimisation',
  'Flag-Waving',
  'Loaded_Language',
  'Name_Calling,Labeling',
  'Repetition',
  'Slogans',
  'Thought-terminating_Cliches',
  'Whataboutism,Straw_Men,Red_Herring',
] as const;

export type TechniqueLabel = (typeof TECHNIQUE_LABELS)[number];

export type TechniqueId =
  | 'appeal-to-authority'
  | 'appeal-to-fear-prejudice'
  | 'bandwagon-reductio-ad-hitlerum'
  | 'black-and-white-fallacy'
  | 'causal-oversimplification'
  | 'doubt'
  | 'exaggeration-minimisation'
  | 'flag-waving'
  | 'loaded-language'
  | 'name-calling-labeling'
  | 'repetition'
  | 'slogans'
  | 'thought-terminating-cliches'
  | 'whataboutism-straw-men-red-herring';

export interface Technique {
  /** Stable kebab-case id, e.g. "loaded-language"; never changes once published. */
  readonly id: TechniqueId;
  /** Exact label string used in the corpus and in SemEval TC files, e.g. "Name_Calling,Labeling". */
  readonly label: TechniqueLabel;
  /** Short display name for people, e.g. "Name calling / labeling". */
  readonly name: string;
  /** One paragraph (3-5 sentences) for a newspaper reader: what it is, why it persuades, how to spot it. */
  readonly explanation: string;
  /** A short invented example sentence (written by us, never from the corpus) ... */
  readonly example: string;
  /** ... and the exact substring of `example` that carries the technique (must occur in example). */
  readonly exampleSpan: string;
  /** Hex colour "#rrggbb" used to highlight the technique. */
  readonly color: string;
  /** Nearest 256-colour ANSI code for terminals (number 16-231). */
  readonly ansi256: number;
}

/*
 * Colours: found by `npx tsx scripts/search-palette.ts --starts 8 --pool 4000` (seed 1) among
 * light, moderately saturated colours that keep WCAG AA contrast behind #111111 text.
 * Measured with culori (test/catalogue.test.ts): CIEDE2000 >= 17.3 between every pair for
 * normal vision, >= 9.4 under simulated deuteranopia and protanopia (Machado et al. 2009, in
 * linear RGB); only 4.6 under tritanopia, which no such palette of 14 avoids.
 * Fourteen hues is beyond what any palette keeps apart for every reader, so the UI must
 * never rely on colour alone (the name is always on hover, focus and in the legend).
 * ansi256 = nearest xterm 6x6x6 cube entry by CIEDE2000; all 14 are distinct.
 *
 * Keyed by label so the compiler proves every label has exactly one entry.
 */
const ENTRIES: { readonly [L in TechniqueLabel]: Omit<Technique, 'label'> } = {
  Appeal_to_Authority: {
    id: 'appeal-to-authority',
    name: 'Appeal to authority',
    explanation:
      'The writer asks you to accept a claim because an important person or body said it, not because of the evidence. ' +
      'Titles, uniforms and institutions carry weight, so quoting them can stand in for an argument. ' +
      'Watch for "experts say", "according to" and impressive credentials attached to a claim that is never backed up. ' +
      'Ask whether the authority actually knows this field, and whether the reasons behind the claim are given at all.',
    example: 'The plan must be sound: a Nobel laureate has personally endorsed it.',
    exampleSpan: 'a Nobel laureate has personally endorsed it',
    color: '#1AFEE4', // aqua
    ansi256: 50,
  },
  'Appeal_to_fear-prejudice': {
    id: 'appeal-to-fear-prejudice',
    name: 'Appeal to fear / prejudice',
    explanation:
      'Support is won by making readers afraid of what will happen otherwise, or by playing on distrust of a group. ' +
      'Fear narrows attention and makes drastic steps feel urgent and reasonable. ' +
      'Typical signs are predictions of catastrophe, threats to your family or way of life, and "if we don\'t act now...". ' +
      'Ask how likely the threatened outcome really is and whether any evidence is offered for it.',
    example:
      'If the council approves the new estate, crime will flood into every quiet street in town.',
    exampleSpan: 'crime will flood into every quiet street in town',
    color: '#D16025', // burnt orange
    ansi256: 166,
  },
  'Bandwagon,Reductio_ad_hitlerum': {
    id: 'bandwagon-reductio-ad-hitlerum',
    name: 'Bandwagon / reductio ad Hitlerum',
    explanation:
      'Two mirror-image tricks: urging you to join in because "everyone" already has, or rejecting an idea because a hated group supports it. ' +
      'Both work because people take cues from the crowd and want distance from those they despise. ' +
      'Look for "everybody knows", "all sensible people", or comparisons to Nazis, Hitler and other villains. ' +
      'Neither how many people believe something nor who else believes it tells you whether it is true.',
    example: 'Everyone with any common sense has already signed up for the new pension scheme.',
    exampleSpan: 'Everyone with any common sense has already signed up',
    color: '#B3F389', // light green
    ansi256: 156,
  },
  'Black-and-White_Fallacy': {
    id: 'black-and-white-fallacy',
    name: 'Black-and-white fallacy',
    explanation:
      'Only two options are presented, as if no middle ground or alternative existed, and one of them is plainly unacceptable. ' +
      "Squeezing a complex choice into a stark either/or makes the writer's preferred option look inevitable. " +
      'Signals include "either... or", "the only choice" and orders that leave no room for discussion. ' +
      'Ask what other options the writer has left out.',
    example: 'Either we pass this budget tonight or the city goes bankrupt.',
    exampleSpan: 'Either we pass this budget tonight or the city goes bankrupt',
    color: '#E8C4A8', // sand
    ansi256: 223,
  },
  Causal_Oversimplification: {
    id: 'causal-oversimplification',
    name: 'Causal oversimplification',
    explanation:
      'A problem with many causes is pinned on a single one, often a single person or group. ' +
      'A simple story with one culprit is easier to grasp, remember and be angry at than a tangle of factors. ' +
      'Watch for "the reason is", "because of" and "it is all down to" attached to large, complicated events. ' +
      'Ask what else might have contributed.',
    example: 'Prices are rising for one reason only: the central bank governor.',
    exampleSpan: 'for one reason only: the central bank governor',
    color: '#71AC5D', // leaf green
    ansi256: 71,
  },
  Doubt: {
    id: 'doubt',
    name: 'Doubt',
    explanation:
      'The credibility of a person or institution is undermined by insinuation rather than evidence. ' +
      'A question or a sneer can plant suspicion without the writer ever having to prove anything. ' +
      'Look for "so-called", "allegedly", scare quotes and loaded rhetorical questions such as "can we really trust...?". ' +
      'Ask whether any concrete reason for the doubt is actually given.',
    example:
      'Can we really trust the so-called independent auditor who signed off on these accounts?',
    exampleSpan: 'Can we really trust the so-called independent auditor',
    color: '#949FC2', // periwinkle
    ansi256: 146,
  },
  'Exaggeration,Minimisation': {
    id: 'exaggeration-minimisation',
    name: 'Exaggeration / minimisation',
    explanation:
      'Something is made to look far bigger, worse or better than it is, or is brushed aside as trivial. ' +
      "Inflating or shrinking the stakes steers the reader's reaction before the facts have been weighed. " +
      'Signals include superlatives, "never", "always", "every", and belittling words such as "just", "merely" and "only". ' +
      'Compare the wording with the actual numbers or events described.',
    example: "The minister's speech was the greatest betrayal in the history of this nation.",
    exampleSpan: 'the greatest betrayal in the history of this nation',
    color: '#E5AA08', // amber
    ansi256: 178,
  },
  'Flag-Waving': {
    id: 'flag-waving',
    name: 'Flag-waving',
    explanation:
      'A position is justified by appealing to national pride or group identity instead of its merits. ' +
      'Loyalty to "us" is a strong feeling, and disagreeing is made to feel like betraying your own side. ' +
      'Watch for "our country", "true patriots", "our people" and similar calls to belonging. ' +
      'Ask whether the policy would still look good without the flag wrapped around it.',
    example:
      'Every true patriot will support the new stadium, because our nation deserves nothing less.',
    exampleSpan:
      'Every true patriot will support the new stadium, because our nation deserves nothing less',
    color: '#4DB3FC', // sky blue
    ansi256: 39,
  },
  Loaded_Language: {
    id: 'loaded-language',
    name: 'Loaded language',
    explanation:
      'Words are chosen for their emotional punch rather than for what they describe. ' +
      'Strong words trigger a feeling first, and the feeling then colours how the facts are judged. ' +
      'Look for vivid verbs and adjectives ("slaughter", "barbaric", "crush"), intensifiers and dramatic metaphors. ' +
      'Try restating the sentence in neutral words and see how much of the claim is left.',
    example: "The new tax will slaughter the town's small shops.",
    exampleSpan: 'slaughter',
    color: '#EBB1BE', // pink (the most frequent technique: a quiet colour)
    ansi256: 181,
  },
  'Name_Calling,Labeling': {
    id: 'name-calling-labeling',
    name: 'Name calling / labeling',
    explanation:
      'A person or group is tagged with a label the audience already fears, despises or admires. ' +
      'The label does the arguing: once someone is a "radical" or a "hero", their views need no further examination. ' +
      'Signals are epithets, sneering nicknames, scare quotes around a group\'s name and "-ist" or "-ism" tags. ' +
      'Ask what the person actually said or did, apart from the label.',
    example: 'The bill is backed by the usual crowd of armchair radicals.',
    exampleSpan: 'armchair radicals',
    color: '#CE6778', // rose
    ansi256: 168,
  },
  Repetition: {
    id: 'repetition',
    name: 'Repetition',
    explanation:
      'The same word, phrase or claim is repeated again and again. ' +
      'Familiarity breeds belief: a message heard many times starts to feel true and obvious. ' +
      'Notice when a phrase keeps recurring across an article without new evidence being added; every repeat after the first is marked. ' +
      'Ask whether the repetition adds anything beyond insistence.',
    example:
      'Stand firm on the budget. We must stand firm on the budget, and we will stand firm on the budget.',
    exampleSpan: 'stand firm on the budget', // the first lower-case match is a repeat, as the corpus marks it
    color: '#608F9B', // slate teal
    ansi256: 66,
  },
  Slogans: {
    id: 'slogans',
    name: 'Slogans',
    explanation:
      'A short, catchy phrase, often a call to action, replaces an argument. ' +
      'Slogans are easy to remember and chant, and they package a complex position as a simple rallying cry. ' +
      'Look for brief standalone phrases, often quoted or in capitals, that sound like chants or banners. ' +
      'Ask what concrete claim the slogan makes and whether it is supported.',
    example: 'Protesters marched on city hall chanting "Clean air now!"',
    exampleSpan: 'Clean air now!',
    color: '#1AAD95', // teal
    ansi256: 36,
  },
  'Thought-terminating_Cliches': {
    id: 'thought-terminating-cliches',
    name: 'Thought-terminating cliché',
    explanation:
      'A stock phrase is used to end the discussion rather than answer it. ' +
      'It sounds like common wisdom, so questioning it feels pointless or even rude. ' +
      'Watch for "it is what it is", "enough said", "rules are rules" and similar conversation stoppers. ' +
      'Ask what question the phrase is being used to avoid.',
    example: 'Yes, some families will lose their homes, but rules are rules.',
    exampleSpan: 'rules are rules',
    color: '#1CDFFD', // cyan
    ansi256: 45,
  },
  'Whataboutism,Straw_Men,Red_Herring': {
    id: 'whataboutism-straw-men-red-herring',
    name: 'Whataboutism / straw man / red herring',
    explanation:
      'Instead of answering a point, the writer changes the subject: accusing the critic of hypocrisy, distorting their view into an easy target, or raising something irrelevant. ' +
      'Deflection feels like a rebuttal while leaving the original point untouched. ' +
      'Look for "what about...", caricatured paraphrases of an opponent, and sudden jumps to another topic. ' +
      'Ask whether the original criticism has actually been answered.',
    example: 'She complains about our spending, but what about the millions her own party wasted?',
    exampleSpan: 'what about the millions her own party wasted',
    color: '#A46FD6', // violet
    ansi256: 134,
  },
};

/** All 14 techniques, in the order of TECHNIQUE_LABELS. */
export const TECHNIQUES: readonly Technique[] = Object.freeze(
  TECHNIQUE_LABELS.map((label): Technique => Object.freeze({ label, ...ENTRIES[label] })),
);

const BY_LABEL: ReadonlyMap<string, Technique> = new Map(TECHNIQUES.map((t) => [t.label, t]));
const BY_ID: ReadonlyMap<string, Technique> = new Map(TECHNIQUES.map((t) => [t.id, t]));

/** Look up by exact corpus label (case-sensitive, as in SemEval files). */
export function techniqueByLabel(label: string): Technique | undefined {
  return BY_LABEL.get(label);
}

export function techniqueById(id: string): Technique | undefined {
  return BY_ID.get(id);
}

export function isTechniqueLabel(value: string): value is TechniqueLabel {
  return BY_LABEL.has(value);
}
