/**
 * The browser extension (extension/) in Chromium: built as `npm run build:extension` builds
 * it, loaded unpacked (`--load-extension`, new headless mode), run on invented news pages
 * served from 127.0.0.1.
 *
 * A toolbar click cannot be simulated: the test calls `spinscope.analyseTab(tabId)` in the
 * extension's service worker, the function the click calls. The click would also grant the
 * `activeTab` permission; the test's copy of the manifest grants http://127.0.0.1/* instead.
 *
 * Every request of the browser goes through this test's server as its proxy (loopback
 * included), so the test sees each one, whichever part of the browser makes it.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { analyze } from '../src/analyze.js';
import type { Analysis } from '../src/detect/analysis.js';
import type { TabState } from '../extension/src/messages.js';
import { buildExtension } from '../scripts/build-extension.js';
import { PAGES } from './extension-pages.js';
import {
  browserSkipReason,
  CHROMIUM,
  CHROMIUM_ARGS,
  requireChromium,
  ROOT,
  SCREENSHOTS,
} from './web-helpers.js';

/** The extension APIs the test calls in the service worker (run there, typed here). */
declare const chrome: {
  tabs: {
    query(query: { url: string }): Promise<{ id?: number }[]>;
    sendMessage(tabId: number, message: unknown): Promise<unknown>;
  };
  storage: { local: { set(items: object): Promise<void>; remove(key: string): Promise<void> } };
};

type Done = TabState & { status: 'done' };

interface Seen {
  method: string;
  url: string;
  body: string;
}

const skip = browserSkipReason();
const seen: Seen[] = [];
let server: Server;
let origin = '';
let context: BrowserContext;
let worker: Worker;
let extensionDir = '';
let extensionId = '';
/** What the fake remote server analysed, when the server mode is on. */
let remoteTexts: string[] = [];

const collapse = (text: string) => text.replace(/\s+/gu, ' ').trim();

function withoutTiming({ timing: _timing, ...analysis }: Analysis) {
  return analysis;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
  });
}

/** The news site on 127.0.0.1, and the proxy every request of the browser goes through. */
function serve(): Promise<Server> {
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', origin);
      seen.push({ method: request.method ?? '', url: url.href, body });
      if (url.origin !== origin) return void response.writeHead(502).end();
      const page = PAGES[url.pathname];
      // A strict Content-Security-Policy, as news sites send: no inline style or script.
      const csp = "default-src 'self'; style-src 'self'; script-src 'none'";
      if (page)
        return void response
          .writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp })
          .end(page());
      if (url.pathname === '/style.css')
        return void response
          .writeHead(200, { 'content-type': 'text/css' })
          .end(readFileSync(join(ROOT, 'test/fixtures/news-pages/style.css')));
      if (url.pathname === '/remote/api/v1/analyze' && request.method === 'POST') {
        const { text, model } = JSON.parse(body) as { text: string; model: string };
        remoteTexts.push(text);
        const analysis = await analyze(text, { model });
        return void response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ analysis }));
      }
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><p>Elsewhere.</p>');
    })();
  });
  server.on('connect', (request, socket) => {
    seen.push({ method: 'CONNECT', url: request.url ?? '', body: '' });
    socket.destroy();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let built: Awaited<ReturnType<typeof buildExtension>>;

before(async () => {
  built = await buildExtension();
  if (skip) return;
  requireChromium();
  extensionDir = mkdtempSync(join(tmpdir(), 'spinscope-extension-'));
  cpSync(built.dir, extensionDir, { recursive: true });
  const manifestPath = join(extensionDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.host_permissions = ['http://127.0.0.1/*'];
  writeFileSync(manifestPath, JSON.stringify(manifest));
  server = await serve();
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  context = await chromium.launchPersistentContext('', {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 768 },
    args: [
      '--headless=new',
      ...CHROMIUM_ARGS,
      `--proxy-server=${origin}`,
      '--proxy-bypass-list=<-loopback>',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
    ],
  });
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  extensionId = new URL(worker.url()).host;
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (extensionDir) rmSync(extensionDir, { recursive: true, force: true });
});

async function tabIdOf(url: string): Promise<number> {
  return worker.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
}

async function analyseIn(page: Page): Promise<Done> {
  const tabId = await tabIdOf(page.url());
  const state = await worker.evaluate(
    (id) =>
      (
        globalThis as unknown as { spinscope: { analyseTab(id: number): Promise<TabState> } }
      ).spinscope.analyseTab(id),
    tabId,
  );
  assert.equal(state.status, 'done', state.status === 'error' ? state.message : '');
  return state as Done;
}

/** Each span's highlighted text in the page: its marks' texts, in document order. */
function highlightedTexts(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const texts: Record<string, string> = {};
    for (const mark of document.querySelectorAll<HTMLElement>('mark.hl'))
      for (const i of (mark.dataset.spans ?? '').split(' '))
        texts[i] = (texts[i] ?? '') + mark.textContent;
    return texts;
  });
}

