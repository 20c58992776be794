import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, FIXTURES, SHARED, tempDir } from './helpers.js';

function spinscope(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const CASES = join(SHARED, 'fixtures/scoring');

test('evaluate prints a table and ends with the headline', () => {
  const dir = join(CASES, 'tc-dev-feature-baseline');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'tc',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0);
  assert.match(stdout, /Loaded_Language\s+325\s+459\s+0\.6100\s+0\.8615\s+0\.7143/);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'TC micro-F1 0.5767');
});

test('evaluate --order-free and --json', () => {
  const dir = join(CASES, 'tc-dev-published-system');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'tc',
    '--order-free',
    '--json',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.equal(result.task, 'tc');
  assert.equal(result.tc.pairing, 'order-free');
  assert.equal(result.tc.microF1.toFixed(6), '0.683913');
  assert.equal(result.headline, 'TC micro-F1 0.6839');
});

test('evaluate --task full reports SI and the technique-aware score', () => {
  const dir = join(CASES, 'full-dev-perturbed-gold');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'full',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0);
  assert.match(stdout, /0\.8617\s+0\.5841\s+0\.6962/);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'Full-task micro-F1 0.4791');
});

test('evaluate reads folders of per-article label files and checks them against articles', () => {
  const corpus = join(FIXTURES, 'corpus');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'si',
    '--articles',
    join(corpus, 'articles'),
    join(corpus, 'labels-si'),
    join(corpus, 'labels-tc'),
  );
  assert.equal(code, 0, stdout);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'SI F1 1.0000');
});

test('evaluate refuses bad input with the file, the line and a code', () => {
  const dir = tempDir();
  const bad = join(dir, 'pred.labels');
  writeFileSync(bad, '1001\t116\t136\n1001\t140\n');
  const gold = join(FIXTURES, 'corpus/labels-si');
  const result = spinscope('evaluate', '--task', 'si', gold, bad);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /pred\.labels:2: expected 3 tab-separated columns.*\[SPN_ERR_LABEL_FORMAT\]/,
  );

  writeFileSync(bad, '1001\t116\t9999\n');
  const past = spinscope(
    'evaluate',
    '--task',
    'si',
    '--articles',
    join(FIXTURES, 'corpus/articles'),
    gold,
    bad,
  );
  assert.equal(past.code, 1);
  assert.match(past.stderr, /pred\.labels:1: span 116-9999 runs past the end of article 1001/);

  const usage = spinscope('evaluate', '--task', 'xx', gold, bad);
  assert.notEqual(usage.code, 0);
  assert.match(usage.stderr, /Allowed choices are si, tc, full/);

  const missing = spinscope('evaluate', '--task', 'si', gold, join(dir, 'nope.labels'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.labels: cannot read/);
});
