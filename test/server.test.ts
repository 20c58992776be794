import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_MODEL_NAME } from '../src/config.js';
import { AnalysisStore } from '../src/store/store.js';
import {
  getJson,
  postJson,
  startTestServer,
  stopAllServers,
  type TestServer,
} from './server-helpers.js';

const ARTICLE =
  'Traitors Sell Out Our Nation 🇺🇸\n\nThese so-called experts will destroy everything we love! Stand firm, stand proud!\n';
let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(stopAllServers);

test('health, catalogue and model card', async () => {
  const health = await getJson(`${server.url}/api/v1/health`);
  assert.equal(health.status, 200);
  assert.equal(health.json.status, 'ok');
  assert.equal(health.json.model.name, DEFAULT_MODEL_NAME);
  // onnxruntime-node is installed here (an optional dependency): the networks run on it.
  assert.equal(health.json.engine, 'onnxruntime');
  const techniques = await getJson(`${server.url}/api/v1/techniques`);
  assert.equal(techniques.json.techniques.length, 14);
  assert.equal(techniques.json.techniques[0].label, 'Appeal_to_Authority');
  const model = await getJson(`${server.url}/api/v1/model`);
  assert.ok(model.json.crossValidated.pooled.si > 0.3);
  assert.equal(model.json.model.name, DEFAULT_MODEL_NAME);
});

test('analyse a text; the same article again comes from the store', async () => {
  const first = await postJson(`${server.url}/api/v1/analyze`, {
    text: ARTICLE,
    source: 'test-source',
    date: '2024-05-01',
  });
  assert.equal(first.status, 200);
  assert.equal(first.json.cached, false);
  assert.equal(first.json.analysis.offsetUnit, 'codepoint');
  assert.equal(first.json.title, 'Traitors Sell Out Our Nation 🇺🇸');
  assert.equal(first.json.source, 'test-source');
  for (const span of first.json.analysis.spans) {
    assert.equal(Array.from(ARTICLE).slice(span.start, span.end).join(''), span.text);
  }
  const second = await postJson(`${server.url}/api/v1/analyze`, { text: ARTICLE });
  assert.equal(second.json.cached, true);
  assert.equal(second.json.id, first.json.id);
  const stored = await getJson(`${server.url}/api/v1/analyses/${first.json.id}`);
  assert.equal(stored.status, 200);
  assert.deepEqual(stored.json.analysis, first.json.analysis);
});

test('a request may name a shipped model; each model analyses and stores on its own', async () => {
  const health = await getJson(`${server.url}/api/v1/health`);
  assert.deepEqual(health.json.models, ['sm', 'md', 'lg']);
  const text = 'Harbour\n\nOnly traitors would doubt the glorious harbour plan, the mayor said.\n';
  const bySm = await postJson(`${server.url}/api/v1/analyze`, { text, model: 'sm' });
  assert.equal(bySm.status, 200, JSON.stringify(bySm.json));
  assert.equal(bySm.json.analysis.model.name, 'sm');
  const byDefault = await postJson(`${server.url}/api/v1/analyze`, { text });
  assert.equal(byDefault.json.analysis.model.name, DEFAULT_MODEL_NAME);
  assert.notEqual(byDefault.json.id, bySm.json.id);
  const byFormerName = await postJson(`${server.url}/api/v1/analyze`, { text, model: 'fast' });
  assert.deepEqual([byFormerName.json.id, byFormerName.json.cached], [bySm.json.id, true]);
  const form = new FormData();
  form.append('model', 'sm');
  form.append('file', new Blob([`${text}More.\n`], { type: 'text/plain' }), 'a.txt');
  const upload = await fetch(`${server.url}/api/v1/analyze/file`, { method: 'POST', body: form });
  assert.equal(((await upload.json()) as { modelName: string }).modelName, 'sm');
  // Only shipped names: never a path, and a URL is not fetched for an unknown model.
  for (const [route, body] of [
    ['analyze', { text, model: '../models/sm/model.bin' }],
    ['analyze/url', { url: 'http://127.0.0.1:9/', model: 'xl' }],
  ] as const) {
    const refused = await postJson(`${server.url}/api/v1/${route}`, body);
    assert.equal(refused.status, 400, route);
    assert.equal(refused.json.error.code, 'SPN_ERR_BAD_REQUEST');
    assert.match(refused.json.error.message, /choose one of sm, md, lg/u);
  }
});