/** What must not change: the page's text, its links, where its parts stand. */
function pageFacts(page: Page) {
  return page.evaluate(() => ({
    text: document.body.textContent,
    links: [...document.links].map((a) => a.href),
    boxes: [...document.querySelectorAll('header, nav, aside, .ad, footer, .comments, h1')].map(
      (e) => {
        const r = e.getBoundingClientRect();
        return [e.localName, Math.round(r.left), Math.round(r.width)];
      },
    ),
    overflows: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  }));
}

async function checkPage(path: string, model = 'sm'): Promise<{ page: Page; state: Done }> {
  const page = await context.newPage();
  await page.goto(`${origin}${path}`);
  const html = await page.evaluate(() => document.body.innerHTML);
  const facts = await pageFacts(page);
  const state = await analyseIn(page);
  // The same analysis as the library's on Node, of the text read from the page.
  assert.deepEqual(
    withoutTiming(state.analysis as Analysis),
    withoutTiming(await analyze(state.text, { model })),
  );
  assert.ok(state.analysis.spans.length > 0, 'the article has spans');
  assert.equal(state.unplaced, 0);
  // Each highlight covers exactly its span's text, across element boundaries.
  const highlighted = await highlightedTexts(page);
  state.analysis.spans.forEach((span, i) =>
    assert.equal(collapse(highlighted[i] ?? ''), collapse(span.text), `span ${i}`),
  );
  assert.deepEqual(await pageFacts(page), facts, 'the page keeps its text, links and layout');
  // Cleared, the page has its own DOM back, exactly.
  const tabId = await tabIdOf(page.url());
  await worker.evaluate((id) => chrome.tabs.sendMessage(id, { type: 'spinscope:clear' }), tabId);
  assert.equal(await page.evaluate(() => document.body.innerHTML), html);
  return { page, state: await analyseIn(page) };
}

test('the store package holds the unpacked extension, every file intact', () => {
  const files = new Map(Object.entries(unzipSync(readFileSync(built.zip))));
  const unpacked = (readdirSync(built.dir, { recursive: true, encoding: 'utf8' }) as string[])
    .map((path) => join(built.dir, path))
    .filter((path) => statSync(path).isFile());
  assert.deepEqual(
    [...files.keys()].sort(),
    unpacked.map((path) => relative(built.dir, path)).sort(),
  );
  for (const path of unpacked)
    assert.deepEqual(
      files.get(relative(built.dir, path)),
      new Uint8Array(readFileSync(path)),
      path,
    );
  const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.host_permissions, undefined, 'no host reached without asking');
  for (const model of ['models/sm.bin', 'models/md.bin', 'worker/detector-worker.js', 'content.js'])
    assert.ok(files.has(model), model);
});

