import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readClusters } from '../src/formats/model-file.js';
import { articleContext } from '../src/features/context.js';
import { spanContexts } from '../src/features/span-rows.js';
import { adjust, repetitionCues, REPETITION } from '../src/detect/technique-decision.js';
import { tuneClassBias, type TrainingArticle } from '../src/train/train.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../src/techniques/catalogue.js';
import { parseArticle, type TextSpan } from '../src/text/document.js';
import { ROOT } from './helpers.js';

const clusters = readClusters(join(ROOT, 'models/word-clusters.bin'));
const LOADED = TECHNIQUE_LABELS.indexOf('Loaded_Language');

const TEXT = `A headline

Why? They smear us every day.
Why? Because the smear works, and nobody checks.
The budget was passed on Tuesday.
`;

/** The span of the n-th occurrence (0-based) of `phrase` in TEXT, in code points. */
function spanOf(phrase: string, n = 0): TextSpan {
  let at = -1;
  for (let k = 0; k <= n; k++) at = TEXT.indexOf(phrase, at + 1);
  assert.ok(at >= 0, `"${phrase}" #${n} is in the text`);
  return { cpStart: at, cpEnd: at + phrase.length };
}

test('repetition cues: a later span with an earlier twin, and recurrence without content words', () => {
  const ctx = articleContext(parseArticle(TEXT), clusters);
  const spans = [spanOf('Why?'), spanOf('smear'), spanOf('Why?', 1), spanOf('smear', 1)];
  spans.push(spanOf('budget'));
  const cues = repetitionCues(ctx, spans, spanContexts(ctx, spans));
  assert.deepEqual(
    cues.map((c) => c.repeatsEarlierSpan),
    [false, false, true, true, false],
  );
  // "Why?" has no content word, yet it recurs: another span has its text.
  assert.equal(cues[0]!.recurs(), true);
  assert.equal(cues[2]!.recurs(), true);
  assert.equal(cues[1]!.recurs(), true);
  assert.equal(cues[4]!.recurs(), false, '"budget" occurs once');
});

test('adjust: the repeated-span boost lifts Repetition only where an earlier span had the text', () => {
  const raw = () => {
    const p = new Float64Array(TECHNIQUE_LABELS.length).fill(0.02);
    p[LOADED] = 0.5;
    p[REPETITION] = 0.24;
    return p;
  };
  const decision = {
    classBias: new Array<number>(TECHNIQUE_LABELS.length).fill(0),
    repetitionNeedsRecurrence: true,
    repeatedSpanBoost: 1,
  };
  const repeated = adjust(raw(), decision, { repeatsEarlierSpan: true, recurs: () => true });
  const first = adjust(raw(), decision, { repeatsEarlierSpan: false, recurs: () => true });
  const once = adjust(raw(), decision, { repeatsEarlierSpan: false, recurs: () => false });
  for (const p of [repeated, first, once])
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'probabilities sum to 1');
  assert.ok(repeated[REPETITION]! > repeated[LOADED]!, 'e^1 × 0.24 outweighs 0.5');
  assert.ok(first[LOADED]! > first[REPETITION]!);
  assert.ok(Math.abs(first[REPETITION]! / first[LOADED]! - 0.24 / 0.5) < 1e-12);
  assert.equal(once[REPETITION], 0, 'the Repetition rule: no recurrence, no Repetition');
  // Older model files have no boost: nothing changes.
  const { repeatedSpanBoost: _, ...older } = decision;
  const unboosted = adjust(raw(), older, { repeatsEarlierSpan: true, recurs: () => true });
  assert.ok(Math.abs(unboosted[REPETITION]! / unboosted[LOADED]! - 0.24 / 0.5) < 1e-12);
});

test('tuneClassBias fits a boost when later mentions are Repetition and the model says otherwise', () => {
  const ctx = articleContext(parseArticle(TEXT), clusters);
  const label = (span: TextSpan, technique: TechniqueLabel) => ({
    articleId: 'a',
    technique,
    ...span,
  });
  const tc = [
    label(spanOf('smear'), 'Loaded_Language'),
    label(spanOf('smear', 1), 'Repetition'),
    label(spanOf('budget'), 'Loaded_Language'),
  ];
  const article: TrainingArticle = {
    id: 'a',
    weight: 1,
    ctx,
    fold: 0,
    labels: new Uint8Array(),
    si: [],
    tc,
  };
  // The "model" calls every span Loaded_Language, with Repetition second.
  const probabilities = tc.map(() => {
    const p = new Float64Array(TECHNIQUE_LABELS.length).fill(0.01);
    p[LOADED] = 0.6;
    p[REPETITION] = 0.28;
    return p;
  });
  const tuned = tuneClassBias([article], new Map([['a', probabilities]]));
  assert.equal(tuned.accuracy, 1);
  assert.ok(tuned.repeatedSpanBoost > 0, `boost ${tuned.repeatedSpanBoost}`);
});

test('tuneClassBias with a floor raises a starved technique until it is predicted often enough', () => {
  const ctx = articleContext(parseArticle(TEXT), clusters);
  const DOUBT = TECHNIQUE_LABELS.indexOf('Doubt');
  // Ten spans: six Loaded Language, four Doubt; the "model" leans to Loaded Language on all
  // of them, a little less on Doubt's. The offset search for accuracy takes steps too
  // coarse to find the narrow offset that separates them, so it never predicts Doubt.
  const spans = Array.from({ length: 10 }, (_, i) => spanOf(i % 2 ? 'smear' : 'budget'));
  const tc = spans.map((span, i) => ({
    articleId: 'a',
    technique: (i < 4 ? 'Doubt' : 'Loaded_Language') as TechniqueLabel,
    ...span,
  }));
  const article: TrainingArticle = {
    id: 'a',
    weight: 1,
    ctx,
    fold: 0,
    labels: new Uint8Array(),
    si: [],
    tc,
  };
  const probabilities = tc.map((_, i) => {
    const p = new Float64Array(TECHNIQUE_LABELS.length).fill(0.001);
    p[LOADED] = 0.6;
    p[DOUBT] = i < 4 ? 0.3 : 0.25;
    return p;
  });
  const predictedDoubt = (bias: readonly number[]) =>
    probabilities.filter((p) => {
      const q = Float64Array.from(p, (v, c) => v * Math.exp(bias[c] ?? 0));
      return q.indexOf(Math.max(...q)) === DOUBT;
    }).length;
  const plain = tuneClassBias([article], new Map([['a', probabilities]]));
  const floored = tuneClassBias([article], new Map([['a', probabilities]]), 0.5);
  assert.equal(predictedDoubt(plain.classBias), 0);
  assert.ok(
    predictedDoubt(floored.classBias) >= 2,
    `Doubt predicted ${predictedDoubt(floored.classBias)} times`,
  );
  assert.ok(floored.classBias[DOUBT]! > plain.classBias[DOUBT]!);
  assert.equal(plain.accuracy, 0.6);
  assert.equal(floored.accuracy, 1);
});
