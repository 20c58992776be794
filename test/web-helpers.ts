/**
 * Helpers for the real-browser tests of the web UI: build what is missing or stale, start
 * the real server on a free port with a temporary SQLite file, launch Debian's Chromium.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
export const CHROMIUM = process.env.SPINSCOPE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'artifacts/screenshots');

/**
 * Why the browser tests cannot run here, or undefined when they can. Missing Chromium is a
 * skip on a developer machine but a failure in CI (`CI=true`), so CI never passes silently.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const message = `Chromium not found at ${CHROMIUM} (install it: apt-get install -y chromium)`;
  if (process.env.CI === 'true') return undefined; // `before` throws with this message instead
  return `${message}; browser tests skipped`;
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the web UI tests need it in CI (apt-get install -y chromium)`,
    );
  }
}

/** Newest modification time of any file under `dir` (recursively), 0 when absent. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Modification time of a file, 0 when absent. */
function mtime(file: string): number {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

/**
 * Build the UI (`npm run build:web`: the page, the detector's worker and the models the
 * static site serves) when web/dist/index.html or the worker is missing or older than
 * their sources, and the server when dist/cli/main.js or dist/server/app.js is missing.
 */
export function ensureBuilt(): void {
  const page = Math.max(
    newestMtime(join(ROOT, 'web/src')),
    mtime(join(ROOT, 'web/index.html')),
    mtime(join(ROOT, 'web/vite.config.ts')),
  );
  const worker = Math.max(
    newestMtime(join(ROOT, 'src')),
    mtime(join(ROOT, 'web/vite.worker.config.ts')),
  );
  if (
    mtime(join(ROOT, 'web/dist/index.html')) < page ||
    mtime(join(ROOT, 'web/dist/worker/detector-worker.js')) < worker ||
    !existsSync(join(ROOT, 'web/dist/models/sm/model.bin'))
  ) {
    run('npm', ['run', 'build:web']);
  }
  if (
    !existsSync(join(ROOT, 'dist/cli/main.js')) ||
    !existsSync(join(ROOT, 'dist/server/app.js'))
  ) {
    run('npm', ['run', 'build']);
  }
}

export interface WebServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `spinscope serve --port 0` with a fresh SQLite file; resolves with its URL. */
export function startServer(): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'spinscope-web-'));
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/cli/main.js'), 'serve', '--port', '0', '--db', join(dir, 'web.sqlite')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`server did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolvePromise({ url, process: child, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${stderr}`));
    });
  });
}

/** Chromium's flags for the tests: runs as root, no GPU, and off the network on its own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------------------------------
// WCAG contrast

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function luminance([r, g, b]: readonly number[]): number {
  return 0.2126 * channel(r ?? 0) + 0.7152 * channel(g ?? 0) + 0.0722 * channel(b ?? 0);
}

/** WCAG 2 contrast ratio of two sRGB colours ([r, g, b], 0-255). */
export function contrastRatio(a: readonly number[], b: readonly number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
