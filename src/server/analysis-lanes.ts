/**
 * The server's analyses, in two lanes so that one huge article cannot starve everyone else:
 * articles up to `longChars` run on the warm threads of the short lane, longer ones on a
 * thread of their own (started when the first one comes, ended when idle). Within a lane
 * articles run first come, first served, handed to exactly as many threads as it has.
 *
 * Waiting is bounded: each lane learns how many milliseconds a character of text takes, and
 * an article whose expected wait (the characters ahead of it at that rate) is over
 * `maxWaitMs` is refused at once with SPN_ERR_BUSY, saying when to retry, instead of
 * waiting without end.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { Piscina } from 'piscina';
import { startAnalysisPool, type AnalysisPool } from '../analysis-pool.js';
import { ANALYSIS_WORKER_URL } from '../analysis-worker.js';
import type { Analysis } from '../detect/analysis.js';
import { DEFAULT_LONG_CHARS, DEFAULT_MAX_WAIT_MS } from '../config.js';
import { BusyError } from '../errors.js';

export interface AnalysisLanesOptions {
  model: string;
  maxBytes: number;
  /** Threads of the short lane, loaded before the server listens. */
  threads: number;
  /** Articles longer than this many characters take the long lane (default 20,000). */
  longChars?: number;
  /** Longest expected wait before an article is refused with 503 (default 15 s). */
  maxWaitMs?: number;
}

/** A thread of the long lane waits this long for the next long article before it ends. */
const LONG_IDLE_MS = 60_000;

class Lane {
  private readonly turn: LimitFunction;
  /** Characters of the articles running or waiting in this lane. */
  private charsAhead = 0;
  /** Milliseconds per character, a moving average; unknown until one article finished. */
  private msPerChar: number | undefined;

  constructor(
    private readonly pool: AnalysisPool,
    private readonly threads: number,
  ) {
    this.turn = pLimit(threads);
  }

  /** Expected wait in ms for an article arriving now (0 until the lane knows its pace). */
  expectedWaitMs(): number {
    return ((this.msPerChar ?? 0) * this.charsAhead) / this.threads;
  }

  async run(text: string, model: string, maxBytes: number): Promise<Analysis> {
    this.charsAhead += text.length;
    try {
      return await this.turn(async () => {
        const started = performance.now();
        const analysis = await this.pool.run({ text, model, maxBytes });
        const pace = (performance.now() - started) / Math.max(text.length, 1);
        this.msPerChar = this.msPerChar === undefined ? pace : 0.8 * this.msPerChar + 0.2 * pace;
        return analysis;
      });
    } finally {
      this.charsAhead -= text.length;
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

export class AnalysisLanes {
  private constructor(
    private readonly options: Required<AnalysisLanesOptions>,
    private readonly short: Lane,
    private readonly long: Lane,
  ) {}

  static async start(options: AnalysisLanesOptions): Promise<AnalysisLanes> {
    const settings = {
      ...options,
      longChars: options.longChars ?? DEFAULT_LONG_CHARS,
      maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    };
    const { model, threads } = settings;
    const short = new Lane(await startAnalysisPool({ model, threads }), threads);
    const long = new Lane(
      new Piscina({
        filename: ANALYSIS_WORKER_URL,
        minThreads: 0,
        maxThreads: 1,
        idleTimeout: LONG_IDLE_MS,
      }),
      1,
    );
    return new AnalysisLanes(settings, short, long);
  }

  /** The article's analysis; throws BusyError when its lane's wait is over the bound. */
  analyze(text: string): Promise<Analysis> {
    const { model, maxBytes, longChars, maxWaitMs } = this.options;
    const lane = text.length > longChars ? this.long : this.short;
    const waitMs = lane.expectedWaitMs();
    if (waitMs > maxWaitMs) throw new BusyError(Math.ceil(waitMs / 1000));
    return lane.run(text, model, maxBytes);
  }

  async close(): Promise<void> {
    await Promise.all([this.short.close(), this.long.close()]);
  }
}
