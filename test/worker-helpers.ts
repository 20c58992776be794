/**
 * The detector's Web Worker in Chromium, for the browser test and bench: the worker built
 * by Vite (web/vite.worker.config.ts) into a temporary folder, served on 127.0.0.1 with the
 * repository's models/ as static files (and `models/encoder/`, the sentence encoder's files
 * for `lg`, written as the site's build writes them: web/encoder-assets.ts), and a page that
 * posts analyses to it.
 */
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import type { Analysis } from '../src/detect/analysis.js';
import type { AnalyzeReply } from '../src/browser/worker.js';
import { writeEncoderAssets } from '../web/encoder-assets.js';
import { launchBrowser, ROOT } from './web-helpers.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.json': 'application/json',
};

export interface WorkerPage {
  page: Page;
  /** The URL of a shipped model's model.bin on the page's server. */
  modelUrl(model: string): string;
  /** An analysis by the worker, or the worker's error. */
  analyze(model: string, text: string): Promise<Analysis>;
  close(): Promise<void>;
}

/**
 * The page: it starts the worker and gives `analyzeInWorker(modelUrl, text)`, which resolves
 * with the worker's reply (its error too, when the worker fails to start).
 */
const PAGE = `<!doctype html><title>Spinscope worker</title><script type="module">
const worker = new Worker('/worker/detector-worker.js', { type: 'module' });
const waiting = new Map();
let next = 0;
worker.onmessage = ({ data }) => waiting.get(data.id)?.(data);
worker.onerror = (event) => {
  const error = { code: 'SPN_ERR_INTERNAL', message: 'the worker failed: ' + event.message };
  for (const [id, resolve] of waiting) resolve({ id, error });
};
window.analyzeInWorker = (model, text) =>
  new Promise((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    worker.postMessage({ id, model, text });
  });
</script>`;

/**
 * Serve `/worker/` from the build, `/models/encoder/` from the encoder's files, `/models/`
 * from the repository, `/` the page.
 */
function serve(workerDir: string, encoderDir: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = path.startsWith('/worker/')
      ? join(workerDir, path.slice('/worker/'.length))
      : path.startsWith('/models/encoder/')
        ? join(encoderDir, path.slice('/models/encoder/'.length))
        : path.startsWith('/models/')
          ? join(ROOT, path)
          : undefined;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    } else if (file && existsSync(file) && statSync(file).isFile()) {
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'text/plain' });
      createReadStream(file).pipe(response);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Build the worker, serve it, open a page in Chromium with the worker started. */
export async function openWorkerPage(): Promise<WorkerPage> {
  const workerDir = mkdtempSync(join(tmpdir(), 'spinscope-worker-'));
  await build({
    configFile: join(ROOT, 'web/vite.worker.config.ts'),
    logLevel: 'warn',
    build: { outDir: workerDir },
  });
  const encoderDir = mkdtempSync(join(tmpdir(), 'spinscope-encoder-'));
  writeEncoderAssets(encoderDir);
  const server = await serve(workerDir, encoderDir);
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser: Browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'analyzeInWorker' in globalThis);
  const modelUrl = (model: string) => `${origin}/models/${model}/model.bin`;
  return {
    page,
    modelUrl,
    async analyze(model, text) {
      const reply = (await page.evaluate(
        ([url, body]) =>
          (
            globalThis as unknown as {
              analyzeInWorker(model: string, text: string): Promise<unknown>;
            }
          ).analyzeInWorker(url, body),
        [modelUrl(model), text] as const,
      )) as AnalyzeReply;
      if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
      return reply.analysis;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(workerDir, { recursive: true, force: true });
      rmSync(encoderDir, { recursive: true, force: true });
    },
  };
}
