/** Training of the neural technique classifier (see classifier.ts) in TensorFlow.js. */
import { seededRandom } from '../random.js';
import {
  logLinear,
  spanWindow,
  windowInputs,
  type ClassifierSpan,
  type NeuralClassifierWeights,
} from './classifier.js';
import {
  bilstmVariableList,
  createBiLstm,
  dropout,
  encode,
  exportBiLstm,
  glorot,
  lengthBatches,
  readyBackend,
  tf,
} from './tfjs.js';

export interface ClassifierTrainingArticle {
  x: Float32Array;
  spans: readonly (ClassifierSpan & { label: number })[];
}

export interface NeuralClassifierTrainOptions {
  hidden: number;
  epochs: number;
  learningRate: number;
  dropout: number;
  batchSize: number;
  seed: number;
  score: (weights: NeuralClassifierWeights, epoch: number) => number;
  onProgress?: (done: number, total: number) => void;
}

export async function trainNeuralClassifier(
  articles: readonly ClassifierTrainingArticle[],
  inputs: number,
  classes: number,
  options: NeuralClassifierTrainOptions,
): Promise<{ weights: NeuralClassifierWeights; epoch: number; score: number }> {
  await readyBackend();
  const random = seededRandom(options.seed);
  const H = options.hidden;
  const encoder = createBiLstm(inputs + 1, H, random);
  const head = tf.variable(tf.tensor2d(glorot(4 * H, classes, random), [4 * H, classes]));
  const headBias = tf.variable(tf.zeros([classes]));
  const mix = tf.variable(tf.eye(classes));
  const variables = [...bilstmVariableList(encoder), head, headBias, mix];
  const optimizer = tf.train.adam(options.learningRate);
  const items = articles.flatMap((a) => {
    const tokens = a.x.length / inputs;
    return tokens === 0 ? [] : a.spans.map((s) => ({ a, s, win: spanWindow(s, tokens) }));
  });
  const current = (): NeuralClassifierWeights => ({
    classes,
    encoder: exportBiLstm(encoder),
    head: head.dataSync() as Float32Array,
    headBias: headBias.dataSync() as Float32Array,
    mix: mix.dataSync() as Float32Array,
  });
  let best = { weights: current(), epoch: 0, score: -Infinity };
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const batches = lengthBatches(items, (i) => i.win.to - i.win.from, options.batchSize, random);
    batches.forEach((batch, b) => {
      const steps = Math.max(...batch.map((i) => i.win.to - i.win.from));
      const x = new Float32Array(batch.length * steps * (inputs + 1));
      const inside = new Float32Array(batch.length * steps);
      const linear = new Float32Array(batch.length * classes);
      const labels = new Int32Array(batch.length);
      batch.forEach((item, row) => {
        windowInputs(item.a.x, inputs, item.win, x, row * steps * (inputs + 1));
        for (let t = 0; t < item.win.to - item.win.from; t++) {
          const token = item.win.from + t;
          inside[row * steps + t] = token >= item.win.first && token < item.win.last ? 1 : 0;
        }
        for (let k = 0; k < classes; k++) linear[row * classes + k] = logLinear(item.s.linear, k);
        labels[row] = item.s.label;
      });
      tf.tidy(() => {
        const xt = tf.tensor3d(x, [batch.length, steps, inputs + 1]);
        const it = tf.tensor3d(inside, [batch.length, steps, 1]);
        const lt = tf.tensor2d(linear, [batch.length, classes]);
        const yt = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
        optimizer.minimize(
          () => {
            const states = encode(encoder, dropout(xt, options.dropout, random) as tf.Tensor3D);
            const mean = tf.div(tf.sum(tf.mul(states, it), 1), tf.maximum(tf.sum(it, 1), 1));
            const max = tf.max(tf.add(states, tf.mul(tf.sub(it, 1), 1e4)), 1);
            const pooled = dropout(tf.concat([mean, max], 1), options.dropout, random);
            const logits = tf.add(
              tf.add(tf.matMul(pooled as tf.Tensor2D, head), headBias),
              tf.matMul(lt, mix),
            );
            return tf.losses.softmaxCrossEntropy(yt, logits) as tf.Scalar;
          },
          false,
          variables,
        );
      });
      options.onProgress?.((epoch - 1) * batches.length + b + 1, options.epochs * batches.length);
    });
    const weights = current();
    const score = options.score(weights, epoch);
    if (score > best.score) best = { weights, epoch, score };
  }
  tf.dispose(variables);
  optimizer.dispose();
  return best;
}
