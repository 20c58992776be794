/**
 * The three corpus tasks on one article, as SemEval label lines: SI (spans), TC (a
 * technique for each template span) and the full task (spans with techniques).
 */
import type { SpanLabel, TechniqueSpanLabel } from '../formats/labels.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import type { TextSpan } from '../text/document.js';
import type { ArticleContext } from '../features/context.js';
import { toTextSpan, type Detector, type FoundSpan } from './detector.js';
import { topClasses } from './technique-decision.js';

export async function predictSi(
  detector: Detector,
  ctx: ArticleContext,
  articleId: string,
): Promise<SpanLabel[]> {
  await detector.prepare(ctx);
  return detector.findSpans(ctx).map((s) => ({ articleId, ...toTextSpan(ctx.doc, s) }));
}

/**
 * Label the template's spans. A span listed k times (a multi-label span) gets its k most
 * likely distinct techniques, so identical offsets never repeat a label.
 */
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
    const ranked = topClasses(probabilities[group[0] as number] as Float64Array, group.length);
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
  await detector.prepare(ctx, template);
  return labelTemplate(detector.classify(ctx, template), template, articleId);
}

export function fullTaskLabels(
  detector: Detector,
  found: readonly FoundSpan[],
  articleId: string,
): TechniqueSpanLabel[] {
  return found.flatMap((span) =>
    detector.techniquesOf(span).map((t) => ({
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
  return fullTaskLabels(detector, await detector.detect(ctx), articleId);
}
