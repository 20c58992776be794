/**
 * How texts reach the sentence encoder's ONNX graph (sentence-encoder-graph.ts), whichever
 * ONNX Runtime runs it: onnxruntime-node's native kernels on Node
 * (sentence-encoder-engines.ts) or onnxruntime-web's WebAssembly in a browser
 * (browser/load-encoder.ts). Texts become pieces, cut at MAX_PIECES, and are packed end to
 * end with a block attention mask; the graph's inputs for each pack are built here, so that
 * both platforms feed the graph the same numbers. Platform-free.
 */
import type { PieceTokenizer } from './sentence-pieces.js';

/** The encoder reads at most this many pieces of a text (the package's ClipToMaxLength). */
export const MAX_PIECES = 128;
/** Width of the piece embeddings and of the timing signal. */
export const EMBEDDING_WIDTH = 256;
/** Width of a sentence vector, the graph's output. */
const VECTOR_WIDTH = 512;

/**
 * Texts are packed end to end up to this many pieces a call: the matrix products then run
 * over many rows at once (a third faster than one text a call), while attention, which grows
 * with the square of a pack's length, stays a small share.
 */
const PACK_PIECES = 256;

/** The timing signal of positions 0..length-1, [length x 256], as the package computes it. */
export function timingSignal(frequencies: Float32Array, length: number): Float32Array {
  const half = frequencies.length;
  const signal = new Float32Array(length * 2 * half);
  for (let p = 0; p < length; p++)
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * (frequencies[i] as number));
      signal[p * 2 * half + i] = Math.sin(angle);
      signal[p * 2 * half + half + i] = Math.cos(angle);
    }
  return signal;
}

/** The encoder needs at least one piece: an empty or blank text reads as a space. */
export function encodableText(text: string): string {
  return text.trim() === '' ? ' ' : text;
}

/** Consecutive texts' pieces in packs of at most PACK_PIECES (a longer text alone). */
function packs(pieces: readonly number[][]): number[][][] {
  const out: number[][][] = [[]];
  let length = 0;
  for (const text of pieces) {
    if (length + text.length > PACK_PIECES && out.at(-1)!.length > 0) {
      out.push([]);
      length = 0;
    }
    out.at(-1)!.push(text);
    length += text.length;
  }
  return out;
}

/**
 * One pack's inputs, as the graph names them (sentence-encoder-graph.ts): `ids` [1, pieces],
 * `timing` [pieces, 256], `attention` [pieces, pieces], `pooling` [texts, pieces].
 */
export interface PackInputs {
  pieces: number;
  texts: number;
  ids: BigInt64Array;
  timing: Float32Array;
  attention: Float32Array;
  pooling: Float32Array;
}

/** The tensor constructor of an ONNX Runtime (onnxruntime-node's or onnxruntime-web's). */
type TensorOf<T> = new (
  type: 'int64' | 'float32',
  data: BigInt64Array | Float32Array,
  dims: readonly number[],
) => T;

/** A pack's inputs as the graph's feeds, in either runtime's tensors. */
export function packFeeds<T>(Tensor: TensorOf<T>, pack: PackInputs): Record<string, T> {
  return {
    ids: new Tensor('int64', pack.ids, [1, pack.pieces]),
    timing: new Tensor('float32', pack.timing, [pack.pieces, EMBEDDING_WIDTH]),
    attention: new Tensor('float32', pack.attention, [pack.pieces, pack.pieces]),
    pooling: new Tensor('float32', pack.pooling, [pack.texts, pack.pieces]),
  };
}

function packInputs(pack: readonly number[][], timing: Float32Array): PackInputs {
  const total = pack.reduce((n, text) => n + text.length, 0);
  const ids = new BigInt64Array(total);
  const packTiming = new Float32Array(total * EMBEDDING_WIDTH);
  const attention = new Float32Array(total * total).fill(-1e9);
  const pooling = new Float32Array(pack.length * total);
  let start = 0;
  pack.forEach((text, t) => {
    const n = text.length;
    text.forEach((id, i) => (ids[start + i] = BigInt(id)));
    packTiming.set(timing.subarray(0, n * EMBEDDING_WIDTH), start * EMBEDDING_WIDTH);
    for (let i = start; i < start + n; i++) {
      attention.fill(0, i * total + start, i * total + start + n);
      pooling[t * total + i] = 1 / n;
    }
    start += n;
  });
  return { pieces: total, texts: pack.length, ids, timing: packTiming, attention, pooling };
}

/**
 * Texts' vectors, in order, through the graph: `run` runs one pack (its `vectors` output,
 * [texts x 512]); packs run one after another. `frequencies`: the timing signal's
 * (sentence-encoder-graph.ts, `timingFrequencies`).
 */
export function packedEmbed(
  tokenizer: PieceTokenizer,
  frequencies: Float32Array,
  run: (inputs: PackInputs) => Promise<Float32Array>,
): (texts: readonly string[]) => Promise<Float32Array[]> {
  // The timing signal of every position a text can have, computed once.
  const timing = timingSignal(frequencies, MAX_PIECES);
  return async (texts) => {
    const pieces = texts.map((text) => tokenizer.encode(text).slice(0, MAX_PIECES));
    const vectors: Float32Array[] = [];
    for (const pack of packs(pieces)) {
      const out = await run(packInputs(pack, timing));
      for (let t = 0; t < pack.length; t++)
        vectors.push(out.slice(t * VECTOR_WIDTH, (t + 1) * VECTOR_WIDTH));
    }
    return vectors;
  };
}