test('upload a .txt and an .html file', async () => {
  const form = new FormData();
  form.append(
    'file',
    new Blob(['A Plain Title\n\nOnly a fool would trust these crooks.\n']),
    'story.txt',
  );
  const txt = await fetch(`${server.url}/api/v1/analyze/file`, { method: 'POST', body: form });
  assert.equal(txt.status, 200);
  const txtJson = await txt.json();
  assert.equal(txtJson.title, 'A Plain Title');
  assert.equal(txtJson.source, null, 'a file name is no source');

  const html = `<!doctype html><html><head><title>Harbour News</title><meta property="article:published_time" content="2024-03-02T10:00:00Z"></head>
    <body><nav>Home | Sports</nav><article><h1>Bridge Row Deepens</h1><p>The so-called experts at City Hall want to tear down our proud bridge.</p>
    <p>Every honest family knows the truth: they will destroy everything we love.</p><p>Save our bridge, save our town!</p></article><footer>© 2024</footer></body></html>`;
  const page = new FormData();
  page.append('file', new Blob([html], { type: 'text/html' }), 'page.html');
  page.append('source', 'harbour-news');
  const res = await fetch(`${server.url}/api/v1/analyze/file`, { method: 'POST', body: page });
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.match(json.text, /so-called experts at City Hall/);
  assert.doesNotMatch(json.text, /Home \| Sports/);
  assert.equal(json.source, 'harbour-news');
  assert.equal(json.date, '2024-03-02T10:00:00.000Z');
  // Without a source field, the page's site name is the source, and leaves the title.
  const site = new FormData();
  site.append(
    'file',
    new Blob([
      html
        .replace('<title>Harbour News</title>', '<title>Ferry Row | Harbour News</title>')
        .replace('<h1>Bridge Row Deepens</h1>', '')
        .replace('<head>', '<head><meta property="og:site_name" content="Harbour News">'),
    ]),
    'ferry.html',
  );
  const fromSite = await fetch(`${server.url}/api/v1/analyze/file`, { method: 'POST', body: site });
  const siteJson = await fromSite.json();
  assert.equal(siteJson.source, 'Harbour News');
  assert.equal(siteJson.title, 'Ferry Row');
});

test('list, search, filter and stats over stored analyses', async () => {
  await postJson(`${server.url}/api/v1/analyze`, {
    text: 'Zebra Crossing Debate\n\nThe zebra crossing outrage is a total disgrace.\n',
    source: 'other',
  });
  const all = await getJson(`${server.url}/api/v1/analyses?limit=2`);
  assert.equal(all.status, 200);
  assert.ok(all.json.total >= 3);
  assert.equal(all.json.items.length, 2);
  const found = await getJson(`${server.url}/api/v1/analyses?q=zebra`);
  assert.equal(found.json.total, 1);
  assert.match(found.json.items[0].snippet, /«zebra»/i);
  const bySource = await getJson(`${server.url}/api/v1/analyses?source=other`);
  assert.equal(bySource.json.total, 1);
  const search = await getJson(
    `${server.url}/api/v1/search?q=${encodeURIComponent('"(NEAR* bridge')}`,
  );
  assert.equal(search.status, 200);
  const stats = await getJson(`${server.url}/api/v1/stats`);
  assert.ok(Array.isArray(stats.json.bySource) && Array.isArray(stats.json.overTime));
  assert.ok(stats.json.sources.some((s: { source: string }) => s.source === 'other'));
  const badTechnique = await getJson(`${server.url}/api/v1/analyses?technique=Nonsense`);
  assert.equal(badTechnique.status, 400);
  assert.equal(badTechnique.json.error.code, 'SPN_ERR_BAD_REQUEST');
});

