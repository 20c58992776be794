import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArticle, tokensInSpan } from '../src/text/document.js';
import { setLearnedWordLimit, winkLearnedWords } from '../src/text/tokenize.js';

const ARTICLE =
  'Mayor Promises a “Miracle” 🎉\n\nThe mayor said Dr. Brown agreed. Critics were not so sure!\nWhy now? 🇬🇧 Voters deserve better.\n';

test('the corpus layout gives a title line and body lines', () => {
  const doc = parseArticle(ARTICLE);
  assert.equal(doc.title?.text, 'Mayor Promises a “Miracle” 🎉');
  assert.equal(doc.title?.isTitle, true);
  assert.equal(doc.lines.length, 5);
  assert.equal(doc.lines[2]?.text, 'The mayor said Dr. Brown agreed. Critics were not so sure!');
  // Line 2 starts after the title (27 code points, the emoji counting one), \n and the empty line's \n.
  assert.equal(doc.lines[2]?.cpStart, Array.from('Mayor Promises a “Miracle” 🎉\n\n').length);
});

test('plain text without the title layout has no title', () => {
  const doc = parseArticle('Just one line. And a second sentence.');
  assert.equal(doc.title, undefined);
  assert.equal(doc.sentences.length, 2);
  assert.equal(parseArticle(ARTICLE, 'plain').title, undefined);
});

test('sentences split inside a line but never across lines, and keep abbreviations', () => {
  const doc = parseArticle(ARTICLE);
  assert.deepEqual(
    doc.sentences.map((s) => s.text),
    [
      'Mayor Promises a “Miracle” 🎉',
      'The mayor said Dr. Brown agreed.',
      'Critics were not so sure!',
      'Why now?',
      '🇬🇧 Voters deserve better.',
    ],
  );
  for (const s of doc.sentences) assert.equal(doc.lines[s.line]?.text.includes(s.text), true);
});

test('every token offset is in code points and slices back to the token', () => {
  const doc = parseArticle(ARTICLE);
  const codePoints = Array.from(ARTICLE);
  for (const token of doc.tokens) {
    assert.equal(codePoints.slice(token.cpStart, token.cpEnd).join(''), token.text);
  }
  const voters = doc.tokens.find((t) => t.text === 'Voters');
  assert.ok(voters);
  assert.equal(voters.cpStart, Array.from(ARTICLE.slice(0, ARTICLE.indexOf('Voters'))).length);
});

test('a leading BOM is kept as character 0 and not inside any token', () => {
  const text = '\ufeffHeadline here\n\nBody text 😀 with emoji.';
  const doc = parseArticle(text);
  assert.equal(doc.length, Array.from(text).length);
  assert.equal(doc.title?.cpStart, 0);
  assert.equal(doc.tokens[0]?.text, 'Headline');
  assert.equal(doc.tokens[0]?.cpStart, 1);
  const emojiAt = doc.tokens.findIndex((t) => t.text === 'with');
  assert.equal(
    doc.tokens[emojiAt]?.cpStart,
    Array.from(text.slice(0, text.indexOf('with'))).length,
  );
});

test('combining marks stay inside their token', () => {
  const text = 'An e\u0301tude for the people.';
  const doc = parseArticle(text);
  const etude = doc.tokens.find((t) => t.text.startsWith('e'));
  assert.equal(etude?.text, 'e\u0301tude');
  assert.equal(etude?.cpEnd - etude!.cpStart, 6);
  assert.equal(doc.tokens.map((t) => t.text).join(' '), 'An e\u0301tude for the people .');
});

test('Windows line ends do not leak into lines or tokens', () => {
  const doc = parseArticle('Title\r\n\r\nFirst line.\r\nSecond line.');
  assert.equal(doc.title?.text, 'Title');
  assert.deepEqual(
    doc.sentences.map((s) => s.text),
    ['Title', 'First line.', 'Second line.'],
  );
});

test('tokensInSpan finds the tokens overlapping a span', () => {
  const doc = parseArticle('one two three four');
  assert.deepEqual(tokensInSpan(doc, { cpStart: 4, cpEnd: 13 }), [1, 3]);
  assert.deepEqual(tokensInSpan(doc, { cpStart: 5, cpEnd: 6 }), [1, 2]);
});

test('empty and whitespace-only text gives no tokens', () => {
  assert.equal(parseArticle('').tokens.length, 0);
  assert.equal(parseArticle('  \n\n \t ').sentences.length, 0);
});

test('tokens depend on the text alone, not on what was read before', () => {
  // wink's cache learns new words; a word first seen inside another document must not
  // change how a later document is split.
  const text = 'Nobody questioned Grzybowski’s plan.';
  const before = parseArticle(text).tokens.map((t) => t.text);
  parseArticle('Grzybowski’s supporters cheered. Grzybowski’s rivals did not. Grzybowski’s');
  parseArticle('Grzybowski’s Grzybowski’s');
  const after = parseArticle(text).tokens.map((t) => t.text);
  assert.deepEqual(after, before);
});

test('the words wink learns stay bounded: past the limit the engine starts afresh, same tokens', () => {
  const text = 'Nobody questioned Grzybowski’s plan 🎉, said Dr. Brown-Smith at 10:30.';
  const tokens = (doc: ReturnType<typeof parseArticle>) =>
    doc.tokens.map((t) => [t.text, t.lemma, t.pos, t.cpStart, t.cpEnd].join('/'));
  const before = tokens(parseArticle(text));
  setLearnedWordLimit(500);
  try {
    // 3000 new words: the engine learns them, then is built afresh at least once.
    let most = 0;
    for (let k = 0; k < 30; k++) {
      const words = Array.from({ length: 100 }, (_, i) => `zq${k}x${i}vy`);
      parseArticle(words.join(' '));
      most = Math.max(most, winkLearnedWords());
    }
    assert.ok(most > 0, 'wink learned the new words');
    assert.ok(most <= 500 + 100 * 2, `learned words stayed near the limit (${most})`);
    assert.deepEqual(tokens(parseArticle(text)), before);
  } finally {
    setLearnedWordLimit(200_000);
  }
});
