/**
 * `spinscope batch --queue` and `spinscope worker` against a real Redis: a redis-server of
 * this file's own (Debian's, `apt-get install -y redis-server`) on a free port, without
 * persistence, killed when the file ends. Workers and producers are the compiled CLI
 * (`npm run build` first), as on real machines.
 *
 * Without redis-server the tests are skipped with a message, except in CI (CI=true), where
 * they fail. A slow worker (test/fixtures/slow-worker.ts: the worker command with a pause
 * before each job, through the library's beforeJob hook) can be killed in the middle of its jobs.
 *
 * Run: npm run build && node --import tsx --test test/queue.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { FailureRecord, ResultRecord } from '../src/batch/outputs.js';
import {
  checkRedis,
  parseRedisUrl,
  QUEUE_PREFIX,
  queueNameFor,
  REGISTRY_KEY,
} from '../src/batch/queue/queue.js';
import {
  assertResumed,
  checkOutputs,
  lineCount,
  readJsonl,
  readSummary,
  startCli,
  startNode,
  writeArticles,
  type Run,
  type Running,
} from './batch-helpers.js';
import { FIXTURES, tempDir } from './helpers.js';

const SLOW_WORKER = join(FIXTURES, 'slow-worker.ts');

// ---------------------------------------------------------------------------------------
// redis-server

function findRedisServer(): string | undefined {
  if (process.env.SPINSCOPE_REDIS_SERVER) return process.env.SPINSCOPE_REDIS_SERVER;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, 'redis-server');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

const REDIS_SERVER = findRedisServer();
const MISSING = 'redis-server not found (install it: apt-get install -y redis-server)';
const skip = REDIS_SERVER || process.env.CI === 'true' ? false : `${MISSING}; queue tests skipped`;
if (skip) console.log(`# ${skip}`);

let redis: ChildProcess | undefined;
let redisUrl = '';
const children = new Set<ChildProcess>();

// Registered at the top level: node:test runs an `after` registered inside `before` at once.
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  redis?.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server of our own on a free port, without persistence, once it answers. */
async function spawnRedis(): Promise<{ child: ChildProcess; url: string }> {
  if (!REDIS_SERVER) throw new Error(`${MISSING}: the queue tests need it in CI`);
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      await checkRedis(parseRedisUrl(url), 1000);
      return { child, url };
    } catch (error) {
      if (tries >= 50 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw error;
      }
      await sleep(100);
    }
  }
}

async function startRedis(): Promise<void> {
  const started = await spawnRedis();
  redis = started.child;
  redisUrl = started.url;
}

// ---------------------------------------------------------------------------------------
// Processes

/** Start the CLI; it is killed if still running when the file ends. */
function startTracked(args: string[]): Running {
  const running = startCli(args);
  track(running.child);
  return running;
}

function runCli(...args: string[]): Promise<Run> {
  return startTracked(args).exited;
}

