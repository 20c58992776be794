import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SpinscopeError } from '../src/errors.js';
import { corpusName, mergeCorpora, readCorpus } from '../src/formats/corpus.js';
import { decodeText, writeFileAtomically } from '../src/formats/files.js';
import { extractArticle, withoutSiteName } from '../src/formats/html.js';
import {
  formatSiLabels,
  formatTcLabels,
  formatTemplate,
  parseLabels,
} from '../src/formats/labels.js';
import { FIXTURES, tempDir } from './helpers.js';

const CORPUS = join(FIXTURES, 'corpus');

function rejects(content: string, code: string, pattern: RegExp, options = {}): void {
  assert.throws(
    () => parseLabels(content, 'labels.txt', options),
    (error: unknown) => {
      assert.ok(error instanceof SpinscopeError);
      assert.equal(error.code, code);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('SI, TC and template lines are parsed by their column count', () => {
  assert.deepEqual(parseLabels('1\t0\t5\n1\t7\t9\n', 'f').spans, [
    { articleId: '1', cpStart: 0, cpEnd: 5 },
    { articleId: '1', cpStart: 7, cpEnd: 9 },
  ]);
  const tc = parseLabels('1\tDoubt\t0\t5\r\n\n', 'f');
  assert.equal(tc.kind, 'tc');
  assert.deepEqual(tc.techniqueSpans, [
    { articleId: '1', technique: 'Doubt', cpStart: 0, cpEnd: 5 },
  ]);
  assert.equal(parseLabels('1\t?\t0\t5\n', 'f').kind, 'template');
  assert.equal(parseLabels('', 'f').spans.length, 0);
});

test('malformed label lines name the file and the line', () => {
  rejects(
    '1\t0\t5\n1\t0\n',
    'SPN_ERR_LABEL_FORMAT',
    /labels\.txt:2: expected 3 tab-separated columns/,
  );
  rejects(
    '1\tx\t5\n',
    'SPN_ERR_LABEL_FORMAT',
    /labels\.txt:1: start offset must be a non-negative integer, found "x"/,
  );
  rejects('1\t2.5\t5\n', 'SPN_ERR_LABEL_FORMAT', /non-negative integer/);
  rejects('1\t-1\t5\n', 'SPN_ERR_LABEL_FORMAT', /non-negative integer/);
  rejects('1\t5\t5\n', 'SPN_ERR_LABEL_FORMAT', /labels\.txt:1: start 5 must be smaller than end 5/);
  rejects(
    '1\tPropaganda\t0\t5\n',
    'SPN_ERR_LABEL_TECHNIQUE',
    /labels\.txt:1: unknown technique "Propaganda"/,
  );
  rejects(
    '1\tDoubt\t0\t5\n',
    'SPN_ERR_LABEL_FORMAT',
    /expected 3 tab-separated columns for a SI label/,
    {
      expect: 'si',
    },
  );
});

test('labels are checked against the article lengths when given', () => {
  const articleLengths = new Map([['1', 10]]);
  assert.equal(parseLabels('1\t0\t10\n', 'f', { articleLengths }).spans.length, 1);
  rejects(
    '1\t0\t5\n1\t8\t11\n',
    'SPN_ERR_LABEL_OFFSET',
    /labels\.txt:2: span 8-11 runs past the end of article 1 \(10 characters\)/,
    {
      articleLengths,
    },
  );
  rejects('2\t0\t5\n', 'SPN_ERR_ARTICLE_MISSING', /labels\.txt:1: article 2 has no article file/, {
    articleLengths,
  });
});

test('writers produce what the parser reads back', () => {
  const tc = [
    { articleId: '7', technique: 'Slogans' as const, cpStart: 3, cpEnd: 9 },
    { articleId: '8', technique: 'Repetition' as const, cpStart: 0, cpEnd: 1 },
  ];
  assert.deepEqual(parseLabels(formatTcLabels(tc), 'f').techniqueSpans, tc);
  assert.deepEqual(
    parseLabels(formatSiLabels(tc), 'f').spans,
    tc.map(({ technique: _, ...s }) => s),
  );
  assert.equal(formatTemplate(tc), '7\t?\t3\t9\n8\t?\t0\t1\n');
});

test('a corpus folder is read with articles, SI, TC and template labels', async () => {
  const corpus = await readCorpus(CORPUS);
  assert.deepEqual(
    corpus.articles.map((a) => a.id),
    ['1001', '1002', '1003'],
  );
  assert.equal(corpus.si?.length, 8);
  assert.equal(corpus.tc?.length, 10);
  assert.equal(corpus.template?.length, 10);
  // Code-point offsets pick out the right words even after a BOM, an emoji and a flag.
  const text = corpus.articles[1]!.text;
  const slogan = corpus.tc!.find((s) => s.technique === 'Slogans')!;
  assert.equal(
    Array.from(text).slice(slogan.cpStart, slogan.cpEnd).join(''),
    'Stand firm, stand proud',
  );
  assert.equal(text.codePointAt(0), 0xfeff);
});

test('a corpus whose labels run past an article names the file and line', async () => {
  const dir = tempDir();
  cpSync(CORPUS, dir, { recursive: true });
  const file = join(dir, 'labels-tc', 'article1003.task-tc.labels');
  writeFileSync(file, '1003\tDoubt\t10\t500\n');
  await assert.rejects(readCorpus(dir), (error: unknown) => {
    assert.ok(error instanceof SpinscopeError);
    assert.equal(error.code, 'SPN_ERR_LABEL_OFFSET');
    assert.equal(error.file, file);
    assert.equal(error.line, 1);
    return true;
  });
});

test('a label for an article without an article file is an error', async () => {
  const dir = tempDir();
  cpSync(CORPUS, dir, { recursive: true });
  writeFileSync(join(dir, 'labels-si', 'article9999.task-si.labels'), '9999\t0\t4\n');
  await assert.rejects(readCorpus(dir), /article 9999 has no article file/);
});

test('a folder without articles is refused clearly', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'articles'));
  await assert.rejects(readCorpus(dir), /has no article<ID>\.txt files/);
  await assert.rejects(readCorpus(join(dir, 'missing')), /is not a folder/);
});

