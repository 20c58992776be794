/**
 * What an outside probe of the real server found (issue #34): control characters in a
 * search, malformed multipart bodies and paths, slow clients, a full disk, an uncapped
 * upload field, reviews changed on the way in, and 5xx errors nobody could see in a log.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  getJson,
  postJson,
  startServerOn,
  startTestServer,
  stopAllServers,
  type Json,
  type TestServer,
} from './server-helpers.js';

after(stopAllServers);

const ARTICLE = 'The evil enemy will destroy us all. Only traitors doubt the glorious plan.';
const TIMEOUT_MS = 1000;

let server: TestServer;
before(async () => {
  server = await startTestServer(
    '--model',
    'sm',
    '--headers-timeout',
    String(TIMEOUT_MS),
    '--request-timeout',
    String(TIMEOUT_MS),
  );
});

function assertCatalogued(status: number, json: Json, code: string, expected: number): void {
  assert.equal(status, expected, JSON.stringify(json));
  assert.deepEqual(Object.keys(json), ['error'], JSON.stringify(json));
  assert.equal(json.error.code, code);
  assert.equal(json.error.statusCode, expected);
}

async function post(path: string, body: BodyInit, contentType?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body,
  });
  return { status: response.status, json: (await response.json()) as Json };
}

/**
 * Write `chunks` to a raw socket, one every `everyMs`: what came back, and after how long the
 * server closed the socket (undefined: still open when the client gave up after `giveUpMs`).
 */
function sendSlowly(
  chunks: readonly string[],
  everyMs: number,
  giveUpMs = 6000,
): Promise<{ answer: string; closedAfterMs: number | undefined }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname);
    let answer = '';
    let next = 0;
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => {}); // a reset after the answer is fine
    const writer = setInterval(() => {
      if (next < chunks.length && socket.writable) socket.write(chunks[next++]!);
    }, everyMs);
    const giveUp = setTimeout(() => {
      clearInterval(writer);
      socket.removeAllListeners('close');
      socket.destroy();
      resolve({ answer, closedAfterMs: undefined });
    }, giveUpMs);
    socket.on('close', () => {
      clearInterval(writer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: performance.now() - started });
    });
  });
}

function assertTimedOut(sent: { answer: string; closedAfterMs: number | undefined }): void {
  assert.ok(
    sent.closedAfterMs !== undefined,
    `still open, answered ${JSON.stringify(sent.answer)}`,
  );
  // The timeout plus Node's check interval (at most the timeout), and some slack.
  assert.ok(sent.closedAfterMs < 2 * TIMEOUT_MS + 1500, `closed after ${sent.closedAfterMs} ms`);
  const [head, body] = sent.answer.split('\r\n\r\n');
  assert.match(head!, /^HTTP\/1\.1 408 /u);
  assert.match(head!, /content-type: application\/json/iu);
  assertCatalogued(408, JSON.parse(body!), 'SPN_ERR_REQUEST_TIMEOUT', 408);
}

test('a control character in a search query is a 400 that says so', async () => {
  for (const path of ['/api/v1/analyses', '/api/v1/search']) {
    for (const [q, named] of [
      ['\u0000', 'U+0000'],
      ['glorious\u0000plan', 'U+0000'],
      ['\u0001', 'U+0001'],
      ['a\u001Fb', 'U+001F'],
      ['\u007F', 'U+007F'],
    ] as const) {
      const { status, json } = await getJson(`${server.url}${path}?q=${encodeURIComponent(q)}`);
      assertCatalogued(status, json, 'SPN_ERR_BAD_REQUEST', 400);
      assert.ok(json.error.message.includes(`"q" holds a control character (${named})`));
    }
    // Words apart by tabs or new lines are still a search.
    const fine = await getJson(`${server.url}${path}?q=${encodeURIComponent('glorious\tplan\n')}`);
    assert.equal(fine.status, 200, JSON.stringify(fine.json));
  }
});