test('a review is saved beside the analysis, with history; bad reviews get 4xx and lose nothing', async () => {
  const text = 'A Review 😡\n\nThese traitors lie. Everyone knows the truth!\n';
  const { json: record } = await postJson(`${server.url}/api/v1/analyze`, { text });
  const url = `${server.url}/api/v1/analyses/${record.id}/review`;
  const put = (body: unknown) =>
    fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: await r.json() }));
  assert.deepEqual((await getJson(url)).json, { review: null, history: [] });
  const start = Array.from(text).indexOf('t', 16); // "traitors", counted in code points
  const saved = await put({
    reviewer: 'Ana',
    spans: [{ start, end: start + 8, techniques: ['Name_Calling,Labeling'] }],
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  assert.equal(saved.json.review.reviewer, 'Ana');
  assert.equal(
    Array.from(text)
      .slice(saved.json.review.spans[0].start, saved.json.review.spans[0].end)
      .join(''),
    'traitors',
  );
  const bad: [unknown, number, string][] = [
    [{ spans: [{ start: 0, end: 10_000, techniques: ['Doubt'] }] }, 422, 'SPN_ERR_LABEL_OFFSET'],
    [{ spans: [{ start: 0, end: 4, techniques: ['Nope'] }] }, 422, 'SPN_ERR_LABEL_TECHNIQUE'],
    [
      {
        spans: [
          { start: 0, end: 6, techniques: ['Doubt'] },
          { start: 3, end: 9, techniques: ['Doubt'] },
        ],
      },
      422,
      'SPN_ERR_LABEL_DUPLICATE',
    ],
    [{ spans: 'all of them' }, 400, 'SPN_ERR_BAD_REQUEST'],
  ];
  for (const [body, status, code] of bad) {
    const answer = await put(body);
    assert.equal(answer.status, status, JSON.stringify(answer.json));
    assert.equal(answer.json.error.code, code);
  }
  const missing = await fetch(`${server.url}/api/v1/analyses/nope/review`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ spans: [] }),
  });
  assert.equal(missing.status, 404);
  // Nothing was lost: the review and its history stand; the model's output is unchanged.
  const state = (await getJson(url)).json;
  assert.equal(state.history.length, 1);
  assert.deepEqual(state.review.spans, saved.json.review.spans);
  const model = (await getJson(`${server.url}/api/v1/analyses/${record.id}?version=model`)).json;
  assert.deepEqual(model.analysis, record.analysis);
  assert.equal(model.reviewed, undefined);
  const reviewed = (await getJson(`${server.url}/api/v1/analyses?reviewed=true`)).json;
  assert.deepEqual(
    reviewed.items.map((i: { id: string }) => i.id),
    [record.id],
  );
  assert.equal(reviewed.items[0].reviewed, true);
});

test('once reviewed, an analysis, its counts and the charts show the review', async () => {
  const text = 'Reviewed Article\n\nThese traitors lie. Everyone knows the truth!\n';
  const { json: record } = await postJson(`${server.url}/api/v1/analyze`, {
    text,
    source: 'review-source',
  });
  const start = Array.from(text).indexOf('E'); // "Everyone knows"
  const spans = [
    { start, end: start + 14, techniques: ['Bandwagon,Reductio_ad_hitlerum', 'Doubt'] },
  ];
  const put = await fetch(`${server.url}/api/v1/analyses/${record.id}/review`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reviewer: 'Bo', spans }),
  });
  assert.equal(put.status, 200);
  const shown = (await getJson(`${server.url}/api/v1/analyses/${record.id}`)).json;
  assert.equal(shown.reviewed.by, 'Bo');
  assert.match(shown.reviewed.at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(shown.analysis.spans, [
    {
      start,
      end: start + 14,
      text: 'Everyone knows',
      confidence: null,
      techniques: [
        {
          technique: 'Bandwagon,Reductio_ad_hitlerum',
          id: 'bandwagon-reductio-ad-hitlerum',
          name: shown.analysis.spans[0].techniques[0].name,
          confidence: null,
        },
        { technique: 'Doubt', id: 'doubt', name: 'Doubt', confidence: null },
      ],
      cues: [],
    },
  ]);
  assert.equal(shown.analysis.document.spans, 1);
  assert.equal(shown.analysis.document.techniqueCounts.Doubt, 1);
  assert.equal(shown.analysis.document.techniqueCounts.Loaded_Language, 0);
  assert.equal(shown.analysis.document.score, record.analysis.document.score); // the model's
  // The same text analysed again answers with the review too.
  const again = (await postJson(`${server.url}/api/v1/analyze`, { text })).json;
  assert.deepEqual(again.analysis.spans, shown.analysis.spans);
  // Corpus counts, the technique filter and the charts follow the review.
  const list = (await getJson(`${server.url}/api/v1/analyses?source=review-source`)).json;
  assert.equal(list.items[0].spans, 1);
  assert.equal(list.items[0].techniqueCounts.Doubt, 1);
  assert.equal(list.items[0].techniqueCounts.Loaded_Language, 0);
  const byDoubt = (
    await getJson(`${server.url}/api/v1/analyses?source=review-source&technique=Doubt`)
  ).json;
  assert.equal(byDoubt.total, 1);
  const stats = (await getJson(`${server.url}/api/v1/stats`)).json;
  const counted = stats.bySource.filter((r: { source: string }) => r.source === 'review-source');
  assert.deepEqual(
    counted.map((r: { technique: string; count: number }) => [r.technique, r.count]),
    [
      ['Bandwagon,Reductio_ad_hitlerum', 1],
      ['Doubt', 1],
    ],
  );
  const bad = await getJson(`${server.url}/api/v1/analyses/${record.id}?version=draft`);
  assert.equal(bad.status, 400);
});