function track(child: ChildProcess): void {
  children.add(child);
  child.on('close', () => children.delete(child));
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface TestWorker extends Running {
  /** SIGTERM, and the worker's exit. */
  stop(): Promise<Run>;
}

/** `spinscope worker` (on this file's Redis), once it waits for batches (its model loaded). */
async function startWorker(
  args: string[] = [],
  pauseMs?: number,
  url = redisUrl,
): Promise<TestWorker> {
  const workerArgs = ['--queue', url, '--concurrency', '1', '--verbose', ...args];
  // A pause before each job (the library's beforeJob hook) lets a test stop a worker mid-job.
  const running =
    pauseMs === undefined
      ? startCli(['worker', ...workerArgs])
      : startNode(['--import', 'tsx', SLOW_WORKER, String(pauseMs), ...workerArgs]);
  track(running.child);
  let gone = false;
  void running.exited.then(() => (gone = true));
  await until(
    'the worker to start',
    () => gone || running.output().includes('waiting for batches'),
  );
  assert.equal(gone, false, `the worker stopped: ${running.output()}`);
  return {
    ...running,
    stop: () => {
      running.child.kill('SIGTERM');
      return running.exited;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Outputs

/** The parts of a result that must not depend on where it was analysed. */
function comparable(results: ResultRecord[]): unknown[] {
  return [...results]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => ({
      id: r.id,
      input: r.input,
      source: r.source,
      title: r.title,
      date: r.date,
      contentHash: r.contentHash,
      model: r.model,
      analysis: { ...r.analysis, timing: undefined }, // how long it took differs, nothing else
    }));
}

async function withQueue<T>(outDir: string, use: (queue: Queue) => Promise<T>): Promise<T> {
  const target = parseRedisUrl(redisUrl);
  const queue = new Queue(queueNameFor(outDir), {
    connection: { host: target.host, port: target.port },
    prefix: QUEUE_PREFIX,
  });
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

/** Every "done" line of verbose workers: one per job a worker completed. */
function jobsDone(...workers: Running[]): number {
  return workers.reduce((n, w) => n + (w.output().match(/\) done$/gmu) ?? []).length, 0);
}

// ---------------------------------------------------------------------------------------

describe('batch --queue with spinscope worker processes', { skip }, () => {
  before(startRedis);
  // A test that failed half-way leaves no worker behind to take the next test's jobs.
  afterEach(async () => {
    const left = [...children];
    for (const child of left) child.kill('SIGKILL');
    await until('the processes to end', () => left.every((child) => !children.has(child)));
  });

  test('two workers give the same outputs as a local batch; the queue is cleaned up', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    writeArticles(input, 10, 7001);
    // The invented fixtures too: a BOM and emoji article and an HTML page (extracted here).
    const fixtures = join(FIXTURES, 'batch/articles');
    const local = join(dir, 'local');
    const queued = join(dir, 'queued');

    const workers = [await startWorker(), await startWorker()];
    const [localRun, queuedRun] = await Promise.all([
      runCli('batch', input, fixtures, '--out', local, '--workers', '1'),
      runCli('batch', input, fixtures, '--out', queued, '--queue', redisUrl),
    ]);
    assert.equal(localRun.code, 0, localRun.stderr);
    assert.equal(queuedRun.code, 0, queuedRun.stderr);
    assert.match(queuedRun.stderr, /queue batch-queued-[0-9a-f]{12} on redis:\/\/127\.0\.0\.1/);
    assert.match(queuedRun.stdout, /13 articles in .*results\.jsonl \(this run: 13 analysed/);

    const fromQueue = checkOutputs(queued);
    assert.equal(fromQueue.length, 13);
    assert.deepEqual(comparable(fromQueue), comparable(checkOutputs(local)));
    const sorted = (file: string) => readFileSync(file, 'utf8').split('\n').sort();
    for (const file of ['si.labels', 'tc.labels']) {
      assert.deepEqual(sorted(join(queued, file)), sorted(join(local, file)));
    }
    const summary = readSummary(queued);
    assert.equal(summary.complete, true);
    assert.equal(summary.analysed, 13);
    assert.deepEqual(readJsonl(join(queued, 'failures.jsonl')), []);
    assert.ok(existsSync(join(queued, 'store.sqlite')));
    // Both workers took part, and no job was done twice.
    for (const worker of workers) assert.match(worker.output(), /\) done$/mu);
    assert.equal(jobsDone(...workers), 13);

    // A finished batch leaves no jobs and no registry entry behind.
    const client = new Redis(redisUrl);
    try {
      assert.equal(await client.hexists(REGISTRY_KEY, queueNameFor(queued)), 0);
    } finally {
      client.disconnect();
    }
    await withQueue(queued, async (queue) => {
      const counts = await queue.getJobCounts();
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        0,
        JSON.stringify(counts),
      );
    });

    // Run again: everything is already done; nothing is queued.
    const again = await runCli('batch', input, fixtures, '--out', queued, '--queue', redisUrl);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readSummary(queued).fromResults, 13);
    assert.equal(jobsDone(...workers), 13);

    // Workers stop gracefully on SIGTERM.
    for (const worker of workers) {
      const stopped = await worker.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /worker stopped: \d+ jobs done, 0 failed/);
    }
  });

  test('a worker started with a former model name (fast) serves a batch of sm', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    writeArticles(input, 3, 7001);
    const out = join(dir, 'out');
    const worker = await startWorker(['--model', 'fast']);
    const run = await runCli('batch', input, '--out', out, '--model', 'sm', '--queue', redisUrl);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(jobsDone(worker), 3);
    assert.deepEqual(new Set(checkOutputs(out).map((r) => r.model.name)), new Set(['sm']));
    await worker.stop();
  });

  test('a worker killed with SIGKILL mid-job: its jobs are taken up by the other', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    const ids = writeArticles(input, 24, 7001);
    const out = join(dir, 'out');
    const slow = 300;
    const timing = ['--concurrency', '2', '--lock-duration', '1000', '--stalled-interval', '500'];
    const doomed = await startWorker(timing, slow);
    const survivor = await startWorker(timing, slow);

    const producer = startTracked(['batch', input, '--out', out, '--queue', redisUrl]);
    // Kill it while it holds jobs it has started and not finished.
    const started = () => (doomed.output().match(/\) started$/gmu) ?? []).length;
    const finished = () => (doomed.output().match(/\) done$/gmu) ?? []).length;
    await until(
      'the worker to be in the middle of jobs',
      () => finished() >= 2 && started() > finished(),
    );
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const unfinished = started() - finished();
    assert.ok(unfinished >= 1, 'the worker was killed between jobs');

    const run = await producer.exited;
    assert.equal(run.code, 0, run.stderr);
    const results = checkOutputs(out);
    assert.deepEqual(results.map((r) => r.id).sort(), ids);
    const summary = readSummary(out);
    assert.equal(summary.complete, true);
    assert.equal(summary.articles, 24);
    assert.equal(summary.analysed, 24);
    assert.equal(summary.failed, 0);
    // The survivor found the killed worker's jobs and did them.
    assert.match(survivor.output(), /lost its worker; it is taken up again/);
    assert.equal((await survivor.stop()).code, 0);
  });

  test('a producer killed with SIGKILL resumes: no result lost, none twice, no job redone', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    const ids = writeArticles(input, 30, 7001);
    const out = join(dir, 'out');
    const results = join(out, 'results.jsonl');
    const slow = 100;
    const workers = [await startWorker([], slow), await startWorker([], slow)];
    const args = ['batch', input, '--out', out, '--queue', redisUrl, '--attempts', '4'];
    args.push('--backoff', '250');

    const first = startTracked(args);
    await until('a few results', () => lineCount(results) >= 6);
    first.child.kill('SIGKILL');
    await first.exited;
    const linesAtKill = lineCount(results);
    assert.ok(linesAtKill < 30, 'the batch finished before it could be killed');
    // The jobs stay queued (with the producer's retry settings) and the workers go on.
    await withQueue(out, async (queue) => {
      const [job] = await queue.getJobs(['waiting', 'active', 'completed'], 0, 0);
      assert.ok(job, 'no job left in the queue');
      assert.equal(job.opts.attempts, 4);
      assert.deepEqual(job.opts.backoff, { type: 'exponential', delay: 250 });
      assert.equal(job.id, job.data.contentHash);
    });
    await sleep(300);

    const second = await runCli(...args);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      checkOutputs(out)
        .map((r) => r.id)
        .sort(),
      ids,
    );
    const summary = readSummary(out);
    assert.equal(summary.complete, true);
    assert.equal(summary.fromResults, linesAtKill);
    assert.equal(summary.analysed + summary.fromStore + summary.fromResults, 30);
    // Jobs finished while no producer was there were collected, not queued and done again.
    assert.equal(jobsDone(...workers), 30);
    for (const worker of workers) await worker.stop();
  });

  test('SIGTERM stops a producer cleanly: outputs written, the run resumes', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    const ids = writeArticles(input, 30, 7001);
    const out = join(dir, 'out');
    const worker = await startWorker([], 100);
    const args = ['batch', input, '--out', out, '--queue', redisUrl];

    const first = startTracked(args);
    await until('a few results', () => lineCount(join(out, 'results.jsonl')) >= 3);
    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.match(stopped.stdout, /interrupted: run the same command again to finish/);
    const partial = checkOutputs(out);
    assert.ok(partial.length < 30);
    assert.equal(readSummary(out).complete, false);

    assertResumed(out, await runCli(...args), ids, partial.length);
    assert.equal(jobsDone(worker), 30);
    await worker.stop();
  });

  test('bad items end in failures.jsonl with their codes (exit code 3), not retried', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    writeArticles(input, 3, 7001);
    writeFileSync(join(input, 'empty.txt'), '   \n');
    // Over the worker's limit, not the producer's: it fails in the worker, for good.
    writeFileSync(join(input, 'long.txt'), 'The endless and shameful waste goes on. '.repeat(100));
    const out = join(dir, 'out');
    const worker = await startWorker(['--max-bytes', '3000']);
    const run = await runCli('batch', input, '--out', out, '--queue', redisUrl, '--attempts', '3');
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /2 failed: see .*failures\.jsonl/);
    const failures = readJsonl<FailureRecord>(join(out, 'failures.jsonl'));
    assert.deepEqual(Object.fromEntries(failures.map((f) => [f.id, f.code])), {
      'empty.txt': 'SPN_ERR_INPUT_EMPTY',
      'long.txt': 'SPN_ERR_INPUT_TOO_LARGE',
    });
    assert.match(failures.find((f) => f.id === 'long.txt')?.message ?? '', /over the limit/);
    assert.equal(failures.find((f) => f.id === 'long.txt')?.input, join(input, 'long.txt'));
    assert.equal(checkOutputs(out).length, 3);
    assert.equal(readSummary(out).failed, 2);
    // The worker tried it once: an item's own fault is not retried.
    assert.equal((worker.output().match(/\(long\.txt\) started/gu) ?? []).length, 1);
    assert.doesNotMatch(worker.output(), /will be retried/);
    assert.equal((await worker.stop()).code, 0);
  });

  test('a bad Redis URL or an unreachable Redis is a clear error, never a hang', async () => {
    const dir = tempDir();
    const input = join(FIXTURES, 'batch/articles');
    const out = join(dir, 'out');
    const batch = (url: string, ...more: string[]) =>
      runCli('batch', input, '--out', out, '--queue', url, ...more);

    // Independent of one another: run at once.
    const closed = await freePort();
    const [scheme, port, path, both, noQueue, refused, workerRefused] = await Promise.all([
      batch('http://127.0.0.1:6379'),
      batch('redis://127.0.0.1:99999'),
      runCli('worker', '--queue', 'redis://127.0.0.1/jobs'),
      batch(redisUrl, '--workers', '2'),
      runCli('batch', input, '--out', out, '--attempts', '2'),
      batch(`redis://spinscope:secret-word@127.0.0.1:${closed}`),
      runCli('worker', '--queue', `redis://127.0.0.1:${closed}`),
    ]);
    assert.equal(scheme.code, 1);
    assert.match(
      scheme.stderr,
      /--queue "http:\/\/127\.0\.0\.1:6379" has the scheme "http".*\[SPN_ERR_USAGE\]/,
    );
    assert.match(port.stderr, /is not a valid URL.*\[SPN_ERR_USAGE\]/);
    assert.equal(path.code, 1);
    assert.match(path.stderr, /"\/jobs", which is not a database number.*\[SPN_ERR_USAGE\]/);
    assert.match(
      both.stderr,
      /--workers sets the analysis threads of a local batch.*\[SPN_ERR_USAGE\]/,
    );
    assert.match(noQueue.stderr, /--attempts only apply with --queue.*\[SPN_ERR_USAGE\]/);

    // Nothing listens there: refused at once; the password is not printed.
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `cannot use Redis at redis://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED.*\\[SPN_ERR_QUEUE\\]`,
      ),
    );
    assert.doesNotMatch(refused.stderr + refused.stdout, /secret-word/);
    assert.equal(existsSync(out), false, 'the output folder was created');
    assert.equal(workerRefused.code, 1);
    assert.match(workerRefused.stderr, /cannot use Redis at .*\[SPN_ERR_QUEUE\]/);

    // A server that takes the connection and never answers: the connect timeout ends it.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port: silentPort } = silent.address() as { port: number };
      const began = Date.now();
      const silentUrl = `redis://127.0.0.1:${silentPort}`;
      const [hung, workerHung] = await Promise.all([
        batch(silentUrl, '--connect-timeout', '500'),
        runCli('worker', '--queue', silentUrl, '--connect-timeout', '500'),
      ]);
      assert.equal(hung.code, 1);
      assert.match(hung.stderr, /no answer within 500 ms.*\[SPN_ERR_QUEUE\]/);
      assert.equal(workerHung.code, 1);
      assert.match(workerHung.stderr, /no answer within 500 ms/);
      assert.ok(Date.now() - began < 15_000, 'the connect timeout was not kept');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
  test('Redis gone in the middle of a run: the producer stops with a clear error, resumable', async () => {
    const own = await spawnRedis(); // this test's own, to be killed
    track(own.child);
    const dir = tempDir();
    const input = join(dir, 'in');
    const ids = writeArticles(input, 30, 7001);
    const out = join(dir, 'out');
    const worker = await startWorker(['--lock-duration', '1000'], 100, own.url);
    const producer = startTracked([
      'batch',
      input,
      '--out',
      out,
      '--queue',
      own.url,
      '--connect-timeout',
      '1000',
    ]);
    await until('a few results', () => lineCount(join(out, 'results.jsonl')) >= 3);
    own.child.kill('SIGKILL');
    const began = Date.now();
    const run = await producer.exited;
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /Redis at redis:\/\/127\.0\.0\.1:\d+ has not answered for 1000 ms.*\[SPN_ERR_QUEUE\]/,
    );
    assert.ok(Date.now() - began < 15_000, 'the producer took too long to give up');
    const partial = checkOutputs(out); // written on the way out
    assert.ok(partial.length < 30);
    assert.equal(readSummary(out).complete, false);
    // The worker stops on SIGTERM although Redis is gone.
    const stopped = await worker.stop();
    assert.equal(stopped.code, 0, stopped.stderr);

    // With a Redis (a new, empty one) the same command finishes the batch.
    const again = await spawnRedis();
    track(again.child);
    const second = await startWorker([], undefined, again.url);
    const resumed = await runCli('batch', input, '--out', out, '--queue', again.url);
    assertResumed(out, resumed, ids, partial.length);
    await second.stop();
  });
});
