/**
 * `spinscope worker`: takes analysis jobs from Redis (BullMQ) and analyses them, on as many
 * machines as one likes. It needs no corpus and no input files: the producer puts each
 * article's text in its job, and the model ships in the package.
 *
 * A worker serves every batch that producers have announced in the registry
 * (queue.ts: REGISTRY_KEY) whose model is its own, with one BullMQ worker per batch queue
 * and one pool of analysis threads (`concurrency`) for all of them; it looks at the registry
 * every `pollMs`, and lets go of a batch once its producer has collected it.
 *
 * Jobs: each holds a lock (`lockDurationMs`, renewed while the analysis runs in a thread), so
 * when a worker dies its jobs are taken up again by the others once the lock has run out
 * (BullMQ's stalled-job check, every `stalledIntervalMs`). A job that fails because of its
 * article (empty, too large, binary text: a SpinscopeError with an input code) fails for good
 * (UnrecoverableError) with its code in the reason; other errors are retried with the
 * producer's backoff.

 */
import { availableParallelism, hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadModelHeader } from '../../analyze.js';
import { DEFAULT_MODEL_NAME } from '../../config.js';
import { SpinscopeError } from '../../errors.js';
import type { Analysis } from '../../detect/analysis.js';
import { startAnalysisPool, type AnalysisPool } from '../../analysis-pool.js';
import { AnalysisStore } from '../../store/store.js';
import { DEFAULT_MAX_BYTES, validateText } from '../../text/validate.js';
import { sameModel, type ModelId } from '../outputs.js';
import {
  checkPositive,
  checkRedis,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_STALLED_COUNT,
  DEFAULT_STALLED_INTERVAL_MS,
  formatJobFailure,
  isItemFault,
  parseRedisUrl,
  Pause,
  QUEUE_PREFIX,
  redisOptions,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  within,
  type AnalysisJobData,
  type BatchRegistration,
  type RedisTarget,
} from './queue.js';

export interface QueueWorkerOptions {
  /** redis://[user:password@]HOST[:PORT][/DB] */
  queue: string;
  /** Jobs analysed at once, each in its own thread (default: the number of cores). */
  concurrency?: number;
  /** Model name or path (default `lg`); only batches of this model are served. */
  model?: string;
  /** Largest article text this worker accepts, in UTF-8 bytes (default 2 MiB). */
  maxBytes?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Times a job may be taken up again after its worker died, before it fails. */
  maxStalledCount?: number;
  connectTimeoutMs?: number;
  /** How often to look for new batches in the registry (default 1 s). */
  pollMs?: number;
  /** Abort to stop: jobs in progress finish, then the worker closes. */
  signal?: AbortSignal;
  /** One line per event worth telling (a batch taken up or let go, connection trouble). */
  log?: (line: string) => void;
  /** Also log every job. */
  verbose?: boolean;
  /** Awaited before each job's analysis (the tests pause there to stop a worker mid-job). */
  beforeJob?: () => Promise<void>;
}

export interface WorkerTotals {
  completed: number;
  failed: number;
}

/** A failure that is the job's own: not retried, its code carried in the reason. */
function permanent(error: SpinscopeError): UnrecoverableError {
  return new UnrecoverableError(formatJobFailure(error.code, error.message));
}

/** The job's data, checked: a job that is not what a producer writes fails for good. */
function checkJobData(data: unknown): AnalysisJobData {
  const job = data as Partial<AnalysisJobData> | null;
  if (
    typeof job !== 'object' ||
    job === null ||
    typeof job.text !== 'string' ||
    typeof job.contentHash !== 'string' ||
    typeof job.model?.name !== 'string' ||
    typeof job.model?.version !== 'string' ||
    typeof job.maxBytes !== 'number'
  ) {
    throw permanent(
      new SpinscopeError('SPN_ERR_INPUT_TYPE', 'the job is not a Spinscope analysis job'),
    );
  }
  return job as AnalysisJobData;
}

/** The worker's settings, checked (a bad value is a usage error before anything starts). */
interface WorkerSettings {
  target: RedisTarget;
  concurrency: number;
  maxBytes: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
  connectTimeout: number;
  pollMs: number;
  model: string;
}

