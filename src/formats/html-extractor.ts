/**
 * HTML extraction with budgets, for callers that must stay responsive (the server, batches,
 * the queue producer): each page is extracted in a worker thread, after a structure check
 * (html.ts), and a page that takes longer than the time budget has its thread terminated.
 * The budget counts the page's own work: pages wait their turn in a queue here, and a
 * page's clock starts when its thread begins on it, so that no page fails because of the
 * pages in front of it or a thread's start-up. The caller's own signal (a batch being stopped) ends an extraction too.
 */
import { extname } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import pLimit, { type LimitFunction } from 'p-limit';
import { Piscina } from 'piscina';
import { DEFAULT_HTML_TIMEOUT_MS } from '../config.js';
import { SpinscopeError } from '../errors.js';
import { DEFAULT_HTML_BUDGET, type ExtractedArticle, type HtmlStructureBudget } from './html.js';
import type { HtmlOutcome, HtmlTask } from './html-worker.js';

export interface HtmlExtractorOptions {
  /** Longest extraction of one page in ms, from when its thread begins (default 5 s). */
  timeoutMs?: number;
  /** Nesting depth and element count (defaults in html.ts). */
  budget?: Partial<HtmlStructureBudget>;
  /** Extraction threads (default 1). */
  threads?: number;
}

/** A thread that loaded the DOM library stays this long for the next page. */
const IDLE_THREAD_MS = 60_000;

export class HtmlExtractor {
  readonly timeoutMs: number;
  readonly budget: HtmlStructureBudget;
  private readonly threads: number;
  private readonly turn: LimitFunction;
  private pool: Piscina<HtmlTask, HtmlOutcome> | undefined;

  constructor(options: HtmlExtractorOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HTML_TIMEOUT_MS;
    this.budget = { ...DEFAULT_HTML_BUDGET, ...options.budget };
    this.threads = options.threads ?? 1;
    for (const [name, value] of [
      ['timeoutMs', this.timeoutMs],
      ['maxDepth', this.budget.maxDepth],
      ['maxElements', this.budget.maxElements],
      ['threads', this.threads],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new SpinscopeError(
          'SPN_ERR_USAGE',
          `${name} must be a positive integer, not ${value}`,
        );
      }
    }
    this.turn = pLimit(this.threads);
  }

  /**
   * The page's article. Throws SPN_ERR_INPUT_HTML over a budget, SPN_ERR_HTML without
   * article text, and the abort's error when `signal` ends it first.
   */
  async extract(
    html: string,
    url = 'https://example.invalid/',
    signal?: AbortSignal,
  ): Promise<ExtractedArticle> {
    signal?.throwIfAborted();
    const outcome = await this.turn(() => this.extractNow(html, url, signal));
    if ('error' in outcome) throw new SpinscopeError(outcome.error.code, outcome.error.message);
    return outcome.article;
  }

  /**
   * One page on a thread that is free now. Its clock starts when the thread says it has
   * begun (a message on `started`), so that neither the wait for a thread nor a thread's
   * start-up (loading the DOM library) counts against the page.
   */
  private async extractNow(html: string, url: string, signal?: AbortSignal): Promise<HtmlOutcome> {
    signal?.throwIfAborted();
    const stop = new AbortController();
    const abort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    const { port1: begun, port2: started } = new MessageChannel();
    let timedOut = false;
    let deadline: NodeJS.Timeout | undefined;
    begun.once('message', () => {
      deadline = setTimeout(() => {
        timedOut = true;
        stop.abort();
      }, this.timeoutMs);
    });
    try {
      return await this.threadPool().run(
        { html, url, budget: this.budget, started },
        { signal: stop.signal, transferList: [started] },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) {
        throw new SpinscopeError(
          'SPN_ERR_INPUT_HTML',
          `the HTML page is refused: its extraction took longer than ${this.timeoutMs} ms`,
        );
      }
      throw error;
    } finally {
      clearTimeout(deadline);
      begun.close();
      signal?.removeEventListener('abort', abort);
    }
  }

  /** End the threads (an extraction still running is terminated). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private threadPool(): Piscina<HtmlTask, HtmlOutcome> {
    // The worker sits beside this module: .js when compiled, .ts when run through tsx.
    this.pool ??= new Piscina<HtmlTask, HtmlOutcome>({
      filename: new URL(`./html-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
        .href,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: IDLE_THREAD_MS,
    });
    return this.pool;
  }
}
