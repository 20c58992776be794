/**
 * The detector in a Web Worker in Chromium (src/browser/) analyses as `analyze()` does on
 * Node: the same spans, techniques, confidences, cues, sentence and document scores, for
 * `sm`, `md` and `lg` (whose sentence encoder runs on onnxruntime-web's WebAssembly there, on
 * onnxruntime-node's native kernels here: the same int8 graph). The articles are
 * invented, with the characters that offsets trip on: emoji, a flag, a leading BOM and a
 * right-to-left quote.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { analyze } from '../src/analyze.js';
import type { Analysis } from '../src/detect/analysis.js';
import { browserSkipReason, requireChromium } from './web-helpers.js';
import { openWorkerPage, type WorkerPage } from './worker-helpers.js';

const ARTICLES = [
  '\ufeffCouncil Caves In Again 😡\n\nThe spineless council has once again betrayed every hard-working ' +
    'family in this town. Only a fool would believe their promises now. Everyone knows the ' +
    'truth: these bureaucrats care about nothing but their own pensions. If we do nothing, our ' +
    'children will pay the price for decades. Enough is enough! 😡😡',
  'Flags Fly at the Harbour 🇬🇧\n\nThousands of proud patriots lined the harbour on Sunday, waving ' +
    'the flag 🇬🇧 as the fleet came home. "This is who we are," said the mayor. Critics, as ' +
    'always, whined about the cost, but real citizens know that a nation that forgets its ' +
    'heroes will not survive. Either you stand with our sailors or you stand against them.',
  'Minister Under Fire\n\nThe minister replied in Arabic, «قال الوزير إن الخطة ناجحة», and in ' +
    'Hebrew, "השר אמר שהכול בסדר", before storming out. Opposition leaders called the plan a ' +
    'disaster, a catastrophe and a betrayal. Experts agree it will destroy thousands of jobs 🤦‍♀️ ' +
    'overnight. Is this really the best the government can do?',
];

/** An analysis without its timing, the one part that differs between runs. */
function withoutTiming({ timing: _timing, ...analysis }: Analysis) {
  return analysis;
}

const skip = browserSkipReason();
let worker: WorkerPage;

before(async () => {
  if (skip) return;
  requireChromium();
  worker = await openWorkerPage();
});

after(async () => {
  await worker?.close();
});

for (const model of ['sm', 'md']) {
  test(`the ${model} model in a Web Worker analyses as on Node`, { skip }, async () => {
    let spans = 0;
    for (const text of ARTICLES) {
      const inNode = withoutTiming(await analyze(text, { model }));
      const inBrowser = withoutTiming(await worker.analyze(model, text));
      assert.deepEqual(inBrowser, inNode);
      spans += inNode.spans.length;
    }
    assert.ok(spans > 0, 'the articles have spans to compare');
  });
}

/**
 * `lg` in Chromium against Node. Its sentence encoder runs the same int8 graph on both, on
 * different kernels: onnxruntime-node's native ones and onnxruntime-web's WebAssembly. The
 * int8 weights keep to 7 bits, so that x86's int16 sums of uint8 × int8 pairs cannot
 * saturate (with 8 bits they did, on AVX2: vectors then differed by up to 0.006 a value and
 * confidences by 0.0033); the two differ by float rounding alone. So spans (where, what text)
 * and each span's techniques are identical, and confidences and scores agree within
 * LG_TOLERANCE (the largest difference measured on these articles: 0.0002, 2026-12-07, AMD
 * EPYC, AVX2). Two techniques of a span whose confidences are that close may come in either
 * order, and the cues, which explain the first, with them.
 */
const LG_TOLERANCE = 0.001;

/** Every value of `actual` equals `expected`'s, numbers within `tolerance`; the largest gap. */
function assertClose(actual: unknown, expected: unknown, tolerance: number, path = ''): number {
  if (typeof actual === 'number' && typeof expected === 'number') {
    const gap = Math.abs(actual - expected);
    assert.ok(gap <= tolerance, `${path}: ${actual} is not within ${tolerance} of ${expected}`);
    return gap;
  }
  if (typeof actual !== 'object' || actual === null || typeof expected !== 'object' || !expected) {
    assert.equal(actual, expected, path);
    return 0;
  }
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
  let largest = 0;
  for (const [key, value] of Object.entries(actual)) {
    const other = (expected as Record<string, unknown>)[key];
    largest = Math.max(largest, assertClose(value, other, tolerance, `${path}.${key}`));
  }
  return largest;
}

/**
 * An analysis with each span's techniques in label order, and its cues only where `sameFirst`
 * (both analyses put the same technique first: cues explain the first technique).
 */
function comparable(analysis: ReturnType<typeof withoutTiming>, sameFirst: boolean[]) {
  return {
    ...analysis,
    spans: analysis.spans.map((span, i) => ({
      ...span,
      techniques: [...span.techniques].sort((a, b) => a.technique.localeCompare(b.technique)),
      cues: sameFirst[i] ? span.cues : [],
    })),
  };
}

test(
  'the lg model in a Web Worker analyses as on Node, to the int8 kernels',
  { skip },
  async () => {
    let spans = 0;
    let largest = 0;
    for (const text of ARTICLES) {
      const inNode = withoutTiming(await analyze(text, { model: 'lg' }));
      const inBrowser = withoutTiming(await worker.analyze('lg', text));
      const sameFirst = inNode.spans.map(
        (span, i) => span.techniques[0]?.technique === inBrowser.spans[i]?.techniques[0]?.technique,
      );
      // Techniques in another order only where their confidences are that close.
      sameFirst.forEach((same, i) => {
        const [a, b] = inNode.spans[i]!.techniques;
        if (!same) assert.ok(a && b && a.confidence - b.confidence <= LG_TOLERANCE, `span ${i}`);
      });
      largest = Math.max(
        largest,
        assertClose(comparable(inBrowser, sameFirst), comparable(inNode, sameFirst), LG_TOLERANCE),
      );
      spans += inNode.spans.length;
    }
    assert.ok(spans > 0, 'the articles have spans to compare');
    console.log(`lg: the largest difference, Chromium against Node: ${largest.toFixed(4)}`);
    assert.ok(largest > 0, 'a difference to measure (else: compare exactly, as sm and md)');
  },
);

test('the worker refuses what Node refuses, with the same error code', { skip }, async () => {
  await assert.rejects(worker.analyze('sm', '   '), /^Error: SPN_ERR_INPUT_EMPTY/u);
  await assert.rejects(worker.analyze('nosuch', 'A text.'), /^Error: SPN_ERR_MODEL/u);
});
