import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { readCorpus } from '../src/formats/corpus.js';
import { AnalysisStore } from '../src/store/store.js';
import type { TechniqueLabel } from '../src/techniques/catalogue.js';
import { makeAnalysis, spanOf } from './fixtures/store/make-analysis.js';
import { FIXTURES, spinscope, spinscopeIn, tempDir } from './helpers.js';

// A BOM, an emoji and a flag before the spans: code points and UTF-16 units differ.
const TEXTS = [
  '\ufeffShameful 😡 Traitors 🇺🇸\n\nThese traitors will destroy everything we love. Stand firm, stand proud!\n',
  'The Budget\n\nOfficials said the budget was balanced, according to experts at the bank. Everyone knows it.\n',
  'Flag Day\n\nOur flag, our people, our pride! Only a fool would doubt it. Make the country great again.\n',
  'Harbour Panic\n\nIf we do nothing, the invaders will flood every street we love. The mayor is a corrupt liar.\n',
];

type Spans = { start: number; end: number; techniques: TechniqueLabel[] }[];

/** A store with the four articles; the first one reviewed (one span relabelled, one added). */
function storeWithReview(): { db: string; ids: string[]; expected: Map<string, Spans> } {
  const db = join(tempDir('spinscope-interchange-'), 'store.db');
  const store = AnalysisStore.open(db);
  const model: Spans[] = [
    [{ ...spanOf(TEXTS[0]!, 'traitors'), techniques: ['Loaded_Language'] }],
    [{ ...spanOf(TEXTS[1]!, 'according to experts'), techniques: ['Appeal_to_Authority'] }],
    [
      {
        ...spanOf(TEXTS[2]!, 'Our flag, our people, our pride'),
        techniques: ['Flag-Waving', 'Slogans'],
      },
    ],
    [{ ...spanOf(TEXTS[3]!, 'corrupt liar'), techniques: ['Name_Calling,Labeling'] }],
  ];
  const ids = TEXTS.map(
    (text, i) => store.save({ text, analysis: makeAnalysis(text, model[i]!) }).record.id,
  );
  const reviewed: Spans = [
    { ...spanOf(TEXTS[0]!, 'traitors'), techniques: ['Name_Calling,Labeling'] },
    { ...spanOf(TEXTS[0]!, 'Stand firm, stand proud'), techniques: ['Slogans'] },
  ];
  store.saveReview(ids[0]!, { spans: reviewed, reviewer: 'Ana' });
  store.close();
  const expected = new Map(ids.map((id, i) => [id, i === 0 ? reviewed : model[i]!]));
  return { db, ids, expected };
}

/** An imported PTC-layout corpus as spans per article, sorted. */
async function corpusSpans(dir: string): Promise<Map<string, Spans>> {
  const corpus = await readCorpus(dir);
  const spans = new Map<string, Spans>();
  for (const a of corpus.articles) spans.set(a.id, []);
  for (const l of corpus.tc ?? []) {
    const list = spans.get(l.articleId)!;
    const span = list.find((s) => s.start === l.cpStart && s.end === l.cpEnd);
    if (span) span.techniques.push(l.technique);
    else list.push({ start: l.cpStart, end: l.cpEnd, techniques: [l.technique] });
  }
  for (const list of spans.values()) list.sort((a, b) => a.start - b.start);
  return spans;
}

test('export -> import gives identical spans and texts in every format (BOM, emoji, flags)', async () => {
  const { db, expected } = storeWithReview();
  const dir = tempDir('spinscope-interchange-');
  for (const format of ['semeval', 'label-studio', 'brat'] as const) {
    const exported = join(dir, `${format}-out`);
    const run = spinscope('export', '--db', db, '--format', format, '--out', exported);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /4 articles \(1 reviewed\)/);
    const input = format === 'label-studio' ? join(exported, 'tasks.json') : exported;
    const imported = join(dir, `${format}-corpus`);
    const back = spinscope('import', '--format', format, input, '--out', imported);
    assert.equal(back.code, 0, back.stderr);
    const spans = await corpusSpans(imported);
    assert.deepEqual(spans, expected, format);
    const corpus = await readCorpus(imported);
    assert.deepEqual(
      corpus.articles.map((a) => a.text).sort(),
      [...TEXTS].sort(),
      `${format}: the texts are byte for byte the same`,
    );
  }
  const config = readFileSync(join(dir, 'label-studio-out', 'label-config.xml'), 'utf8');
  assert.equal(config.match(/<Label value=/g)?.length, 14);
  assert.match(readFileSync(join(dir, 'brat-out', 'annotation.conf'), 'utf8'), /\[entities\]\n/);

  const jsonl = join(dir, 'jsonl-out');
  assert.equal(spinscope('export', '--db', db, '--format', 'jsonl', '--out', jsonl).code, 0);
  const lines = readFileSync(join(jsonl, 'articles.jsonl'), 'utf8').trim().split('\n');
  const fromJsonl = new Map(
    lines.map((l) => {
      const a = JSON.parse(l) as { id: string; spans: Spans; offsetUnit: string };
      assert.equal(a.offsetUnit, 'codepoint');
      return [a.id, a.spans];
    }),
  );
  assert.deepEqual(fromJsonl, expected);

  // --reviewed-only: the one reviewed article; a folder that is not empty is refused.
  const reviewedOnly = join(dir, 'reviewed');
  const run = spinscope(
    'export',
    '--db',
    db,
    '--format',
    'semeval',
    '--out',
    reviewedOnly,
    '--reviewed-only',
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readdirSync(join(reviewedOnly, 'articles')).length, 1);
  const again = spinscope('export', '--db', db, '--format', 'semeval', '--out', reviewedOnly);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists and is not empty/);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('partial')),
    [],
    'nothing half-written',
  );
});