test('binary and invalid UTF-8 bytes are refused, a BOM is kept', () => {
  assert.throws(
    () => decodeText(new Uint8Array([0x41, 0x00, 0x42]), 'x.bin'),
    /x\.bin: looks like a binary file/,
  );
  assert.throws(() => decodeText(new Uint8Array([0x41, 0xff, 0x42]), 'x.txt'), /not valid UTF-8/);
  assert.equal(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), 'ok'), '\ufeffA');
});

test('atomic writes leave the whole new file and no temporary files behind', async () => {
  const dir = tempDir();
  const file = join(dir, 'out.labels');
  writeFileSync(file, 'old');
  await writeFileAtomically(file, '1\t0\t5\n');
  assert.equal(readFileSync(file, 'utf8'), '1\t0\t5\n');
  assert.deepEqual(readdirSync(dir), ['out.labels']);
});

test('corpus folders merge into one, in id order; an article in two folders is refused', async () => {
  const corpus = await readCorpus(join(FIXTURES, 'corpus'));
  const [first, ...rest] = corpus.articles;
  const part = (articles: typeof corpus.articles, dir: string) => ({
    dir,
    articles,
    si: corpus.si!.filter((l) => articles.some((a) => a.id === l.articleId)),
    tc: corpus.tc!.filter((l) => articles.some((a) => a.id === l.articleId)),
    template: undefined,
  });
  const merged = mergeCorpora([part(rest, '/data/ptc/train'), part([first!], '/data/ptc/dev')]);
  assert.deepEqual(
    merged.articles.map((a) => a.id),
    corpus.articles.map((a) => a.id),
  );
  assert.equal(merged.si!.length, corpus.si!.length);
  assert.equal(merged.tc!.length, corpus.tc!.length);
  assert.equal(merged.template, undefined);
  assert.equal(corpusName(merged.dir), 'ptc/train + ptc/dev');
  assert.throws(
    () => mergeCorpora([corpus, part([first!], 'dev')]),
    (error: unknown) => error instanceof SpinscopeError && /is in two folders/.test(error.message),
  );
});

test('an HTML title loses a trailing " | Site" or " - Site" naming its own site, nothing else', () => {
  const page = (title: string, site: string) =>
    `<!doctype html><html><head><title>${title}</title>` +
    `<meta property="og:title" content="${title}"><meta property="og:site_name" content="${site}">` +
    `</head><body><article><h1>Library Closes</h1><p>${'The faceless bureaucrats struck again today. '.repeat(8)}</p></article></body></html>`;
  const courier = extractArticle(
    page('Library Closes | The Riverside Courier', 'The Riverside Courier'),
  );
  assert.equal(courier.title, 'Library Closes');
  assert.equal(courier.siteName, 'The Riverside Courier');
  assert.match(courier.text, /^Library Closes\n\n/);
  assert.equal(withoutSiteName('Vote - the riverside courier', 'The Riverside Courier'), 'Vote');
  assert.equal(withoutSiteName('Vote — Courier', 'Courier'), 'Vote');
  // Another site's name, a name inside the title, or the name alone stay.
  assert.equal(withoutSiteName('Vote | Daily Planet', 'Courier'), 'Vote | Daily Planet');
  assert.equal(withoutSiteName('Courier staff vote', 'Courier'), 'Courier staff vote');
  assert.equal(withoutSiteName(' | Courier', 'Courier'), ' | Courier');
  assert.equal(withoutSiteName('Vote | Courier', undefined), 'Vote | Courier');
});
