/**
 * One huge article against a short one: a 1.9 MB paste (dev articles end to end) is posted,
 * and a second later a 1,500-character article; how long the short one waits, with the
 * server's long-article lane and, in the same run, without it (every article in one lane,
 * waits unbounded, as before). Fresh server and store for each; both lanes' threads are warm.
 *
 *   npm run bench:fairness [-- --model md --repeats 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { startServer } from '../src/server/app.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  model: { type: 'string' },
  repeats: { type: 'string', default: '3' },
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
});
const texts = (await readCorpus(values.data as string)).articles.map((a) => a.text);
let huge = '';
while (huge.length < 1_900_000) huge += texts.join('\n');
huge = huge.slice(0, 1_900_000);
const short = texts.find((t) => t.length >= 1500)!.slice(0, 1500);

async function post(url: string, text: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/v1/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

async function trial(longChars: number | undefined, maxWaitMs: number | undefined, repeat: number) {
  const dir = mkdtempSync(join(tmpdir(), 'spinscope-bench-'));
  const { app, url } = await startServer({
    port: 0,
    dbFile: join(dir, 'bench.sqlite'),
    model: values.model,
    longChars,
    maxWaitMs,
  });
  try {
    // Warm the long lane (a thread loads the model on its first article).
    await post(url, `${'Warm-up line for the long lane. '.repeat(800)}${repeat}`);
    const hugeAnswer = post(url, `${huge}\n${repeat}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const shortAnswer = await post(url, `${short}\n${repeat}`);
    const hugeDone = await hugeAnswer;
    return { short: shortAnswer, huge: hugeDone };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const NEVER = Number.MAX_SAFE_INTEGER;
for (const [name, longChars, maxWaitMs] of [
  ['two lanes (default)', undefined, undefined],
  ['one lane, unbounded wait (before)', NEVER, NEVER],
] as const) {
  for (let r = 0; r < Number(values.repeats); r++) {
    const { short: s, huge: h } = await trial(longChars, maxWaitMs, r);
    console.log(
      `${name}: 1,500-character article ${s.status} in ${s.ms.toFixed(0)} ms; 1.9 MB article ${h.status} in ${(h.ms / 1000).toFixed(1)} s`,
    );
  }
}
