/**
 * The thread that runs the Universal Sentence Encoder (see sentence-encoder.ts), keeping
 * encoding off the caller's event loop, on the fastest engine installed
 * (sentence-encoder-engines.ts).
 */
import { fastestEncoder } from './sentence-encoder-engines.js';

let encoder: ReturnType<typeof fastestEncoder> | undefined;
/** The encoder, loaded on first use (importing this module costs nothing). */
const loaded = () => (encoder ??= fastestEncoder());

export default async function embed(texts: readonly string[]): Promise<Float32Array[]> {
  const { embed } = await loaded();
  // The encoder needs at least one piece: an empty text reads as a space.
  return embed(texts.map((text) => (text.trim() === '' ? ' ' : text)));
}
