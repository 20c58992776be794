/**
 * The shapes of Spinscope's results and of its HTTP API, types only: what the web UI and
 * other clients import (`spinscope/types`) without loading any of the library. All offsets
 * count Unicode code points, half-open.
 */
import type { Analysis, DetectedSpan, SpanTechnique } from './detect/analysis.js';
import type { TechniqueLabel } from './techniques/catalogue.js';

export type {
  Analysis,
  Cue,
  DetectedSpan,
  DocumentScore,
  SentenceScore,
  SpanTechnique,
} from './detect/analysis.js';
export type { Technique, TechniqueId, TechniqueLabel } from './techniques/catalogue.js';

/** What identifies and describes a stored analysis, full record and summary alike. */
export interface AnalysisMeta {
  id: string;
  contentHash: string;
  modelName: string;
  modelVersion: string;
  source: string | null;
  title: string | null;
  date: string | null;
  /** ISO 8601 timestamp of the first save. */
  createdAt: string;
}

export interface StoredAnalysis extends AnalysisMeta {
  durationMs: number | null;
  text: string;
  analysis: Analysis;
}

export interface AnalysisSummary extends AnalysisMeta {
  /** `analysis.document.score`. */
  score: number;
  /** Number of spans. */
  spans: number;
  /** Spans per technique (a span with two techniques counts for both). */
  techniqueCounts: Record<TechniqueLabel, number>;
  /** Best-matching passage, matches between SNIPPET_OPEN and SNIPPET_CLOSE; only when searching. */
  snippet?: string;
  /** Someone has saved a review of it. */
  reviewed: boolean;
}

/** A span as a person reviewed it: code-point offsets, half-open, and its techniques. */
export interface ReviewedSpan {
  start: number;
  end: number;
  techniques: TechniqueLabel[];
  /** True: the reviewer confirmed it as the model had it; false: corrected or added. */
  accepted?: boolean;
}

/** A saved review: who, when, and the spans (never the model's own, which stay as they were). */
export interface Review {
  analysisId: string;
  reviewer: string | null;
  reviewedAt: string;
  spans: ReviewedSpan[];
}

/** The current review of an analysis and the ones it replaced, newest first. */
export interface ReviewState {
  review: Review | null;
  history: { reviewer: string | null; reviewedAt: string; spans: number }[];
}

/** A technique of a shown span: the model's confidence, or null when a person put it there. */
export interface ShownTechnique extends Omit<SpanTechnique, 'confidence'> {
  readonly confidence: number | null;
}

/** A span as the API shows it: the model's, or a reviewer's (confidences null, no cues). */
export interface ShownSpan extends Omit<DetectedSpan, 'confidence' | 'techniques'> {
  readonly confidence: number | null;
  readonly techniques: readonly ShownTechnique[];
}

/** An analysis as the API shows it: the model's spans, or the review's in their place. */
export interface ShownAnalysis extends Omit<Analysis, 'spans'> {
  readonly spans: readonly ShownSpan[];
}

/** A stored analysis as the API returns it. */
export interface AnalysisRecord extends Omit<StoredAnalysis, 'analysis'> {
  analysis: ShownAnalysis;
  /** True when this article was already analysed by this model (nothing was computed). */
  cached: boolean;
  /** Present when `analysis.spans` are a person's review (by whom, ISO 8601 when). */
  reviewed?: { by: string | null; at: string };
}

/** A page of stored analyses, and how many match in all. */
export interface AnalysisList {
  total: number;
  items: AnalysisSummary[];
}

/** Technique counts for charts (`GET /api/v1/stats`). */
export interface TechniqueStats {
  bySource: { source: string; technique: TechniqueLabel; count: number }[];
  overTime: { period: string; technique: TechniqueLabel; count: number }[];
  sources: { source: string; count: number }[];
}

/** A model's identity, as analyses and `GET /api/v1/health` give it. */
export interface ModelInfo {
  /**
   * `sm`, `md` or `lg` as shipped (`fast` and `accurate` are their former names), or a
   * trained model's own (`train --name`).
   */
  name: string;
  version: string;
}

/** Every error the API answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string; statusCode: number };
}
