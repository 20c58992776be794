/**
 * Hostile input against the real server (compiled CLI, fast model): HTML bombs cannot stall
 * it, bodies it cannot read get the catalogue's errors, and addresses that hide a private
 * host are refused before any connection.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ERROR_CODES } from '../src/errors.js';
import { startTestServer, stopAllServers, type Json, type TestServer } from './server-helpers.js';

after(stopAllServers);

/** `depth` nested divs around one sentence: Readability's worst case. */
const nestedDivs = (depth: number) =>
  `<html><body>${'<div>'.repeat(depth)}<p>The evil enemy will destroy us all.</p>${'</div>'.repeat(depth)}</body></html>`;

/** Within the structure budget (27,000 elements) but seconds of Readability. */
const slowPage = `<html><body>${"<div><span>a</span><a href='#'>b</a></div>".repeat(9000)}<p>The evil enemy will destroy us all.</p></body></html>`;

const HTML_TIMEOUT_MS = 1000;
let server: TestServer;
before(async () => {
  server = await startTestServer('--model', 'sm', '--html-timeout', String(HTML_TIMEOUT_MS));
});

async function upload(html: string, name = 'page.html'): Promise<{ status: number; json: Json }> {
  const form = new FormData();
  form.append('file', new Blob([html], { type: 'text/html' }), name);
  const response = await fetch(`${server.url}/api/v1/analyze/file`, { method: 'POST', body: form });
  return { status: response.status, json: await response.json() };
}

test('HTML bombs get a 422 within their budget while health answers within 1 s', async () => {
  const slowestHealth: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/v1/health`, {
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(response.status, 200);
      await response.json();
      slowestHealth.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const bombs: [string, string, RegExp, number][] = [
      ['2,000 nested divs (22 KB)', nestedDivs(2000), /nest more than 256 deep/u, 2000],
      ['5,000 nested divs', nestedDivs(5000), /nest more than 256 deep/u, 2000],
      ['170,000 nested divs (1.8 MB)', nestedDivs(170_000), /nest more than 256 deep/u, 3000],
      [
        '60,000 elements',
        `<body>${'<div><b>a</b><i>b</i></div>'.repeat(20_000)}</body>`,
        /more than 30000 elements/u,
        3000,
      ],
      ['27,000 elements, slow', slowPage, /took longer than 1000 ms/u, HTML_TIMEOUT_MS + 2000],
    ];
    for (const [name, html, message, budgetMs] of bombs) {
      const started = performance.now();
      const { status, json } = await upload(html);
      const took = performance.now() - started;
      assert.equal(status, 422, `${name}: ${JSON.stringify(json)}`);
      assert.equal(json.error.code, 'SPN_ERR_INPUT_HTML', name);
      assert.match(json.error.message, message, name);
      assert.ok(took < budgetMs, `${name}: answered after ${took.toFixed(0)} ms`);
    }
    // The extraction thread was terminated and replaced: a readable page still works.
    const fine = await upload(
      '<html><head><title>Harbour</title></head><body><article><p>Only traitors would doubt the glorious harbour plan.</p></article></body></html>',
    );
    assert.equal(fine.status, 200, JSON.stringify(fine.json));
    assert.match(fine.json.text, /glorious harbour plan/u);
  } finally {
    polling = false;
    await poller;
  }
  assert.ok(slowestHealth.length >= 5, `only ${slowestHealth.length} health polls`);
  const worst = Math.max(...slowestHealth);
  assert.ok(worst < 1000, `a health poll took ${worst.toFixed(0)} ms`);
});

test('invalid UTF-8 in a JSON body is refused with 422, as in a file', async () => {
  const body = Buffer.concat([
    Buffer.from('{"text":"Hello '),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
    Buffer.from(' world of lies"}'),
  ]);
  const response = await fetch(`${server.url}/api/v1/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await response.json()) as Json;
  assert.equal(response.status, 422);
  assert.equal(json.error.code, 'SPN_ERR_INPUT_BINARY');
  // Nothing was stored.
  const list = (await (await fetch(`${server.url}/api/v1/analyses`)).json()) as Json;
  assert.ok(!JSON.stringify(list).includes('world of lies'));
});

