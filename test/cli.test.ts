import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import { buildProgram, run } from '../src/cli/main.js';
import { CONFIDENCE_MEANING, READER_MIN_CONFIDENCE } from '../src/detect/analysis.js';
import {
  analyzeFixture,
  CLI,
  FIXTURES,
  needsShared,
  SHARED,
  spinscope,
  tempDir,
} from './helpers.js';
import { getJson, startTestServer, stopAllServers } from './server-helpers.js';

const CASES = join(SHARED, 'fixtures/scoring');
const withCases = { skip: needsShared(CASES) };

test('evaluate prints a table and ends with the headline', withCases, () => {
  const dir = join(CASES, 'tc-dev-feature-baseline');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'tc',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0);
  assert.match(stdout, /Loaded_Language\s+325\s+459\s+0\.6100\s+0\.8615\s+0\.7143/);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'TC micro-F1 0.5767');
});

test('evaluate --order-free and --json', withCases, () => {
  const dir = join(CASES, 'tc-dev-published-system');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'tc',
    '--order-free',
    '--json',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.equal(result.task, 'tc');
  assert.equal(result.tc.pairing, 'order-free');
  assert.equal(result.tc.microF1.toFixed(6), '0.683913');
  assert.equal(result.headline, 'TC micro-F1 0.6839');
});

test('evaluate --task full reports SI and the technique-aware score', withCases, () => {
  const dir = join(CASES, 'full-dev-perturbed-gold');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'full',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0);
  assert.match(stdout, /0\.8617\s+0\.5841\s+0\.6962/);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'Full-task micro-F1 0.4791');
});

test('evaluate scores the worked example of metrics.md from label files', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'gold.txt'), 'a1\t0\t59\na1\t115\t167\na1\t171\t181\na1\t740\t759\n');
  writeFileSync(join(dir, 'pred.txt'), 'a1\t0\t50\na1\t161\t172\na1\t0\t10\na1\t115\t167\n');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'si',
    join(dir, 'gold.txt'),
    join(dir, 'pred.txt'),
  );
  assert.equal(code, 0, stdout);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'SI F1 0.6472');
});

test('evaluate reads folders of per-article label files and checks them against articles', () => {
  const corpus = join(FIXTURES, 'corpus');
  const { code, stdout } = spinscope(
    'evaluate',
    '--task',
    'si',
    '--articles',
    join(corpus, 'articles'),
    join(corpus, 'labels-si'),
    join(corpus, 'labels-tc'),
  );
  assert.equal(code, 0, stdout);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'SI F1 1.0000');
});

test('evaluate says why TC macro-F1 is below a perfect micro-F1 on identical files', () => {
  const gold = join(FIXTURES, 'corpus/labels-tc');
  const { code, stdout } = spinscope('evaluate', '--task', 'tc', gold, gold);
  assert.equal(code, 0, stdout);
  assert.match(
    stdout,
    /macro-F1 0\.6429 \(over all 14 techniques; 5 with no gold or predicted label count as 0\)/u,
  );
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'TC micro-F1 1.0000');
});

test('evaluate refuses bad input with the file, the line and a code', () => {
  const dir = tempDir();
  const bad = join(dir, 'pred.labels');
  writeFileSync(bad, '1001\t116\t136\n1001\t140\n');
  const gold = join(FIXTURES, 'corpus/labels-si');
  const result = spinscope('evaluate', '--task', 'si', gold, bad);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /pred\.labels:2: expected 3 tab-separated columns.*\[SPN_ERR_LABEL_FORMAT\]/,
  );

  writeFileSync(bad, '1001\t116\t9999\n');
  const past = spinscope(
    'evaluate',
    '--task',
    'si',
    '--articles',
    join(FIXTURES, 'corpus/articles'),
    gold,
    bad,
  );
  assert.equal(past.code, 1);
  assert.match(past.stderr, /pred\.labels:1: span 116-9999 runs past the end of article 1001/);

  const usage = spinscope('evaluate', '--task', 'xx', gold, bad);
  assert.notEqual(usage.code, 0);
  assert.match(usage.stderr, /Allowed choices are si, tc, full/);

  const missing = spinscope('evaluate', '--task', 'si', gold, join(dir, 'nope.labels'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.labels: cannot read/);
});

