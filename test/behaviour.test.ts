/**
 * The shipped models' behaviour, pinned: a digest of every analysis (spans, techniques,
 * confidences, cues, sentence and document scores; not the timing) of the dev articles.
 * A refactoring must leave it as it is. When a model is retrained on purpose, write the new
 * digests with `SPINSCOPE_WRITE_DIGESTS=1 node --import tsx --test test/behaviour.test.ts`
 * and commit them with the model.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDetector } from '../src/analyze.js';
import { readCorpus } from '../src/formats/corpus.js';
import { FIXTURES, SHARED } from './helpers.js';

const DEV = join(SHARED, 'data/ptc/dev');
const DIGESTS = join(FIXTURES, 'prediction-digests.json');

function digestOf(model: string, texts: readonly string[]): string {
  const detector = loadDetector(model);
  const hash = createHash('sha256');
  for (const text of texts) {
    const { timing: _timing, ...analysis } = detector.analyze(text);
    hash.update(JSON.stringify(analysis)).update('\n');
  }
  return hash.digest('hex');
}

test('the shipped models analyse the dev articles exactly as pinned', async (t) => {
  if (!existsSync(DEV)) return t.skip(`no corpus at ${DEV}`);
  const texts = (await readCorpus(DEV)).articles.map((a) => a.text);
  assert.equal(texts.length, 75);
  const digests = { fast: digestOf('fast', texts), accurate: digestOf('accurate', texts) };
  if (process.env.SPINSCOPE_WRITE_DIGESTS === '1') {
    writeFileSync(DIGESTS, `${JSON.stringify(digests, null, 2)}\n`);
  }
  assert.deepEqual(digests, JSON.parse(readFileSync(DIGESTS, 'utf8')));
});
