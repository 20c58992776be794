/**
 * Shapes of the Spinscope HTTP API (`/api/v1/`), from the library's types-only entry
 * (src/types.ts, published as `spinscope/types`): one definition for server and UI. All
 * offsets count Unicode code points.
 */
export type {
  Analysis,
  AnalysisList,
  AnalysisRecord,
  AnalysisSummary,
  ApiErrorBody,
  Cue,
  DocumentScore,
  ModelInfo,
  Review,
  ReviewedSpan,
  ReviewState,
  SentenceScore,
  ShownTechnique as SpanTechnique,
  ShownSpan as Span,
  Technique as CatalogueTechnique,
  TechniqueLabel,
  TechniqueStats as Stats,
} from '../../src/types.js';
