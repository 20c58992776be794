/**
 * A review shown in place of the model's spans: the API's reviewed analyses and the web UI's
 * draft both go through here, so they look the same. Only type imports and the catalogue
 * (self-contained), so the browser bundle can use it too.
 */
import { techniqueByLabel } from './techniques/catalogue.js';
import type { Analysis, ReviewedSpan, ShownAnalysis, ShownSpan } from './types.js';

/**
 * The analysis with `spans` (in their order, so indices match) as its spans. A person's call
 * carries no model confidence (null, shown as "reviewed") and no cues; span and technique
 * counts follow the review, while the sentence and document scores stay the model's. In a
 * `draft` (a review not saved yet), a span left as the analysis had it (same offsets and
 * techniques, not accepted) is nobody's call yet and stays as it was; saving makes every
 * span the reviewer's.
 */
export function withReviewedSpans(
  text: string,
  analysis: Analysis | ShownAnalysis,
  spans: readonly ReviewedSpan[],
  { draft = false } = {},
): ShownAnalysis {
  const chars = Array.from(text);
  const shown = spans.map(
    (s): ShownSpan =>
      (draft ? untouched(s, analysis.spans) : undefined) ?? {
        start: s.start,
        end: s.end,
        text: chars.slice(s.start, s.end).join(''),
        confidence: null,
        techniques: s.techniques.map((technique) => {
          const { id, name } = techniqueByLabel(technique)!; // the store checked the labels
          return { technique, id, name, confidence: null };
        }),
        cues: [],
      },
  );
  const techniqueCounts = { ...analysis.document.techniqueCounts };
  for (const label of Object.keys(techniqueCounts) as (keyof typeof techniqueCounts)[])
    techniqueCounts[label] = 0;
  for (const s of spans) for (const t of s.techniques) techniqueCounts[t]++;
  const { words } = analysis.document;
  return {
    ...analysis,
    spans: shown,
    document: {
      ...analysis.document,
      spans: spans.length,
      density: words === 0 ? 0 : Math.round((10_000 * spans.length) / words) / 100,
      techniqueCounts,
    },
  };
}

/** The analysis's own span that `span` leaves untouched, if any. */
function untouched(span: ReviewedSpan, spans: readonly ShownSpan[]): ShownSpan | undefined {
  if (span.accepted) return undefined;
  return spans.find(
    (s) =>
      s.start === span.start &&
      s.end === span.end &&
      s.techniques.length === span.techniques.length &&
      s.techniques.every((t, k) => t.technique === span.techniques[k]),
  );
}
