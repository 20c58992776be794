/** What the routes share: the model's identity, the store, HTML handling and the analysis path. */
import type { ModelHeader } from '../detect/detector.js';
import type { ArticleInput, HtmlHandling } from '../formats/article-input.js';
import type { AnalysisStore } from '../store/store.js';
import type { AnalysisRecord } from '../types.js';

export interface ServerContext {
  /** The model's name or path, as the server was started with it. */
  readonly model: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly header: ModelHeader;
  readonly store: AnalysisStore;
  /** HTML pages are extracted in a worker thread, within budgets. */
  readonly html: HtmlHandling;
  /** Largest article text, in UTF-8 bytes. */
  readonly maxBytes: number;
  readonly allowPrivateUrls: boolean;
  readonly fetchTimeoutMs: number;
  /** Check, analyse (once per text and model) and store an article. */
  analyzeAndStore(input: ArticleInput): Promise<AnalysisRecord>;
}
