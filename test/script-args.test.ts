import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { scriptUsage } from '../scripts/script-args.js';

/** A bench script run as `npm run bench:ab -- ARGS` runs it. */
function benchAb(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/speed-ab.ts', ...args], {
    encoding: 'utf8',
  });
}

test('a script prints its usage for --help, and a wrong option in one line with it', () => {
  const usage = scriptUsage('bench/speed-ab.ts');
  assert.match(usage, /^Two builds of Spinscope timed against each other/u);
  assert.match(usage, /npm run bench:ab -- --before/u);
  assert.doesNotMatch(usage, /^\s*\*/mu, 'comment marks are stripped');

  const help = benchAb('--help');
  assert.equal(help.status, 0);
  assert.equal(help.stdout.trim(), usage);

  const wrong = benchAb('--befor', 'x');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr.split('\n')[0]!, /^speed-ab\.ts: Unknown option '--befor'/u);
  assert.match(wrong.stderr, /npm run bench:ab -- --before/u);
  assert.doesNotMatch(wrong.stderr, /at parseArgs|node:internal/u, 'no stack trace');
});
