/** What `analyze` returns. Offsets are code points, half-open: `start` inclusive, `end` exclusive. */
import type { TechniqueId, TechniqueLabel } from '../techniques/catalogue.js';

/**
 * What a technique's confidence means, in one line for readers (web UI, exports, CLI): the
 * technique calibration is fitted to this outcome (train/train.ts, fitDecisions).
 */
export const CONFIDENCE_MEANING =
  'The percentage is how often highlights this sure are right: how many in 100 overlap a phrase that trained annotators gave the same technique.';

/**
 * The confidence from which readers are shown a technique by default (the web UI's slider,
 * the CLI's text output): the threshold of the best F0.5 out of fold, where precision counts
 * twice as much as recall, across the shipped models (models/{sm,md,lg}/card.md). "Show all" shows
 * every one, as the API and the JSON output do.
 */
export const READER_MIN_CONFIDENCE = 0.2;

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
   * How likely the sentence holds at least one phrase annotators would give a technique, 0 to
   * 1: 1 − Π(1 − confidence) over the phrases that touch it (each phrase's first technique).
   */
  readonly score: number;
  readonly spans: number;
}

export interface DocumentScore {
  /**
   * Mean sentence score, 0 to 1: the share of the article's sentences expected to hold a
   * propaganda technique. It ranks articles: one written as propaganda scores far above news.
   */
  readonly score: number;
  /** Phrases found, whatever the threshold. */
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
