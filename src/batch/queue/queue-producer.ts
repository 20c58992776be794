/**
 * `spinscope batch --queue redis://…`: the same batch as run-batch.ts (the same folder,
 * results.jsonl, store, label files, failures and summary, the same resume), with the
 * analyses done by `spinscope worker` processes on any number of machines.
 *
 * The producer reads, fetches and extracts each item itself (files named here need not
 * exist on the workers), checks its text and looks it up in the store; an article that is
 * not there becomes a BullMQ job carrying its text, with the text's sha256 as the job id.
 * Adding a job whose id is already in the queue does nothing, so an article is queued once
 * however often it is added (two items with the same text, or a producer run again after a
 * crash). A collector polls the queue for finished jobs, hands each result to the items
 * waiting for it (which write it to the store and to results.jsonl, each id at most once),
 * and then removes the job.
 *
 * Retries: a job that fails is tried again `attempts` times in all, waiting `backoffMs`,
 * then twice that, and so on; a job that fails because of its article fails at once (the
 * worker marks it unrecoverable) and the item goes to failures.jsonl with its code. A job
 * whose worker dies is taken up again by another worker (queue-worker.ts).
 *
 * Stopping (signal): no more items are queued, finished jobs are collected, the outputs are
 * written, and the queue is left as it is: workers go on with the jobs already queued, and
 * the next run collects them instead of queueing them again. A run that finishes every item
 * deletes its queue and its entry in the registry.
 */
import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pLimit from 'p-limit';
import { SpinscopeError, type ErrorCode } from '../../errors.js';
import type { Analysis } from '../../detect/analysis.js';
import { DEFAULT_MAX_BYTES } from '../../text/validate.js';
import {
  countItems,
  iterateItems,
  resolveInputs,
  type BatchItem,
  type ResolvedInput,
} from '../inputs.js';
import { sameModel, type ModelId } from '../outputs.js';
import {
  checkPositive,
  checkRedis,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  JOB_NAME,
  KEEP_FINISHED_SECONDS,
  parseJobFailure,
  parseRedisUrl,
  QUEUE_PREFIX,
  queueNameFor,
  redisOptions,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  within,
  type AnalysisJobData,
  type BatchRegistration,
  type RedisTarget,
} from './queue.js';
import {
  forEachItem,
  runInFolder,
  saveResult,
  Stopped,
  type BatchOptions,
  type BatchProgress,
  type BatchRun,
  type BatchSummary,
  type LoadedItem,
} from '../run-batch.js';

export interface QueuedBatchOptions extends Omit<BatchOptions, 'workers'> {
  /** redis://[user:password@]HOST[:PORT][/DB] */
  queue: string;
  /** Tries per job before it fails (default 3). */
  attempts?: number;
  /** Delay before the first retry in ms, doubled for each further one (default 1 s). */
  backoffMs?: number;
  connectTimeoutMs?: number;
  /** How often to look for finished jobs when none was found (default 100 ms). */
  pollMs?: number;
}

/** What became of a job: its analysis, or why it failed. */
type JobOutcome =
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

/** Articles loaded at once (URL fetches above all). */
const LOAD_CONCURRENCY = 16;
/** Jobs (and items waiting for them) out at once by default. */
const DEFAULT_MAX_IN_FLIGHT = 256;
/** Finished jobs fetched per round. */
const PAGE = 100;
/** A job unknown to Redis this long after it was added has been lost: it is added again. */
const LOST_AFTER_MS = 10_000;
/** No job finished for this long while some are out: check that a worker is there. */
const IDLE_WARNING_MS = 30_000;
/** When stopping, wait at most this long for Redis to hand over the last finished jobs. */
const FINAL_COLLECT_MS = 5_000;