test('a long article: highlights cover exactly the library’s spans', { skip }, async () => {
  const { page, state } = await checkPage('/long.html');
  assert.match(state.text, /^Council Caves In Again\n\nThe spineless council/u, 'headline first');
  assert.doesNotMatch(state.text, /Harbour Herald|Contact|By Ana Example/u, 'no page furniture');
  await page.close();
});

test('ads, comments and nested markup: only the article is read', { skip }, async () => {
  const { page, state } = await checkPage('/busy.html');
  assert.match(state.text, /proud patriots lined the harbour/u);
  assert.doesNotMatch(state.text, /Advertisement|traitors every one|New cars/u);
  await page.close();
});

test('emoji and right-to-left quotes: code points map onto the page', { skip }, async () => {
  const { page, state } = await checkPage('/emoji.html');
  assert.match(state.text, /قال الوزير إن الخطة ناجحة/u);
  assert.match(state.text, /🤦‍♀️/u);
  await page.close();
});

test('the md model runs in the extension too', { skip }, async () => {
  await worker.evaluate(() => chrome.storage.local.set({ settings: { model: 'md' } }));
  try {
    const { page } = await checkPage('/emoji.html', 'md');
    await page.close();
  } finally {
    await worker.evaluate(() => chrome.storage.local.remove('settings'));
  }
});