test('analyze prints highlights and a legend, or JSON with code-point offsets', () => {
  const dir = tempDir();
  const file = join(dir, 'article42.txt');
  const text =
    'Shameful Traitors 😡\n\nThese so-called experts will destroy our great nation! Stand firm, stand proud!\n';
  writeFileSync(file, text);
  const plain = spinscope('analyze', file, '--no-color', '--threshold', '0');
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /\[\[.+\]\]\{\d+ \d+%/);
  // The same single confidence as the JSON's technique confidence, as a percentage.
  const narrow = spinscope('analyze', file, '--no-color', '--threshold', '0', '--width', '32');
  assert.equal(narrow.code, 0, narrow.stderr);
  for (const line of narrow.stdout.split('\n'))
    assert.ok(Array.from(line).length <= 32, `a line of ${Array.from(line).length}: ${line}`);
  assert.ok(narrow.stdout.split('\n').length > plain.stdout.split('\n').length);
  assert.match(plain.stdout, /Techniques\n/);
  assert.match(plain.stdout, /Propaganda score \d\.\d\d/);

  const json = spinscope('analyze', file, '--format', 'json');
  assert.equal(json.code, 0);
  const result = JSON.parse(json.stdout);
  assert.equal(result.offsetUnit, 'codepoint');
  assert.equal(result.source, file);
  const first = result.spans[0].techniques[0].confidence as number;
  assert.ok(plain.stdout.includes(` ${Math.round(first * 100)}%`));
  for (const span of result.spans)
    assert.equal(Array.from(text).slice(span.start, span.end).join(''), span.text);
  // By default, readers see the techniques at or above the reader's threshold, and are told.
  const reader = spinscope('analyze', file, '--no-color');
  const shown = (result.spans as { techniques: { confidence: number }[] }[]).filter(
    (span) => span.techniques[0]!.confidence >= READER_MIN_CONFIDENCE,
  ).length;
  assert.equal((reader.stdout.match(/\]\]\{/g) ?? []).length, shown);
  assert.equal(
    reader.stdout.includes(`${shown} of ${result.spans.length} spans shown`),
    shown < result.spans.length,
  );
  assert.ok(reader.stdout.includes(CONFIDENCE_MEANING.slice(0, 40)));
  // Its legend counts the techniques of the tags it shows, not of the hidden spans.
  const tagged = [...reader.stdout.matchAll(/\]\]\{([^}]*)\}/g)].flatMap((m) =>
    m[1]!.split(', ').map((tag) => tag.split(' ')[0]),
  );
  const legend = [...reader.stdout.matchAll(/^ {3}\s*(\d+) .+ \((\d+)\)$/gm)];
  assert.deepEqual(
    legend.map((m) => [m[1], Number(m[2])]),
    [...new Set(tagged)]
      .sort((a, b) => Number(a) - Number(b))
      .map((n) => [n, tagged.filter((t) => t === n).length]),
  );

  const tc = spinscope('analyze', file, '--format', 'tc');
  assert.equal(tc.code, 0);
  for (const line of tc.stdout.trim().split('\n'))
    assert.match(line, /^42\t[A-Za-z_,-]+\t\d+\t\d+$/);
});