test('errors are JSON with a stable code', async () => {
  const cases: [RequestInit & { path?: string }, number, string][] = [
    [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": ' },
      400,
      'SPN_ERR_BAD_REQUEST',
    ],
    [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": 42}' },
      400,
      'SPN_ERR_BAD_REQUEST',
    ],
    [
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      400,
      'SPN_ERR_BAD_REQUEST',
    ],
    [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text": "  \\n "}',
      },
      400,
      'SPN_ERR_INPUT_EMPTY',
    ],
    [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text": "a\\u0000b"}',
      },
      422,
      'SPN_ERR_INPUT_BINARY',
    ],
    [
      { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<text/>' },
      415,
      'SPN_ERR_MEDIA_TYPE',
    ],
  ];
  for (const [init, status, code] of cases) {
    const res = await fetch(`${server.url}/api/v1/analyze`, init);
    const json = await res.json();
    assert.equal(res.status, status, `${String(init.body)} -> ${JSON.stringify(json)}`);
    assert.equal(json.error.code, code);
    assert.equal(json.error.statusCode, status);
    assert.ok(json.error.message.length > 5);
  }
  const missing = await getJson(`${server.url}/api/v1/analyses/0123456789abcdef01234567`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'SPN_ERR_NOT_FOUND');
  const route = await getJson(`${server.url}/api/v2/nothing`);
  assert.equal(route.status, 404);
});

test('bodies over the configured limit get 413', async () => {
  const small = await startTestServer('--max-bytes', '2000');
  const res = await postJson(`${small.url}/api/v1/analyze`, { text: 'word '.repeat(2000) });
  assert.equal(res.status, 413);
  assert.equal(res.json.error.code, 'SPN_ERR_INPUT_TOO_LARGE');
  const form = new FormData();
  form.append('file', new Blob(['word '.repeat(2000)]), 'big.txt');
  const upload = await fetch(`${small.url}/api/v1/analyze/file`, { method: 'POST', body: form });
  assert.equal(upload.status, 413);
  small.stop();
});

