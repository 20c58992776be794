/**
 * What the queue producer (`spinscope batch --queue`, queue-producer.ts) and the queue
 * workers (`spinscope worker`, queue-worker.ts) share: the Redis URL, the names of the
 * queue and of the batch registry, the job data, the default timings, how a job's
 * failure carries its error code, and how both wait on Redis (deadline, within, Pause).
 *
 * Layout in Redis (all keys under the `spinscope:` prefix):
 *   spinscope:batches            a hash: queue name → the batch (model, output folder, host)
 *                                of every producer that has jobs out; workers serve the
 *                                batches listed here whose model is theirs (and a pub/sub
 *                                channel of the same name tells them when it changes)
 *   spinscope:<queue name>:...   one BullMQ queue per batch folder, its jobs keyed by the
 *                                sha256 of the article text (so adding one twice is a no-op)
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { ERROR_CODES, SpinscopeError, type ErrorCode } from '../../errors.js';
import type { ModelId } from '../outputs.js';

/** Prefix of every key Spinscope writes to Redis. */
export const QUEUE_PREFIX = 'spinscope';
/** The hash of batches with jobs out (queue name → BatchRegistration as JSON). */
export const REGISTRY_KEY = `${QUEUE_PREFIX}:batches`;
/** Producers publish a queue name here when they add or remove a batch, so workers look at once. */
export const REGISTRY_CHANNEL = `${QUEUE_PREFIX}:batches`;
/** The name of every analysis job. */
export const JOB_NAME = 'analyse';

/** How long to wait for Redis to answer when connecting. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Tries per job (the first and the retries) before it fails for good. */
export const DEFAULT_ATTEMPTS = 3;
/** First retry delay; each further retry waits twice as long (exponential backoff). */
export const DEFAULT_BACKOFF_MS = 1_000;
/** A worker holds a job's lock this long and renews it every half of it while it works. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
/** How often workers look for jobs whose worker died (their lock ran out). */
export const DEFAULT_STALLED_INTERVAL_MS = 15_000;
/** A job whose worker died is taken up again this many times before it fails. */
export const DEFAULT_MAX_STALLED_COUNT = 2;
/** Finished jobs that no producer collects are dropped after a week. */
export const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

/** Where Redis is, from a `redis://` or `rediss://` URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** The URL without its password, for messages. */
  display: string;
}

/** A batch as producers announce it to workers in REGISTRY_KEY. */
export interface BatchRegistration {
  queue: string;
  model: ModelId;
  /** The producer's output folder and machine (for the worker's log). */
  out: string;
  host: string;
  pid: number;
  /** ISO 8601 time the producer (last) started. */
  since: string;
}

/** The data of one analysis job: an article's text, checked and loaded by the producer. */
export interface AnalysisJobData {
  /** sha256 of `text` (UTF-8); also the job id. */
  contentHash: string;
  text: string;
  /** The model the producer keys its results by: a worker with another model does not take it. */
  model: ModelId;
  /** The producer's largest text, in UTF-8 bytes. */
  maxBytes: number;
  /** The first item with this text: where it came from and what it says about itself. */
  id: string;
  input: string;
  title?: string;
  source?: string;
  date?: string;
}

function badUrl(url: string, why: string): SpinscopeError {
  return new SpinscopeError(
    'SPN_ERR_USAGE',
    `--queue "${redact(url)}" ${why}: expected redis://[user:password@]HOST[:PORT][/DB] ` +
      '(or rediss:// for TLS), e.g. redis://127.0.0.1:6379',
  );
}

/** The URL with any password replaced by `***`. */
function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/iu, '$1***@');
}

/** Check and take apart a Redis URL; a SpinscopeError (SPN_ERR_USAGE) says what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url, 'is not a valid URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw badUrl(url, `has the scheme "${parsed.protocol.replace(/:$/u, '')}"`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/u, '$1');
  if (host === '') throw badUrl(url, 'names no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
    throw badUrl(url, `has the port ${parsed.port}`);
  }
  const path = parsed.pathname.replace(/^\/+/u, '');
  if (path !== '' && !/^\d{1,5}$/u.test(path)) {
    throw badUrl(url, `has the path "/${path}", which is not a database number`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw badUrl(url, 'has a query or fragment');
  }
  const decode = (value: string): string | undefined => {
    if (value === '') return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      throw badUrl(url, 'has a malformed user name or password');
    }
  };
  const display = `${parsed.protocol}//${host.includes(':') ? `[${host}]` : host}:${port}${path === '' ? '' : `/${path}`}`;
  return {
    host,
    port,
    db: path === '' ? 0 : Number(path),
    username: decode(parsed.username),
    password: decode(parsed.password),
    tls: parsed.protocol === 'rediss:',
    display,
  };
}

/** ioredis options for a target (BullMQ takes the same). */
export function redisOptions(target: RedisTarget, extra: RedisOptions = {}): RedisOptions {
  const options: RedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
    // Closing a connection waits this long for its socket (ioredis waits 2 s by default, also
    // for a socket that is already gone).
    disconnectTimeout: 500,
    ...extra,
  };
  if (target.username !== undefined) options.username = target.username;
  if (target.password !== undefined) options.password = target.password;
  if (target.tls) options.tls = { servername: target.host };
  return options;
}

