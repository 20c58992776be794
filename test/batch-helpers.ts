/**
 * What the batch tests and the queue tests share: running the CLI as a child process, and
 * reading and checking a batch's output folder.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultRecord } from '../src/batch/outputs.js';
import type { BatchSummary } from '../src/batch/run-batch.js';
import { parseLabels } from '../src/formats/labels.js';
import { CLI } from './helpers.js';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  exited: Promise<Run>;
}

/** Start the built CLI without blocking this process (a test's servers must keep answering). */
export function startCli(args: readonly string[]): Running {
  return startNode([CLI, ...args]);
}

/** Start `node ARGV` (a script and its arguments) without blocking this process. */
export function startNode(argv: readonly string[]): Running {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, exited };
}

/** Run the built CLI to its end without blocking this process. */
export function runCli(...args: string[]): Promise<Run> {
  return startCli(args).exited;
}

export function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

export function readSummary(out: string): BatchSummary {
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BatchSummary;
}

export function lineCount(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

/**
 * The outputs agree with results.jsonl: each id once; si.labels and tc.labels parse, name
 * exactly the articles that have spans, hold every span (and technique) once, and every
 * offset lies inside its article (counted in code points); the summary counts the same.
 */
export function checkOutputs(out: string): ResultRecord[] {
  const results = readJsonl<ResultRecord>(join(out, 'results.jsonl'));
  const ids = results.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'an id appears twice in results.jsonl');
  const lengths = new Map(results.map((r) => [r.id, r.analysis.length]));
  for (const r of results) {
    assert.equal(r.analysis.offsetUnit, 'codepoint');
    assert.deepEqual(r.model, r.analysis.model);
    assert.match(r.contentHash, /^[0-9a-f]{64}$/);
  }
  const si = parseLabels(readFileSync(join(out, 'si.labels'), 'utf8'), 'si.labels', {
    expect: 'si',
    articleLengths: lengths,
  });
  const tc = parseLabels(readFileSync(join(out, 'tc.labels'), 'utf8'), 'tc.labels', {
    expect: 'tc',
    articleLengths: lengths,
  });
  const withSpans = results.filter((r) => r.analysis.spans.length > 0).map((r) => r.id);
  assert.deepEqual(new Set(si.spans.map((s) => s.articleId)), new Set(withSpans));
  assert.deepEqual(new Set(tc.techniqueSpans.map((s) => s.articleId)), new Set(withSpans));
  const spanCount = results.reduce((n, r) => n + r.analysis.spans.length, 0);
  const techniqueCount = results.reduce(
    (n, r) => n + r.analysis.spans.reduce((m, s) => m + s.techniques.length, 0),
    0,
  );
  assert.equal(si.spans.length, spanCount);
  assert.equal(tc.techniqueSpans.length, techniqueCount);
  const summary = readSummary(out);
  assert.equal(summary.articles, results.length);
  assert.equal(summary.spans, spanCount);
  assert.equal(
    Object.values(summary.spansPerTechnique).reduce((a, b) => a + b, 0),
    techniqueCount,
  );
  assert.equal(summary.offsetUnit, 'codepoint');
  return results;
}

/**
 * A stopped run (`partial` results written on its way out) was run again: it finished, every
 * id is there once, and the earlier results were kept rather than redone.
 */
export function assertResumed(
  out: string,
  resumed: Run,
  ids: readonly string[],
  partial: number,
): void {
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(
    checkOutputs(out)
      .map((r) => r.id)
      .sort(),
    ids,
  );
  assert.equal(readSummary(out).fromResults, partial);
}

/**
 * Invented articles (never corpus text) named article<id>.txt, ids counting from `first`,
 * each different from the others; the ids, sorted.
 */
export function writeArticles(dir: string, count: number, first: number): string[] {
  const subjects = ['The council', 'The harbour board', 'A spokesman', 'The mayor', 'Traders'];
  const verbs = ['announced', 'warned', 'claimed', 'insisted', 'denied', 'promised', 'argued'];
  const objects = [
    'that the new bridge will cost more than planned',
    'a shameful plan to close the library',
    'that so-called experts are lying to hard-working families',
    'the disgraceful betrayal of our proud town',
    'a modest change to the bus timetable',
    'that only a fool would trust the traitors',
    'a survey of passengers on the early ferry',
    'that the radical mob will destroy everything we love',
  ];
  mkdirSync(dir, { recursive: true });
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const id = String(first + n);
    const lines = [`Invented Story ${id}`, ''];
    for (let k = 0; k < 40; k++) {
      lines.push(
        `${subjects[(n + k) % 5]} ${verbs[(n * 3 + k) % 7]} ${objects[(n * 7 + k * 5) % 8]}.`,
      );
    }
    lines.push(`Story number ${id} was invented for the batch tests.`);
    writeFileSync(join(dir, `article${id}.txt`), `${lines.join('\n')}\n`);
    ids.push(id);
  }
  return ids.sort();
}