function workerSettings(options: QueueWorkerOptions): WorkerSettings {
  return {
    target: parseRedisUrl(options.queue),
    concurrency: checkPositive(
      'concurrency',
      options.concurrency ?? Math.max(1, availableParallelism()),
    ),
    maxBytes: checkPositive('max-bytes', options.maxBytes ?? DEFAULT_MAX_BYTES),
    lockDuration: checkPositive(
      'lock-duration',
      options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    ),
    stalledInterval: checkPositive(
      'stalled-interval',
      options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    ),
    maxStalledCount: checkPositive(
      'max-stalled',
      options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
    ),
    connectTimeout: checkPositive(
      'connect-timeout',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    pollMs: checkPositive('poll', options.pollMs ?? 1000),
    model: options.model ?? DEFAULT_MODEL_NAME,
  };
}

/** Serve the queue until `signal` aborts; resolves with what was done once all is closed. */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<WorkerTotals> {
  const settings = workerSettings(options);
  const header = loadModelHeader(settings.model); // fails early on a bad model
  const modelId: ModelId = { name: header.name, version: header.version };
  await checkRedis(settings.target, settings.connectTimeout);
  const pool = await startAnalysisPool({ model: settings.model, threads: settings.concurrency });
  const run = new WorkerRun(settings, options, modelId, pool);
  try {
    await run.serveUntilStopped();
  } finally {
    await run.close();
  }
  return run.totals;
}

/**
 * One worker's life: the registry of batches (polled, and woken by its channel), a BullMQ
 * worker per batch it serves, the job processor, and the totals.
 */
class WorkerRun {
  readonly totals: WorkerTotals = { completed: 0, failed: 0 };
  private readonly registry: Redis;
  private readonly subscriber: Redis;
  private readonly served = new Map<string, Worker<AnalysisJobData, Analysis>>();
  private readonly skipped = new Set<string>();
  private readonly name = `${hostname()}-${process.pid}`;
  private readonly log: (line: string) => void;
  private lastTrouble = 0;
  private readonly pause = new Pause();

  constructor(
    private readonly settings: WorkerSettings,
    private readonly options: QueueWorkerOptions,
    private readonly modelId: ModelId,
    private readonly pool: AnalysisPool,
  ) {
    this.log = options.log ?? (() => {});
    const { target, connectTimeout } = settings;
    this.registry = new Redis(redisOptions(target, { connectTimeout, maxRetriesPerRequest: null }));
    this.registry.on('error', (error) => this.trouble(`Redis at ${target.display}`, error));
    // Told at once when a producer adds or removes a batch (and polling in case a message is lost).
    this.subscriber = this.registry.duplicate();
    this.subscriber.on('error', () => {}); // the registry connection reports trouble
    this.subscriber.on('message', () => this.pause.interrupt());
    void this.subscriber.subscribe(REGISTRY_CHANNEL).catch(() => {});
  }

  /** Connection trouble, said at most every 10 s (a dead Redis would say it many times a second). */
  private trouble(what: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastTrouble < 10_000) return;
    this.lastTrouble = now;
    this.log(`${what}: ${(error as Error).message ?? String(error)} (retrying)`);
  }

  /** Analyse one job: a job that is wrong in itself fails for good, anything else is retried. */
  private readonly processJob = async (job: Job<AnalysisJobData, Analysis>): Promise<Analysis> => {
    const data = checkJobData(job.data);
    const { modelId } = this;
    if (!sameModel(data.model, modelId)) {
      // Not this job's fault: another worker (with that model) can do it.
      throw new Error(
        `this worker has model ${modelId.name} ${modelId.version}, the job needs ${data.model.name} ${data.model.version}`,
      );
    }
    await this.options.beforeJob?.();
    let text: string;
    try {
      text = validateText(data.text, { maxBytes: Math.min(this.settings.maxBytes, data.maxBytes) });
    } catch (error) {
      if (error instanceof SpinscopeError) throw permanent(error);
      throw error;
    }
    if (AnalysisStore.contentHash(text) !== data.contentHash) {
      throw permanent(
        new SpinscopeError('SPN_ERR_INPUT_TYPE', 'the job text does not match its content hash'),
      );
    }
    try {
      return await this.pool.run({ text, model: this.settings.model, maxBytes: data.maxBytes });
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (isItemFault(code)) {
        throw permanent(new SpinscopeError(code, (error as Error).message));
      }
      throw error;
    }
  };

  /**
   * BullMQ reports a connection that was still being set up when it was closed as an error
   * nobody can listen to any more (and the process dies of it): let it be set up first.
   * Closing waits for the jobs in progress; when Redis is gone it cannot finish (their locks
   * run out, and other workers do them again), so then the connection is cut.
   */
  private async closeWorker(worker: Worker<AnalysisJobData, Analysis>): Promise<void> {
    const { connectTimeout, lockDuration } = this.settings;
    await within(connectTimeout, worker.waitUntilReady());
    if (!(await within(lockDuration, worker.close()))) await within(500, worker.disconnect());
  }

  /** Take up a batch: a BullMQ worker on its queue, reporting as it goes. */
  private serve(registration: BatchRegistration): void {
    const queueName = registration.queue;
    const { target, connectTimeout, concurrency, lockDuration, stalledInterval, maxStalledCount } =
      this.settings;
    const verbose = this.options.verbose;
    const log = this.log;
    const worker = new Worker<AnalysisJobData, Analysis>(queueName, this.processJob, {
      connection: redisOptions(target, { connectTimeout, maxRetriesPerRequest: null }),
      prefix: QUEUE_PREFIX,
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount,
      name: this.name,
    });
    worker.on('error', (error) => this.trouble(`batch ${queueName}`, error));
    worker.on('completed', (job) => {
      this.totals.completed += 1;
      if (verbose) log(`${queueName}: job ${job.id} (${job.data.id}) done`);
    });
    worker.on('failed', (job, error) => {
      if (!job) return;
      const final =
        error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) this.totals.failed += 1;
      if (verbose || final) {
        log(
          `${queueName}: job ${job.id} (${job.data?.id}) ${final ? 'failed' : 'will be retried'}: ${error.message}`,
        );
      }
    });
    worker.on('active', (job) => {
      if (verbose) log(`${queueName}: job ${job.id} (${job.data.id}) started`);
    });
    worker.on('stalled', (jobId) => {
      log(`${queueName}: job ${jobId} lost its worker; it is taken up again`);
    });
    this.served.set(queueName, worker);
    log(
      `serving batch ${queueName} (${registration.out} on ${registration.host}, model ${registration.model.name} ${registration.model.version})`,
    );
  }

  /** Why a registry entry is not served by this worker (undefined: serve it). */
  private refusal(queueName: string, json: string): string | undefined {
    let registration: BatchRegistration;
    try {
      registration = JSON.parse(json) as BatchRegistration;
      if (registration.queue !== queueName || typeof registration.model?.name !== 'string') {
        throw new Error('not a batch');
      }
    } catch {
      return `ignoring ${REGISTRY_KEY} entry ${queueName}: not a Spinscope batch`;
    }
    const { modelId } = this;
    if (!sameModel(registration.model, modelId)) {
      return (
        `not serving batch ${queueName}: it needs model ${registration.model.name} ${registration.model.version}, ` +
        `this worker has ${modelId.name} ${modelId.version}`
      );
    }
    try {
      this.serve(registration);
    } catch (error) {
      return `not serving batch ${queueName}: ${(error as Error).message}`;
    }
    return undefined;
  }

  /** Take up the batches new in the registry, let go of those that left it. */
  private async refresh(): Promise<void> {
    const entries = await this.registry.hgetall(REGISTRY_KEY);
    if (this.options.signal?.aborted) return; // stopping: take up nothing new
    for (const [queueName, json] of Object.entries(entries)) {
      if (this.served.has(queueName) || this.skipped.has(queueName)) continue;
      const refused = this.refusal(queueName, json);
      if (refused === undefined) continue;
      this.skipped.add(queueName);
      this.log(refused);
    }
    for (const [queueName, worker] of this.served) {
      if (queueName in entries) continue;
      this.served.delete(queueName);
      await this.closeWorker(worker);
      this.log(`batch ${queueName} is finished`);
    }
    for (const queueName of this.skipped)
      if (!(queueName in entries)) this.skipped.delete(queueName);
  }

  /** Look at the registry every pollMs (or when told of a change) until the signal aborts. */
  async serveUntilStopped(): Promise<void> {
    const { signal } = this.options;
    const { modelId, settings } = this;
    this.log(
      `worker ${this.name}: model ${modelId.name} ${modelId.version}, ${settings.concurrency} at once, ` +
        `waiting for batches on ${settings.target.display}`,
    );
    const stopWaiting = (): void => this.pause.interrupt();
    signal?.addEventListener('abort', stopWaiting, { once: true });
    try {
      while (!signal?.aborted) {
        await untilAborted(
          signal,
          this.refresh().catch((error) => this.trouble('reading the batches', error)),
        );
        if (signal?.aborted) break;
        await this.pause.wait(settings.pollMs);
      }
    } finally {
      signal?.removeEventListener('abort', stopWaiting);
    }
  }

  /** Graceful: each BullMQ worker finishes the jobs it has started, then lets go. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.served.values()].map((worker) => this.closeWorker(worker)));
    await this.pool.destroy();
    this.subscriber.disconnect();
    this.registry.disconnect();
  }
}

/** Wait for `promise`, or less when `signal` aborts. */
function untilAborted(signal: AbortSignal | undefined, promise: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
