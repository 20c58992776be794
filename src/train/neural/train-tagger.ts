/** Training of the neural span tagger (see tagger.ts) in TensorFlow.js. */
import { seededRandom } from '../random.js';
import type { NeuralTaggerWeights } from '../../detect/neural/tagger.js';
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

export interface TaggerTrainingArticle {
  /** [tokens x inputs] */
  x: Float32Array;
  /** 1 inside a gold span */
  labels: Uint8Array;
  pieces: readonly (readonly [number, number])[];
}

interface Piece {
  article: TaggerTrainingArticle;
  start: number;
  end: number;
}

export async function trainNeuralTagger(
  articles: readonly TaggerTrainingArticle[],
  inputs: number,
  options: EpochOptions<NeuralTaggerWeights>,
): Promise<Trained<NeuralTaggerWeights>> {
  await readyBackend();
  const random = seededRandom(options.seed);
  const H = options.hidden;
  const encoder = createBiLstm(inputs, H, random);
  const output = tf.variable(tf.tensor2d(glorot(2 * H, 1, random), [2 * H, 1]));
  const outputBias = tf.variable(tf.scalar(0));
  return fitEpochs({
    items: articles.flatMap((article) =>
      article.pieces.map(([start, end]): Piece => ({ article, start, end })),
    ),
    length: (p) => p.end - p.start,
    options,
    random,
    variables: [...bilstmVariableList(encoder), output, outputBias],
    weights: () => ({
      encoder: exportBiLstm(encoder),
      output: output.dataSync() as Float32Array,
      outputBias: (outputBias.dataSync() as Float32Array)[0] as number,
    }),
    loss: (batch) => {
      const steps = (batch[0] as Piece).end - (batch[0] as Piece).start;
      const x = new Float32Array(batch.length * steps * inputs);
      const y = new Float32Array(batch.length * steps);
      batch.forEach((p, row) => {
        x.set(p.article.x.subarray(p.start * inputs, p.end * inputs), row * steps * inputs);
        y.set(p.article.labels.subarray(p.start, p.end), row * steps);
      });
      const input = dropout(tf.tensor3d(x, [batch.length, steps, inputs]), options.dropout, random);
      const states = dropout(encode(encoder, input as tf.Tensor3D), options.dropout, random);
      const z = tf.reshape(tf.add(tf.matMul(tf.reshape(states, [-1, 2 * H]), output), outputBias), [
        batch.length,
        steps,
      ]);
      // Binary cross-entropy on logits.
      const labels = tf.tensor2d(y, [batch.length, steps]);
      const loss = tf.add(
        tf.sub(tf.relu(z), tf.mul(z, labels)),
        tf.log1p(tf.exp(tf.neg(tf.abs(z)))),
      );
      return tf.mean(loss) as tf.Scalar;
    },
  });
}
