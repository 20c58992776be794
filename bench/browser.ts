/**
 * The detector in Chromium (src/browser/worker.ts): the first analysis of a 5,000-character
 * article in a fresh worker, model loading included (fetch, unzip, sha256, decode), and the
 * next ones (median of 5), for sm, md and lg (whose first analysis also loads its sentence
 * encoder: onnxruntime-web's WebAssembly and the encoder's graph, about 21 MB). Issue #33 asks
 * for md within 3 s and 500 ms, sm within 1 s and 150 ms, and for lg's figures.
 *
 *   npm run bench:browser
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/web-helpers.js';
import { openWorkerPage } from '../test/worker-helpers.js';

const LENGTH = 5000;
const example = readFileSync(join(ROOT, 'examples/harbour-bridge.txt'), 'utf8');
const [title, ...body] = example.split('\n\n');
let text = `${title}\n\n`;
while (text.length < LENGTH) text += `${body.join('\n\n')}\n\n`;
text = text.slice(0, text.lastIndexOf(' ', LENGTH));

for (const model of ['sm', 'md', 'lg']) {
  const worker = await openWorkerPage();
  const timed = async () => {
    const started = performance.now();
    await worker.analyze(model, text);
    return performance.now() - started;
  };
  const first = await timed();
  const next: number[] = [];
  for (let i = 0; i < 5; i++) next.push(await timed());
  next.sort((a, b) => a - b);
  console.log(
    `${model}: first ${first.toFixed(0)} ms (loading included), next ${next[2]!.toFixed(0)} ms ` +
      `(median of 5; ${text.length} characters)`,
  );
  await worker.close();
}
