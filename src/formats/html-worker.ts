/**
 * A Piscina worker for html-extractor.ts: extracts one page's article off the caller's
 * thread. Errors come back as values, since a thrown error loses its catalogue code on the
 * way between threads; a page that makes the DOM or Readability throw is a page without
 * readable text (SPN_ERR_HTML), not a server fault.
 */
import type { MessagePort } from 'node:worker_threads';
import { SpinscopeError, type ErrorCode } from '../errors.js';
import { extractArticle, type ExtractedArticle, type HtmlStructureBudget } from './html.js';

export interface HtmlTask {
  html: string;
  url: string;
  budget: HtmlStructureBudget;
  /** Told when this thread begins on the page: the page's time budget starts then. */
  started: MessagePort;
}

export type HtmlOutcome =
  { article: ExtractedArticle } | { error: { code: ErrorCode; message: string } };

export default function extract(task: HtmlTask): HtmlOutcome {
  task.started.postMessage('started');
  task.started.close();
  try {
    return { article: extractArticle(task.html, { url: task.url, budget: task.budget }) };
  } catch (error) {
    if (error instanceof SpinscopeError) {
      return { error: { code: error.code, message: error.message } };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { error: { code: 'SPN_ERR_HTML', message: `the page cannot be read: ${reason}` } };
  }
}