test('analyze extracts the article of an HTML page, from a file or standard input', () => {
  const page =
    '<!doctype html><html><head><title>Harbour news</title><script>var tracker = "beacon";</script></head>' +
    '<body><nav><a href="/">Home</a></nav><article><h1>Harbour plan</h1>' +
    '<p>Only traitors would doubt the glorious harbour plan, the mayor said on Monday.</p>' +
    '<p>The corrupt elite will destroy our great town.</p></article></body></html>';
  const file = join(tempDir(), 'page.html');
  writeFileSync(file, page);
  const fromFile = spinscope('analyze', file, '--format', 'json');
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const analysis = JSON.parse(fromFile.stdout);
  // The text analysed is the article: title, empty line, heading and two paragraphs.
  const article =
    'Harbour news\n\nHarbour plan\nOnly traitors would doubt the glorious harbour plan, the mayor said on Monday.\n' +
    'The corrupt elite will destroy our great town.\n';
  assert.equal(analysis.title, 'Harbour news');
  assert.equal(analysis.length, [...article].length);
  assert.ok(analysis.spans.length > 0);
  for (const span of analysis.spans) {
    assert.equal([...article].slice(span.start, span.end).join(''), span.text);
  }
  const piped = spawnSync(process.execPath, [CLI, 'analyze', '-', '--format', 'json'], {
    input: page,
    encoding: 'utf8',
  });
  assert.equal(piped.status, 0, piped.stderr);
  assert.deepEqual(JSON.parse(piped.stdout).spans, analysis.spans);
  const empty = spawnSync(process.execPath, [CLI, 'analyze', '-'], {
    input: '<html><body></body></html>',
    encoding: 'utf8',
  });
  assert.equal(empty.status, 1);
  assert.match(
    empty.stderr,
    /standard input: the page has no readable article text \[SPN_ERR_HTML\]/u,
  );
});

test('analyze refuses empty, binary and oversized input with a code', () => {
  const dir = tempDir();
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '   \n');
  const e = spinscope('analyze', empty);
  assert.equal(e.code, 1);
  assert.match(
    e.stderr,
    /empty\.txt: the text is empty or only whitespace.*\[SPN_ERR_INPUT_EMPTY\]/,
  );
  const binary = join(dir, 'image.png');
  writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff]));
  assert.match(
    spinscope('analyze', binary).stderr,
    /image\.png: looks like a binary file.*SPN_ERR_INPUT_BINARY/,
  );
  const big = join(dir, 'big.txt');
  writeFileSync(big, 'word '.repeat(1000));
  assert.match(
    spinscope('analyze', big, '--max-bytes', '1000').stderr,
    /over the limit.*SPN_ERR_INPUT_TOO_LARGE/,
  );
  assert.match(
    spinscope('analyze', big, '--threshold', '2').stderr,
    /expected a number from 0 to 1/,
  );
});

test('predict writes SemEval files that evaluate reads', () => {
  const dir = tempDir();
  const corpus = join(FIXTURES, 'corpus');
  for (const task of ['si', 'tc', 'full']) {
    const out = join(dir, `${task}.labels`);
    const result = spinscope('predict', '--task', task, '--articles', corpus, '--out', out);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`${task.toUpperCase()} lines for 3 articles`));
    const gold = join(corpus, task === 'si' ? 'labels-si' : 'labels-tc');
    const scored = spinscope('evaluate', '--task', task, '--articles', corpus, gold, out);
    assert.equal(scored.code, 0, scored.stderr);
    assert.match(
      scored.stdout.trimEnd().split('\n').at(-1) as string,
      /^(SI F1|TC micro-F1|Full-task micro-F1) \d\.\d{4}$/,
    );
  }
});

