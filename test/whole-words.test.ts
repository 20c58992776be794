import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyze.js';
import { toTextSpan } from '../src/detect/detector.js';
import { findTokenSpans } from '../src/detect/span-tagger.js';
import { MAX_COMPLETING_WORDS } from '../src/detect/whole-words.js';
import { parseArticle } from '../src/text/document.js';
import { FIXTURES } from './helpers.js';

const DECODING = { low: 0.5, high: 0.8, maxGap: 0 };

/**
 * The spans decoded from a tagger that finds exactly the tokens of `marked` (the first
 * occurrence in `text`), as code-point offsets and text.
 */
function decode(text: string, marked: string): { start: number; end: number; text: string }[] {
  const doc = parseArticle(text);
  const at = text.indexOf(marked);
  assert.ok(at >= 0, `"${marked}" is not in the text`);
  const from = doc.offsets.toCodePoint(at);
  const to = doc.offsets.toCodePoint(at + marked.length);
  const probs = new Float32Array(doc.tokens.length);
  doc.tokens.forEach((t, i) => {
    if (t.cpStart >= from && t.cpEnd <= to) probs[i] = 0.9;
  });
  return findTokenSpans(doc, probs, DECODING).map((span) => {
    const { cpStart, cpEnd } = toTextSpan(doc, span);
    return { start: cpStart, end: cpEnd, text: doc.offsets.slice(cpStart, cpEnd) };
  });
}

const texts = (text: string, marked: string) => decode(text, marked).map((s) => s.text);

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

/** Whether code points `at - 1` and `at` belong to one word (letters, digits, or a hyphen between). */
function insideWord(chars: readonly string[], at: number): boolean {
  const [before, after] = [chars[at - 1] ?? ' ', chars[at] ?? ' '];
  const alnum = (c: string) => LETTER_OR_DIGIT.test(c);
  if (alnum(before) && alnum(after)) return true;
  const hyphenBetween = (i: number) => chars[i] === '-' && alnum(chars[i - 1] ?? ' ');
  return (after === '-' && alnum(before)) || (hyphenBetween(at - 1) && alnum(after));
}

test('a span ending on a determiner, possessive or conjunction takes in the word that finishes it', () => {
  const text = 'They will close our clinics and our parks every single week.';
  assert.deepEqual(texts(text, 'close our clinics and our'), ['close our clinics and our parks']);
  assert.deepEqual(texts(text, 'our parks every single'), ['our parks every single week']);
  assert.deepEqual(texts('Nobody will save Our Beloved Library now.', 'save Our Beloved'), [
    'save Our Beloved Library',
  ]);
});

test('a span never ends on a function word it cannot finish: before punctuation or past the limit', () => {
  assert.deepEqual(texts('Stop the madness of the 🔥 now.', 'Stop the madness of the'), [
    'Stop the madness',
  ]);
  assert.deepEqual(texts('They hate our, ours and yours.', 'They hate our'), ['They hate']);
  // "the" needs United States Congress Budget: more words than a span may take in.
  assert.ok(MAX_COMPLETING_WORDS < 4);
  assert.deepEqual(
    texts('They met at the United States Congress Budget Office.', 'They met at the'),
    ['They met'],
  );
  // A preposition that ends its clause is not left hanging.
  assert.deepEqual(texts('They gave up. Then they left.', 'They gave up'), ['They gave up']);
});

test('a span never starts on a conjunction that joins it to what came before', () => {
  assert.deepEqual(texts('Close the clinics and our parks die.', 'and our parks die'), [
    'our parks die',
  ]);
});

test('a span takes in the closing quote of a quotation it opened, and drops an opening quote at its end', () => {
  const text = 'The mayor said it was "too costly to maintain" and left.';
  assert.deepEqual(texts(text, 'it was "too costly to maintain'), [
    'it was "too costly to maintain"',
  ]);
  assert.deepEqual(texts(text, 'it was "too costly to'), ['it was "too costly to maintain"']);
  assert.deepEqual(texts('He said "stop" and "go" again.', 'said "stop" and "'), ['said "stop"']);
});

test('a hyphenated compound or a contraction is one word: a span never cuts it', () => {
  const text = 'They are hard-working people who don’t quit.';
  assert.deepEqual(texts(text, 'They are hard'), ['They are hard-working']);
  assert.deepEqual(texts(text, '-working people'), ['hard-working people']);
  assert.deepEqual(texts(text, 'people who don'), ['people who don’t']);
});

test('a span never starts or ends on emoji, flags or symbols, with offsets in code points', () => {
  const text = '\ufeff🇬🇧 🔥 The imperialist powers are organising ★\n\n👉 Wake up now 👍🏽';
  const chars = Array.from(text);
  for (const [marked, expected] of [
    ['🇬🇧 🔥 The imperialist powers', 'The imperialist powers'],
    ['\ud83c\udde7 🔥 The imperialist powers', 'The imperialist powers'], // half a flag
    ['powers are organising ★', 'powers are organising'],
    ['👉 Wake up now 👍🏽', 'Wake up now'],
  ] as const) {
    const [span, ...more] = decode(text, marked);
    assert.equal(more.length, 0);
    assert.equal(span!.text, expected);
    assert.equal(chars.slice(span!.start, span!.end).join(''), expected);
  }
  assert.deepEqual(texts(text, '🇬🇧 🔥'), []);
});

test('analyze(): on an article with emoji before each paragraph no span cuts a word, sits on an emoji or hangs on a function word', async () => {
  const text = readFileSync(join(FIXTURES, 'emoji-paragraphs.txt'), 'utf8');
  const chars = Array.from(text);
  for (const model of ['sm', 'md', 'lg']) {
    const { spans } = await analyze(text, { model, explain: false });
    assert.ok(spans.length > 0, `${model} found no span`);
    for (const span of spans) {
      const what = `${model}: "${span.text}"`;
      assert.ok(!insideWord(chars, span.start) && !insideWord(chars, span.end), what);
      const [first, last] = [chars[span.start]!, chars[span.end - 1]!];
      assert.ok(!EMOJI.test(first) && !EMOJI.test(last), what);
      assert.doesNotMatch(span.text, /\b(?:the|an?|every|our|their|and|or|of)$/iu, what);
    }
  }
});
