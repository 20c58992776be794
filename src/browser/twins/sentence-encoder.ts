/**
 * Browser twin of features/sentence-encoder.ts: the sentence encoder (the `lg` model's) runs
 * in Node's threads and does not run in a browser yet; what stages read of sentence vectors
 * is the same module as on Node.
 */
export * from '../../features/sentence-vectors.js';

export const SentenceEncoder = {
  load(): never {
    throw new Error('the sentence encoder (model lg) does not run in a browser yet');
  },
};