test('every error has a catalogue code and the documented status', async () => {
  const post = async (path: string, init: RequestInit) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', ...init });
    const json = (await response.json()) as Json;
    assert.ok(json.error.code in ERROR_CODES, JSON.stringify(json));
    assert.equal(json.error.statusCode, response.status);
    return { status: response.status, error: json.error as { code: string; message: string } };
  };
  // A second file part.
  const twoFiles = new FormData();
  twoFiles.append('file', new Blob(['One.'], { type: 'text/plain' }), 'a.txt');
  twoFiles.append('file', new Blob(['Two.'], { type: 'text/plain' }), 'b.txt');
  const limit = await post('/api/v1/analyze/file', { body: twoFiles });
  assert.equal(limit.status, 413);
  assert.equal(limit.error.code, 'SPN_ERR_REQUEST_LIMIT');
  assert.match(limit.error.message, /one file part named "file"/u);

  // Text where JSON is expected; JSON where a multipart upload is expected.
  const plain = await post('/api/v1/analyze', {
    headers: { 'content-type': 'text/plain' },
    body: 'The enemy lies.',
  });
  assert.equal(plain.status, 415);
  assert.equal(plain.error.code, 'SPN_ERR_MEDIA_TYPE');
  assert.match(plain.error.message, /"text\/plain".*application\/json.*"text"/u);
  const multipartToJson = new FormData();
  multipartToJson.append('text', 'The enemy lies.');
  assert.equal((await post('/api/v1/analyze', { body: multipartToJson })).status, 415);
  const jsonToFile = await post('/api/v1/analyze/file', {
    headers: { 'content-type': 'application/json' },
    body: '{"text":"x"}',
  });
  assert.equal(jsonToFile.status, 415);
  assert.match(jsonToFile.error.message, /multipart\/form-data/u);

  // A 100 KB query string: Node's parser refuses it before any route runs.
  const response = await fetch(`${server.url}/api/v1/analyses?q=${'a'.repeat(100_000)}`);
  assert.equal(response.status, 431);
  const json = (await response.json()) as Json;
  assert.equal(json.error.code, 'SPN_ERR_HEADERS_TOO_LARGE');
  assert.equal(json.error.statusCode, 431);

  // The OpenAPI document lists these answers.
  const openapi = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Json;
  const documented = Object.keys(openapi.paths['/api/v1/analyze/file'].post.responses);
  for (const status of ['400', '413', '415', '422', '431']) assert.ok(documented.includes(status));

  // Malformed JSON, and the wrong types.
  const malformed = await post('/api/v1/analyze', {
    headers: { 'content-type': 'application/json' },
    body: '{"text": "unterminated',
  });
  assert.deepEqual([malformed.status, malformed.error.code], [400, 'SPN_ERR_BAD_REQUEST']);
  const wrongType = await post('/api/v1/analyze', {
    headers: { 'content-type': 'application/json' },
    body: '{"text": 42}',
  });
  assert.deepEqual([wrongType.status, wrongType.error.code], [400, 'SPN_ERR_BAD_REQUEST']);
  assert.match(wrongType.error.message, /\{"text": "…"\}/u);
});

test('an IPv4-compatible IPv6 literal of a loopback host is refused before any connection', async () => {
  let connections = 0;
  const listener: Server = createServer((_request, response) => response.end('<p>secret</p>'));
  listener.on('connection', () => (connections += 1));
  // Dual-stack where the machine has IPv6, so that any attempt of either family is counted.
  await new Promise<void>((resolve) => {
    listener.once('error', () => listener.listen(0, '127.0.0.1', resolve));
    listener.listen(0, '::', resolve);
  });
  const { port } = listener.address() as AddressInfo;
  try {
    for (const url of [
      `http://[::127.0.0.1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::1]:${port}/`,
      `http://[0:0:0:0:0:0:7f00:1]:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://2130706433:${port}/`,
    ]) {
      const response = await fetch(`${server.url}/api/v1/analyze/url`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
      const json = (await response.json()) as Json;
      assert.equal(response.status, 400, `${url}: ${JSON.stringify(json)}`);
      assert.equal(json.error.code, 'SPN_ERR_URL', url);
      assert.match(json.error.message, /internal address/u, url);
    }
    assert.equal(connections, 0);
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
});