test('URLs: private addresses are refused by default, allowed with the flag', async () => {
  const page = createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/article' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<html><head><title>Local Story</title></head><body><article><p>Only traitors would doubt our glorious leader, the so-called critics say nothing true.</p></article></body></html>',
    );
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  try {
    const refused = await postJson(`${server.url}/api/v1/analyze/url`, {
      url: `${pageUrl}/article`,
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'SPN_ERR_URL');
    assert.match(refused.json.error.message, /internal address 127\.0\.0\.1/);
    const notHttp = await postJson(`${server.url}/api/v1/analyze/url`, {
      url: 'file:///etc/passwd',
    });
    assert.equal(notHttp.json.error.code, 'SPN_ERR_URL');

    const open = await startTestServer('--allow-private-urls');
    const fetched = await postJson(`${open.url}/api/v1/analyze/url`, {
      url: `${pageUrl}/redirect`,
    });
    assert.equal(fetched.status, 200, JSON.stringify(fetched.json));
    assert.equal(fetched.json.title, 'Local Story');
    assert.equal(fetched.json.source, '127.0.0.1');
    assert.match(fetched.json.text, /glorious leader/);
    open.stop();
  } finally {
    page.close();
  }
});

test('the OpenAPI document describes exactly the API routes', async () => {
  const doc = await getJson(`${server.url}/api/v1/openapi.json`);
  assert.equal(doc.status, 200);
  assert.equal(doc.json.openapi, '3.1.0');
  const documented = Object.entries(doc.json.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  assert.deepEqual(documented, [
    'GET /api/v1/analyses',
    'GET /api/v1/analyses/{id}',
    'GET /api/v1/analyses/{id}/review',
    'GET /api/v1/health',
    'GET /api/v1/model',
    'GET /api/v1/search',
    'GET /api/v1/stats',
    'GET /api/v1/techniques',
    'POST /api/v1/analyze',
    'POST /api/v1/analyze/file',
    'POST /api/v1/analyze/url',
    'PUT /api/v1/analyses/{id}/review',
  ]);
  // Every documented route answers (not the 404 of an unknown route).
  for (const entry of documented.filter((d) => d.startsWith('GET'))) {
    const path = entry.slice(4).replace('{id}', 'unknown-id');
    const res = await fetch(`${server.url}${path}`);
    const body = await res.json();
    assert.ok(res.status === 200 || body.error?.message === 'no analysis unknown-id', entry);
  }
  assert.equal(
    doc.json.paths['/api/v1/analyze'].post.requestBody.content['application/json'].schema
      .required[0],
    'text',
  );
});

test('a long analysis does not hold up other requests', async () => {
  // About 1.5 MB of text: seconds of work in a worker thread, while /health answers at once.
  const long = `Long Article\n\n${'The so-called experts will destroy everything we love, traitors all. '.repeat(22_000)}`;
  const order: string[] = [];
  const analysis = postJson(`${server.url}/api/v1/analyze`, { text: long }).then((r) => {
    order.push('analysis');
    return r;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const health = await getJson(`${server.url}/api/v1/health`);
  order.push('health');
  assert.equal(health.status, 200);
  assert.equal((await analysis).status, 200);
  assert.deepEqual(order, ['health', 'analysis']);
});

test('nothing is lost when the server is killed with requests in flight', async () => {
  const victim = await startTestServer('--workers', '2');
  const answered: string[] = [];
  const requests = Array.from({ length: 40 }, (_, i) =>
    postJson(`${victim.url}/api/v1/analyze`, {
      text: `Story ${i}\n\nThese so-called experts number ${i} will destroy everything we love. ${'Stand firm! '.repeat(50 + i)}`,
    }).then(
      (r) => {
        if (r.status === 200) answered.push(r.json.id);
      },
      () => undefined, // requests cut off by the kill
    ),
  );
  while (answered.length < 8) await new Promise((resolve) => setTimeout(resolve, 20));
  victim.process.kill('SIGKILL');
  await Promise.all(requests);
  if (victim.process.exitCode === null && victim.process.signalCode === null) {
    await new Promise((resolve) => victim.process.once('exit', resolve));
  }
  assert.ok(answered.length >= 8 && answered.length < 40, `answered ${answered.length}`);

  const raw = new Database(victim.db, { readonly: true });
  assert.equal(
    (raw.pragma('integrity_check') as { integrity_check: string }[])[0]?.integrity_check,
    'ok',
  );
  raw.close();
  const store = AnalysisStore.open(victim.db);
  for (const id of answered) {
    const record = store.get(id);
    assert.ok(record, `answered analysis ${id} is in the store`);
    assert.equal(record.analysis.spans.length, record.analysis.document.spans);
  }
  store.close();
});
