/** What `analyze` returns. Offsets are code points, half-open: `start` inclusive, `end` exclusive. */
import type { TechniqueId, TechniqueLabel } from '../techniques/catalogue.js';

export interface Cue {
  /** Plain words, e.g. `the word "traitors"`. */
  readonly text: string;
  /** Which model weighed it: the span tagger or the technique classifier. */
  readonly source: 'span' | 'technique';
  /** Its weight in the decision (log-odds). */
  readonly weight: number;
  /** For a word of the span: its code-point offsets in the article. */
  readonly start?: number;
  readonly end?: number;
}

export interface SpanTechnique {
  readonly technique: TechniqueLabel;
  readonly id: TechniqueId;
  readonly name: string;
  /** Calibrated probability that the span shows this technique. */
  readonly confidence: number;
}

export interface DetectedSpan {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Calibrated probability that the span is propaganda at all. */
  readonly confidence: number;
  /** One or more techniques, most likely first. */
  readonly techniques: readonly SpanTechnique[];
  readonly cues: readonly Cue[];
}

export interface SentenceScore {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /**
   * How much of the sentence is propaganda, 0 to 1: the share of its characters inside
   * highlighted phrases, each weighted by the confidence of its first technique.
   */
  readonly score: number;
  readonly spans: number;
}

export interface DocumentScore {
  /** Mean sentence score: how much of the article is propaganda, 0 to 1. */
  readonly score: number;
  readonly spans: number;
  readonly words: number;
  /** Spans per 100 words. */
  readonly density: number;
  readonly techniqueCounts: Readonly<Record<TechniqueLabel, number>>;
}

export interface Analysis {
  readonly offsetUnit: 'codepoint';
  /** The model: `sm`, `md` or `lg` as shipped, or a trained model's own name; its version. */
  readonly model: { readonly name: string; readonly version: string };
  /** Length of the text in code points. */
  readonly length: number;
  readonly title: string | undefined;
  readonly spans: readonly DetectedSpan[];
  readonly sentences: readonly SentenceScore[];
  readonly document: DocumentScore;
  readonly timing: { readonly milliseconds: number };
}
