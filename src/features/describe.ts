/** Features in plain words, for the cues shown to readers. */

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