/** Redis versions older than this lack commands BullMQ uses. */
const MIN_REDIS_MAJOR = 5;

/**
 * Connect once and ask Redis who it is, within `timeoutMs`: a SpinscopeError
 * (SPN_ERR_QUEUE) says why when Redis cannot be reached, refuses the password, or is too old.
 */
export async function checkRedis(target: RedisTarget, timeoutMs: number): Promise<void> {
  const client = new Redis(
    redisOptions(target, {
      connectTimeout: timeoutMs,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null, // one try: the caller reports the failure
    }),
  );
  let lastError: Error | undefined; // the cause (ECONNREFUSED...) behind "Connection is closed"
  client.on('error', (error: Error) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms (raise it with --connect-timeout)`)),
      timeoutMs,
    );
  });
  try {
    const info = await Promise.race([
      (async () => {
        await client.connect();
        return client.info('server');
      })(),
      deadline,
    ]);
    const version = /^redis_version:(\d+)\./mu.exec(info)?.[1];
    if (version !== undefined && Number(version) < MIN_REDIS_MAJOR) {
      throw new Error(
        `it is Redis ${version}, and the queue needs Redis ${MIN_REDIS_MAJOR} or newer`,
      );
    }
  } catch (error) {
    const reason =
      lastError !== undefined && /Connection is closed/u.test((error as Error).message)
        ? lastError.message
        : (error as Error).message || String(error);
    throw new SpinscopeError('SPN_ERR_QUEUE', `cannot use Redis at ${target.display}: ${reason}`);
  } finally {
    clearTimeout(timer);
    // (Disconnecting a client whose connection already ended would hold the process 2 s.)
    if (client.status !== 'end') client.disconnect();
  }
}

/**
 * The queue of a batch folder: its name and a hash of the machine and the folder's absolute
 * path, so that the same folder gets the same queue when a run is resumed, and other folders
 * (and other machines' folders) get other queues in the same Redis.
 */
export function queueNameFor(outDir: string, host = hostname()): string {
  const path = resolve(outDir);
  const slug =
    basename(path)
      .replace(/[^A-Za-z0-9._-]+/gu, '-')
      .replace(/^-+|-+$/gu, '')
      .slice(0, 40) || 'batch';
  const hash = createHash('sha256').update(`${host}\0${path}`, 'utf8').digest('hex').slice(0, 12);
  return `batch-${slug}-${hash}`;
}

/** Codes of errors that are the item's fault: a job that fails with one is not tried again. */
const ITEM_FAULTS = new Set<ErrorCode>([
  'SPN_ERR_INPUT_EMPTY',
  'SPN_ERR_INPUT_TOO_LARGE',
  'SPN_ERR_INPUT_BINARY',
  'SPN_ERR_INPUT_TYPE',
]);

export function isItemFault(code: unknown): code is ErrorCode {
  return typeof code === 'string' && ITEM_FAULTS.has(code as ErrorCode);
}

/** A job's failure reason carries the error code in front: `[SPN_ERR_…] message`. */
export function formatJobFailure(code: ErrorCode, message: string): string {
  return `[${code}] ${message}`;
}

/** The code and message of a failed job's reason (SPN_ERR_INTERNAL when it names none). */
export function parseJobFailure(reason: string | undefined): { code: ErrorCode; message: string } {
  const match = /^\[(SPN_ERR_[A-Z_]+)\] ([\s\S]*)$/u.exec(reason ?? '');
  if (match && (match[1] as string) in ERROR_CODES) {
    return { code: match[1] as ErrorCode, message: match[2] as string };
  }
  return { code: 'SPN_ERR_INTERNAL', message: reason || 'the job failed without a reason' };
}

/**
 * Wait for `promise`, or `ms` at most (without keeping the process alive); true when it
 * settled in time. For closing connections: when Redis is gone, closing never finishes.
 */
export async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  const timer = new AbortController();
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    sleep(ms, false, { signal: timer.signal }).catch(() => false),
  ]);
  timer.abort();
  return settled;
}

/** `promise`, or the error `late()` makes when it takes longer than `ms`. */
export async function deadline<T>(ms: number, promise: Promise<T>, late: () => Error): Promise<T> {
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

/** A Redis failure as the error a queued run reports (a SpinscopeError is kept as it is). */
export function queueError(target: RedisTarget, error: unknown): SpinscopeError {
  if (error instanceof SpinscopeError) return error;
  return new SpinscopeError(
    'SPN_ERR_QUEUE',
    `the queue at ${target.display} failed: ${(error as Error).message ?? String(error)}`,
  );
}

/** The wait between two polls of Redis, which can be cut short (a stop, a new batch). */
export class Pause {
  private wake: (() => void) | undefined;

  /** Wait `ms`, or until `interrupt()`. */
  async wait(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** End the wait in progress, if any. */
  interrupt(): void {
    this.wake?.();
  }
}

/** Positive whole number of milliseconds (or count) for an option, else a usage error. */
export function checkPositive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SpinscopeError('SPN_ERR_USAGE', `${name} must be a positive integer, not ${value}`);
  }
  return value;
}
