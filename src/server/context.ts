/** What the routes share: the models, the store, HTML handling and the analysis path. */
import type { ArticleInput, HtmlHandling } from '../formats/article-input.js';
import type { AnalysisStore } from '../store/store.js';
import type { AnalysisRecord } from '../types.js';
import type { ServedModels } from './served-models.js';

export interface ServerContext {
  /** The default model's name or path, as the server was started with it. */
  readonly model: string;
  /** The default model, and the shipped ones a request may name instead. */
  readonly models: ServedModels;
  readonly store: AnalysisStore;
  /** HTML pages are extracted in a worker thread, within budgets. */
  readonly html: HtmlHandling;
  /** Largest article text, in UTF-8 bytes. */
  readonly maxBytes: number;
  readonly allowPrivateUrls: boolean;
  readonly fetchTimeoutMs: number;
  /** Check, analyse (once per text and model) and store an article; `model`: the default's. */
  analyzeAndStore(input: ArticleInput, model?: string): Promise<AnalysisRecord>;
}
