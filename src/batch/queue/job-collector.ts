/**
 * The producer's side of the queue (queue-producer.ts): adds the items' jobs and collects
 * the finished ones.
 *
 * Adding a job whose id (its text's sha256) is already in the queue does nothing, so an
 * article is queued once however often it is added. The collector polls the queue for
 * finished jobs, hands each result to the items waiting for it (which write it to the store
 * and to results.jsonl), and then removes the job. A job that failed for good settles its
 * items with the failure's code; one that failed in an earlier run is added again; one that
 * Redis no longer knows is added again too.
 */
import type { Job, Queue } from 'bullmq';
import { SpinscopeError, type ErrorCode } from '../../errors.js';
import type { Analysis } from '../../detect/analysis.js';
import { sameModel, type ModelId } from '../outputs.js';
import {
  deadline,
  JOB_NAME,
  parseJobFailure,
  Pause,
  queueError,
  within,
  type AnalysisJobData,
  type RedisTarget,
} from './queue.js';
import { Stopped, type BatchRun } from '../run-batch.js';

/** What became of a job: its analysis, or why it failed. */
export type JobOutcome =
  | { analysis: Analysis; durationMs: number | undefined; taken: boolean }
  | { code: ErrorCode; message: string };

interface Waiter {
  data: AnalysisJobData;
  promise: Promise<JobOutcome>;
  resolve: (outcome: JobOutcome) => void;
  reject: (error: unknown) => void;
  settled: boolean;
  /** When the job was (last) added. */
  addedAt: number;
}

/** Finished jobs fetched per round. */
const PAGE = 100;
/** A job unknown to Redis this long after it was added has been lost: it is added again. */
const LOST_AFTER_MS = 10_000;
/** No job finished for this long while some are out: check that a worker is there. */
const IDLE_WARNING_MS = 30_000;
/** When stopping, wait at most this long for Redis to hand over the last finished jobs. */
const FINAL_COLLECT_MS = 5_000;

/** True when `value` looks like an analysis of `model`. */
function isAnalysis(value: unknown, model: ModelId): value is Analysis {
  const analysis = value as Partial<Analysis> | null;
  return (
    typeof analysis === 'object' &&
    analysis !== null &&
    Array.isArray(analysis.spans) &&
    typeof analysis.model?.name === 'string' &&
    sameModel(analysis.model, model)
  );
}

/**
 * Adds jobs (in bulk) and collects the finished ones: each job's outcome goes to whoever
 * waits for its content hash. Finished jobs nobody waits for (left by a producer that was
 * killed) are kept in the store, so the items they belong to are found there.
 */
