/**
 * The static web app in Chromium: web/dist/ as `npm run build` leaves it, hosted by a plain
 * static file server on 127.0.0.1 with no Spinscope server, analyses in the page's Web
 * Worker and shows what `analyze()` finds on Node, span for span. Every request the page
 * and its worker make is intercepted: none carries the article (in its address or body)
 * and none leaves 127.0.0.1. The served UI's "Analyse on this device" sends none either.
 * The article is invented, with a leading BOM, emoji and a flag.
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { analyze } from '../src/analyze.js';
import type { Analysis } from '../src/detect/analysis.js';
import { extractArticle } from '../src/formats/html.js';
import type { AnalysisRecord } from '../src/types.js';
import {
  browserSkipReason,
  ensureBuilt,
  launchBrowser,
  requireChromium,
  ROOT,
  SCREENSHOTS,
  startServer,
  type WebServer,
} from './web-helpers.js';

const ARTICLE =
  '\ufeffQuillbrook Council Betrays Us Again 😡\n\nThe spineless Quillbrook council has once ' +
  'again betrayed every hard-working family in this town 🇬🇧. Only a fool would believe their ' +
  'promises now. Everyone knows the truth: these bureaucrats care about nothing but their own ' +
  'pensions. If we do nothing, our children will pay the price for decades. Enough is enough! 😡';

/** Pieces of the article that no request may carry, in any of the ways a URL encodes them. */
const SECRETS = ['Quillbrook', 'spineless', 'bureaucrats care about nothing'].flatMap((s) => [
  s,
  encodeURIComponent(s),
  s.replace(/ /gu, '+'),
]);

const HTML_PAGE = `<!doctype html><html><head><title>Harbour Plan Exposed | Quillbrook Post</title>
<meta property="og:site_name" content="Quillbrook Post"></head><body><article>
<h1>Harbour Plan Exposed</h1>
<p>The reckless harbour plan is a disgrace that only traitors could support.</p>
<p>Every decent citizen knows the mayor lied, and the lies will destroy our town.</p>
</article></body></html>`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.bin': 'application/octet-stream',
};

/** A plain static file server for a folder, as any host would serve web/dist/. */
function serveFolder(dir: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile()) {
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'text/plain' });
      createReadStream(file).pipe(response);
    } else {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ origin: `http://127.0.0.1:${port}`, server });
    }),
  );
}

interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every request of the page and its worker: address, method, body. */
  requests: { url: string; method: string; body: string }[];
  /** Bytes the browser received, by path. */
  received: Map<string, number>;
  problems: string[];
  /** Close the context, letting routes still fetching (a model) end quietly. */
  close(): Promise<void>;
}

/**
 * A browser context in which every request is intercepted and recorded; requests that leave
 * the origin are refused. The responses are fetched here and handed on, so their bytes are
 * counted (the download sizes of the README).
 */
async function watch(browser: Browser, origin: string, viewport: Viewport): Promise<Watched> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const requests: Watched['requests'] = [];
  const received = new Map<string, number>();
  const problems: string[] = [];
  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = request.url();
    requests.push({ url, method: request.method(), body: request.postData() ?? '' });
    if (!url.startsWith(`${origin}/`)) {
      problems.push(`request outside ${origin}: ${url}`);
      return route.abort();
    }
    const response = await route.fetch();
    const body = await response.body();
    const path = new URL(url).pathname;
    received.set(path, (received.get(path) ?? 0) + body.byteLength);
    return route.fulfill({ response, body });
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The static site asks /api/v1/health once to learn that it has no server: a 404.
    if (message.type() === 'error' && !/status of 404/u.test(message.text()))
      problems.push(`console error: ${message.text()}`);
  });
  const close = async () => {
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  };
  return { context, page, requests, received, problems, close };
}

type Viewport = { width: number; height: number };

/** No request carried the article; none left the origin; the worker's requests were seen. */
function assertPrivate(w: Watched, origin: string): void {
  for (const { url, method, body } of w.requests) {
    for (const secret of SECRETS) {
      assert.ok(!url.includes(secret), `${method} ${url} carries the article`);
      assert.ok(!body.includes(secret), `${method} ${url}'s body carries the article`);
    }
    assert.ok(url.startsWith(`${origin}/`), `${url} leaves ${origin}`);
  }
  assert.ok(
    w.requests.some(({ url }) => url.endsWith('/model.bin')),
    'the worker fetched its model through the intercepted routes',
  );
  assert.deepEqual(w.problems, []);
}

/** An analysis without its timing, the one part that differs between runs. */
function withoutTiming({ timing: _timing, ...analysis }: Analysis | AnalysisRecord['analysis']) {
  return analysis;
}

