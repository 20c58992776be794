/**
 * The shipped models' behaviour, pinned: digests of their analyses of the dev articles,
 * one of the predictions (spans, techniques, confidences, sentence and document scores) and
 * one of the whole analyses (with the cues; never the timing). A refactoring leaves both as
 * they are; a change to the explanations changes only the second. When a model is retrained
 * or the cues change on purpose, write the new digests with
 * `SPINSCOPE_WRITE_DIGESTS=1 node --import tsx --test test/behaviour.test.ts` and commit them.
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

async function digestsOf(model: string, texts: readonly string[]) {
  const detector = loadDetector(model);
  const predictions = createHash('sha256');
  const analyses = createHash('sha256');
  for (const text of texts) {
    const { timing: _timing, ...analysis } = await detector.analyze(text);
    analyses.update(JSON.stringify(analysis)).update('\n');
    const spans = analysis.spans.map(({ cues: _cues, ...span }) => span);
    predictions.update(JSON.stringify({ ...analysis, spans })).update('\n');
  }
  return { predictions: predictions.digest('hex'), analyses: analyses.digest('hex') };
}

test('the shipped models analyse the dev articles exactly as pinned', async (t) => {
  if (!existsSync(DEV)) return t.skip(`no corpus at ${DEV}`);
  const texts = (await readCorpus(DEV)).articles.map((a) => a.text);
  assert.equal(texts.length, 75);
  const digests = {
    fast: await digestsOf('fast', texts),
    accurate: await digestsOf('accurate', texts),
    lg: await digestsOf('lg', texts),
  };
  if (process.env.SPINSCOPE_WRITE_DIGESTS === '1') {
    writeFileSync(DIGESTS, `${JSON.stringify(digests, null, 2)}\n`);
  }
  assert.deepEqual(digests, JSON.parse(readFileSync(DIGESTS, 'utf8')));
});
