import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHARED = process.env.SPINSCOPE_SHARED ?? resolve(ROOT, '../shared');
export const FIXTURES = join(ROOT, 'test/fixtures');

/**
 * False when `path` (inside ../shared, which a user's clone does not have) exists; else the
 * reason to skip a test that needs it, naming the path.
 */
export function needsShared(path: string): string | false {
  return existsSync(path)
    ? false
    : `needs ${path}: put shared/ beside the repository or set SPINSCOPE_SHARED`;
}
export const CLI = join(ROOT, 'dist/cli/main.js');

/** A temporary folder removed when the test file ends. */
export function tempDir(prefix = 'spinscope-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Run the built CLI; its exit code and output. */
export function spinscope(...args: string[]): {
  code: number | null;
  stdout: string;
  stderr: string;
} {
  return spinscopeIn(undefined, ...args);
}

/** Run the built CLI in the folder `cwd`. */
export function spinscopeIn(
  cwd: string | undefined,
  ...args: string[]
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `spinscope analyze --format json` of a fixture article with a model; fails on a non-zero exit. */
export function analyzeFixture(model: string): { model: { name: string }; offsetUnit: string } {
  const run = spinscope(
    'analyze',
    join(FIXTURES, 'corpus/articles/article1002.txt'),
    '--model',
    model,
    '--format',
    'json',
  );
  if (run.code !== 0) throw new Error(`analyze --model ${model} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
