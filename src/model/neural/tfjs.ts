/**
 * Training of the BiLSTM encoder and its heads with TensorFlow.js on the WebAssembly backend
 * (single-threaded, so that a seed gives the same weights on every machine). The cell is
 * written out with tfjs-core ops, so its weights come out in the layout that bilstm.ts runs.
 * Dropout masks come from our seeded generator rather than tfjs's, for the same reason.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BiLstmWeights, LstmWeights } from './bilstm.js';

let backendReady: Promise<void> | undefined;

/** Start the WebAssembly backend once per process. */
export function readyBackend(): Promise<void> {
  backendReady ??= (async () => {
    setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

interface LstmVariables {
  kernel: tf.Variable;
  recurrent: tf.Variable;
  bias: tf.Variable;
}

export interface BiLstmVariables {
  inputs: number;
  hidden: number;
  forward: LstmVariables;
  backward: LstmVariables;
}

/** Glorot-uniform values from a seeded generator. */
export function glorot(rows: number, columns: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (rows + columns));
  return Float32Array.from({ length: rows * columns }, () => (random() * 2 - 1) * limit);
}

export function createBiLstm(
  inputs: number,
  hidden: number,
  random: () => number,
): BiLstmVariables {
  const lstm = (): LstmVariables => {
    const bias = new Float32Array(4 * hidden);
    bias.fill(1, hidden, 2 * hidden); // forget gates start open
    return {
      kernel: tf.variable(tf.tensor2d(glorot(inputs, 4 * hidden, random), [inputs, 4 * hidden])),
      recurrent: tf.variable(tf.tensor2d(glorot(hidden, 4 * hidden, random), [hidden, 4 * hidden])),
      bias: tf.variable(tf.tensor1d(bias)),
    };
  };
  return { inputs, hidden, forward: lstm(), backward: lstm() };
}

export function bilstmVariableList(v: BiLstmVariables): tf.Variable[] {
  return [v.forward, v.backward].flatMap((d) => [d.kernel, d.recurrent, d.bias]);
}

/** The variables' current values in the run-time layout. */
export function exportBiLstm(v: BiLstmVariables): BiLstmWeights {
  const lstm = (d: LstmVariables): LstmWeights => ({
    kernel: d.kernel.dataSync() as Float32Array,
    recurrent: d.recurrent.dataSync() as Float32Array,
    bias: d.bias.dataSync() as Float32Array,
  });
  return {
    inputs: v.inputs,
    hidden: v.hidden,
    forward: lstm(v.forward),
    backward: lstm(v.backward),
  };
}

function runDirection(
  d: LstmVariables,
  hidden: number,
  x: tf.Tensor3D,
  mask: tf.Tensor3D,
  reverse: boolean,
): tf.Tensor3D {
  const [batch, steps, inputs] = x.shape;
  const projected = tf.reshape(
    tf.add(tf.matMul(tf.reshape(x, [batch * steps, inputs]), d.kernel), d.bias),
    [batch, steps, 4 * hidden],
  );
  const xs = tf.unstack(projected, 1);
  const ms = tf.unstack(mask, 1);
  let h: tf.Tensor2D = tf.zeros([batch, hidden]);
  let c: tf.Tensor2D = tf.zeros([batch, hidden]);
  const outputs: tf.Tensor2D[] = new Array(steps);
  for (let step = 0; step < steps; step++) {
    const t = reverse ? steps - 1 - step : step;
    const z = tf.add(xs[t] as tf.Tensor2D, tf.matMul(h, d.recurrent));
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const m = ms[t] as tf.Tensor2D; // [batch, 1]: padding keeps the state
    const cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    const hNew = tf.mul(tf.sigmoid(o), tf.tanh(cNew));
    c = tf.add(tf.mul(m, cNew), tf.mul(tf.sub(1, m), c));
    h = tf.add(tf.mul(m, hNew), tf.mul(tf.sub(1, m), h));
    outputs[t] = tf.mul(h, m);
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
}

/** Hidden states [batch, steps, 2H]; mask is [batch, steps, 1] with 1 for real tokens. */
export function encode(v: BiLstmVariables, x: tf.Tensor3D, mask: tf.Tensor3D): tf.Tensor3D {
  return tf.concat(
    [
      runDirection(v.forward, v.hidden, x, mask, false),
      runDirection(v.backward, v.hidden, x, mask, true),
    ],
    2,
  );
}

/** Inverted dropout with a mask drawn from the seeded generator. */
export function dropout(x: tf.Tensor, rate: number, random: () => number): tf.Tensor {
  if (rate <= 0) return x;
  const keep = new Float32Array(x.size);
  for (let i = 0; i < keep.length; i++) keep[i] = random() < rate ? 0 : 1 / (1 - rate);
  return tf.mul(x, tf.tensor(keep, x.shape));
}

/**
 * Batches of items of similar length (less padding), in a seeded random order. Lengths get
 * a little noise so that batches differ between epochs.
 */
export function lengthBatches<T>(
  items: readonly T[],
  length: (item: T) => number,
  size: number,
  random: () => number,
): T[][] {
  const keyed = items.map((item) => ({ item, key: length(item) + random() * 4 }));
  keyed.sort((a, b) => a.key - b.key);
  const batches: T[][] = [];
  for (let k = 0; k < keyed.length; k += size)
    batches.push(keyed.slice(k, k + size).map((e) => e.item));
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [batches[i], batches[j]] = [batches[j] as T[], batches[i] as T[]];
  }
  return batches;
}

export { tf };
