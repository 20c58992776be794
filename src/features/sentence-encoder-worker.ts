/**
 * The thread that runs the Universal Sentence Encoder (see sentence-encoder.ts), keeping
 * encoding off the caller's event loop, on the fastest engine installed
 * (sentence-encoder-engines.ts).
 */
import { fastestEncoder, type Encoder, type Precision } from './sentence-encoder-engines.js';
import { encodableText } from './sentence-encoder-packs.js';

/** The encoders, each loaded on first use (importing this module costs nothing). */
const encoders = new Map<Precision, Promise<Encoder>>();

export interface EmbedTask {
  texts: readonly string[];
  precision: Precision;
}

export default async function embed({ texts, precision }: EmbedTask): Promise<Float32Array[]> {
  let encoder = encoders.get(precision);
  if (!encoder) encoders.set(precision, (encoder = fastestEncoder(precision)));
  const { embed } = await encoder;
  return embed(texts.map(encodableText));
}
