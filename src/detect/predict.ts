/**
 * The three corpus tasks on one article, as SemEval label lines: SI (spans), TC (a
 * technique for each template span) and the full task (spans with techniques).
 */
import type { SpanLabel, TechniqueSpanLabel } from '../formats/labels.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import type { TextSpan } from '../text/document.js';
import type { ArticleContext } from '../features/context.js';
import { labelDecisionOf } from './model-header.js';
import { toTextSpan, type Detector, type FoundSpan } from './detector.js';
import { decideTechniques, templateTechniques, type LabelDecision } from './technique-decision.js';

export async function predictSi(
  detector: Detector,
  ctx: ArticleContext,
  articleId: string,
): Promise<SpanLabel[]> {
  return (await detector.findSpans(ctx)).map((s) => ({ articleId, ...toTextSpan(ctx.doc, s) }));
}

/** Label the template's spans; a span listed k times gets k techniques (templateTechniques). */
export function labelTemplate(
  probabilities: readonly Float64Array[],
  spans: readonly TextSpan[],
  articleId: string,
): TechniqueSpanLabel[] {
  const groups = new Map<string, number[]>();
  spans.forEach((s, i) => {
    const key = `${s.cpStart}:${s.cpEnd}`;
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
  });
  const labels: TechniqueSpanLabel[] = new Array(spans.length);
  for (const group of groups.values()) {
    const ranked = templateTechniques(
      probabilities[group[0] as number] as Float64Array,
      group.length,
    );
    group.forEach((i, k) => {
      const span = spans[i] as TextSpan;
      labels[i] = {
        articleId,
        technique: TECHNIQUE_LABELS[ranked[k] as number] as TechniqueLabel,
        cpStart: span.cpStart,
        cpEnd: span.cpEnd,
      };
    });
  }
  return labels;
}

export async function predictTc(
  detector: Detector,
  ctx: ArticleContext,
  articleId: string,
  template: readonly TextSpan[],
): Promise<TechniqueSpanLabel[]> {
  return labelTemplate(await detector.classify(ctx, template), template, articleId);
}

/** Found spans with their chosen techniques (steps 5–6 of technique-decision.ts). */
export function fullTaskLabels(
  decision: LabelDecision,
  found: readonly FoundSpan[],
  articleId: string,
): TechniqueSpanLabel[] {
  return found.flatMap((span) =>
    decideTechniques(span.confidence, span.probabilities, decision).map((t) => ({
      articleId,
      technique: TECHNIQUE_LABELS[t.index] as TechniqueLabel,
      cpStart: span.cpStart,
      cpEnd: span.cpEnd,
    })),
  );
}

export async function predictFull(
  detector: Detector,
  ctx: ArticleContext,
  articleId: string,
): Promise<TechniqueSpanLabel[]> {
  return fullTaskLabels(labelDecisionOf(detector.header), await detector.detect(ctx), articleId);
}