test('train writes a model, its card and clusters that load, named after its folder or --name', async () => {
  const dir = tempDir();
  const train = (out: string, ...extra: string[]) =>
    spinscope(
      'train',
      '--data',
      join(FIXTURES, 'corpus'),
      '--dev-split',
      '',
      '--out',
      out,
      ...extra,
    );
  const desk = join(dir, 'desk');
  const result = train(desk);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /model written to .*model\.bin/);
  const analysis = analyzeFixture(join(desk, 'model.bin'));
  assert.equal(analysis.offsetUnit, 'codepoint');
  assert.equal(analysis.model.name, 'desk');
  assert.match(readFileSync(join(desk, 'card.md'), 'utf8'), /# Model card: `desk`/);
  assert.equal(JSON.parse(readFileSync(join(desk, 'card.json'), 'utf8')).model.name, 'desk');
  const server = await startTestServer('--model', join(desk, 'model.bin'));
  try {
    assert.equal((await getJson(`${server.url}/api/v1/health`)).json.model.name, 'desk');
  } finally {
    stopAllServers();
  }

  const named = join(dir, 'tiny');
  const renamed = train(named, '--name', 'desk-2026');
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.equal(analyzeFixture(join(named, 'model.bin')).model.name, 'desk-2026');
  assert.match(readFileSync(join(named, 'card.md'), 'utf8'), /# Model card: `desk-2026`/);
});

test('an unexpected error is one line with SPN_ERR_INTERNAL; its stack only with --debug', async () => {
  const runBoom = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
    const program = buildProgram(() => {});
    program.command('boom').action(() => {
      throw new TypeError('the command went boom');
    });
    let stderr = '';
    const code = await run(['node', 'spinscope', ...args], program, (t) => (stderr += t));
    return { code, stderr };
  };
  const plain = await runBoom('boom');
  assert.equal(plain.code, 1);
  assert.equal(
    plain.stderr,
    'spinscope: the command went boom [SPN_ERR_INTERNAL] (run with --debug for the stack)\n',
  );
  for (const args of [
    ['--debug', 'boom'],
    ['boom', '--debug'],
  ]) {
    const debug = await runBoom(...args);
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^spinscope: the command went boom \[SPN_ERR_INTERNAL\]\n/);
    assert.match(debug.stderr, /\n {4}at .*cli\.test\.ts/, 'the stack');
  }
  process.env.SPINSCOPE_DEBUG = '1';
  try {
    assert.match((await runBoom('boom')).stderr, /\n {4}at /);
  } finally {
    delete process.env.SPINSCOPE_DEBUG;
  }
});

test("commander's usage errors are one coded line too; help and version exit 0", () => {
  for (const [args, message] of [
    [['serve', '--port', 'abc'], /option '--port <n>' argument 'abc' is invalid/u],
    [['analyze', '--nope', 'x'], /unknown option '--nope'/u],
    [['bogus'], /unknown command 'bogus'/u],
    [['export'], /required option '--db <file>' not specified/u],
  ] as const) {
    const result = spinscope(...args);
    assert.equal(result.code, 1, args.join(' '));
    assert.equal(result.stderr.split('\n').length, 2, result.stderr); // one line and its newline
    assert.match(result.stderr, /^spinscope: .* \[SPN_ERR_USAGE\]\n$/u);
    assert.match(result.stderr, message);
  }
  assert.equal(spinscope('--version').code, 0);
  const help = spinscope('analyze', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: spinscope analyze/u);
});

test('serve: a bad port is SPN_ERR_USAGE; a port in use or an address not here, SPN_ERR_LISTEN', async () => {
  const db = join(tempDir(), 'serve.sqlite');
  const serve = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [CLI, 'serve', '--db', db, '--model', 'sm', '--workers', '1', ...args],
      { encoding: 'utf8', timeout: 60_000 },
    );
  const bad = serve('--port', '99999');
  assert.equal(bad.status, 1);
  assert.equal(
    bad.stderr,
    'spinscope: the port must be a whole number from 1 to 65535 (or 0 for a free one), not 99999 [SPN_ERR_USAGE]\n',
  );
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const inUse = serve('--port', String(port));
    assert.equal(inUse.status, 1, inUse.stderr);
    assert.equal(
      inUse.stderr,
      `spinscope: cannot listen on 127.0.0.1:${port}: the port is in use (another server?): choose another port [SPN_ERR_LISTEN]\n`,
    );
  } finally {
    taken.close();
  }
  // 192.0.2.1 (TEST-NET-1) is on no interface here: binding fails, nothing is sent.
  const away = serve('--host', '192.0.2.1', '--port', '8080');
  assert.equal(away.status, 1, away.stderr);
  assert.equal(
    away.stderr,
    "spinscope: cannot listen on 192.0.2.1:8080: the address is not one of this machine's: choose another host [SPN_ERR_LISTEN]\n",
  );
});
