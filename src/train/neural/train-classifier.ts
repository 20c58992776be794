/** Training of the neural technique classifier (see classifier.ts) in TensorFlow.js. */
import { seededRandom } from '../random.js';
import {
  logLinear,
  spanWindow,
  windowInputs,
  type ClassifierSpan,
  type NeuralClassifierWeights,
} from '../../detect/neural/classifier.js';
import {
  bilstmVariableList,
  createBiLstm,
  dropout,
  encode,
  exportBiLstm,
  fitEpochs,
  glorot,
  readyBackend,
  tf,
  type EpochOptions,
  type Trained,
} from './tfjs.js';

export interface ClassifierTrainingArticle {
  x: Float32Array;
  spans: readonly (ClassifierSpan & { label: number })[];
}

export async function trainNeuralClassifier(
  articles: readonly ClassifierTrainingArticle[],
  inputs: number,
  classes: number,
  options: EpochOptions<NeuralClassifierWeights>,
): Promise<Trained<NeuralClassifierWeights>> {
  await readyBackend();
  const random = seededRandom(options.seed);
  const H = options.hidden;
  const encoder = createBiLstm(inputs + 1, H, random);
  const head = tf.variable(tf.tensor2d(glorot(4 * H, classes, random), [4 * H, classes]));
  const headBias = tf.variable(tf.zeros([classes]));
  const mix = tf.variable(tf.eye(classes));
  return fitEpochs({
    items: articles.flatMap((a) => {
      const tokens = a.x.length / inputs;
      return tokens === 0 ? [] : a.spans.map((s) => ({ a, s, win: spanWindow(s, tokens) }));
    }),
    length: (item) => item.win.to - item.win.from,
    options,
    random,
    variables: [...bilstmVariableList(encoder), head, headBias, mix],
    weights: () => ({
      classes,
      encoder: exportBiLstm(encoder),
      head: head.dataSync() as Float32Array,
      headBias: headBias.dataSync() as Float32Array,
      mix: mix.dataSync() as Float32Array,
    }),
    loss: (batch) => {
      const steps = batch[0]!.win.to - batch[0]!.win.from;
      const x = new Float32Array(batch.length * steps * (inputs + 1));
      const inside = new Float32Array(batch.length * steps);
      const linear = new Float32Array(batch.length * classes);
      const labels = new Int32Array(batch.length);
      batch.forEach((item, row) => {
        windowInputs(item.a.x, inputs, item.win, x, row * steps * (inputs + 1));
        for (let t = 0; t < steps; t++) {
          const token = item.win.from + t;
          inside[row * steps + t] = token >= item.win.first && token < item.win.last ? 1 : 0;
        }
        for (let k = 0; k < classes; k++) linear[row * classes + k] = logLinear(item.s.linear, k);
        labels[row] = item.s.label;
      });
      const xt = tf.tensor3d(x, [batch.length, steps, inputs + 1]);
      const it = tf.tensor3d(inside, [batch.length, steps, 1]);
      const states = encode(encoder, dropout(xt, options.dropout, random) as tf.Tensor3D);
      // Mean and max of the states over the span's tokens.
      const mean = tf.div(tf.sum(tf.mul(states, it), 1), tf.maximum(tf.sum(it, 1), 1));
      const max = tf.max(tf.add(states, tf.mul(tf.sub(it, 1), 1e4)), 1);
      const pooled = dropout(tf.concat([mean, max], 1), options.dropout, random);
      const logits = tf.add(
        tf.add(tf.matMul(pooled as tf.Tensor2D, head), headBias),
        tf.matMul(tf.tensor2d(linear, [batch.length, classes]), mix),
      );
      const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
      return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
    },
  });
}