test("Label Studio gets the model's spans as predictions with its version, a review as an annotation", () => {
  const { db, ids, expected } = storeWithReview();
  const out = join(tempDir('spinscope-ls-export-'), 'ls');
  const run = spinscope('export', '--db', db, '--format', 'label-studio', '--out', out);
  assert.equal(run.code, 0, run.stderr);
  type Result = { value: { start: number; end: number; labels: TechniqueLabel[] } }[];
  const tasks = JSON.parse(readFileSync(join(out, 'tasks.json'), 'utf8')) as {
    data: { id: string };
    predictions: { model_version: string; result: Result }[];
    annotations: { result: Result }[];
  }[];
  const spans = (result: Result) =>
    result.map(({ value: { start, end, labels } }) => ({ start, end, techniques: labels }));
  for (const task of tasks) {
    const reviewed = task.data.id === ids[0];
    assert.equal(task.predictions.length, 1);
    assert.equal(task.predictions[0]!.model_version, 'spinscope fast 1.0.0'); // the fixture's
    const model = reviewed
      ? [{ ...spanOf(TEXTS[0]!, 'traitors'), techniques: ['Loaded_Language'] }]
      : expected.get(task.data.id);
    assert.deepEqual(spans(task.predictions[0]!.result), model, 'the model output, untouched');
    assert.deepEqual(
      task.annotations.map((a) => spans(a.result)),
      reviewed ? [expected.get(task.data.id)] : [],
      "only a person's review is an annotation",
    );
  }
});

