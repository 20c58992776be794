/**
 * Throughput of `spinscope batch` on the dev articles: a local batch with 1 and with 2
 * analysis threads, and a queued batch (`--queue`) with 2 `spinscope worker` processes
 * (one thread each) on a redis-server of its own. Each run writes into a fresh folder with
 * a fresh store, over `--copies` copies of the articles (each copy's texts made distinct by
 * a last line), so that every article is analysed and none comes from the store.
 *
 * The commands are the compiled CLI (`npm run build` first), run as a user would. The
 * workers are started (and their model loaded) before the queued run begins, as they would
 * be on real machines; a local batch starts its threads within its run.
 *
 * Each mode runs `--rounds` times; the table shows the median round.
 *
 *   npm run bench:batch [-- --data ../shared/data/ptc/dev/articles --copies 8 --rounds 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkRedis, parseRedisUrl } from '../src/batch/queue/queue.js';
import type { BatchSummary } from '../src/batch/run-batch.js';
import { defaultCorpusDir } from '../src/config.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: join(defaultCorpusDir(), 'dev/articles') },
  copies: { type: 'string', default: '8' },
  rounds: { type: 'string', default: '3' },
  'redis-server': { type: 'string', default: 'redis-server' },
});
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
const copies = Number(values.copies);
const rounds = Number(values.rounds);

// The input: every article of the folder, `copies` times over, each copy a distinct text.
const work = mkdtempSync(join(tmpdir(), 'spinscope-bench-batch-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const input = join(work, 'in');
mkdirSync(input);
const names = readdirSync(values.data as string).filter((name) => name.endsWith('.txt'));
if (names.length === 0) throw new Error(`no .txt articles in ${values.data}`);
let characters = 0;
for (let copy = 1; copy <= copies; copy++) {
  for (const name of names) {
    const text = `${readFileSync(join(values.data as string, name), 'utf8')}\n(copy ${copy})\n`;
    characters += text.length;
    writeFileSync(join(input, name.replace(/\.txt$/u, `-${copy}.txt`)), text);
  }
}
const articles = names.length * copies;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Exit>((done) =>
    child.on('close', (code) => done({ code, stdout, stderr })),
  );
  return { child, exited };
}

interface Measure {
  wall: number;
  summary: BatchSummary;
}

let runNumber = 0;
async function batch(extra: string[]): Promise<Measure> {
  const out = join(work, `out-${++runNumber}`);
  const started = performance.now();
  const result = await run(['batch', input, '--out', out, ...extra]).exited;
  const wall = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`batch failed (${result.code}): ${result.stderr}`);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BatchSummary;
  if (summary.analysed !== articles) {
    throw new Error(`expected ${articles} analysed, found ${summary.analysed}`);
  }
  rmSync(out, { recursive: true, force: true });
  return { wall, summary };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** A redis-server of our own, or undefined (with a note) when there is none. */
async function startRedis(): Promise<{ url: string; stop: () => void } | undefined> {
  const port = await freePort();
  const child = spawn(
    values['redis-server'] as string,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  let failed = false;
  child.on('error', () => (failed = true));
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; tries < 50 && !failed; tries++) {
    try {
      await checkRedis(parseRedisUrl(url), 1000);
      return { url, stop: () => child.kill('SIGKILL') };
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  console.log(
    `(no ${values['redis-server']}: the queued run is skipped; apt-get install redis-server)`,
  );
  return undefined;
}

async function startWorker(url: string): Promise<{ stop: () => Promise<void> }> {
  const worker = run(['worker', '--queue', url, '--concurrency', '1']);
  let output = '';
  worker.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 30_000;
  while (!output.includes('waiting for batches')) {
    if (Date.now() > deadline || worker.child.exitCode !== null) {
      throw new Error(`the worker did not start: ${output}`);
    }
    await sleep(20);
  }
  return {
    stop: async () => {
      worker.child.kill('SIGTERM');
      await worker.exited;
    },
  };
}

const rows: { mode: string; runs: Measure[] }[] = [];
async function measure(mode: string, once: () => Promise<Measure>): Promise<void> {
  const runs: Measure[] = [];
  for (let round = 0; round < rounds; round++) runs.push(await once());
  rows.push({ mode, runs });
  console.log(`${mode}: ${runs.map((r) => `${r.wall.toFixed(1)} s`).join(', ')}`);
}

/** The median round (by wall time). */
function median(runs: Measure[]): Measure {
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  return sorted[Math.floor((sorted.length - 1) / 2)] as Measure;
}

console.log(
  `${articles} articles (${names.length} × ${copies}), ${characters.toLocaleString('en')} characters, ` +
    `${availableParallelism()} cores, ${rounds} round(s) each`,
);
await measure('local batch, --workers 1', () => batch(['--workers', '1']));
await measure('local batch, --workers 2', () => batch(['--workers', '2']));
const redis = await startRedis();
if (redis) {
  try {
    const workers = [await startWorker(redis.url), await startWorker(redis.url)];
    try {
      await measure('--queue, 2 worker processes', () => batch(['--queue', redis.url]));
    } finally {
      for (const worker of workers) await worker.stop();
    }
  } finally {
    redis.stop();
  }
}

// The table: the median round of each (wall time of the whole command, and the run's own
// articles/s from summary.json, which leaves out process start and model loading in the
// main process).
const header = ['mode', 'articles', 'wall s', 'articles/s', 'summary articles/s'];
const table = rows.map(({ mode, runs }) => {
  const middle = median(runs);
  return [
    mode,
    String(articles),
    middle.wall.toFixed(1),
    (articles / middle.wall).toFixed(1),
    middle.summary.articlesPerSecond.toFixed(1),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) =>
  `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
console.log();
console.log(line(header));
console.log(
  `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
);
for (const row of table) console.log(line(row));
