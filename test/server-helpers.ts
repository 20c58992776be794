import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './helpers.js';

const cleanups: (() => void)[] = [];

/** Kill every test server and remove its files; call from a top-level `after`. */
export function stopAllServers(): void {
  for (const cleanup of cleanups.splice(0)) cleanup();
}

// Response bodies are checked field by field in the tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface TestServer {
  url: string;
  db: string;
  process: ChildProcess;
  /** What the server wrote to stderr so far (its log lines). */
  log(): string;
  stop(): void;
}

/** The real server (compiled CLI) on a free port with a fresh SQLite file. */
export function startTestServer(...extraArgs: string[]): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'spinscope-server-'));
  const server = startServerOn(join(dir, 'store.sqlite'), ...extraArgs);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return server;
}

/** The real server (compiled CLI) on a free port with its store at `db`. */
export function startServerOn(db: string, ...extraArgs: string[]): Promise<TestServer> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  cleanups.push(stop);
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const url = /listening on (http:\/\/\S+)/u.exec(stdout)?.[1];
      if (url) resolve({ url, db, process: child, log: () => stderr, stop });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Json }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

export async function getJson(url: string): Promise<{ status: number; json: Json }> {
  const response = await fetch(url);
  return { status: response.status, json: await response.json() };
}