/** Every file under `dir` (relative path -> content), to show that nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    files.set(
      relative(dir, path),
      entry.isFile() ? readFileSync(path).toString('base64') : '(folder)',
    );
  }
  return files;
}

/** A failed run: exit code 1 and one coded line, no stack. */
function assertRefused(run: { code: number | null; stderr: string }, code: string): void {
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^spinscope: [^\\n]+ \\[${code}\\]\\n$`), run.stderr);
}

test('--out never deletes or replaces a file: missing/.., a file, a full folder, --force', () => {
  const { db } = storeWithReview();
  const root = tempDir('spinscope-out-');
  writeFileSync(join(root, 'parent-canary.txt'), 'parent');
  const work = join(root, 'work');
  mkdirSync(join(work, 'keep'), { recursive: true });
  writeFileSync(join(work, 'canary.txt'), 'mine');
  writeFileSync(join(work, 'keep', 'notes.txt'), 'also mine');
  writeFileSync(join(work, 'afile.txt'), 'a file');
  const tasks = join(tempDir('spinscope-out-in-'), 'tasks.json');
  writeFileSync(tasks, JSON.stringify([{ data: { text: 'Hello there.' }, annotations: [] }]));
  const before = snapshot(root);
  const exportTo = (...out: string[]) =>
    spinscopeIn(work, 'export', '--db', db, '--format', 'label-studio', '--out', ...out);
  const cases: [ReturnType<typeof spinscopeIn>, string][] = [
    [exportTo('missing/..'), 'SPN_ERR_USAGE'],
    [exportTo('missing/..', '--force'), 'SPN_ERR_USAGE'],
    [exportTo('missing2/../..'), 'SPN_ERR_USAGE'],
    [exportTo('afile.txt'), 'SPN_ERR_FILE_WRITE'],
    [exportTo('afile.txt', '--force'), 'SPN_ERR_FILE_WRITE'],
    [exportTo('.'), 'SPN_ERR_FILE_WRITE'],
    [
      spinscopeIn(work, 'import', '--format', 'label-studio', tasks, '--out', 'missing/..'),
      'SPN_ERR_USAGE',
    ],
    [
      spinscopeIn(work, 'import', '--format', 'label-studio', tasks, '--out', 'missing2/../..'),
      'SPN_ERR_USAGE',
    ],
  ];
  for (const [run, code] of cases) assertRefused(run, code);
  assert.deepEqual(snapshot(root), before, 'every file as it was, nothing added');

  // missing3/. is the new folder missing3.
  assert.equal(exportTo('missing3/.').code, 0);
  assert.ok(existsSync(join(work, 'missing3', 'tasks.json')));
  rmSync(join(work, 'missing3'), { recursive: true });

  // --force adds to a folder beside its files; a name already there is refused.
  const added = exportTo('.', '--force');
  assert.equal(added.code, 0, added.stderr);
  const withExport = snapshot(root);
  assert.deepEqual([...withExport.keys()].filter((k) => !before.has(k)).sort(), [
    'work/label-config.xml',
    'work/tasks.json',
  ]);
  assertRefused(exportTo('.', '--force'), 'SPN_ERR_FILE_WRITE');
  assert.deepEqual(snapshot(root), withExport, 'nothing replaced');
});

test('export reads only an existing Spinscope store and changes no other file', () => {
  const dir = tempDir('spinscope-export-db-');
  const notSqlite = join(dir, 'notes.txt');
  writeFileSync(notSqlite, 'not a database\n');
  const empty = join(dir, 'empty.sqlite');
  writeFileSync(empty, '');
  const other = join(dir, 'other.sqlite');
  const db = new Database(other);
  db.exec('CREATE TABLE things (name TEXT)');
  db.pragma('user_version = 1');
  db.close();
  const before = snapshot(dir);
  for (const file of ['nosuch.sqlite', notSqlite, empty, other]) {
    const run = spinscopeIn(dir, 'export', '--db', file, '--format', 'jsonl', '--out', 'out');
    assertRefused(run, 'SPN_ERR_FILE_READ');
  }
  assert.deepEqual(snapshot(dir), before, 'no store created, no file changed');
});

test('a Label Studio export written from its documented schema imports, in code points or UTF-16 units', async () => {
  const dir = tempDir('spinscope-ls-');
  const text = '😡 These traitors lie! 🇺🇸 Stand firm.';
  const traitors = spanOf(text, 'traitors');
  const units = text.indexOf('Stand firm'); // UTF-16 units, as older Label Studio counted
  const tasks = [
    {
      id: 7,
      data: { text },
      annotations: [
        { was_cancelled: true, result: [] },
        {
          result: [
            {
              id: 'a1',
              from_name: 'label',
              to_name: 'text',
              type: 'labels',
              value: {
                start: traitors.start,
                end: traitors.end,
                text: 'traitors',
                labels: ['Name_Calling,Labeling', 'loaded-language'],
              },
            },
            {
              id: 'a2',
              from_name: 'label',
              to_name: 'text',
              type: 'labels',
              value: { start: units, end: units + 10, text: 'Stand firm', labels: ['Slogan'] },
            },
            {
              id: 'c1',
              from_name: 'note',
              to_name: 'text',
              type: 'textarea',
              value: { text: ['ok'] },
            },
          ],
        },
      ],
    },
  ];
  const file = join(dir, 'export.json');
  writeFileSync(file, JSON.stringify(tasks));
  const unmapped = spinscope('import', '--format', 'label-studio', file, '--out', join(dir, 'a'));
  assert.equal(unmapped.code, 1);
  assert.match(
    unmapped.stderr,
    /export\.json: \[0\]\.annotations\[1\]\.result\[1\]\.value\.labels: unknown label "Slogan" \(give --map FILE/,
  );
  assert.ok(!existsSync(join(dir, 'a')), 'nothing written');
  const map = join(dir, 'map.json');
  writeFileSync(map, JSON.stringify({ Slogan: 'Slogans' }));
  const run = spinscope(
    'import',
    '--format',
    'label-studio',
    file,
    '--out',
    join(dir, 'b'),
    '--map',
    map,
  );
  assert.equal(run.code, 0, run.stderr);
  const spans = await corpusSpans(join(dir, 'b'));
  const stand = spanOf(text, 'Stand firm');
  assert.deepEqual(spans.get('7'), [
    { ...traitors, techniques: ['Name_Calling,Labeling', 'Loaded_Language'] },
    { ...stand, techniques: ['Slogans'] },
  ]);
});

test('a Label Studio file of the wrong shape: the file, the JSON path of the problem and a code', () => {
  const dir = tempDir('spinscope-ls-shape-');
  const task = (annotations: unknown) => ({ data: { text: 'These traitors lie.' }, annotations });
  const labels = (value: unknown) => task([{ result: [{ type: 'labels', value }] }]);
  const cases: [unknown, string][] = [
    ['tasks', 'a Label Studio export is a JSON array of tasks'],
    [[null], '[0]: expected object, received null'],
    [[{ data: null }], '[0].data: expected object, received null'],
    [[task([]), task('Loaded_Language')], '[1].annotations: expected array, received string'],
    [[task(null)], '[0].annotations: expected array, received null'],
    [[task({ result: [] })], '[0].annotations: expected array, received object'],
    [[task([null])], '[0].annotations[0]: expected object, received null'],
    [[task([{ result: null }])], '[0].annotations[0].result: expected array, received null'],
    [[task([{ result: 'x' }])], '[0].annotations[0].result: expected array, received string'],
    [[task([{ result: [null] }])], '[0].annotations[0].result[0]: expected object, received null'],
    [[labels(null)], '[0].annotations[0].result[0].value: expected object, received null'],
    [
      [labels({ start: 6, end: 14, labels: 'Loaded_Language' })],
      '[0].annotations[0].result[0].value.labels: expected array, received string',
    ],
  ];
  for (const [json, message] of cases) {
    writeFileSync(join(dir, 'tasks.json'), JSON.stringify(json));
    const run = spinscopeIn(dir, 'import', '--format', 'label-studio', 'tasks.json', '--out', 'o');
    assert.equal(run.stderr, `spinscope: tasks.json: ${message} [SPN_ERR_LABEL_FORMAT]\n`);
    assert.equal(run.code, 1);
    assert.ok(!existsSync(join(dir, 'o')), 'nothing written');
  }
  // A file where brat's folder belongs, a folder where Label Studio's file belongs.
  const brat = spinscopeIn(dir, 'import', '--format', 'brat', 'tasks.json', '--out', 'o');
  assert.equal(
    brat.stderr,
    'spinscope: tasks.json: is not a folder of brat .txt and .ann files [SPN_ERR_CORPUS_LAYOUT]\n',
  );
  const folder = spinscopeIn(dir, 'import', '--format', 'label-studio', '.', '--out', 'o');
  assert.equal(
    folder.stderr,
    'spinscope: .: is a folder, not a Label Studio JSON export [SPN_ERR_FILE_READ]\n',
  );
});

test('brat: discontinuous, unknown and misplaced entries get clear errors with file and line', () => {
  const dir = tempDir('spinscope-brat-');
  const text = 'These 😡 traitors lie.\n';
  writeFileSync(join(dir, 'a1.txt'), text);
  const cases: [string, RegExp][] = [
    ['T1\tname-calling-labeling 0 5;9 17\tThese traitors\n', /a1\.ann:1: a discontinuous entry/],
    [
      'T1\tloaded-language 8 16\ttraitors\nT2\tPropaganda 0 5\tThese\n',
      /unknown label "Propaganda"/,
    ],
    ['T1\tloaded-language 8 40\ttraitors\n', /a1\.ann:1: 8-40 is not inside the text/],
    ['T1\tloaded-language 9 17\ttraitors\n', /a1\.ann:1: 9-17 holds "raitors /],
    ['R1\tCause Arg1:T1 Arg2:T2\n', /a1\.ann:1: only text-bound entries/],
  ];
  for (const [ann, message] of cases) {
    writeFileSync(join(dir, 'a1.ann'), ann);
    const out = join(tempDir('spinscope-brat-out-'), 'corpus');
    const run = spinscope('import', '--format', 'brat', dir, '--out', out);
    assert.equal(run.code, 1, ann);
    assert.match(run.stderr, message);
    assert.ok(!existsSync(out), 'nothing written');
  }
});

test('a corpus exported from reviews trains a model from the CLI, beside another, weighted', async () => {
  const { db } = storeWithReview();
  const dir = tempDir('spinscope-train-');
  const corpus = join(dir, 'desk');
  assert.equal(spinscope('export', '--db', db, '--format', 'semeval', '--out', corpus).code, 0);
  mkdirSync(join(dir, 'model'));
  const run = spinscope(
    'train',
    '--data',
    join(FIXTURES, 'corpus'),
    '--data',
    corpus,
    '--weight',
    `${corpus}=3`,
    '--dev-split',
    '',
    '--out',
    join(dir, 'model'),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(existsSync(join(dir, 'model', 'model.bin')));
  const card = JSON.parse(readFileSync(join(dir, 'model', 'card.json'), 'utf8'));
  assert.equal(card.model.training.articles, 3 + 4);
  assert.match(card.model.training.corpus, /^fixtures\/corpus \+ .*\/desk ×3$/u);
  const wrong = spinscope(
    'train',
    '--data',
    corpus,
    '--weight',
    '/nowhere=2',
    '--dev-split',
    '',
    '--out',
    join(dir, 'x'),
  );
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /--weight \/nowhere: not one of the --data folders/);
  const analysed = spinscope(
    'analyze',
    '--model',
    join(dir, 'model', 'model.bin'),
    '--format',
    'json',
    join(corpus, 'articles', readdirSync(join(corpus, 'articles'))[0]!),
  );
  assert.equal(analysed.code, 0, analysed.stderr);
});
