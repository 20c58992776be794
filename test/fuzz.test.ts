/**
 * Property-based fuzzing (fast-check) of every door input comes in by: JSON bodies and
 * multipart uploads of the real server, the SemEval label parser, JSON Lines batch input,
 * and the private-address check. A crash, a 5xx, an error outside the catalogue or a
 * request that hangs is a failure. Runs are sized to take seconds together in CI.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { iterateItems } from '../src/batch/inputs.js';
import { ERROR_CODES, SpinscopeError } from '../src/errors.js';
import { isInternalAddress } from '../src/formats/fetch-url.js';
import { parseLabels } from '../src/formats/labels.js';
import { tempDir } from './helpers.js';
import { startTestServer, stopAllServers, type Json, type TestServer } from './server-helpers.js';

after(stopAllServers);

/** Runs per property; SPINSCOPE_FUZZ_SCALE=20 fuzzes twenty times as long. */
const runs = (n: number) => n * Number(process.env.SPINSCOPE_FUZZ_SCALE ?? 1);

let server: TestServer;
before(async () => {
  server = await startTestServer('--model', 'sm', '--max-bytes', '20000');
});

/** A request that must answer within 10 s with our JSON: an analysis, or a catalogued 4xx. */
async function assertAnswered(path: string, init: RequestInit): Promise<number> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    ...init,
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await response.json()) as Json;
  assert.ok(response.status < 500, `${response.status}: ${JSON.stringify(json)}`);
  if (response.status === 200) {
    assert.equal(json.analysis.offsetUnit, 'codepoint');
    assert.ok(Array.isArray(json.analysis.spans));
  } else {
    assert.ok(json.error.code in ERROR_CODES, JSON.stringify(json));
    assert.equal(json.error.statusCode, response.status);
  }
  return response.status;
}

/** Both outcomes were reached: the fuzzing got past validation into the analysis, and not only. */
function assertBothOutcomes(statuses: readonly number[]): void {
  assert.ok(statuses.includes(200), `no request was analysed: ${[...new Set(statuses)]}`);
  assert.ok(
    statuses.some((s) => s >= 400),
    'no request was refused',
  );
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' \n\t ', '\ufeffThe enemy lies! 🇬🇧 🙂', 'Why? Because they hate us.'),
);

/** Fragments that stress an HTML parser: unbalanced tags, comments, entities, foreign content. */
const htmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<div>',
        '</div>',
        '<p>',
        '</p>',
        '<br>',
        '<table><tr><td>',
        '</td>',
        '<script>',
        '</script>',
        '<style>',
        '<!--',
        '-->',
        '<a href="javascript:x">',
        '</a>',
        '&amp;',
        '&#0;',
        '&#x110000;',
        '<![CDATA[',
        '<svg><foreignObject>',
        '<math>',
        '<title>',
        '</title>',
        '<meta property="article:published_time" content="not a date">',
        '<html>',
        '<body>',
        '<template>',
        '<noscript>',
        '<',
        '>',
      ),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 150 },
  )
  .map((parts) => parts.join(''));

test('fuzz: JSON bodies of /analyze never crash, hang or answer 5xx', async () => {
  const body = fc.oneof(
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc
      .record(
        {
          text,
          title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          source: fc.oneof(fc.string(), fc.boolean()),
          date: fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
        },
        { requiredKeys: ['text'] },
      )
      .map((value) => JSON.stringify(value)),
    fc.uint8Array({ maxLength: 200 }),
    fc.string({ maxLength: 200 }),
    // Well-formed requests, often enough that the analysis itself is fuzzed on every run.
    fc
      .record(
        {
          text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
          title: fc.string({ maxLength: 40 }),
          source: fc.string({ maxLength: 20 }),
        },
        { requiredKeys: ['text'] },
      )
      .map((value) => JSON.stringify({ ...value, text: `The enemy lies. ${value.text}` })),
  );
  const statuses: number[] = [];
  await fc.assert(
    fc.asyncProperty(body, async (payload) => {
      const status = await assertAnswered('/api/v1/analyze', {
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      statuses.push(status);
    }),
    { numRuns: runs(150) },
  );
  assertBothOutcomes(statuses);
});

test('fuzz: multipart uploads of /analyze/file never crash, hang or answer 5xx', async () => {
  const part = fc.record({
    name: fc.oneof(fc.constantFrom('file', 'source'), fc.string({ maxLength: 10 })),
    asFile: fc.boolean(),
    filename: fc.oneof(
      fc.constantFrom('page.html', 'a.txt', 'x.htm', 'noext', ''),
      fc.string({ maxLength: 20 }),
    ),
    type: fc.constantFrom('text/html', 'text/plain', 'application/octet-stream', ''),
    content: fc.oneof(htmlish, text, fc.uint8Array({ maxLength: 300 })),
  });
  const statuses: number[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(part, { minLength: 0, maxLength: 4 }), async (parts) => {
      const form = new FormData();
      for (const p of parts) {
        if (p.asFile) form.append(p.name, new Blob([p.content], { type: p.type }), p.filename);
        else form.append(p.name, typeof p.content === 'string' ? p.content : 'bytes');
      }
      statuses.push(await assertAnswered('/api/v1/analyze/file', { body: form }));
    }),
    { numRuns: runs(150) },
  );
  assertBothOutcomes(statuses);
});

test('fuzz: the SemEval label parser returns labels or throws a catalogued error', () => {
  const column = fc.oneof(
    fc.constantFrom('111111111', '0', '-3', '12', '1e3', '?', 'Loaded_Language', 'Doubt', ' ', ''),
    fc.string({ maxLength: 12 }),
  );
  const line = fc.array(column, { minLength: 1, maxLength: 5 }).map((cols) => cols.join('\t'));
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 12 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      (lines, newline, bom) => {
        const content = `${bom ? '\ufeff' : ''}${lines.join(newline)}`;
        try {
          const parsed = parseLabels(content, 'fuzz.labels', {
            articleLengths: new Map([['111111111', 50]]),
          });
          for (const span of parsed.spans) {
            assert.ok(span.cpStart >= 0 && span.cpEnd >= span.cpStart && span.cpEnd <= 50);
          }
        } catch (error) {
          assert.ok(error instanceof SpinscopeError, String(error));
          assert.ok(error.code in ERROR_CODES);
          assert.equal(error.file, 'fuzz.labels');
        }
      },
    ),
    { numRuns: runs(2000) },
  );
});