export class JobCollector {
  private readonly waiters = new Map<string, Waiter>();
  private toAdd: Waiter[] = [];
  private flushScheduled = false;
  private closed = false;
  private failure: SpinscopeError | undefined;
  private lastFinished = Date.now();
  private lastIdleWarning = 0;
  private lastLostCheck = Date.now();
  /** Jobs that failed before this moment failed in an earlier run. */
  private readonly startedAt = Date.now();
  private readonly pause = new Pause();
  private stopping: Promise<void> | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly queue: Queue<AnalysisJobData, Analysis>,
    private readonly run: BatchRun,
    private readonly target: RedisTarget,
    private readonly pollMs: number,
    /** Redis not answering for this long (while connecting again) ends the run. */
    private readonly answerTimeoutMs: number,
  ) {
    this.done = this.loop();
  }

  private silence(): SpinscopeError {
    return new SpinscopeError(
      'SPN_ERR_QUEUE',
      `Redis at ${this.target.display} has not answered for ${this.answerTimeoutMs} ms ` +
        '(raise it with --connect-timeout); run the same command again once Redis is back',
    );
  }

  /** The outcome of the job for this text, adding the job unless one is already out. */
  submit(data: AnalysisJobData): Promise<JobOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Stopped());
    const waiting = this.waiters.get(data.contentHash);
    if (waiting) return waiting.promise;
    let resolve!: (outcome: JobOutcome) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<JobOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter: Waiter = { data, promise, resolve, reject, settled: false, addedAt: Date.now() };
    this.waiters.set(data.contentHash, waiter);
    this.toAdd.push(waiter);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
    return promise;
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.toAdd.filter((waiter) => !waiter.settled);
    this.toAdd = [];
    if (batch.length === 0) return;
    try {
      await this.queue.addBulk(
        batch.map((waiter) => ({
          name: JOB_NAME,
          data: waiter.data,
          opts: { jobId: waiter.data.contentHash },
        })),
      );
    } catch (error) {
      this.fatal(error);
    }
  }

  private settle(hash: string, outcome: JobOutcome): void {
    const waiter = this.waiters.get(hash);
    if (!waiter) return;
    this.waiters.delete(hash);
    waiter.settled = true;
    waiter.resolve(outcome);
  }

  /** Redis failed: every waiting item gets the error (the run stops, resumable). */
  private fatal(error: unknown): void {
    this.failure ??= queueError(this.target, error);
    this.closed = true;
    for (const waiter of this.waiters.values()) {
      waiter.settled = true;
      waiter.reject(this.failure);
    }
    this.waiters.clear();
    this.pause.interrupt();
  }

  /** Collect what has finished once more, then give up waiting: the items left are undone. */
  stop(): Promise<void> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<void> {
    this.closed = true;
    this.pause.interrupt();
    // A Redis that stopped answering must not hold up the stop for long.
    await within(FINAL_COLLECT_MS, this.done);
    if (!this.failure) {
      await within(
        FINAL_COLLECT_MS,
        this.collect().catch(() => 0), // Redis is gone: what is out is collected next time
      );
    }
    for (const waiter of this.waiters.values()) {
      waiter.settled = true;
      waiter.reject(new Stopped());
    }
    this.waiters.clear();
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let found: number;
      try {
        // A Redis that stops answering ends the run (resumable) instead of holding it forever.
        found = await deadline(this.answerTimeoutMs, this.collect(), () => this.silence());
        if (found === 0)
          await deadline(this.answerTimeoutMs, this.checkOnJobs(), () => this.silence());
      } catch (error) {
        this.fatal(error);
        return;
      }
      if (found > 0 || this.closed) continue;
      await this.pause.wait(this.pollMs);
    }
  }

  /** Hand out the outcomes of finished jobs, then remove those jobs. Returns how many. */
  private async collect(): Promise<number> {
    const counts = await this.queue.getJobCounts('completed', 'failed');
    const completed = await this.firstPage('completed', counts.completed);
    for (const job of completed) this.completed(job);
    const failed = await this.firstPage('failed', counts.failed);
    const retry: Waiter[] = [];
    for (const job of failed) {
      const again = this.failed(job);
      if (again) retry.push(again);
    }
    const jobs = [...completed, ...failed];
    if (jobs.length === 0) return 0;
    this.lastFinished = Date.now();
    // Let the items write their results (synchronously, once resumed) before the jobs go:
    // a producer killed in between finds the jobs again next time, never loses a result.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const job of jobs) if (job.id !== undefined) await this.queue.remove(job.id);
    if (retry.length > 0) {
      for (const waiter of retry) waiter.addedAt = Date.now();
      this.toAdd.push(...retry);
      await this.flush();
    }
    return jobs.length;
  }

  /** Up to PAGE of the `count` jobs in `state` (Redis is not asked when there are none). */
  private async firstPage(
    state: 'completed' | 'failed',
    count: number | undefined,
  ): Promise<Job<AnalysisJobData, Analysis>[]> {
    if ((count ?? 0) === 0) return [];
    return (await this.queue.getJobs([state], 0, PAGE - 1)) as Job<AnalysisJobData, Analysis>[];
  }

  private completed(job: Job<AnalysisJobData, Analysis>): void {
    const hash = job.id ?? '';
    const analysis: unknown = job.returnvalue;
    const durationMs =
      job.finishedOn !== undefined && job.processedOn !== undefined
        ? job.finishedOn - job.processedOn
        : undefined;
    if (!isAnalysis(analysis, this.run.modelId)) {
      this.settle(hash, {
        code: 'SPN_ERR_INTERNAL',
        message: `job ${hash}: the worker returned no analysis of model ${this.run.modelId.name} ${this.run.modelId.version}`,
      });
      return;
    }
    if (this.waiters.has(hash)) {
      this.settle(hash, { analysis, durationMs, taken: false });
      return;
    }
    // Left by an earlier run: keep it in the store, where its item will find it (only a
    // saving: when this fails, the item is queued again).
    const data = job.data;
    try {
      const { modelId } = this.run;
      if (!this.run.store.find(hash, modelId.name, modelId.version)) {
        this.run.store.save({
          text: data.text,
          analysis,
          source: data.source,
          title: data.title,
          date: data.date,
          durationMs,
        });
      }
    } catch (error) {
      this.run.warn(`job ${hash}: its analysis cannot be stored: ${(error as Error).message}`);
    }
  }

  /** Returns the waiter whose job is to be added again (a failure older than this run). */
  private failed(job: Job<AnalysisJobData, Analysis>): Waiter | undefined {
    const waiter = this.waiters.get(job.id ?? '');
    if (waiter && job.finishedOn !== undefined && job.finishedOn < this.startedAt) {
      // Failed before this run began (and was never collected): this run tries it afresh,
      // as a local batch tries its failed items again.
      return waiter;
    }
    const { code, message } = parseJobFailure(job.failedReason);
    const tries = job.attemptsMade;
    this.settle(job.id ?? '', {
      code,
      message:
        code === 'SPN_ERR_INTERNAL'
          ? `analysis failed after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${message}`
          : message,
    });
    return undefined;
  }

  /**
   * Now and then: add again any job Redis no longer knows (removed by someone, or a Redis
   * restarted without persistence), and say so when jobs are out but no worker is there.
   */
  private async checkOnJobs(): Promise<void> {
    const now = Date.now();
    if (this.waiters.size > 0 && now - this.lastLostCheck >= LOST_AFTER_MS) {
      this.lastLostCheck = now;
      for (const waiter of [...this.waiters.values()]) {
        if (waiter.settled || now - waiter.addedAt < LOST_AFTER_MS) continue;
        const state = await this.queue.getJobState(waiter.data.contentHash);
        if (state !== 'unknown' || waiter.settled) continue;
        waiter.addedAt = Date.now();
        this.toAdd.push(waiter);
      }
      if (this.toAdd.length > 0) await this.flush();
    }
    if (
      this.waiters.size > 0 &&
      now - this.lastFinished >= IDLE_WARNING_MS &&
      now - this.lastIdleWarning >= IDLE_WARNING_MS
    ) {
      this.lastIdleWarning = now;
      const workers = await this.queue.getWorkersCount().catch(() => -1);
      if (workers === 0) {
        this.run.warn(
          `no worker is serving queue ${this.queue.name} on ${this.target.display}: ` +
            `start "spinscope worker --queue ${this.target.display}" where the analyses should run`,
        );
      }
    }
  }
}
