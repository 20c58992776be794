/**
 * The neural stage of `md` and `lg` (detect/neural/): BiLSTM taggers refine the linear
 * stage's token probabilities, and in `md` a BiLSTM span classifier refines its
 * technique probabilities. Both read the same token inputs, computed once per article.
 */
import { WordVectors } from '../../features/vectors.js';
import { NeuralStack } from '../neural/neural-stack.js';
import {
  fromStageBefore,
  type Stage,
  type StagePlugin,
  type StageSource,
  type TokenStage,
} from '../stage.js';

export const neural: StagePlugin = {
  name: 'neural',
  load: (source) => neuralStages(neuralStack(source)),
};

/** The neural networks of a model file, with the word vectors they read. */
export function neuralStack({ header, tensors, sideFile }: StageSource): NeuralStack {
  const part = header.neural;
  if (!part) throw new Error('the neural stage needs the header part `neural`');
  const vectors = WordVectors.decode(sideFile(part.vectors, 'word vectors'), part.vectors.file);
  return NeuralStack.fromTensors(part, tensors, vectors);
}

export function neuralStages(stack: NeuralStack): Stage[] {
  const tagger: TokenStage = {
    kind: 'token',
    tokenProbabilities: (article, linear) =>
      stack.tokenProbabilitiesFastest(article.ctx, fromStageBefore(linear, 'neural')),
  };
  if (!stack.classifier) return [tagger];
  return [
    tagger,
    {
      kind: 'technique',
      // The token inputs read the linear tagger's probabilities: those the neural tagger reads.
      techniqueProbabilities: (article, spans, linear) =>
        stack.techniqueProbabilitiesFastest(
          article.ctx,
          spans,
          fromStageBefore(linear, 'neural'),
          () => fromStageBefore(article.tokensBefore(tagger), 'neural'),
        ),
    },
  ];
}