test('fuzz: JSON Lines batch input gives an item or a catalogued failure for every line', async () => {
  const dir = tempDir();
  const item = fc.record(
    {
      id: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)),
      text: text,
      html: htmlish,
      url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })),
      title: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
      date: fc.constantFrom('2024-05-31', '31/05/2024', '2024-13-45'),
      extra: fc.string(),
    },
    { requiredKeys: [] },
  );
  const line = fc.oneof(
    item.map((value) => Buffer.from(JSON.stringify(value))),
    fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))),
    fc.string({ maxLength: 60 }).map((s) => Buffer.from(s.replace(/[\r\n]/gu, ' '))),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 10))),
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 15 }), async (lines) => {
      const file = join(dir, `in${run++}.jsonl`);
      writeFileSync(file, Buffer.concat(lines.flatMap((bytes) => [bytes, Buffer.from('\n')])));
      const nonBlank = lines.filter(
        (bytes, i) =>
          bytes
            .toString('utf8')
            .replace(i === 0 ? /^\ufeff/u : /^$/u, '')
            .trim() !== '',
      ).length;
      let items = 0;
      for await (const batchItem of iterateItems([{ path: file, kind: 'jsonl' }], {
        maxBytes: 10_000,
      })) {
        items += 1;
        if (batchItem.source.kind === 'invalid') {
          assert.ok(batchItem.source.code in ERROR_CODES);
        } else {
          assert.ok(batchItem.id.length > 0 && !/\s/u.test(batchItem.id), batchItem.id);
        }
      }
      assert.equal(items, nonBlank);
    }),
    { numRuns: runs(300) },
  );
});

/** An address the way the check sees a URL's host: through the WHATWG URL parser. */
function hostOf(literal: string): string {
  return new URL(`http://${literal}/`).hostname.replace(/^\[|\]$/gu, '');
}

/** What the check must say of an address, from ipaddr.js's own classification. */
function refusedByLibrary(bytes: number[]): boolean {
  const address = ipaddr.fromByteArray(bytes);
  if (address.range() !== 'unicast') return true;
  return address.kind() === 'ipv6' && !address.match(ipaddr.parseCIDR('2000::/3'));
}

test('fuzz: the address check classifies every notation of an address as ipaddr.js does', () => {
  const v4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
  const v4Notations = (b: number[]): string[] => {
    const value = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    return [
      b.join('.'),
      String(value),
      `0x${value.toString(16)}`,
      b.map((x) => `0${x.toString(8)}`).join('.'),
      `${b[0]}.${(b[1]! << 16) + (b[2]! << 8) + b[3]!}`,
    ];
  };
  fc.assert(
    fc.property(v4, (bytes) => {
      const expected = refusedByLibrary(bytes);
      for (const literal of v4Notations(bytes)) {
        assert.equal(isInternalAddress(hostOf(literal)), expected, literal);
      }
    }),
    { numRuns: runs(3000) },
  );
  // IPv6: random addresses, and addresses placed in each special block, in full, compressed,
  // upper-case and embedded-IPv4 notation.
  const prefixes = [
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0xffff],
    [0x64, 0xff9b, 0, 0, 0, 0],
    [0x2002],
    [0x2001, 0],
    [0xfc00],
    [0xfd12],
    [0xfe80],
    [0xff02],
    [0x2606, 0x4700],
    [0x2a00],
  ];
  const v6 = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
    fc
      .tuple(
        fc.constantFrom(...prefixes),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
      )
      .map(([prefix, rest]) => [...prefix, ...rest.slice(prefix.length)]),
  );
  fc.assert(
    fc.property(v6, (parts) => {
      const bytes = parts.flatMap((p) => [p >> 8, p & 0xff]);
      const expected = refusedByLibrary(bytes);
      const address = ipaddr.fromByteArray(bytes) as ipaddr.IPv6;
      const tail = bytes.slice(12).join('.');
      for (const literal of [
        address.toNormalizedString(),
        address.toString(),
        address.toString().toUpperCase(),
        `${parts
          .slice(0, 6)
          .map((p) => p.toString(16))
          .join(':')}:${tail}`,
      ]) {
        assert.equal(isInternalAddress(hostOf(`[${literal}]`)), expected, literal);
      }
    }),
    { numRuns: runs(3000) },
  );
  // The blocks the issue names, one address each: all refused.
  for (const literal of [
    '[::127.0.0.1]',
    '[::ffff:10.0.0.1]',
    '[64:ff9b::8.8.8.8]',
    '[2002:c0a8:1::1]',
    '[2001:0:4136:e378::1]',
    '[fd00::1]',
    '[fe80::1]',
    '[ff02::1]',
    '0.1.2.3',
    '100.64.0.1',
    '198.18.0.1',
    '240.0.0.1',
    '255.255.255.255',
  ]) {
    assert.equal(isInternalAddress(hostOf(literal)), true, literal);
  }
  assert.equal(isInternalAddress('8.8.8.8'), false);
  assert.equal(isInternalAddress('2606:4700::1111'), false);
});
