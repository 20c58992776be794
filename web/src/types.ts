/** Shapes of the Spinscope HTTP API (`/api/v1/`). All offsets count Unicode code points. */

export interface ModelInfo {
  name: string;
  version: string;
}

export interface SpanTechnique {
  /** Corpus label, e.g. "Loaded_Language". */
  technique: string;
  id: string;
  name: string;
  confidence: number;
}

export interface Cue {
  text: string;
  source: 'span' | 'technique';
  weight: number;
}

export interface Span {
  start: number;
  end: number;
  text: string;
  confidence: number;
  /** One or two, best first. */
  techniques: SpanTechnique[];
  cues: Cue[];
}

export interface SentenceScore {
  index: number;
  start: number;
  end: number;
  text: string;
  score: number;
  spans: number;
}

export interface DocumentScore {
  score: number;
  spans: number;
  words: number;
  density: number;
  techniqueCounts: Record<string, number>;
}

export interface Analysis {
  offsetUnit: 'codepoint';
  model: ModelInfo;
  length: number;
  title?: string | undefined;
  spans: Span[];
  sentences: SentenceScore[];
  document: DocumentScore;
  timing: { milliseconds: number };
}

export interface AnalysisRecord {
  id: string;
  cached: boolean;
  contentHash: string;
  source: string | null;
  title: string | null;
  date: string | null;
  createdAt: string;
  text: string;
  analysis: Analysis;
}

export interface AnalysisSummary {
  id: string;
  source: string | null;
  title: string | null;
  date: string | null;
  createdAt: string;
  score: number;
  spans: number;
  techniqueCounts: Record<string, number>;
  /** Full-text search only: matches are between « and ». */
  snippet?: string;
}

export interface AnalysisList {
  total: number;
  items: AnalysisSummary[];
}

export interface Stats {
  bySource: { source: string; technique: string; count: number }[];
  overTime: { period: string; technique: string; count: number }[];
  sources: { source: string; count: number }[];
}

export interface CatalogueTechnique {
  id: string;
  /** Corpus label, e.g. "Loaded_Language". */
  label: string;
  name: string;
  explanation: string;
  example: string;
  exampleSpan: string;
  /** "#rrggbb", readable behind #111 text. */
  color: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; statusCode: number };
}
