import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SpinscopeError } from '../src/errors.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../src/store/migrations.js';
import {
  AnalysisStore,
  ftsQuery,
  SNIPPET_CLOSE,
  SNIPPET_OPEN,
  UNKNOWN_SOURCE,
} from '../src/store/store.js';
import type { TechniqueLabel } from '../src/techniques/catalogue.js';
import { makeAnalysis, spanOf, type AnalysisOptions } from './fixtures/store/make-analysis.js';
import { ROOT, tempDir } from './helpers.js';

function openStore(name = 'store.db'): { store: AnalysisStore; file: string } {
  const file = join(tempDir('spinscope-store-'), 'nested', 'folder', name);
  return { store: AnalysisStore.open(file), file };
}

/** An article with one span per (needle, techniques) pair. */
function article(
  text: string,
  spans: [needle: string, ...techniques: TechniqueLabel[]][],
  options: AnalysisOptions = {},
) {
  return makeAnalysis(
    text,
    spans.map(([needle, ...techniques]) => ({ ...spanOf(text, needle), techniques })),
    options,
  );
}

const TEXT_A = 'The traitors in parliament sold us out. Everyone knows it is true.';
const TEXT_B = 'Officials said the budget was balanced, according to experts at the bank.';
const TEXT_C = 'Make the country great. Our flag, our people, our pride!';