/** `promise`, or the error `late()` makes when it takes longer than `ms`. */
async function deadline<T>(ms: number, promise: Promise<T>, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function queueError(target: RedisTarget, error: unknown): SpinscopeError {
  if (error instanceof SpinscopeError) return error;
  return new SpinscopeError(
    'SPN_ERR_QUEUE',
    `the queue at ${target.display} failed: ${(error as Error).message ?? String(error)}`,
  );
}

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
class JobCollector {
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
  private wake: (() => void) | undefined;
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
    this.wake?.();
  }

  /** Collect what has finished once more, then give up waiting: the items left are undone. */
  stop(): Promise<void> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<void> {
    this.closed = true;
    this.wake?.();
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
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Hand out the outcomes of finished jobs, then remove those jobs. Returns how many. */
  private async collect(): Promise<number> {
    const counts = await this.queue.getJobCounts('completed', 'failed');
    const jobs: Job<AnalysisJobData, Analysis>[] = [];
    const retry: Waiter[] = [];
    if ((counts.completed ?? 0) > 0) {
      const completed = (await this.queue.getJobs(['completed'], 0, PAGE - 1)) as Job<
        AnalysisJobData,
        Analysis
      >[];
      for (const job of completed) {
        jobs.push(job);
        this.completed(job);
      }
    }
    if ((counts.failed ?? 0) > 0) {
      const failed = (await this.queue.getJobs(['failed'], 0, PAGE - 1)) as Job<
        AnalysisJobData,
        Analysis
      >[];
      for (const job of failed) {
        jobs.push(job);
        const again = this.failed(job);
        if (again) retry.push(again);
      }
    }
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

/** A batch whose analyses are done by `spinscope worker` processes through Redis. */
export async function runQueuedBatch(
  options: QueuedBatchOptions,
  onProgress: (progress: BatchProgress) => void = () => {},
): Promise<BatchSummary> {
  const settings = {
    target: parseRedisUrl(options.queue),
    attempts: checkPositive('attempts', options.attempts ?? DEFAULT_ATTEMPTS),
    backoffMs: checkPositive('backoff', options.backoffMs ?? DEFAULT_BACKOFF_MS),
    connectTimeout: checkPositive(
      'connect-timeout',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    pollMs: checkPositive('poll', options.pollMs ?? 100),
    maxInFlight: checkPositive('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    queueName: queueNameFor(options.outDir),
  };
  const inputs = await resolveInputs(options.inputs);
  await checkRedis(settings.target, settings.connectTimeout);
  return runInFolder(
    { ...options, total: () => countItems(inputs) },
    (run) => queueItems(run, inputs, options, settings),
    onProgress,
  );
}

type ProducerSettings = {
  target: RedisTarget;
  attempts: number;
  backoffMs: number;
  connectTimeout: number;
  pollMs: number;
  maxInFlight: number;
  maxBytes: number;
  queueName: string;
};

/**
 * The queue engine: announce the batch, put each new item's article in a job, collect the
 * results as workers finish them, and, once every item is done, remove the queue.
 */
async function queueItems(
  run: BatchRun,
  inputs: ResolvedInput[],
  options: QueuedBatchOptions,
  settings: ProducerSettings,
): Promise<boolean> {
  const { target, connectTimeout, queueName } = settings;
  const queue = new Queue<AnalysisJobData, Analysis>(queueName, {
    connection: redisOptions(target, { connectTimeout }),
    prefix: QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs },
      removeOnComplete: { age: KEEP_FINISHED_SECONDS },
      removeOnFail: { age: KEEP_FINISHED_SECONDS },
    },
  });
  // The registry, through a connection of our own (BullMQ's client is its own business).
  const client = new Redis(redisOptions(target, { connectTimeout, maxRetriesPerRequest: 20 }));
  client.on('error', () => {}); // reported by the commands that fail, and by the queue
  let lastTrouble = 0;
  queue.on('error', (error) => {
    if (Date.now() - lastTrouble < 10_000) return;
    lastTrouble = Date.now();
    run.warn(`Redis at ${target.display}: ${error.message}`);
  });
  let collector: JobCollector | undefined;
  const onAbort = (): void => void collector?.stop();
  try {
    // (Also: BullMQ must not be closed while it is still connecting; see the worker.)
    await deadline(
      connectTimeout,
      queue.waitUntilReady().catch((error: unknown) => Promise.reject(queueError(target, error))),
      () =>
        new SpinscopeError(
          'SPN_ERR_QUEUE',
          `cannot use Redis at ${target.display}: no answer within ${connectTimeout} ms`,
        ),
    );
    await announce(client, run, options.outDir, settings);
    const theCollector = new JobCollector(queue, run, target, settings.pollMs, connectTimeout);
    collector = theCollector;
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    const item = new QueuedItem(run, theCollector, settings.maxBytes);
    const exhausted = await forEachItem(
      run,
      iterateItems(inputs, { maxBytes: settings.maxBytes }),
      settings.maxInFlight,
      (batchItem) => item.process(batchItem),
    );
    await theCollector.stop();
    // Every item done: nothing in this queue is needed any more.
    if (exhausted && !item.leftUndone) await withdraw(client, queue, run, settings);
    return exhausted;
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
    await collector?.stop();
    // Closing waits for Redis; when it is gone, cut the connection instead (else it would
    // try to connect again for ever, and the process would not end).
    if (!(await within(2_000, queue.close()))) await within(500, queue.disconnect());
    client.disconnect();
  }
}

/** Put the batch in the registry and tell the workers (they take up its queue). */
async function announce(
  client: Redis,
  run: BatchRun,
  outDir: string,
  { target, queueName }: ProducerSettings,
): Promise<void> {
  const registration: BatchRegistration = {
    queue: queueName,
    model: run.modelId,
    out: resolvePath(outDir),
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
  };
  await client
    .hset(REGISTRY_KEY, { [queueName]: JSON.stringify(registration) })
    .then(() => client.publish(REGISTRY_CHANNEL, queueName))
    .catch((error: unknown) => Promise.reject(queueError(target, error)));
  run.warn(
    `queue ${queueName} on ${target.display}: the analyses are done by ` +
      `"spinscope worker --queue ${target.display}" processes`,
  );
}

/** Take the batch out of the registry and delete its queue. */
async function withdraw(
  client: Redis,
  queue: Queue<AnalysisJobData, Analysis>,
  run: BatchRun,
  { target, queueName }: ProducerSettings,
): Promise<void> {
  try {
    await client.hdel(REGISTRY_KEY, queueName);
    await client.publish(REGISTRY_CHANNEL, queueName);
    await queue.obliterate({ force: true });
  } catch (error) {
    run.warn(`could not delete queue ${queueName}: ${queueError(target, error).message}`);
  }
}

/** One item of a queued batch: loaded here, analysed by a worker, written here. */
class QueuedItem {
  /** Some item was left for the next run (the batch must not be withdrawn). */
  leftUndone = false;
  private readonly loading = pLimit(LOAD_CONCURRENCY);

  constructor(
    private readonly run: BatchRun,
    private readonly collector: JobCollector,
    private readonly maxBytes: number,
  ) {}

  async process(item: BatchItem): Promise<void> {
    const { run } = this;
    let loaded: LoadedItem;
    try {
      loaded = await this.loading(() => {
        if (run.signal?.aborted) throw new Stopped(); // stopping: load no more
        return run.load(item);
      });
    } catch (error) {
      // Stopped before or during its load (an extraction is ended): the next run does it.
      if (!(error instanceof Stopped) && !run.signal?.aborted) return run.fail(item, error);
      return this.leaveUndone();
    }
    const { modelId } = run;
    const stored = run.store.find(loaded.contentHash, modelId.name, modelId.version);
    if (stored) {
      run.progress.fromStore += 1;
      return run.write(item, loaded, stored.analysis);
    }
    let outcome: JobOutcome;
    try {
      outcome = await this.collector.submit(this.jobData(item, loaded));
    } catch (error) {
      if (error instanceof Stopped) return this.leaveUndone(); // still queued: the next run collects it
      throw error; // Redis failed: the run stops
    }
    if (!('analysis' in outcome)) {
      return run.fail(item, new SpinscopeError(outcome.code, outcome.message));
    }
    if (!saveResult(run, item, loaded, outcome.analysis, outcome.durationMs)) return;
    // Items with the same text share one job: the first analysed it, the rest find it stored.
    if (outcome.taken) run.progress.fromStore += 1;
    else run.progress.analysed += 1;
    outcome.taken = true;
    run.write(item, loaded, outcome.analysis);
  }

  private leaveUndone(): void {
    this.leftUndone = true;
    this.run.leaveUndone();
  }

  private jobData(item: BatchItem, loaded: LoadedItem): AnalysisJobData {
    const { article } = loaded;
    return {
      contentHash: loaded.contentHash,
      text: loaded.text,
      model: this.run.modelId,
      maxBytes: this.maxBytes,
      id: item.id,
      input: item.input,
      ...(article.title === undefined ? {} : { title: article.title }),
      ...(article.source === undefined ? {} : { source: article.source }),
      ...(article.date === undefined ? {} : { date: article.date }),
    };
  }
}
