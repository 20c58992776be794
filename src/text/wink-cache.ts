/**
 * wink's tokenizer consults a cache that grows with every new word it reads, so the same
 * text could be split differently ("Trump’s" vs "Trump" + "’s") depending on what the
 * process read before. Its cache module is wrapped before wink loads (text/wink-loader.ts on
 * Node, the browser build's transform of wink-nlp) so that look-ups answer from the model's
 * own lexicon only: tokens then depend on the text alone.
 */
export interface WinkCache {
  lookup: (text: string) => number[] | null;
  add: (...args: unknown[]) => unknown;
  intrinsicSize: () => number;
  currentSize: () => number;
}

export type CacheFactory = (...args: unknown[]) => WinkCache;

/** The cache of the engine in use, to watch how many words it has learned. */
let activeCache: WinkCache | undefined;
let lexiconOnly = false;

/** Look-ups answer from the lexicon only (true once the engine is built). */
export function setLexiconOnly(value: boolean): void {
  lexiconOnly = value;
}

/** How many words the engine in use has learned. */
export function learnedWords(): number {
  return activeCache ? activeCache.currentSize() - activeCache.intrinsicSize() : 0;
}

/** wink's cache factory, wrapped so that its caches' look-ups see the lexicon only. */
export function lexiconOnlyCaches(createCache: CacheFactory): CacheFactory {
  return (...args: unknown[]) => {
    const cache = createCache(...args);
    activeCache = cache;
    const { lookup, add } = cache;
    const intrinsic = cache.intrinsicSize();
    // Adding a word looks it up again (for its features): those look-ups see everything.
    let adding = false;
    cache.add = (...addArgs: unknown[]) => {
      adding = true;
      try {
        return add(...addArgs);
      } finally {
        adding = false;
      }
    };
    cache.lookup = (text: string) => {
      const found = lookup(text);
      // Only once loaded: building wink's automata looks up a symbolic out-of-lexicon token.
      const tokenizing = lexiconOnly && !adding;
      return tokenizing && found && found.length === 1 && (found[0] as number) >= intrinsic
        ? null
        : found;
    };
    return cache;
  };
}
