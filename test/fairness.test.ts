/**
 * Waiting is not failing, and one big input cannot starve small ones: HTML time budgets
 * count a page's own work, not its wait behind other pages (extractor, HTTP, batch); a huge
 * article runs beside ordinary ones; a full queue answers 503 with Retry-After at once.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HtmlExtractor } from '../src/formats/html-extractor.js';
import { readJsonl, readSummary, runCli } from './batch-helpers.js';
import { tempDir } from './helpers.js';
import { postJson, startTestServer, stopAllServers, type Json } from './server-helpers.js';

after(stopAllServers);

const HTML_TIMEOUT_MS = 1000;

/** An ordinary news page (about 2 KB). */
const smallPage = (i: number) =>
  `<html><head><title>Harbour ${i}</title></head><body><article>` +
  `<p>Page ${i}: only traitors would doubt the glorious harbour plan, the mayor said.</p>` +
  `<p>The council meets again on Monday to vote on the costs.</p></article></body></html>`;

/**
 * A large page: a few hundred ms of extraction each, inside the time budget alone. Whether
 * a large page passes depends on the machine's load; the ordinary pages must all pass.
 */
const largePage = (i: number) =>
  `<html><head><title>Report ${i}</title></head><body><nav>${'<div><a href="#">menu</a></div>'.repeat(4000)}</nav><article>` +
  Array.from(
    { length: 2000 },
    (_, k) => `<p>Paragraph ${k} of report ${i}: the council discussed the harbour plan.</p>`,
  ).join('') +
  '</article></body></html>';

/** 10 large pages, each followed by 3 ordinary ones: all sent at once. */
const mixedPages = () =>
  Array.from({ length: 10 }, (_, i) => [
    { name: `large-${i}`, html: largePage(i) },
    ...[0, 1, 2].map((k) => ({ name: `small-${i}-${k}`, html: smallPage(i * 3 + k) })),
  ]).flat();

test('the HTML budget counts a page’s own work: 30 ordinary pages among 10 large ones pass', async () => {
  const extractor = new HtmlExtractor({ timeoutMs: HTML_TIMEOUT_MS, threads: 1 });
  try {
    const pages = mixedPages();
    const outcomes = await Promise.allSettled(pages.map((p) => extractor.extract(p.html)));
    const failed = outcomes.flatMap((o, i) =>
      o.status === 'rejected' && pages[i]!.name.startsWith('small')
        ? [`${pages[i]!.name}: ${String(o.reason)}`]
        : [],
    );
    assert.deepEqual(failed, []);
  } finally {
    await extractor.close();
  }
});

test('over HTTP: ordinary pages uploaded among large ones are not refused for waiting', async () => {
  const server = await startTestServer('--model', 'sm', '--html-timeout', String(HTML_TIMEOUT_MS));
  const upload = async (page: { name: string; html: string }) => {
    const form = new FormData();
    form.append('file', new Blob([page.html], { type: 'text/html' }), `${page.name}.html`);
    const response = await fetch(`${server.url}/api/v1/analyze/file`, {
      method: 'POST',
      body: form,
    });
    return { name: page.name, status: response.status, json: (await response.json()) as Json };
  };
  const answers = await Promise.all(mixedPages().map(upload));
  const refused = answers.filter((a) => a.status !== 200 && a.name.startsWith('small'));
  assert.deepEqual(
    refused.map((a) => `${a.name}: ${a.status} ${JSON.stringify(a.json.error)}`),
    [],
  );
});

test('in batch: ordinary pages among large ones are not failed for waiting', async () => {
  const dir = tempDir();
  const pages = join(dir, 'pages');
  mkdirSync(pages);
  for (const page of mixedPages()) writeFileSync(join(pages, `${page.name}.html`), page.html);
  const out = join(dir, 'out');
  const run = await runCli(
    'batch',
    pages,
    '--out',
    out,
    '--model',
    'sm',
    '--html-timeout',
    String(HTML_TIMEOUT_MS),
  );
  const failures = readJsonl<Json>(join(out, 'failures.jsonl'));
  assert.deepEqual(
    failures.filter((f) => f.id.startsWith('small')).map((f) => JSON.stringify(f)),
    [],
  );
  assert.ok(readSummary(out).articles >= 30, run.stderr);
});

/** Distinct sentences, so that the store's cache does not answer for the analysis. */
const sentences = (count: number, tag: string) =>
  Array.from(
    { length: count },
    (_, i) => `Line ${tag}-${i}: the corrupt elite will destroy our great harbour.`,
  ).join('\n');

test('a huge article does not hold up a short one sent after it', async () => {
  const server = await startTestServer('--model', 'sm');
  const huge = sentences(20_000, 'huge'); // about 1.3 MB
  const short = sentences(25, 'short'); // about 1,500 characters
  const order: string[] = [];
  const send = async (name: string, text: string) => {
    const answer = await postJson(`${server.url}/api/v1/analyze`, { text });
    assert.equal(answer.status, 200, `${name}: ${JSON.stringify(answer.json)}`);
    order.push(name);
  };
  const hugeDone = send('huge', huge);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await send('short', short);
  await hugeDone;
  assert.deepEqual(order, ['short', 'huge']);
});

test('a full queue answers 503 with Retry-After at once instead of waiting', async () => {
  // A wait of more than 1 ms is too long: once the server knows its pace, a second article
  // in flight is refused.
  const server = await startTestServer('--model', 'sm', '--max-wait', '1');
  assert.equal(
    (await postJson(`${server.url}/api/v1/analyze`, { text: sentences(20, 'pace') })).status,
    200,
  );
  const answers = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: sentences(200, `burst-${i}`) }),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        json: (await response.json()) as Json,
        ms: performance.now() - started,
      };
    }),
  );
  const busy = answers.filter((a) => a.status === 503);
  assert.ok(
    answers.some((a) => a.status === 200),
    'the first in line is analysed',
  );
  assert.ok(busy.length > 0, `some are refused: ${answers.map((a) => a.status).join(', ')}`);
  for (const answer of answers) assert.ok([200, 503].includes(answer.status));
  for (const answer of busy) {
    assert.equal(answer.json.error.code, 'SPN_ERR_BUSY');
    assert.ok(Number(answer.retryAfter) >= 1, `Retry-After: ${answer.retryAfter}`);
  }
});