/** Paste the article, pick a model, analyse on the device, show every highlight. */
async function analyseArticle(page: Page, model: string, text = ARTICLE): Promise<void> {
  await page.fill('#input-text', text);
  await page.selectOption('#input-model', model);
  await page.click('#analyse-text'); // the view is busy from the click until it shows the result
  await page.waitForSelector('#view-analyse[aria-busy="false"]', { timeout: 60_000 });
  assert.match((await page.textContent('#article-meta')) ?? '', new RegExp(`model ${model} `, 'u'));
  await page.check('#show-every');
}

/**
 * The page's highlights are the library's spans: each span index's marks cover exactly its
 * code points, and the downloaded JSON holds the library's analysis (for `lg`, its spans and
 * their techniques: its sentence encoder's int8 kernels differ on WebAssembly, so its numbers
 * agree to a tolerance, which test/browser.test.ts checks).
 */
async function assertSameAsLibrary(page: Page, model: string, text = ARTICLE): Promise<void> {
  const expected = await analyze(text, { model });
  assert.ok(expected.spans.length > 0, 'the article has spans to compare');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const record = JSON.parse(
    readFileSync((await download.path()) as string, 'utf8'),
  ) as AnalysisRecord;
  assert.equal(record.text, text, 'the BOM, emoji and flag survive');
  if (model === 'lg') {
    const spans = (a: Analysis | AnalysisRecord['analysis']) =>
      a.spans.map(({ start, end, techniques }) => ({
        start,
        end,
        techniques: techniques.map((t) => t.technique).sort(),
      }));
    assert.deepEqual(spans(record.analysis), spans(expected));
  } else {
    assert.deepEqual(withoutTiming(record.analysis), withoutTiming(expected));
  }
  const marks = await page.$$eval('#article mark.hl', (els) =>
    els.map((e) => ({
      start: Number(e.getAttribute('data-start')),
      end: Number(e.getAttribute('data-end')),
      spans: (e.getAttribute('data-spans') ?? '').split(' ').map(Number),
    })),
  );
  const shown = expected.spans.map((_, i) => {
    const own = marks.filter((m) => m.spans.includes(i));
    return { start: Math.min(...own.map((m) => m.start)), end: Math.max(...own.map((m) => m.end)) };
  });
  assert.deepEqual(
    shown,
    expected.spans.map(({ start, end }) => ({ start, end })),
  );
}

const skip = browserSkipReason();

