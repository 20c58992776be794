/** Training of the neural span tagger (see tagger.ts) in TensorFlow.js. */
import { seededRandom } from '../random.js';
import type { NeuralTaggerWeights } from './tagger.js';
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

export interface TaggerTrainingArticle {
  /** [tokens x inputs] */
  x: Float32Array;
  /** 1 inside a gold span */
  labels: Uint8Array;
  pieces: readonly (readonly [number, number])[];
}

export interface NeuralTrainOptions {
  hidden: number;
  epochs: number;
  learningRate: number;
  dropout: number;
  batchSize: number;
  seed: number;
  /** Score the weights after an epoch (higher is better); the best epoch's weights are kept. */
  score: (weights: NeuralTaggerWeights, epoch: number) => number;
  onProgress?: (done: number, total: number) => void;
}

interface Piece {
  article: TaggerTrainingArticle;
  start: number;
  end: number;
}

export async function trainNeuralTagger(
  articles: readonly TaggerTrainingArticle[],
  inputs: number,
  options: NeuralTrainOptions,
): Promise<{ weights: NeuralTaggerWeights; epoch: number; score: number }> {
  await readyBackend();
  const random = seededRandom(options.seed);
  const encoder = createBiLstm(inputs, options.hidden, random);
  const output = tf.variable(
    tf.tensor2d(glorot(2 * options.hidden, 1, random), [2 * options.hidden, 1]),
  );
  const outputBias = tf.variable(tf.scalar(0));
  const variables = [...bilstmVariableList(encoder), output, outputBias];
  const optimizer = tf.train.adam(options.learningRate);
  const pieces: Piece[] = articles.flatMap((article) =>
    article.pieces.map(([start, end]) => ({ article, start, end })),
  );
  const current = (): NeuralTaggerWeights => ({
    encoder: exportBiLstm(encoder),
    output: output.dataSync() as Float32Array,
    outputBias: (outputBias.dataSync() as Float32Array)[0] as number,
  });
  let best = { weights: current(), epoch: 0, score: -Infinity };
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const batches = lengthBatches(pieces, (p) => p.end - p.start, options.batchSize, random);
    batches.forEach((batch, b) => {
      const steps = (batch[0] as Piece).end - (batch[0] as Piece).start;
      const x = new Float32Array(batch.length * steps * inputs);
      const y = new Float32Array(batch.length * steps);
      batch.forEach((p, row) => {
        x.set(p.article.x.subarray(p.start * inputs, p.end * inputs), row * steps * inputs);
        y.set(p.article.labels.subarray(p.start, p.end), row * steps);
      });
      tf.tidy(() => {
        const xt = tf.tensor3d(x, [batch.length, steps, inputs]);
        const yt = tf.tensor2d(y, [batch.length, steps]);
        optimizer.minimize(
          () => {
            const input = dropout(xt, options.dropout, random) as tf.Tensor3D;
            const states = dropout(encode(encoder, input), options.dropout, random);
            const z = tf.reshape(
              tf.add(tf.matMul(tf.reshape(states, [-1, 2 * options.hidden]), output), outputBias),
              [batch.length, steps],
            );
            // Binary cross-entropy on logits.
            const loss = tf.add(
              tf.sub(tf.relu(z), tf.mul(z, yt)),
              tf.log1p(tf.exp(tf.neg(tf.abs(z)))),
            );
            return tf.mean(loss) as tf.Scalar;
          },
          false,
          variables,
        );
      });
      // Every epoch has the same number of batches: one set per length.
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
