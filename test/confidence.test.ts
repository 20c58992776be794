/**
 * What a reader is told: the technique confidence checked out of fold, and the document
 * score ranking an article written as propaganda far above news.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyze.js';
import { checkConfidence, type HeldOutHighlight } from '../src/train/calibration.js';
import { seededRandom } from '../src/train/random.js';
import { EXAMPLE_TEXT } from '../web/src/example.js';

test('the confidence check is out of fold: a calibration fitted on other parts, right on average', () => {
  // Highlights whose chance of being right is their score: a calibration learns about that.
  const random = seededRandom(7);
  const highlights: HeldOutHighlight[] = Array.from({ length: 4000 }, (_, i) => {
    const score = 0.05 + 0.9 * random();
    const overlaps = random() < score;
    return {
      part: i % 5,
      score,
      overlaps,
      halfCovered: overlaps && random() < 0.5,
      gold: overlaps ? [i] : [],
    };
  });
  const check = checkConfidence(highlights, 4000, 5);
  assert.ok(check.overlap.ece < 0.05, `ECE ${check.overlap.ece}`);
  // Fitted to the stricter outcome, the confidence says less than it means.
  assert.ok(check.halfCovered.ece > check.overlap.ece);
  for (const bin of check.overlap.bins.filter((b) => b.count > 100))
    assert.ok(Math.abs(bin.accuracy - bin.meanConfidence) < 0.1, JSON.stringify(bin));
  // Higher thresholds show fewer, surer highlights; the best F0.5 is one of them.
  const [low, high] = [check.thresholds[1]!, check.thresholds[7]!];
  assert.ok(high.shown < low.shown && high.precision > low.precision && high.recall < low.recall);
  assert.ok(check.thresholds.some((t) => t.threshold === check.best));
});

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures/documents', name), 'utf8');

for (const model of ['sm', 'md', 'lg']) {
  test(`${model}: the document score ranks propaganda far above a news story`, async () => {
    const score = async (text: string) =>
      (await analyze(text, { model, explain: false })).document.score;
    const [example, propaganda, news] = await Promise.all([
      score(EXAMPLE_TEXT),
      score(fixture('propaganda.txt')),
      score(fixture('neutral.txt')),
    ]);
    assert.ok(propaganda > 0.05 && example > 0.05, `${example}, ${propaganda}`);
    assert.ok(example > 3 * news && propaganda > 3 * news, `${example}, ${propaganda}, ${news}`);
  });
}
