/**
 * Browser twin of features/sentence-encoder.ts, whose encoder runs in Node's threads: in a
 * browser the worker hands `lg` its encoder instead (browser/load-encoder.ts, onnxruntime-web);
 * what stages read of sentence vectors is the same module as on Node.
 */
export * from '../../features/sentence-vectors.js';

export const SentenceEncoder = {
  load(): never {
    throw new Error('in a browser, the sentence encoder comes from browser/load-encoder.ts');
  },
};
