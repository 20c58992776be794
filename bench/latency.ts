/**
 * Latency of POST /api/v1/analyze for a 5,000-character article under 20 concurrent
 * clients (autocannon against 127.0.0.1): every request carries a new article (a fresh
 * analysis), then the same article again (answered from the store).
 *
 *   npm run bench:latency [-- --connections 20 --duration 20 --workers N --model lg]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { startServer } from '../src/server/app.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  connections: { type: 'string', default: '20' },
  duration: { type: 'string', default: '20' },
  workers: { type: 'string' },
  model: { type: 'string' },
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
});
const corpus = await readCorpus(values.data as string);
const base =
  corpus.articles.map((a) => a.text).find((t) => t.length >= 5000) ?? corpus.articles[0]!.text;
const article = base.slice(0, 5000);
const dir = mkdtempSync(join(tmpdir(), 'spinscope-bench-'));
const { app, url } = await startServer({
  port: 0,
  dbFile: join(dir, 'bench.sqlite'),
  workers: values.workers ? Number(values.workers) : undefined,
  model: values.model,
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(
  name: string,
  fresh: boolean,
  duration = Number(values.duration),
): Promise<void> {
  let counter = 0;
  const latencies: number[] = [];
  let finish: (result: autocannon.Result) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve) => (finish = resolve));
  const instance = autocannon(
    {
      url: `${url}/api/v1/analyze`,
      connections: Number(values.connections),
      duration,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          // A new last line makes each article new to the store when `fresh`.
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ text: fresh ? `${article}\nRequest ${counter++}.` : article }),
          }),
        },
      ],
    },
    (error, result) => {
      if (error) throw error;
      finish(result);
    },
  );
  const statuses = new Map<number, number>();
  instance.on('response', (_client, status, _bytes, responseTime) => {
    latencies.push(responseTime);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const errors = result.errors + result.non2xx;
  console.log(
    `${name.padEnd(28)} p50 ${percentile(latencies, 50).toFixed(0)} ms  p95 ${percentile(latencies, 95).toFixed(0)} ms  p99 ${percentile(latencies, 99).toFixed(0)} ms  ${result.requests.average.toFixed(1)} req/s  (${latencies.length} requests, ${errors} errors; status ${[...statuses].map(([k, v]) => `${k}×${v}`).join(' ')})`,
  );
}

console.log(
  `${article.length}-character article, model ${values.model ?? 'default'}, ${values.connections} connections, ${values.duration} s each, ${values.workers ?? 'default'} worker threads`,
);
// The first seconds include the JIT warming up in the worker: measured, then measured apart.
await run('cold start, first 3 s', true, 3);
await run('new article every request', true);
await run('same article (store hit)', false);
await app.close();
rmSync(dir, { recursive: true, force: true });