test('a multipart body without a boundary, with an overlong one or cut short is a 400', async () => {
  const part = (boundary: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${ARTICLE}`;
  const cases: [string, string, string][] = [
    ['no boundary', 'multipart/form-data', `${part('XX')}\r\n--XX--\r\n`],
    ['a boundary of 300 characters', `multipart/form-data; boundary=${'b'.repeat(300)}`, 'x'],
    ['a part never closed', 'multipart/form-data; boundary=XX', part('XX')],
    ['cut in its headers', 'multipart/form-data; boundary=XX', '--XX\r\nContent-Dispo'],
  ];
  for (const [name, contentType, body] of cases) {
    const { status, json } = await post('/api/v1/analyze/file', body, contentType);
    assertCatalogued(status, json, 'SPN_ERR_BAD_REQUEST', 400);
    assert.match(json.error.message, /malformed multipart body/u, name);
  }
});

test('a path that is not valid percent-encoding gets the catalogue JSON', async () => {
  for (const path of ['/api/v1/analyses/%', '/api/v1/analyses/%E0%A4%A/review', '/%zz']) {
    const response = await fetch(`${server.url}${path}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/u);
    const json = await response.json();
    assertCatalogued(response.status, json, 'SPN_ERR_BAD_REQUEST', 400);
    assert.match(json.error.message, /not valid percent-encoding/u, path);
  }
});

test('headers sent too slowly get 408 and the socket is closed', async () => {
  const head = 'GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ';
  // One character every 100 ms: 9 s to send the lot.
  const chunks = [...head, ...'a'.repeat(40), '\r\n\r\n'];
  assertTimedOut(await sendSlowly(chunks, 100));
});

test('a body sent too slowly gets 408 and the socket is closed, on each kind of route', async () => {
  const text = ARTICLE.repeat(4);
  const json = JSON.stringify({ text });
  const form = `--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${text}\r\n--XX--\r\n`;
  for (const [path, type, body] of [
    ['/api/v1/analyze', 'application/json', json],
    ['/api/v1/analyze/file', 'multipart/form-data; boundary=XX', form],
  ]) {
    const head = `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body!)}\r\n\r\n`;
    // Five bytes every 100 ms: 6 s for the body.
    assertTimedOut(await sendSlowly([head, ...body!.match(/.{1,5}/gsu)!], 100));
  }
  // Nothing of it was taken for a fault of ours.
  assert.doesNotMatch(server.log(), /SPN_ERR_INTERNAL/u);
});

test('the source field of an upload is capped as on the JSON route', async () => {
  const upload = (source: string, text = ARTICLE) => {
    const form = new FormData();
    form.append('source', source);
    form.append('file', new Blob([text], { type: 'text/plain' }), 'a.txt');
    return post('/api/v1/analyze/file', form);
  };
  for (const source of ['s'.repeat(1001), 'é'.repeat(1001), 's'.repeat(2 * 1024 * 1024)]) {
    const { status, json } = await upload(source);
    assertCatalogued(status, json, 'SPN_ERR_BAD_REQUEST', 400);
    assert.match(json.error.message, /"source" is longer than 1000 characters/u);
  }
  const tooLong = await postJson(`${server.url}/api/v1/analyze`, {
    text: ARTICLE,
    source: 's'.repeat(1001),
  });
  assertCatalogued(tooLong.status, tooLong.json, 'SPN_ERR_BAD_REQUEST', 400);
  // 1,000 characters of 2 bytes each are within the cap, and stored whole.
  const longest = 'é'.repeat(1000);
  const fine = await upload(longest, `${ARTICLE} A new one.`);
  assert.equal(fine.status, 200, JSON.stringify(fine.json));
  assert.equal(fine.json.source, longest);
});

test('a review keeps accepted: false; the reviewer is trimmed, as the API says', async () => {
  const { json: record } = await postJson(`${server.url}/api/v1/analyze`, { text: ARTICLE });
  const spans = [
    { start: 0, end: 8, techniques: ['Loaded_Language'], accepted: false },
    { start: 9, end: 14, techniques: ['Name_Calling,Labeling'], accepted: true },
    { start: 20, end: 27, techniques: ['Exaggeration,Minimisation'] },
  ];
  const response = await fetch(`${server.url}/api/v1/analyses/${record.id}/review`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ spans, reviewer: '\uFEFF  Ana \t' }),
  });
  const saved = (await response.json()) as Json;
  assert.equal(response.status, 200, JSON.stringify(saved));
  const read = await getJson(`${server.url}/api/v1/analyses/${record.id}/review`);
  for (const state of [saved, read.json]) {
    assert.deepEqual(state.review.spans, spans);
    assert.equal(state.review.reviewer, 'Ana');
  }
  const { json: openapi } = await getJson(`${server.url}/api/v1/openapi.json`);
  const body =
    openapi.paths['/api/v1/analyses/{id}/review'].put.requestBody.content['application/json']
      .schema;
  assert.match(body.properties.reviewer.description, /trimmed .*byte order mark/u);
});