test('links still work and the popover opens from the keyboard', { skip }, async () => {
  const page = await context.newPage();
  await page.goto(`${origin}/long.html`);
  await analyseIn(page);
  // Tab from a link whose text is a span reaches the span's marker, just after the link.
  const link = page.locator('a[href="/officials"]');
  await link.focus();
  await page.keyboard.press('Tab');
  const marker = page.locator('spinscope-marker button.tag:focus');
  assert.equal(await marker.count(), 1, 'Tab goes from the link to its marker');
  await page.keyboard.press('Enter');
  const details = page.locator('spinscope-layer .details');
  await details.waitFor({ state: 'visible' });
  assert.match((await details.textContent()) ?? '', /Cues|%/u);
  assert.equal(await marker.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Escape');
  await details.waitFor({ state: 'hidden' });
  assert.equal(
    await page.evaluate(() => document.activeElement?.localName),
    'spinscope-marker',
    'focus goes back to the marker',
  );
  // A link whose text is highlighted still leads where it did.
  assert.ok((await link.locator('mark.hl').count()) > 0, 'the link holds a highlight');
  await link.click();
  await page.waitForURL(`${origin}/officials`);
  await page.close();
});

test('the side panel shows the score, legend and ranked sentences', { skip }, async () => {
  const news = await context.newPage();
  await news.setViewportSize({ width: 966, height: 768 });
  await news.goto(`${origin}/busy.html`);
  const state = await analyseIn(news);
  const tabId = await tabIdOf(news.url());
  const panel = await context.newPage();
  await panel.setViewportSize({ width: 400, height: 768 });
  await panel.goto(`chrome-extension://${extensionId}/sidepanel.html?tab=${tabId}`);
  await panel.locator('.score-value').waitFor();
  assert.equal(
    await panel.locator('.score-value').textContent(),
    state.analysis.document.score.toFixed(2),
  );
  const items = panel.locator('#legend .legend-item');
  assert.ok((await items.count()) > 0, 'the legend lists the techniques shown');
  // A ranked sentence, selected in the panel, is found and selected in the page.
  const sentence = panel.locator('#sentences button.sentence').first();
  const sentenceText = (await sentence.locator('.sentence-text').textContent()) ?? '';
  await sentence.click();
  await news.waitForFunction(
    (text) => document.getSelection()?.toString().replace(/\s+/gu, ' ').trim() === text,
    sentenceText,
  );
  // A technique switched off in the legend leaves the page's highlights.
  const visibleBefore = await news.locator('spinscope-marker:visible').count();
  const styled = await news
    .locator('spinscope-marker button.tag')
    .filter({ visible: true })
    .first()
    .evaluate((b) => [getComputedStyle(b).borderRadius, getComputedStyle(b).fontWeight]);
  assert.deepEqual(styled, ['999px', '700'], 'markers styled in spite of the page’s CSP');
  await items.first().click();
  await news.waitForFunction(
    (n) => document.querySelectorAll('spinscope-marker:not([style*="none"])').length < n,
    visibleBefore,
  );
  await panel.locator('#reset').click();
  await news.waitForFunction(
    (n) => document.querySelectorAll('spinscope-marker:not([style*="none"])').length === n,
    visibleBefore,
  );
  // The screenshot of the README: the page with a popover open, the panel beside it.
  await news.locator('spinscope-marker button.tag').filter({ visible: true }).first().click();
  await news.locator('spinscope-layer .details').waitFor({ state: 'visible' });
  await news.mouse.move(700, 740); // the marker's name tip away: the popover says it all
  await panel.locator('#reset').blur();
  await panel.mouse.move(390, 760);
  const shots = await Promise.all([news.screenshot(), panel.screenshot()]);
  const composed = await context.newPage();
  await composed.setViewportSize({ width: 1366, height: 768 });
  await composed.setContent(
    `<body style="margin:0;display:flex;background:#ccc">` +
      `<img src="data:image/png;base64,${shots[0].toString('base64')}" width="966" height="768">` +
      `<img src="data:image/png;base64,${shots[1].toString('base64')}" width="399" height="768" style="border-left:1px solid #999">`,
  );
  await composed.screenshot({ path: join(SCREENSHOTS, 'extension-news-page.png') });
  await panel.setViewportSize({ width: 390, height: 844 });
  await panel.screenshot({
    path: join(SCREENSHOTS, 'extension-side-panel-390.png'),
    fullPage: true,
  });
  await Promise.all([news.close(), panel.close(), composed.close()]);
});

test('with the server turned on, the text goes to that server alone', { skip }, async () => {
  remoteTexts = [];
  // Turned on in the options page, as a reader does.
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  assert.equal(await options.locator('#server-on').isChecked(), false, 'off by default');
  await options.locator('#server-on').check();
  await options.locator('#server-url').fill(`${origin}/remote/`);
  await options.locator('#server-model').fill('sm');
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Saved: articles go to').waitFor();
  await options.close();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/emoji.html`);
    const state = await analyseIn(page);
    assert.deepEqual(remoteTexts, [state.text]);
    assert.match(state.engine, /on http:\/\/127\.0\.0\.1/u);
    assert.ok((await page.locator('mark.hl').count()) > 0);
    await page.close();
  } finally {
    await worker.evaluate(() => chrome.storage.local.remove('settings'));
  }
});

/** Chromium's own calls home (update checks, sign-in): never the extension's, which has no such host. */
const CHROMIUM_OWN =
  /^(https?:\/\/)?[a-z0-9.-]+\.(google\.com|googleapis\.com|gvt1\.com)(:443)?(\/|$)/u;

test(
  'no request carries the article, but to the server the reader turned on',
  { skip },
  async () => {
    assert.ok(seen.length > 0, 'the proxy saw the pages load');
    const outside = seen.filter((s) => !s.url.startsWith(`${origin}/`));
    assert.deepEqual(
      outside.filter((s) => !CHROMIUM_OWN.test(s.url)),
      [],
      'requests outside 127.0.0.1 other than Chromium’s own',
    );
    const probes = ['spineless council', 'proud patriots', 'storming out of the chamber'];
    for (const s of seen) {
      if (s.url === `${origin}/remote/api/v1/analyze`) continue; // the server mode's own test
      for (const probe of probes) {
        assert.ok(!s.body.includes(probe), `${s.method} ${s.url} carries the article in its body`);
        assert.ok(!decodeURIComponent(s.url).includes(probe), `${s.url} carries the article`);
      }
    }
    const remote = seen.filter((s) => s.url.startsWith(`${origin}/remote/`));
    assert.equal(remote.length, 1, 'one request to the server, from its own test');
  },
);