describe('the static web app in Chromium', { skip }, () => {
  let browser: Browser;
  let site: { origin: string; server: Server };

  before(async () => {
    requireChromium();
    ensureBuilt();
    site = await serveFolder(join(ROOT, 'web/dist'));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.server.close(resolve));
  });

  test('analyses on the device as analyze() does, and no request carries the article', async (t: TestContext) => {
    const w = await watch(browser, site.origin, { width: 1366, height: 768 });
    try {
      const { page } = w;
      await page.goto(`${site.origin}/`);
      await page.waitForSelector('body[data-ready="true"][data-mode="static"]');
      // What needs a server is hidden; what happens to the text is said.
      assert.equal(await page.isVisible('nav.views a[data-view="corpus"]'), false);
      assert.equal(await page.isVisible('#url-form'), false);
      assert.equal(await page.isVisible('#on-device-choice'), false);
      assert.match((await page.textContent('#device-note')) ?? '', /never leaves this device/u);
      const models = await page.$$eval('#input-model option', (els) =>
        els.map((e) => (e as HTMLOptionElement).value),
      );
      assert.deepEqual(models, ['sm', 'md', 'lg']);
      assert.match(
        (await page.textContent('#input-model option[value="lg"]')) ?? '',
        /^lg: most accurate \(\d+ MB\)$/u,
      );
      assert.equal(w.requests.filter(({ url }) => url.endsWith('.bin')).length, 0, 'no model yet');

      // md last: the highlights below are its.
      for (const model of ['sm', 'lg', 'md']) {
        const before = new Map(w.received);
        await analyseArticle(page, model);
        assert.match((await page.textContent('#analyse-status')) ?? '', /on this device/u);
        assert.equal(await page.isVisible('.review-tools'), false, 'no review without a store');
        await assertSameAsLibrary(page, model);
        const fetched = [...w.received].filter(([path]) => (before.get(path) ?? 0) === 0);
        const bytes = fetched.reduce((sum, [, n]) => sum + n, 0);
        t.diagnostic(`${model}: ${bytes} bytes fetched (${fetched.map(([p]) => p).join(', ')})`);
      }
      t.diagnostic(`page: ${[...w.received].map(([p, n]) => `${p} ${n}`).join(', ')}`);

      // The highlights behave as on the served UI: a popover, a legend toggle.
      await page.click('#article-body button.tag >> nth=0');
      await page.waitForSelector('#details:not([hidden])');
      await page.keyboard.press('Escape');
      const count = await page.locator('#article mark.hl').count();
      await page.click('#legend button.legend-item >> nth=0');
      assert.ok((await page.locator('#article mark.hl').count()) < count, 'a technique hidden');
      assertPrivate(w, site.origin);
    } finally {
      await w.close();
    }
  });

  test('an uploaded and a dropped HTML page are read in the page, as the server reads them', async () => {
    const w = await watch(browser, site.origin, { width: 1366, height: 768 });
    try {
      const { page } = w;
      await page.goto(`${site.origin}/`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.selectOption('#input-model', 'sm');
      await page.setInputFiles('#input-file', {
        name: 'harbour.html',
        mimeType: 'text/html',
        buffer: Buffer.from(HTML_PAGE),
      });
      await page.waitForSelector('#result:not([hidden])');
      assert.equal(await page.textContent('#article-title'), 'Harbour Plan Exposed');
      assert.match((await page.textContent('#article-meta')) ?? '', /^Quillbrook Post · /u);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#export-json'),
      ]);
      const record = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
        text: string;
      };
      assert.equal(record.text, extractArticle(HTML_PAGE).text, 'the text the server would read');
      // A dropped file goes the same way.
      await page.evaluate((text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], 'council.txt', { type: 'text/plain' }));
        const panel = document.querySelector('.input-panel') as HTMLElement;
        for (const type of ['dragover', 'drop'])
          panel.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true }));
      }, ARTICLE);
      await page.waitForFunction(() =>
        document.querySelector('#article-title')?.textContent?.includes('Council Betrays'),
      );
      // A file that is not UTF-8 text is refused in words.
      await page.setInputFiles('#input-file', {
        name: 'photo.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from([0xff, 0xd8, 0x00, 0x10]),
      });
      await page.waitForSelector('#analyse-error:not([hidden])');
      assert.match((await page.textContent('#analyse-error')) ?? '', /not a UTF-8 text/u);
      assertPrivate(w, site.origin);
    } finally {
      await w.close();
    }
  });

  test('screenshots: laptop and phone (390 x 844)', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [name, viewport] of [
      ['static-app-laptop', { width: 1366, height: 768 }],
      ['static-app-phone', { width: 390, height: 844 }],
    ] as const) {
      const w = await watch(browser, site.origin, viewport);
      try {
        const { page } = w;
        await page.goto(`${site.origin}/`);
        await page.waitForSelector('body[data-ready="true"]');
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-start.png`) });
        await page.selectOption('#input-model', 'sm');
        await page.click('#load-example');
        await page.waitForSelector('#article-body mark.hl', { timeout: 60_000 });
        await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `no sideways scroll (${width} px)`);
        assert.deepEqual(w.problems, []);
      } finally {
        await w.close();
      }
    }
  });
});

describe('the served UI analysing on this device', { skip }, () => {
  let browser: Browser;
  let server: WebServer;

  before(async () => {
    requireChromium();
    ensureBuilt();
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('"Analyse on this device" sends no request carrying the article and stores nothing', async () => {
    const origin = new URL(server.url).origin;
    const w = await watch(browser, origin, { width: 1366, height: 768 });
    try {
      const { page } = w;
      await page.goto(`${origin}/`);
      await page.waitForSelector('body[data-ready="true"]');
      assert.equal(await page.getAttribute('body', 'data-mode'), null, 'served, not static');
      assert.equal(await page.isVisible('#url-form'), true);
      await page.check('#on-device');
      assert.equal(await page.isVisible('#url-form'), false, 'fetching a page needs the server');
      // The server serves model files, not lg's sentence encoder: lg runs on the server.
      const onDevice = await page.$$eval('#input-model option', (els) =>
        els.map((e) => (e as HTMLOptionElement).value),
      );
      assert.deepEqual(onDevice, ['sm', 'md']);
      await analyseArticle(page, 'sm');
      await assertSameAsLibrary(page, 'sm');
      assertPrivate(w, origin);
      assert.ok(!w.requests.some(({ url }) => url.includes('/api/v1/analyze')));
      const stored = (await (await fetch(`${origin}/api/v1/analyses`)).json()) as { total: number };
      assert.equal(stored.total, 0, 'nothing was stored on the server');
      // The server serves the model files for the worker, and nothing else of models/.
      assert.equal((await fetch(`${origin}/models/sm/model.bin`, { method: 'HEAD' })).status, 200);
      assert.equal((await fetch(`${origin}/models/sm/card.json`)).status, 404);
      // The choice is remembered.
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      assert.equal(await page.isChecked('#on-device'), true);
      // Unticked, the picker lists the server's models again, the one picked still picked.
      await page.selectOption('#input-model', 'sm');
      await page.uncheck('#on-device');
      assert.equal(await page.inputValue('#input-model'), 'sm');
      const offered = await page.locator('#input-model option').allTextContents();
      assert.ok(
        offered.some((text) => text.startsWith('lg')),
        `lg (the server's only) in ${offered}`,
      );
      assert.equal(await page.isVisible('#url-form'), true);
    } finally {
      await w.close();
    }
  });
});