function rawCount(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function rejectsWith(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SpinscopeError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('save then get returns exactly the analysis that was saved', () => {
  const { store, file } = openStore();
  assert.ok(existsSync(file), 'open creates the folders and the file');
  const analysis = article(TEXT_A, [
    ['traitors', 'Name_Calling,Labeling', 'Loaded_Language'],
    ['Everyone knows', 'Bandwagon,Reductio_ad_hitlerum'],
  ]);
  const { record, created } = store.save({
    text: TEXT_A,
    analysis,
    source: 'example.org',
    title: 'Sold out',
    date: '2024-05-31',
    durationMs: 42.5,
  });
  assert.equal(created, true);
  assert.match(record.id, /^[0-9a-f]{24}$/u);
  assert.equal(record.contentHash, createHash('sha256').update(TEXT_A).digest('hex'));
  assert.equal(record.contentHash, AnalysisStore.contentHash(TEXT_A));
  assert.deepEqual(
    { ...record, createdAt: undefined, analysis: undefined },
    {
      id: record.id,
      contentHash: record.contentHash,
      modelName: 'fast',
      modelVersion: '1.0.0',
      source: 'example.org',
      title: 'Sold out',
      date: '2024-05-31',
      createdAt: undefined,
      durationMs: 42.5,
      text: TEXT_A,
      analysis: undefined,
    },
  );
  assert.ok(!Number.isNaN(Date.parse(record.createdAt)));
  // Deep equality with the input, `title: undefined` and unround doubles included.
  assert.deepEqual(record.analysis, analysis);
  assert.deepEqual(store.get(record.id), record);
  assert.deepEqual(store.find(record.contentHash, 'fast', '1.0.0'), record);
  assert.equal(store.get('0'.repeat(24)), undefined);
  assert.equal(store.find(record.contentHash, 'fast', '9.9.9'), undefined);
  store.close();
  // One row per span and technique.
  assert.equal(rawCount(file, 'SELECT count(*) AS n FROM spans'), 3);
});

test('saving the same text with the same model again returns the stored record', () => {
  const { store, file } = openStore();
  const analysis = article(TEXT_A, [['traitors', 'Name_Calling,Labeling']]);
  const first = store.save({ text: TEXT_A, analysis, source: 'a.example' });
  const second = store.save({ text: TEXT_A, analysis, source: 'b.example', title: 'Other' });
  assert.equal(first.created, true);
  assert.equal(second.created, false);
  assert.equal(second.record.id, first.record.id);
  // The first save wins: a repeat does not rewrite the record.
  assert.deepEqual(second.record, first.record);
  assert.equal(second.record.source, 'a.example');
  store.close();
  assert.equal(rawCount(file, 'SELECT count(*) AS n FROM analyses'), 1);
  assert.equal(rawCount(file, 'SELECT count(*) AS n FROM spans'), 1);
});

test('another model name or version makes a new record', () => {
  const { store } = openStore();
  const v1 = store.save({ text: TEXT_A, analysis: article(TEXT_A, []) });
  const v2 = store.save({
    text: TEXT_A,
    analysis: article(TEXT_A, [], { model: { name: 'fast', version: '1.1.0' } }),
  });
  const other = store.save({
    text: TEXT_A,
    analysis: article(TEXT_A, [], { model: { name: 'accurate', version: '1.0.0' } }),
  });
  assert.ok(v2.created && other.created);
  assert.equal(new Set([v1.record.id, v2.record.id, other.record.id]).size, 3);
  assert.equal(v2.record.contentHash, v1.record.contentHash);
  assert.equal(store.find(v1.record.contentHash, 'fast', '1.1.0')?.id, v2.record.id);
  assert.equal(store.list().total, 3);
  // Records written under a model's former name are found under today's: sm was fast.
  assert.equal(store.find(v1.record.contentHash, 'sm', '1.1.0')?.id, v2.record.id);
  assert.equal(store.find(v1.record.contentHash, 'md', '1.0.0')?.id, other.record.id);
  assert.equal(store.find(v1.record.contentHash, 'lg', '1.0.0'), undefined);
  store.close();
});

test('list pages newest first and reports the total', () => {
  const { store } = openStore();
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const text = `Article number ${i}. ${TEXT_A}`;
    ids.push(
      store.save({ text, analysis: article(text, [['traitors', 'Loaded_Language']]) }).record.id,
    );
  }
  const pages = [0, 3, 6].map((offset) => store.list({ limit: 3, offset }));
  for (const page of pages) assert.equal(page.total, 7);
  assert.deepEqual(
    pages.map((p) => p.items.length),
    [3, 3, 1],
  );
  // Saved within the same millisecond or not, newest comes first.
  assert.deepEqual(
    pages.flatMap((p) => p.items.map((item) => item.id)),
    [...ids].reverse(),
  );
  const item = pages[0]!.items[0]!;
  assert.equal(item.spans, 1);
  assert.equal(item.techniqueCounts.Loaded_Language, 1);
  assert.equal(item.techniqueCounts.Doubt, 0);
  assert.equal(Object.keys(item.techniqueCounts).length, 14);
  assert.equal(item.score, 0.26);
  assert.equal('snippet' in item, false);
  assert.deepEqual(store.list({ offset: 50 }), { total: 7, items: [] });
  assert.equal(store.list({ limit: 0 }).items.length, 0);
  assert.equal(
    store.list({ limit: 10_000 }).items.length,
    7,
    'a huge limit is capped, not refused',
  );
  rejectsWith(() => store.list({ limit: -1 }), 'SPN_ERR_INPUT_TYPE', /limit/);
  rejectsWith(() => store.list({ offset: 1.5 }), 'SPN_ERR_INPUT_TYPE', /offset/);
  store.close();
});

test('list filters by technique and by source', () => {
  const { store } = openStore();
  const a = store.save({
    text: TEXT_A,
    analysis: article(TEXT_A, [['traitors', 'Name_Calling,Labeling', 'Loaded_Language']]),
    source: 'tabloid',
  });
  const b = store.save({
    text: TEXT_B,
    analysis: article(TEXT_B, [['according to experts', 'Appeal_to_Authority']]),
    source: 'broadsheet',
  });
  const c = store.save({
    text: TEXT_C,
    analysis: article(TEXT_C, [
      ['Make the country great', 'Slogans'],
      ['our pride', 'Loaded_Language'],
    ]),
  });
  const ids = (query: Parameters<AnalysisStore['list']>[0]) =>
    store
      .list(query)
      .items.map((i) => i.id)
      .sort();
  assert.deepEqual(ids({ technique: 'Loaded_Language' }), [a.record.id, c.record.id].sort());
  // A second-ranked technique counts too.
  assert.deepEqual(ids({ technique: 'Name_Calling,Labeling' }), [a.record.id]);
  assert.deepEqual(ids({ technique: 'Doubt' }), []);
  assert.deepEqual(ids({ source: 'broadsheet' }), [b.record.id]);
  assert.deepEqual(ids({ source: UNKNOWN_SOURCE }), [c.record.id]);
  assert.deepEqual(ids({ source: 'tabloid', technique: 'Loaded_Language' }), [a.record.id]);
  assert.deepEqual(ids({ source: 'tabloid', technique: 'Slogans' }), []);
  assert.equal(store.list({ technique: 'Loaded_Language' }).total, 2);
  rejectsWith(
    () => store.list({ technique: 'Propaganda' as TechniqueLabel }),
    'SPN_ERR_INPUT_TYPE',
    /unknown technique "Propaganda"/,
  );
  store.close();
});

test('full-text search finds words of the body and title and returns a snippet', () => {
  const { store } = openStore();
  const a = store.save({
    text: TEXT_A,
    analysis: article(TEXT_A, [['traitors', 'Name_Calling,Labeling']]),
    title: 'Parliament scandal',
  });
  const b = store.save({
    text: TEXT_B,
    analysis: article(TEXT_B, [['according to experts', 'Appeal_to_Authority']]),
    title: 'Budget news',
  });
  const found = store.list({ query: 'traitors' });
  assert.equal(found.total, 1);
  assert.equal(found.items[0]!.id, a.record.id);
  assert.match(
    found.items[0]!.snippet!,
    new RegExp(`${SNIPPET_OPEN}traitors${SNIPPET_CLOSE}`, 'u'),
  );
  // Stemmed, case-insensitive, every word required, title searched too.
  assert.equal(store.list({ query: 'Traitor' }).items[0]?.id, a.record.id);
  assert.equal(store.list({ query: 'budget EXPERTS' }).items[0]?.id, b.record.id);
  assert.equal(store.list({ query: 'budget traitors' }).total, 0);
  assert.equal(store.list({ query: 'scandal' }).items[0]?.id, a.record.id);
  // Combined with a filter.
  assert.equal(store.list({ query: 'the', technique: 'Appeal_to_Authority' }).total, 1);
  // Blank means no filter, and no snippet.
  for (const query of ['', '   ', '\n\t']) {
    const all = store.list({ query });
    assert.equal(all.total, 2);
    assert.ok(all.items.every((item) => item.snippet === undefined));
  }
  // FTS5 syntax in user text is searched as words, never a syntax error.
  const hostile = [
    '"',
    '"unclosed',
    'traitors"',
    '(',
    'foo)',
    '(a OR b',
    'NEAR(traitors parliament)',
    'NEAR',
    'trait*',
    '*',
    'AND',
    'OR NOT',
    '-traitors',
    '^traitors',
    'title:traitors',
    '{title text}: x',
    "'; DROP TABLE analyses; --",
    '+ : . , ;',
  ];
  for (const query of hostile) {
    assert.doesNotThrow(() => store.list({ query }), `query ${JSON.stringify(query)}`);
  }
  // `trait*` is not a prefix query, and `NEAR(...)` needs the words "NEAR", "traitors", ...
  assert.equal(store.list({ query: 'trait*' }).total, 0);
  assert.equal(store.list({ query: '(traitors)' }).total, 1);
  assert.equal(ftsQuery('say "hi" now'), '"say" """hi""" "now"');
  assert.equal(ftsQuery('  '), undefined);
  assert.equal(store.list().total, 2, 'the hostile queries changed nothing');
  store.close();
});

test('aggregates count spans per source, per month and technique, and records per source', () => {
  const { store } = openStore();
  store.save({
    text: TEXT_A,
    analysis: article(TEXT_A, [
      ['traitors', 'Name_Calling,Labeling', 'Loaded_Language'],
      ['Everyone knows', 'Bandwagon,Reductio_ad_hitlerum'],
    ]),
    source: 'tabloid',
    date: '2024-01-15',
  });
  store.save({
    text: TEXT_C,
    analysis: article(TEXT_C, [
      ['Make the country great', 'Slogans'],
      ['our pride', 'Loaded_Language'],
    ]),
    source: 'tabloid',
    date: '2024-02-01T08:30:00Z',
  });
  const undated = store.save({
    text: TEXT_B,
    analysis: article(TEXT_B, [['according to experts', 'Appeal_to_Authority']]),
  });
  assert.deepEqual(store.techniquesBySource(), [
    { source: UNKNOWN_SOURCE, technique: 'Appeal_to_Authority', count: 1 },
    { source: 'tabloid', technique: 'Bandwagon,Reductio_ad_hitlerum', count: 1 },
    { source: 'tabloid', technique: 'Loaded_Language', count: 2 },
    { source: 'tabloid', technique: 'Name_Calling,Labeling', count: 1 },
    { source: 'tabloid', technique: 'Slogans', count: 1 },
  ]);
  const month = undated.record.createdAt.slice(0, 7);
  assert.deepEqual(store.techniquesOverTime(), [
    { period: '2024-01', technique: 'Bandwagon,Reductio_ad_hitlerum', count: 1 },
    { period: '2024-01', technique: 'Loaded_Language', count: 1 },
    { period: '2024-01', technique: 'Name_Calling,Labeling', count: 1 },
    { period: '2024-02', technique: 'Loaded_Language', count: 1 },
    { period: '2024-02', technique: 'Slogans', count: 1 },
    { period: month, technique: 'Appeal_to_Authority', count: 1 },
  ]);
  assert.deepEqual(store.sources(), [
    { source: 'tabloid', count: 2 },
    { source: UNKNOWN_SOURCE, count: 1 },
  ]);
  store.close();
});

test('bad input is refused before anything is written', () => {
  const { store } = openStore();
  const analysis = article(TEXT_A, [['traitors', 'Loaded_Language']]);
  rejectsWith(
    () => store.save({ text: `${TEXT_A} more`, analysis }),
    'SPN_ERR_INPUT_TYPE',
    /analysis is of a text of 66 characters, this one has 71/,
  );
  rejectsWith(
    () => store.save({ text: TEXT_A, analysis, date: 'last Tuesday' }),
    'SPN_ERR_INPUT_TYPE',
    /not an ISO 8601 date/,
  );
  rejectsWith(
    () => store.save({ text: TEXT_A, analysis, date: '2024-13-01' }),
    'SPN_ERR_INPUT_TYPE',
    /not an ISO 8601 date/,
  );
  rejectsWith(
    () => store.save({ text: TEXT_A, analysis, durationMs: Number.NaN }),
    'SPN_ERR_INPUT_TYPE',
    /duration/,
  );
  const outside = makeAnalysis(TEXT_A, [{ start: 60, end: 80, techniques: ['Doubt'] }]);
  rejectsWith(
    () => store.save({ text: TEXT_A, analysis: outside }),
    'SPN_ERR_INPUT_TYPE',
    /span 60-80 is outside the text/,
  );
  const broken = `bad \ud800 surrogate`;
  rejectsWith(
    () => store.save({ text: broken, analysis: makeAnalysis(broken, []) }),
    'SPN_ERR_INPUT_BINARY',
    /surrogate/,
  );
  assert.equal(store.list().total, 0);
  store.close();
});

test('emoji, flags and a BOM round-trip with code-point offsets untouched', () => {
  const { store } = openStore();
  const text = '\ufeffBreaking 🚨: «Traîtres» 🇫🇷 and 👩‍👩‍👧 families betrayed by élites! 𝒜𝓁𝓁 lies.';
  const analysis = article(
    text,
    [
      ['Traîtres', 'Name_Calling,Labeling'],
      ['👩‍👩‍👧 families betrayed', 'Appeal_to_fear-prejudice', 'Loaded_Language'],
      ['𝒜𝓁𝓁 lies', 'Exaggeration,Minimisation'],
    ],
    { title: 'Ünïcödé 📰' },
  );
  // The offsets are in code points, past astral characters and the BOM (character 0).
  const chars = Array.from(text);
  assert.equal(chars.slice(analysis.spans[2]!.start, analysis.spans[2]!.end).join(''), '𝒜𝓁𝓁 lies');
  const { record } = store.save({ text, analysis });
  const back = store.get(record.id)!;
  assert.equal(back.text, text);
  assert.equal(back.text.charCodeAt(0), 0xfeff, 'the BOM is kept');
  assert.equal(back.title, 'Ünïcödé 📰');
  assert.deepEqual(back.analysis, analysis);
  for (const span of back.analysis.spans) {
    assert.equal(Array.from(back.text).slice(span.start, span.end).join(''), span.text);
  }
  assert.equal(
    back.contentHash,
    createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'),
  );
  // Diacritics are folded for search; words after emoji are found.
  assert.equal(store.list({ query: 'traitres' }).total, 1);
  assert.equal(store.list({ query: 'elites' }).total, 1);
  assert.equal(store.list({ query: 'families' }).total, 1);
  store.close();
});

test('reopening keeps the data and does not run the migrations again', () => {
  const { store, file } = openStore();
  const { record } = store.save({
    text: TEXT_A,
    analysis: article(TEXT_A, [['traitors', 'Loaded_Language']]),
  });
  store.close();
  // The steps are plain CREATE statements: a second run would fail on the existing tables.
  const again = AnalysisStore.open(file);
  assert.deepEqual(again.get(record.id), record);
  assert.equal(again.save({ text: TEXT_A, analysis: record.analysis }).created, false);
  again.close();
  const db = new Database(file);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(migrate(db), 0, 'an up-to-date file needs no step');
  db.close();
});

test('migrations run in order, in one transaction, from the version on file', () => {
  const file = join(tempDir('spinscope-store-'), 'migrate.db');
  const db = new Database(file);
  const steps = ['CREATE TABLE one (x INTEGER)', 'CREATE TABLE two (y INTEGER)'];
  assert.equal(migrate(db, steps.slice(0, 1)), 1);
  assert.equal(migrate(db, steps), 1, 'only the new step runs');
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  // A failing step undoes the steps before it and leaves the version alone.
  assert.throws(() => migrate(db, [...steps, 'CREATE TABLE three (z)', 'NOT SQL']), /syntax/);
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  assert.deepEqual(
    tables.all().map((t) => (t as { name: string }).name),
    ['one', 'two'],
  );
  db.close();
  assert.ok(MIGRATIONS.length === SCHEMA_VERSION && SCHEMA_VERSION >= 1);
});

test('a file written by a newer schema version is refused and left alone', () => {
  const file = join(tempDir('spinscope-store-'), 'future.db');
  const db = new Database(file);
  db.exec('CREATE TABLE future_things (x)');
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  rejectsWith(
    () => AnalysisStore.open(file),
    'SPN_ERR_FILE_READ',
    new RegExp(`future\\.db: .*newer Spinscope \\(store schema version ${SCHEMA_VERSION + 1}`, 'u'),
  );
  const after = new Database(file, { readonly: true });
  assert.equal(after.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
  assert.equal(after.pragma('journal_mode', { simple: true }), 'delete', 'not switched to WAL');
  after.close();
});

test('a file that is not a database is refused with a clear error', () => {
  const file = join(tempDir('spinscope-store-'), 'notes.db');
  writeFileSync(file, 'these are my notes, not a database\n'.repeat(100));
  rejectsWith(() => AnalysisStore.open(file), 'SPN_ERR_FILE_READ', /notes\.db: .*not a database/);
});

test('a save that returned survives kill -9 of the writer, and the file stays sound', async () => {
  const file = join(tempDir('spinscope-crash-'), 'crash.db');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/store/writer.ts', file],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const printed = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer printed too few ids in time; stderr: ${stderr}`));
    }, 60_000);
    let firstIdAt = 0;
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Only whole lines count: the last one may still be on its way.
      const ids = stdout.split('\n').length - 1;
      if (ids > 0 && firstIdAt === 0) firstIdAt = performance.now();
      if (ids >= 20 && !killing) {
        killing = true;
        clearTimeout(timer);
        // Right after an id the writer is still building its next record; wait a random
        // part of one save so that the kill lands anywhere, often inside a transaction.
        const perSave = (performance.now() - firstIdAt) / (ids - 1);
        setTimeout(() => child.kill('SIGKILL'), Math.random() * perSave);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(stdout.split('\n').slice(0, -1));
      else reject(new Error(`the writer exited (${code}) before it was killed; stderr: ${stderr}`));
    });
  });
  assert.ok(printed.length >= 20, `printed ${printed.length} ids`);

  const store = AnalysisStore.open(file);
  for (const id of printed) {
    const record = store.get(id);
    assert.ok(record, `record ${id} was printed, so it must be stored`);
    assert.equal(record.analysis.spans.length, 150);
    assert.equal(record.analysis.length, Array.from(record.text).length);
  }
  store.close();

  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  // Every stored record, printed or not, is whole: its span rows match its JSON.
  const rows = db
    .prepare(
      `SELECT a.id, a.result, a.span_count,
         (SELECT count(*) FROM spans s WHERE s.analysis_id = a.id) AS span_rows
       FROM analyses a`,
    )
    .all() as { id: string; result: string; span_count: number; span_rows: number }[];
  assert.ok(rows.length >= printed.length);
  for (const row of rows) {
    const analysis = JSON.parse(row.result) as { spans: { techniques: unknown[] }[] };
    assert.equal(row.span_count, analysis.spans.length);
    const pairs = analysis.spans.reduce((sum, span) => sum + span.techniques.length, 0);
    assert.equal(row.span_rows, pairs, `span rows of ${row.id}`);
  }
  db.close();
  // The full-text index agrees with its table.
  const rw = new Database(file);
  assert.doesNotThrow(() =>
    rw.exec("INSERT INTO analyses_fts (analyses_fts) VALUES ('integrity-check')"),
  );
  rw.close();
});

