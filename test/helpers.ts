import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHARED = process.env.SPINSCOPE_SHARED ?? resolve(ROOT, '../shared');
export const FIXTURES = join(ROOT, 'test/fixtures');
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
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