test('a 500 is logged with its request id and route, never with the article', async () => {
  // Another process holding the store's write lock makes the server's write fail (SQLITE_BUSY).
  const db = new Database(server.db);
  db.exec('BEGIN EXCLUSIVE');
  const text = `${ARTICLE} Never stored: the secret harbour memo.`;
  try {
    const { status, json } = await postJson(`${server.url}/api/v1/analyze`, { text, source: 'x' });
    assertCatalogued(status, json, 'SPN_ERR_INTERNAL', 500);
  } finally {
    db.exec('ROLLBACK');
    db.close();
  }
  const lines = server
    .log()
    .split('\n')
    .filter((line) => line.includes('SPN_ERR_INTERNAL'));
  assert.equal(lines.length, 1, server.log());
  const entry = JSON.parse(lines[0]!);
  assert.equal(entry.level, 50);
  assert.match(entry.reqId, /^req-/u);
  assert.equal(entry.route, 'POST /api/v1/analyze');
  assert.match(entry.err.message, /locked/u);
  assert.doesNotMatch(server.log(), /secret harbour memo/u);
  // Requests themselves are not logged at the default level.
  assert.doesNotMatch(server.log(), /incoming request/u);
});

test('a full disk answers 507, loses nothing already stored, and is logged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spinscope-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4096k', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a small tmpfs to fill (needs root): ${(error as Error).message}`);
    return;
  }
  const full = await startServerOn(join(dir, 'store.sqlite'), '--model', 'sm');
  t.after(async () => {
    full.stop();
    if (full.process.exitCode === null && full.process.signalCode === null) {
      await new Promise((resolve) => full.process.once('exit', resolve));
    }
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const first = await postJson(`${full.url}/api/v1/analyze`, { text: ARTICLE });
  assert.equal(first.status, 200, JSON.stringify(first.json));

  // Fill the disk to its last byte.
  const fillerFile = join(dir, 'filler');
  const filler = openSync(fillerFile, 'w');
  for (const size of [1024 * 1024, 4096, 1]) {
    try {
      for (;;) writeSync(filler, Buffer.alloc(size));
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    }
  }
  closeSync(filler);

  const text = `${ARTICLE} The secret harbour memo.`;
  const refused = await postJson(`${full.url}/api/v1/analyze`, { text });
  assertCatalogued(refused.status, refused.json, 'SPN_ERR_STORAGE', 507);
  assert.match(refused.json.error.message, /disk is full/u);
  const kept = await getJson(`${full.url}/api/v1/analyses/${first.json.id}`);
  assert.equal(kept.status, 200, JSON.stringify(kept.json));
  assert.equal(kept.json.text, ARTICLE);
  const list = await getJson(`${full.url}/api/v1/analyses`);
  assert.deepEqual(
    list.json.items.map((item: Json) => item.id),
    [first.json.id],
  );
  const logged = JSON.parse(
    full
      .log()
      .split('\n')
      .find((l) => l.includes('SPN_ERR_STORAGE'))!,
  );
  assert.equal(logged.route, 'POST /api/v1/analyze');
  assert.match(logged.reqId, /^req-/u);
  assert.doesNotMatch(full.log(), /secret harbour memo/u);

  // Space again: the same article is stored.
  unlinkSync(fillerFile);
  const again = await postJson(`${full.url}/api/v1/analyze`, { text });
  assert.equal(again.status, 200, JSON.stringify(again.json));
});

test('the OpenAPI document lists 507 where routes write and 503 where they analyse', async () => {
  const { json: openapi } = await getJson(`${server.url}/api/v1/openapi.json`);
  for (const path of ['/api/v1/analyze', '/api/v1/analyze/file', '/api/v1/analyze/url']) {
    const responses = openapi.paths[path].post.responses;
    assert.ok(responses['503'] && responses['507'], path);
  }
  const review = openapi.paths['/api/v1/analyses/{id}/review'];
  assert.ok(review.put.responses['507']);
  assert.equal(review.get.responses['507'], undefined);
});
