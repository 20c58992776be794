import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeId, iterateItems, resolveInputs, type BatchItem } from '../src/batch/inputs.js';
import { ResultsJournal, type FailureRecord, type ResultRecord } from '../src/batch/outputs.js';
import { DEFAULT_MODEL_NAME } from '../src/config.js';
import { AnalysisStore } from '../src/store/store.js';
import {
  assertResumed,
  checkOutputs,
  lineCount,
  readJsonl,
  readSummary,
  runCli,
  startCli,
  writeArticles,
} from './batch-helpers.js';
import { CLI, FIXTURES, tempDir } from './helpers.js';

const BATCH_FIXTURES = join(FIXTURES, 'batch');

/** A local web server: path → [status, content type, body]. */
async function serve(routes: Record<string, [number, string, string]>): Promise<{
  base: string;
  close: () => Promise<void>;
}> {
  const server: Server = createServer((request, response) => {
    const [status, type, body] = routes[request.url ?? ''] ?? [404, 'text/plain', 'not found'];
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('a folder, a JSONL file and URL lists: every output present and consistent', async (t) => {
  const served = readFileSync(join(BATCH_FIXTURES, 'served.html'), 'utf8');
  const web = await serve({
    '/square.html': [200, 'text/html; charset=utf-8', served],
    '/notice.txt': [200, 'text/plain', 'Notice\n\nThe shameful vandals will ruin our town!\n'],
    '/quay.html': [200, 'text/html', served.replace('Market Square', 'Quay Side')],
  });
  t.after(web.close);
  const dir = tempDir();
  const jsonl = join(dir, 'items.jsonl');
  writeFileSync(
    jsonl,
    [
      JSON.stringify({
        id: 'j-text',
        text: 'Outrage 😡\n\nThese crooks will destroy our proud nation!\n',
        source: 'Daily Example',
        date: '2024-05-01',
      }),
      '',
      JSON.stringify({
        id: 'j-html',
        html: '<html><body><article><p>The reckless mob wants chaos in our streets.</p><p>Everyone knows it.</p></article></body></html>',
      }),
      JSON.stringify({ url: `${web.base}/square.html` }),
    ].join('\n') + '\n',
  );
  const urls = join(dir, 'links.urls');
  writeFileSync(urls, `# links\n\n${web.base}/notice.txt\n`);
  const list = join(dir, 'more.list'); // no .urls suffix: recognised by its lines
  writeFileSync(list, `${web.base}/quay.html\n`);
  const articles = join(BATCH_FIXTURES, 'articles');
  const out = join(dir, 'out');

  const run = await runCli(
    'batch',
    articles,
    jsonl,
    urls,
    list,
    '--out',
    out,
    '--allow-private-urls',
    '--workers',
    '1',
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /8 articles in .*results\.jsonl \(this run: 8 analysed/);
  const results = checkOutputs(out);
  const byId = new Map(results.map((r) => [r.id, r]));
  assert.deepEqual(
    [...byId.keys()].sort(),
    [
      '101',
      '102',
      'sub/lighthouse.html',
      'j-text',
      'j-html',
      `${web.base}/square.html`,
      `${web.base}/notice.txt`,
      `${web.base}/quay.html`,
    ].sort(),
  );
  assert.deepEqual(readJsonl(join(out, 'failures.jsonl')), []);
  const summary = readSummary(out);
  assert.equal(summary.analysed, 8);
  assert.equal(summary.fromStore, 0);
  assert.equal(summary.fromResults, 0);
  assert.equal(summary.failed, 0);
  assert.equal(summary.complete, true);
  assert.equal(summary.model.name, DEFAULT_MODEL_NAME);
  assert.ok(summary.seconds > 0 && summary.articlesPerSecond > 0);

  // The BOM and emoji article: offsets count code points, the BOM being character 0.
  const bomText = readFileSync(join(articles, 'article101.txt'), 'utf8');
  assert.ok(bomText.startsWith('\ufeff'));
  const bom = byId.get('101') as ResultRecord;
  const chars = Array.from(bomText);
  assert.equal(bom.analysis.length, chars.length);
  assert.equal(bom.contentHash, createHash('sha256').update(bomText, 'utf8').digest('hex'));
  assert.ok(bom.analysis.spans.length > 0, 'the invented article has no spans');
  for (const span of bom.analysis.spans) {
    assert.equal(chars.slice(span.start, span.end).join(''), span.text);
  }
  assert.equal(bom.input, join(articles, 'article101.txt'));
  const page = byId.get('sub/lighthouse.html') as ResultRecord;
  assert.equal(page.title, 'Lighthouse Vote Tonight');
  assert.equal(page.date, '2024-03-02T10:00:00.000Z');
  const text = byId.get('j-text') as ResultRecord;
  assert.equal(text.source, 'Daily Example');
  assert.equal(text.date, '2024-05-01');
  assert.equal(text.input, `${jsonl}:1`);
  assert.equal(byId.get('j-html')?.input, `${jsonl}:3`);
  assert.equal(byId.get(`${web.base}/square.html`)?.title, 'Market Square Row');
  assert.equal(byId.get(`${web.base}/notice.txt`)?.input, `${urls}:3`);

  // A new folder with the same store: nothing is analysed again.
  const again = join(dir, 'again');
  const second = await runCli(
    'batch',
    articles,
    jsonl,
    urls,
    list,
    '--out',
    again,
    '--db',
    join(out, 'store.sqlite'),
    '--allow-private-urls',
  );
  assert.equal(second.code, 0, second.stderr);
  const fromStore = readSummary(again);
  assert.equal(fromStore.analysed, 0);
  assert.equal(fromStore.fromStore, 8);
  const sorted = (file: string) => readFileSync(file, 'utf8').split('\n').sort();
  assert.deepEqual(sorted(join(again, 'tc.labels')), sorted(join(out, 'tc.labels')));
  assert.equal(existsSync(join(again, 'store.sqlite')), false);
});

test('bad items are recorded with their codes, the rest is processed (exit code 3)', async (t) => {
  const served = readFileSync(join(BATCH_FIXTURES, 'served.html'), 'utf8');
  const web = await serve({ '/square.html': [200, 'text/html', served] });
  t.after(web.close);
  const dir = tempDir();
  const folder = join(dir, 'in');
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'article201.txt'),
    'Harbour Fury\n\nThe shameful traitors want to ruin our beautiful town forever!\n',
  );
  symlinkSync(join(dir, 'nowhere.txt'), join(folder, 'gone.txt'));
  writeFileSync(join(folder, 'broken.txt'), Buffer.from([0x48, 0x69, 0xff, 0xfe, 0x21, 0x0a]));
  writeFileSync(join(folder, 'empty.txt'), '');
  writeFileSync(join(folder, 'big.txt'), 'The endless and shameful waste. '.repeat(200));
  const jsonl = join(dir, 'items.jsonl');
  writeFileSync(
    jsonl,
    [
      JSON.stringify({ id: 'good', text: 'Crooks 😡 and cowards will destroy our proud nation!' }),
      '{"id": "torn", "text": "unfinished',
      JSON.stringify({ id: 'square', url: `${web.base}/square.html` }),
      JSON.stringify({ id: 'no-content', source: 'Nowhere' }),
      JSON.stringify({ id: 'missing', url: `${web.base}/missing.html` }),
    ].join('\n') + '\n',
  );
  const out = join(dir, 'out');
  const args = ['batch', folder, jsonl, '--out', out, '--max-bytes', '5000', '--workers', '1'];

  const first = await runCli(...args);
  assert.equal(first.code, 3, first.stderr);
  assert.match(first.stdout, /8 failed: see .*failures\.jsonl/);
  const codes = (failures: FailureRecord[]) =>
    Object.fromEntries(failures.map((f) => [f.id, f.code]));
  const failures = readJsonl<FailureRecord>(join(out, 'failures.jsonl'));
  assert.deepEqual(codes(failures), {
    'gone.txt': 'SPN_ERR_FILE_READ',
    'broken.txt': 'SPN_ERR_INPUT_BINARY',
    'empty.txt': 'SPN_ERR_INPUT_EMPTY',
    'big.txt': 'SPN_ERR_INPUT_TOO_LARGE',
    [encodeId(`${jsonl}:2`)]: 'SPN_ERR_INPUT_TYPE',
    square: 'SPN_ERR_URL',
    'no-content': 'SPN_ERR_INPUT_TYPE',
    missing: 'SPN_ERR_URL',
  });
  const torn = failures.find((f) => f.code === 'SPN_ERR_INPUT_TYPE' && f.id !== 'no-content');
  assert.match(torn?.message ?? '', /items\.jsonl:2: not valid JSON/);
  assert.equal(torn?.input, `${jsonl}:2`);
  assert.match(failures.find((f) => f.id === 'square')?.message ?? '', /internal address/);
  assert.equal(failures.find((f) => f.id === 'gone.txt')?.input, join(folder, 'gone.txt'));
  const results = checkOutputs(out);
  assert.deepEqual(results.map((r) => r.id).sort(), ['201', 'good']);
  const summary = readSummary(out);
  assert.equal(summary.failed, 8);
  assert.equal(summary.analysed, 2);

  // Again, with private URLs allowed: the URL item succeeds, the 404 fails to fetch, the
  // finished items are not done twice and the other bad items fail again.
  const second = await runCli(...args, '--allow-private-urls');
  assert.equal(second.code, 3, second.stderr);
  const retried = readJsonl<FailureRecord>(join(out, 'failures.jsonl'));
  assert.equal(codes(retried).missing, 'SPN_ERR_FETCH');
  assert.equal(codes(retried).square, undefined);
  assert.equal(retried.length, 7);
  const after = checkOutputs(out);
  assert.deepEqual(after.map((r) => r.id).sort(), ['201', 'good', 'square']);
  assert.equal(after.find((r) => r.id === 'square')?.title, 'Market Square Row');
  const resumed = readSummary(out);
  assert.equal(resumed.analysed, 1);
  assert.equal(resumed.fromResults, 2);
  assert.equal(resumed.failed, 7);
});

test('bad arguments are fatal (exit code 1)', async () => {
  const dir = tempDir();
  const missing = await runCli('batch', join(dir, 'nope'), '--out', join(dir, 'out'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope: cannot read the input.*\[SPN_ERR_FILE_READ\]/);
  const noOut = await runCli('batch', join(BATCH_FIXTURES, 'articles'));
  assert.equal(noOut.code, 1);
  assert.match(noOut.stderr, /required option '--out <dir>'/);
  const model = await runCli(
    'batch',
    join(BATCH_FIXTURES, 'articles'),
    '--out',
    join(dir, 'out'),
    '--model',
    'no-such-model',
  );
  assert.equal(model.code, 1);
  assert.match(model.stderr, /SPN_ERR_MODEL/);
  // A folder holds one model's results: another model's are not mixed in.
  const other = join(dir, 'other');
  mkdirSync(other);
  const record = { id: '1', model: { name: 'fast', version: 'old' }, analysis: { spans: [] } };
  writeFileSync(join(other, 'results.jsonl'), `${JSON.stringify(record)}\n`);
  const mixed = await runCli('batch', join(BATCH_FIXTURES, 'articles'), '--out', other);
  assert.equal(mixed.code, 1);
  assert.match(mixed.stderr, /holds results of model fast old \(line 1\).*\[SPN_ERR_USAGE\]/);
  assert.equal(existsSync(join(other, '.batch.lock')), false);
  // One batch at a time per folder: a lock held by a live process (this one) is respected.
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  writeFileSync(join(locked, '.batch.lock'), `${process.pid}\n`);
  const rival = await runCli('batch', join(BATCH_FIXTURES, 'articles'), '--out', locked);
  assert.equal(rival.code, 1);
  assert.match(rival.stderr, /another spinscope batch \(process \d+\) is writing.*SPN_ERR_USAGE/);
  assert.equal(existsSync(join(locked, 'results.jsonl')), false);
});

test('a folder begun under a former model name (accurate) resumes under md, not under sm', async () => {
  const dir = tempDir();
  const record = { id: '1', model: { name: 'accurate', version: 'v1' }, analysis: { spans: [] } };
  writeFileSync(join(dir, 'results.jsonl'), `${JSON.stringify(record)}\n`);
  const journal = await ResultsJournal.open(dir, { name: 'md', version: 'v1' });
  journal.close();
  assert.deepEqual([...journal.scan.ids], ['1']);
  await assert.rejects(
    ResultsJournal.open(dir, { name: 'sm', version: 'v1' }),
    /model accurate v1/,
  );
});

test('a run killed with SIGKILL resumes: nothing lost, nothing twice', async () => {
  const dir = tempDir();
  const articles = join(dir, 'articles');
  const ids = writeArticles(articles, 150, 5001);
  const out = join(dir, 'out');
  const results = join(out, 'results.jsonl');
  const args = ['batch', articles, '--out', out, '--workers', '1'];

  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let finished = false;
  void exited.then(() => (finished = true));
  while (!finished && lineCount(results) < 20) await sleep(5);
  assert.equal(finished, false, 'the batch finished before it could be killed');
  child.kill('SIGKILL');
  await exited;
  const linesAtKill = lineCount(results);
  assert.ok(
    existsSync(join(out, '.batch.lock')),
    'a killed run leaves its lock (taken over below)',
  );
  assert.ok(linesAtKill >= 20 && linesAtKill < 150, `killed after ${linesAtKill} articles`);
  // As if the kill had torn a write in half.
  appendFileSync(results, '{"id":"5001","input":"torn');

  const second = await runCli(...args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /results\.jsonl: cut off \d+ bytes from line \d+ on/);
  const done = checkOutputs(out);
  assert.deepEqual(done.map((r) => r.id).sort(), ids);
  const summary = readSummary(out);
  assert.equal(summary.articles, 150);
  assert.equal(summary.fromResults, linesAtKill);
  assert.ok(summary.analysed < 150);
  assert.equal(summary.analysed + summary.fromStore + summary.fromResults, 150);
  assert.equal(summary.complete, true);

  // A finished batch run again analyses nothing and writes the same labels.
  const si = readFileSync(join(out, 'si.labels'), 'utf8');
  const third = await runCli(...args);
  assert.equal(third.code, 0, third.stderr);
  const nothing = readSummary(out);
  assert.equal(nothing.analysed, 0);
  assert.equal(nothing.fromStore, 0);
  assert.equal(nothing.fromResults, 150);
  assert.equal(readFileSync(join(out, 'si.labels'), 'utf8'), si);
  assert.equal(lineCount(results), 150);
});

test('SIGTERM stops a run cleanly: outputs written, the run resumes', async () => {
  const dir = tempDir();
  const articles = join(dir, 'articles');
  const ids = writeArticles(articles, 150, 5001);
  const out = join(dir, 'out');
  const results = join(out, 'results.jsonl');
  const args = ['batch', articles, '--out', out, '--workers', '1'];

  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let finished = false;
  void exited.then(() => (finished = true));
  while (!finished && lineCount(results) < 10) await sleep(5);
  assert.equal(finished, false, 'the batch finished before it could be stopped');
  child.kill('SIGTERM');
  assert.equal(await exited, 143);
  assert.match(stdout, /interrupted: run the same command again to finish/);
  const partial = checkOutputs(out); // written on the way out, consistent with results.jsonl
  assert.ok(partial.length < 150);
  assert.equal(readSummary(out).complete, false);

  assertResumed(out, await runCli(...args), ids, partial.length);
});

test('HTML over a budget fails its item; a stop during a long extraction ends within 2 s', async () => {
  const dir = tempDir();
  const folder = join(dir, 'in');
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'a-story.txt'),
    'Harbour Fury\n\nThe shameful traitors want to ruin our beautiful town forever!\n',
  );
  const nested = `<html><body>${'<div>'.repeat(2000)}<p>The evil enemy will destroy us all.</p>${'</div>'.repeat(2000)}</body></html>`;
  writeFileSync(join(folder, 'b-bomb.html'), nested);
  // 27,000 elements: within the structure budget, but seconds of Readability.
  const slow = `<html><body>${"<div><span>a</span><a href='#'>b</a></div>".repeat(9000)}<p>The evil enemy will destroy us all.</p></body></html>`;
  writeFileSync(join(folder, 'c-slow.html'), slow);

  const out = join(dir, 'out');
  const budgeted = await runCli(
    'batch',
    folder,
    '--out',
    out,
    '--workers',
    '1',
    '--html-timeout',
    '500',
  );
  assert.equal(budgeted.code, 3, budgeted.stderr);
  const failures = readJsonl<FailureRecord>(join(out, 'failures.jsonl'));
  assert.deepEqual(failures.map((f) => [f.id, f.code]).sort(), [
    ['b-bomb.html', 'SPN_ERR_INPUT_HTML'],
    ['c-slow.html', 'SPN_ERR_INPUT_HTML'],
  ]);
  assert.match(failures.find((f) => f.id === 'b-bomb.html')!.message, /nest more than 256 deep/);
  assert.match(failures.find((f) => f.id === 'c-slow.html')!.message, /longer than 500 ms/);
  assert.deepEqual(
    checkOutputs(out).map((r) => r.id),
    ['a-story.txt'],
  );

  // A generous budget, stopped in the middle of the slow page's extraction.
  const slowOnly = join(dir, 'slow');
  mkdirSync(slowOnly);
  writeFileSync(join(slowOnly, 'c-slow.html'), slow);
  const out2 = join(dir, 'out2');
  const args = [
    ...['batch', slowOnly, '--out', out2, '--model', 'sm', '--workers', '1'],
    ...['--html-timeout', '120000'],
  ];
  const running = startCli(args);
  let finished = false;
  void running.exited.then(() => (finished = true));
  await sleep(2000); // the fast model loads in well under a second; the extraction takes several
  assert.equal(finished, false, 'the batch finished before it could be stopped');
  const stoppedAt = performance.now();
  running.child.kill('SIGTERM');
  const stopped = await running.exited;
  const took = performance.now() - stoppedAt;
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.ok(took < 2000, `stopped after ${took.toFixed(0)} ms`);
  assert.equal(readSummary(out2).complete, false);
  assert.deepEqual(readJsonl<FailureRecord>(join(out2, 'failures.jsonl')), []);
  assert.deepEqual(checkOutputs(out2), []);
  // Run again: the page is extracted this time.
  const resumed = await runCli(...args);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(
    checkOutputs(out2).map((r) => r.id),
    ['c-slow.html'],
  );
});

test('items and their ids: folders in name order, JSONL and URL lists line by line', async () => {
  const dir = tempDir();
  const folder = join(dir, 'in');
  mkdirSync(join(folder, 'b'), { recursive: true });
  writeFileSync(join(folder, 'two words.txt'), 'x');
  writeFileSync(join(folder, 'b', 'article7.txt'), 'x');
  writeFileSync(join(folder, 'a.htm'), 'x');
  writeFileSync(join(folder, '.secret.txt'), 'x');
  mkdirSync(join(folder, '.git'));
  writeFileSync(join(folder, '.git', 'c.txt'), 'x');
  const jsonl = join(dir, 'x.ndjson');
  writeFileSync(
    jsonl,
    '\ufeff{"id": 12, "text": "a"}\n\n{"id": "has space", "text": "b"}\r\n[1]\n{"text": "c", "url": "http://e.example/"}\n{"url": "ftp://e.example/"}\n',
  );
  const urls = join(dir, 'feeds');
  writeFileSync(urls, '# feeds\nhttps://e.example/a?b=1\n\nhttp://e.example/b\n');
  const inputs = await resolveInputs([folder, jsonl, urls, folder]);
  assert.deepEqual(
    inputs.map((i) => i.kind),
    ['folder', 'jsonl', 'urls'],
  );
  const items: BatchItem[] = [];
  for await (const item of iterateItems(inputs, { maxBytes: 1000 })) items.push(item);
  assert.deepEqual(
    items.map((i) => [i.id, i.source.kind]),
    [
      ['a.htm', 'file'],
      ['7', 'file'],
      ['two%20words.txt', 'file'],
      ['12', 'text'],
      [encodeId(`${jsonl}:3`), 'invalid'],
      [encodeId(`${jsonl}:4`), 'invalid'],
      [encodeId(`${jsonl}:5`), 'invalid'],
      [encodeId(`${jsonl}:6`), 'invalid'],
      ['https://e.example/a?b=1', 'url'],
      ['http://e.example/b', 'url'],
    ],
  );
  const messages = items.filter((i) => i.source.kind === 'invalid').map((i) => i.source);
  assert.match(JSON.stringify(messages[0]), /x\.ndjson:3: \\"id\\" must be a string/);
  assert.match(JSON.stringify(messages[2]), /\\"text\\" and \\"url\\": give exactly one/);
  assert.match(JSON.stringify(messages[3]), /SPN_ERR_URL/);
  assert.equal(items[9]?.input, `${urls}:4`);
});

/** Fill the file system that holds `file` up to `leave` bytes of free space. */
function fill(file: string, leave: number): void {
  const { bavail, bsize } = statfsSync(dirname(file));
  try {
    writeFileSync(file, Buffer.alloc(Math.max(0, bavail * bsize - leave)));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  }
}

test('a full disk stops a batch with SPN_ERR_STORAGE and its summary, or says it could not write it', async (t) => {
  // A real full disk: a small tmpfs (mounting needs root).
  const disk = mkdtempSync(join(tmpdir(), 'spinscope-full-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0) {
    rmSync(disk, { recursive: true });
    const why = (mounted.stderr || mounted.error?.message || '').trim();
    t.skip(`needs a small disk to fill: mount -t tmpfs is not permitted here (${why})`);
    return;
  }
  after(() => {
    spawnSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });
  const inputs = tempDir();
  writeArticles(inputs, 40, 1);
  const batch = (...args: string[]) =>
    runCli('batch', inputs, '--model', 'sm', '--workers', '1', ...args);
  const assertStorage = (run: { code: number | null; stderr: string }): string => {
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack');
    const last = run.stderr.trimEnd().split('\n').at(-1)!;
    assert.match(last, /^spinscope: the disk is full: .+ \[SPN_ERR_STORAGE\]$/);
    return last;
  };

  // The store on the full disk, the output folder elsewhere: the summary is written.
  const db = join(disk, 'store.sqlite');
  AnalysisStore.open(db).close();
  fill(join(disk, 'filler'), 48 * 1024);
  const out = join(tempDir(), 'out');
  assertStorage(await batch('--out', out, '--db', db));
  const summary = readSummary(out);
  assert.equal(summary.complete, false);
  assert.equal(summary.articles, lineCount(join(out, 'results.jsonl')));

  // The output folder on the disk, one page left: the lock takes it, the store finds the disk
  // full, and the message says that the summary could not be written either.
  for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true });
  const full = join(disk, 'out');
  mkdirSync(full);
  fill(join(disk, 'filler'), statfsSync(disk).bsize);
  const last = assertStorage(await batch('--out', full));
  assert.ok(last.includes(`${join(full, 'summary.json')} could not be written either`), last);
  assert.ok(!existsSync(join(full, 'summary.json')));
});
