/**
 * The linear stage, first in every model: a logistic regression gives each token its
 * probability of lying inside a span (detect/span-tagger.ts), and a multinomial one gives
 * each span its technique probabilities (step 1 of technique-decision.ts), both over hashed
 * features. Its weights also explain a span (detect/cues.ts).
 */
import type { ArticleContext } from '../../features/context.js';
import { addSpanRows, spanContexts } from '../../features/span-rows.js';
import type { SpanContext } from '../../features/span-features.js';
import { SparseRows } from '../../features/sparse.js';
import { TECHNIQUE_LABELS } from '../../techniques/catalogue.js';
import type { TextSpan } from '../../text/document.js';
import { tensorOf } from '../../formats/model-container.js';
import { explainSpan } from '../cues.js';
import { LogisticModel, SoftmaxModel } from '../linear.js';
import { tokenProbabilities } from '../span-tagger.js';
import type { StagePlugin, StageSource, TechniqueStage, TokenStage } from '../stage.js';

export const linear: StagePlugin = {
  name: 'linear',
  load(source) {
    const { tagger, classifier } = linearModels(source);
    return linearStages(tagger, classifier);
  },
};

/** The span tagger and technique classifier of a model file. */
export function linearModels({ header, tensors }: StageSource): {
  tagger: LogisticModel;
  classifier: SoftmaxModel;
} {
  const classes = TECHNIQUE_LABELS.length;
  return {
    tagger: new LogisticModel(
      tensorOf(tensors, 'tagger', 1 << header.tagger.bits),
      header.tagger.bias,
    ),
    classifier: SoftmaxModel.fromClassMajor(
      classes,
      tensorOf(tensors, 'classifier', classes << header.classifier.bits),
      Float32Array.from(header.classifier.biases),
    ),
  };
}

export function linearStages(
  tagger: LogisticModel,
  classifier: SoftmaxModel,
): [TokenStage, TechniqueStage] {
  return [
    { kind: 'token', tokenProbabilities: (article) => tokenProbabilities(tagger, article.ctx) },
    {
      kind: 'technique',
      techniqueProbabilities: (article, spans) =>
        linearTechniqueProbabilities(classifier, article.ctx, spans, article.spanContexts(spans)),
      cues: (article, span, technique) =>
        explainSpan(
          { tagger, classifier },
          article.ctx,
          span,
          spanContexts(article.ctx, [span])[0]!,
          technique,
        ),
    },
  ];
}

/** The linear classifier's technique probabilities of each span. */
export function linearTechniqueProbabilities(
  classifier: SoftmaxModel,
  ctx: ArticleContext,
  spans: readonly TextSpan[],
  contexts: readonly SpanContext[] = spanContexts(ctx, spans),
): Float64Array[] {
  const rows = new SparseRows(spans.length * 400); // a span has a few hundred features
  addSpanRows(ctx, spans, rows, contexts);
  return spans.map((_, i) => classifier.probabilities(rows.row(i)));
}
