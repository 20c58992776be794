/**
 * Spinscope's public API. Only what is exported here is for library users; everything
 * else may change without notice. All offsets are code points, half-open.
 */
export { analyze, loadDetector, resolveModelPath, type AnalyzeTextOptions } from './analyze.js';
export {
  CONFIDENCE_MEANING,
  READER_MIN_CONFIDENCE,
  type Analysis,
  type Cue,
  type DetectedSpan,
  type DocumentScore,
  type SentenceScore,
  type SpanTechnique,
} from './detect/analysis.js';
// The Detector's type, for code that holds what loadDetector returns; its class stays internal.
export type { AnalyzeOptions, Detector, FoundSpan } from './detect/detector.js';
export { SpinscopeError, ERROR_CODES, type ErrorCode } from './errors.js';
export { CodePointIndex, codePointLength } from './text/offsets.js';
export {
  parseArticle,
  tokensInSpan,
  type ArticleDocument,
  type ArticleLayout,
  type Line,
  type Sentence,
  type TextSpan,
  type Token,
} from './text/document.js';
export {
  TECHNIQUES,
  TECHNIQUE_LABELS,
  techniqueById,
  techniqueByLabel,
  isTechniqueLabel,
  type Technique,
  type TechniqueId,
  type TechniqueLabel,
} from './techniques/catalogue.js';
export {
  parseLabels,
  formatSiLabels,
  formatTcLabels,
  formatTemplate,
  type LabelFileKind,
  type ParsedLabels,
  type SpanLabel,
  type TechniqueSpanLabel,
} from './formats/labels.js';
export { readCorpus, type Corpus, type CorpusArticle } from './formats/corpus.js';
export { decodeText, readTextFile, writeFileAtomically } from './formats/files.js';
export { scoreSi, mergeOverlapping, type SiScore, type PrecisionRecallF1 } from './eval/si.js';
export { scoreTc, type TcScore, type TcClassScore, type TcPairing } from './eval/tc.js';
export { scoreFullTask, type FullTaskScore, type TechniqueScore } from './eval/full.js';
export {
  evaluate,
  type Evaluation,
  type EvaluateOptions,
  type EvaluationTask,
} from './eval/evaluate.js';
export { defaultCorpusDir } from './config.js';
// The server, the store and HTML extraction load large dependencies (Fastify, SQLite,
// an HTML DOM), so they have entry points of their own: `spinscope/server`, `spinscope/store`,
// `spinscope/html`.