test('reviews: saved beside the model output, with history, filterable, and checked', () => {
  const { store, file } = openStore();
  // A BOM, an emoji and a flag before the spans: offsets are code points.
  const text = '\ufeff😡 🇺🇸 The traitors in parliament sold us out. Everyone knows it!';
  const { record } = store.save({
    text,
    analysis: article(text, [['traitors', 'Loaded_Language']]),
  });
  store.save({
    text: TEXT_B,
    analysis: article(TEXT_B, [['according to experts', 'Appeal_to_Authority']]),
  });
  assert.deepEqual(store.review(record.id), { review: null, history: [] });
  const traitors = spanOf(text, 'traitors');
  const everyone = spanOf(text, 'Everyone knows');
  const first = store.saveReview(
    record.id,
    {
      spans: [
        {
          start: everyone.start,
          end: everyone.end,
          techniques: ['Bandwagon,Reductio_ad_hitlerum'],
        },
        { start: traitors.start, end: traitors.end, techniques: ['Name_Calling,Labeling'] },
      ],
      reviewer: ' Ana ',
    },
    new Date('2026-12-01T10:00:00Z'),
  );
  assert.equal(first.reviewer, 'Ana');
  assert.deepEqual(
    first.spans.map((s) => Array.from(text).slice(s.start, s.end).join('')),
    ['traitors', 'Everyone knows'],
    'sorted, and the offsets are code points',
  );
  store.saveReview(record.id, { spans: [] }, new Date('2026-12-02T10:00:00Z'));
  const state = store.review(record.id);
  assert.deepEqual(state.review?.spans, []);
  assert.deepEqual(
    state.history.map((h) => [h.reviewer, h.reviewedAt, h.spans]),
    [
      [null, '2026-12-02T10:00:00.000Z', 0],
      ['Ana', '2026-12-01T10:00:00.000Z', 2],
    ],
  );
  // The model's own output is untouched.
  assert.deepEqual(store.get(record.id), record);
  assert.deepEqual(
    store.list({ reviewed: true }).items.map((i) => [i.id, i.reviewed]),
    [[record.id, true]],
  );
  assert.equal(store.list({ reviewed: false }).total, 1);
  assert.equal(store.list().items.filter((i) => i.reviewed).length, 1);

  // Bad reviews are refused, and nothing already saved is lost.
  const length = Array.from(text).length;
  rejectsWith(
    () =>
      store.saveReview(record.id, {
        spans: [{ start: 3, end: length + 1, techniques: ['Doubt'] }],
      }),
    'SPN_ERR_LABEL_OFFSET',
    /span 1 \(3-\d+\) is not inside the text/,
  );
  rejectsWith(
    () =>
      store.saveReview(record.id, {
        spans: [{ start: 3, end: 9, techniques: ['Propaganda' as TechniqueLabel] }],
      }),
    'SPN_ERR_LABEL_TECHNIQUE',
    /unknown technique "Propaganda"/,
  );
  rejectsWith(
    () =>
      store.saveReview(record.id, {
        spans: [
          { start: 3, end: 9, techniques: ['Doubt'] },
          { start: 5, end: 12, techniques: ['Doubt', 'Slogans'] },
        ],
      }),
    'SPN_ERR_LABEL_DUPLICATE',
    /two spans with Doubt overlap/,
  );
  rejectsWith(
    () => store.saveReview('nope', { spans: [] }),
    'SPN_ERR_NOT_FOUND',
    /no analysis nope/,
  );
  assert.equal(store.review(record.id).history.length, 2);
  store.close();
  assert.equal(rawCount(file, 'SELECT count(*) AS n FROM reviews'), 2);
});
