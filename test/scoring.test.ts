import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoreFullTask } from '../src/eval/full.js';
import { mergeOverlapping, scoreSi } from '../src/eval/si.js';
import { scoreTc } from '../src/eval/tc.js';
import { parseLabels, type TechniqueSpanLabel } from '../src/formats/labels.js';
import type { TechniqueLabel } from '../src/techniques/catalogue.js';
import { needsShared, SHARED } from './helpers.js';

const CASES = join(SHARED, 'fixtures/scoring');
const TOLERANCE = 5e-7;

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} vs expected ${expected}`);
}

const span = (articleId: string, cpStart: number, cpEnd: number) => ({ articleId, cpStart, cpEnd });
const labelled = (
  articleId: string,
  technique: TechniqueLabel,
  cpStart: number,
  cpEnd: number,
): TechniqueSpanLabel => ({
  articleId,
  technique,
  cpStart,
  cpEnd,
});

test('the shared scoring cases are present', { skip: needsShared(CASES) }, () => {
  assert.ok(readdirSync(CASES).filter((n) => !n.endsWith('.md')).length >= 9);
});

for (const name of existsSync(CASES) ? readdirSync(CASES).filter((n) => !n.endsWith('.md')) : []) {
  test(`official figures: ${name}`, () => {
    const dir = join(CASES, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const gold = parseLabels(readFileSync(join(dir, 'gold.txt'), 'utf8'), 'gold.txt');
    const predicted = parseLabels(readFileSync(join(dir, 'pred.txt'), 'utf8'), 'pred.txt');
    if (expected.task === 'si') {
      const si = scoreSi(gold.spans, predicted.spans);
      close(si.precision, expected.precision, 'precision');
      close(si.recall, expected.recall, 'recall');
      close(si.f1, expected.f1, 'f1');
      assert.equal(si.goldSpans, expected.gold_spans_after_merge);
      assert.equal(si.predictedSpans, expected.pred_spans_after_merge);
      if (expected.full_task_micro) {
        const full = scoreFullTask(gold.techniqueSpans, predicted.techniqueSpans);
        close(full.micro.precision, expected.full_task_micro.precision, 'full precision');
        close(full.micro.recall, expected.full_task_micro.recall, 'full recall');
        close(full.micro.f1, expected.full_task_micro.f1, 'full f1');
        for (const t of full.perTechnique)
          close(t.f1, expected.full_task_per_technique_f1[t.technique], t.technique);
      }
    } else {
      const official = scoreTc(gold.techniqueSpans, predicted.techniqueSpans);
      close(official.microF1, expected.micro_f1, 'micro F1');
      for (const t of official.perTechnique)
        close(t.f1, expected.per_technique_f1[t.technique], t.technique);
      const orderFree = scoreTc(gold.techniqueSpans, predicted.techniqueSpans, 'order-free');
      close(orderFree.microF1, expected.micro_f1_order_free, 'order-free micro F1');
    }
  });
}

test('the worked example of metrics.md', () => {
  const predicted = [span('a', 0, 50), span('a', 161, 172), span('a', 0, 10), span('a', 115, 167)];
  const gold = [span('a', 0, 59), span('a', 115, 167), span('a', 171, 181), span('a', 740, 759)];
  const si = scoreSi(gold, predicted);
  assert.equal(si.predictedSpans, 2);
  assert.equal(si.precision.toFixed(4), '0.9649');
  assert.equal(si.recall.toFixed(4), '0.4869');
  assert.equal(si.f1.toFixed(4), '0.6472');
  close(si.precision, (50 / 50 + 52 / 57 + 1 / 57) / 2, 'exact precision');
});

test('merging joins overlapping spans only, touching spans stay apart', () => {
  assert.deepEqual(
    mergeOverlapping([
      { start: 10, end: 20 },
      { start: 0, end: 10 },
      { start: 15, end: 30 },
      { start: 29, end: 31 },
    ]),
    [
      { start: 0, end: 10 },
      { start: 10, end: 31 },
    ],
  );
});

test('SI edge cases: empty predictions, empty gold, articles without gold', () => {
  const gold = [span('a', 0, 10)];
  assert.deepEqual(
    { ...scoreSi(gold, []) },
    { precision: 0, recall: 0, f1: 0, goldSpans: 1, predictedSpans: 0 },
  );
  assert.equal(scoreSi([], []).f1, 1);
  // An article with predictions but no gold line counts as having no gold spans.
  const si = scoreSi(gold, [span('a', 0, 10), span('b', 0, 10)]);
  assert.equal(si.precision, 0.5);
  assert.equal(si.recall, 1);
  // Gold articles without predictions still count in |T|.
  assert.equal(scoreSi([...gold, span('c', 0, 4)], [span('a', 0, 10)]).recall, 0.5);
  assert.throws(() => scoreSi(gold, [span('a', 5, 5)]), /empty or negative/);
});

test('full task: a right span with the wrong technique scores nothing', () => {
  const gold = [labelled('a', 'Doubt', 0, 10), labelled('a', 'Slogans', 20, 30)];
  const full = scoreFullTask(gold, [
    labelled('a', 'Slogans', 0, 10),
    labelled('a', 'Slogans', 20, 30),
  ]);
  assert.equal(full.micro.precision, 0.5);
  assert.equal(full.micro.recall, 0.5);
  assert.equal(full.perTechnique.find((t) => t.technique === 'Slogans')?.f1, 2 / 3);
  assert.equal(full.perTechnique.find((t) => t.technique === 'Doubt')?.f1, 0);
  // The same span with two labels counts for both techniques.
  const multi = scoreFullTask(
    [labelled('a', 'Doubt', 0, 10), labelled('a', 'Slogans', 0, 10)],
    [labelled('a', 'Doubt', 0, 10), labelled('a', 'Slogans', 0, 10)],
  );
  assert.equal(multi.micro.f1, 1);
});

test('TC: the official pairing quirk and the order-free option on a multi-label span', () => {
  // After a span whose label is wrong, the official scorer skips ahead over the next group
  // of identical spans and never pairs its labels, even though both are right here.
  const gold = [
    labelled('a', 'Doubt', 0, 5),
    labelled('a', 'Slogans', 9, 20),
    labelled('a', 'Repetition', 9, 20),
  ];
  const predicted = [
    labelled('a', 'Flag-Waving', 0, 5),
    labelled('a', 'Repetition', 9, 20),
    labelled('a', 'Slogans', 9, 20),
  ];
  const official = scoreTc(gold, predicted);
  assert.equal(official.correct, 0);
  assert.equal(official.instances, 3);
  const orderFree = scoreTc(gold, predicted, 'order-free');
  assert.equal(orderFree.correct, 2);
  close(orderFree.microF1, 2 / 3, 'order-free');
  // With the first label right there is no skip, and both pairings agree.
  const fixed = [labelled('a', 'Doubt', 0, 5), ...predicted.slice(1)];
  assert.equal(scoreTc(gold, fixed).correct, 3);
});

test('TC: predictions must label the same spans as the gold', () => {
  const gold = [labelled('a', 'Doubt', 0, 5)];
  assert.throws(() => scoreTc(gold, [labelled('a', 'Doubt', 0, 6)]), /no predicted twin/);
  assert.throws(() => scoreTc(gold, []), /gold labels but no predictions/);
  assert.throws(
    () => scoreTc(gold, [...gold, labelled('b', 'Doubt', 0, 5)]),
    /predictions but no gold/,
  );
  const perfect = scoreTc(gold, gold);
  assert.equal(perfect.microF1, 1);
  assert.equal(perfect.perTechnique.find((t) => t.technique === 'Doubt')?.f1, 1);
});

test('TC: the order of lines in the files does not matter', () => {
  const gold = [
    labelled('b', 'Doubt', 9, 12),
    labelled('a', 'Slogans', 0, 5),
    labelled('a', 'Doubt', 0, 5),
  ];
  const predicted = [
    labelled('a', 'Doubt', 0, 5),
    labelled('a', 'Slogans', 0, 5),
    labelled('b', 'Doubt', 9, 12),
  ];
  assert.equal(scoreTc(gold, predicted, 'order-free').microF1, 1);
});
