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
 * crash). A collector (job-collector.ts) polls the queue for finished jobs, hands each result to the items
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
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pLimit from 'p-limit';
import { SpinscopeError } from '../../errors.js';
import type { Analysis } from '../../detect/analysis.js';
import { DEFAULT_MAX_BYTES } from '../../text/validate.js';
import {
  countItems,
  iterateItems,
  resolveInputs,
  type BatchItem,
  type ResolvedInput,
} from '../inputs.js';
import {
  checkPositive,
  checkRedis,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  deadline,
  KEEP_FINISHED_SECONDS,
  parseRedisUrl,
  QUEUE_PREFIX,
  queueError,
  queueNameFor,
  redisOptions,
  REGISTRY_CHANNEL,
  REGISTRY_KEY,
  within,
  type AnalysisJobData,
  type BatchRegistration,
  type RedisTarget,
} from './queue.js';
import { JobCollector, type JobOutcome } from './job-collector.js';
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

/** Articles loaded at once (URL fetches above all). */
const LOAD_CONCURRENCY = 16;
/** Jobs (and items waiting for them) out at once by default. */
const DEFAULT_MAX_IN_FLIGHT = 256;

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
