/**
 * Training of the BiLSTM encoder and its heads with TensorFlow.js on the WebAssembly backend
 * (single-threaded, so that a seed gives the same weights on every machine). The cell is
 * written out with tfjs-core ops, so its weights come out in the layout that bilstm.ts runs.
 * Dropout masks come from our seeded generator rather than tfjs's, for the same reason.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { shuffle } from '../random.js';
import type { BiLstmWeights, LstmWeights } from '../../detect/neural/bilstm.js';

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
  reverse: boolean,
): tf.Tensor3D {
  const [batch, steps] = x.shape;
  // The input is a constant, so slicing it needs no gradient; projecting each step on its
  // own keeps unstack's gradient (which failed on some batches) out of the tape.
  const xs = tf.unstack(x, 1) as tf.Tensor2D[];
  let h: tf.Tensor2D = tf.zeros([batch, hidden]);
  let c: tf.Tensor2D = tf.zeros([batch, hidden]);
  const outputs: tf.Tensor2D[] = new Array(steps);
  for (let step = 0; step < steps; step++) {
    const t = reverse ? steps - 1 - step : step;
    const z = tf.add(
      tf.add(tf.matMul(xs[t] as tf.Tensor2D, d.kernel), d.bias),
      tf.matMul(h, d.recurrent),
    );
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    outputs[t] = h;
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
}

/**
 * Hidden states [batch, steps, 2H]. Every sequence of a batch has the same length (see
 * lengthBatches), so no step is padding and the cell needs no mask.
 */
export function encode(v: BiLstmVariables, x: tf.Tensor3D): tf.Tensor3D {
  return tf.concat(
    [runDirection(v.forward, v.hidden, x, false), runDirection(v.backward, v.hidden, x, true)],
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
 * Batches of items of one length each (no padding, so no masks), in a seeded random order
 * that changes every epoch.
 */
export function lengthBatches<T>(
  items: readonly T[],
  length: (item: T) => number,
  size: number,
  random: () => number,
): T[][] {
  const byLength = new Map<number, T[]>();
  for (const item of items) {
    const group = byLength.get(length(item)) ?? [];
    group.push(item);
    byLength.set(length(item), group);
  }
  const batches: T[][] = [];
  for (const key of [...byLength.keys()].sort((a, b) => a - b)) {
    const group = shuffle(byLength.get(key) as T[], random);
    for (let k = 0; k < group.length; k += size) batches.push(group.slice(k, k + size));
  }
  return shuffle(batches, random);
}

/** What both networks' training takes. */
export interface EpochOptions<W> {
  hidden: number;
  epochs: number;
  learningRate: number;
  dropout: number;
  batchSize: number;
  seed: number;
  /** Score the weights after an epoch (higher is better); the best epoch's weights are kept. */
  score: (weights: W, epoch: number) => number;
  onProgress?: (done: number, total: number) => void;
}

export interface Trained<W> {
  weights: W;
  epoch: number;
  score: number;
}

/**
 * Adam over batches of equal-length items for some epochs, keeping the weights of the
 * best-scoring epoch. `loss` builds a batch's tensors and loss (inside the optimiser's tidy).
 */
export function fitEpochs<T, W>(run: {
  items: readonly T[];
  length: (item: T) => number;
  options: EpochOptions<W>;
  random: () => number;
  variables: tf.Variable[];
  loss: (batch: T[]) => tf.Scalar;
  weights: () => W;
}): Trained<W> {
  const { options } = run;
  const optimizer = tf.train.adam(options.learningRate);
  let best: Trained<W> = { weights: run.weights(), epoch: 0, score: -Infinity };
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const batches = lengthBatches(run.items, run.length, options.batchSize, run.random);
    batches.forEach((batch, b) => {
      tf.tidy(() => {
        optimizer.minimize(() => run.loss(batch), false, run.variables);
      });
      // Every epoch has the same batches by length, so the same number of them.
      options.onProgress?.((epoch - 1) * batches.length + b + 1, options.epochs * batches.length);
    });
    const weights = run.weights();
    const score = options.score(weights, epoch);
    if (score > best.score) best = { weights, epoch, score };
  }
  tf.dispose(run.variables);
  optimizer.dispose();
  return best;
}

export { tf };
