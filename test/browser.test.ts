/**
 * The detector in a Web Worker in Chromium (src/browser/) analyses as `analyze()` does on
 * Node: the same spans, techniques, confidences, cues, sentence and document scores, for
 * `sm` and `md` (`lg`'s sentence encoder does not run in a browser yet). The articles are
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

test('the worker refuses what Node refuses, with the same error code', { skip }, async () => {
  await assert.rejects(worker.analyze('sm', '   '), /^Error: SPN_ERR_INPUT_EMPTY/u);
  await assert.rejects(worker.analyze('nosuch', 'A text.'), /^Error: SPN_ERR_MODEL/u);
});
