import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyze.js';
import type { Cue } from '../src/detect/analysis.js';
import { parseArticle, type Token } from '../src/text/document.js';
import { FIXTURES } from './helpers.js';

const ARTICLES = join(FIXTURES, 'corpus/articles');
/** Our own fixture articles, and one more with a title, a name and a question. */
const TEXTS = [
  ...readdirSync(ARTICLES).map((f) => readFileSync(join(ARTICLES, f), 'utf8')),
  'Invaders at the Gate\n\nGeneral Idriss warned that the rebels are invading while the going is good. ' +
    'Can we really trust a man whose own figures change every week? ' +
    'These traitors will destroy everything we love! ' +
    'If we do nothing, the invaders will flood every street of our proud nation. ' +
    'Everyone knows the corrupt elites are laughing at us. Stand firm, stand proud!\n',
];

interface ExplainedSpan {
  text: string;
  start: number;
  end: number;
  cues: readonly Cue[];
  /** The article's token at each word cue's offsets. */
  words: (Token | undefined)[];
}

/** Every span that a shipped model finds in the fixture articles, with its cues' words. */
async function explained(model: string): Promise<ExplainedSpan[]> {
  const spans: ExplainedSpan[] = [];
  for (const text of TEXTS) {
    const doc = parseArticle(text);
    for (const span of (await analyze(text, { model })).spans) {
      const words = span.cues
        .filter((c) => c.start !== undefined)
        .map((c) => doc.tokens.find((t) => t.cpStart === c.start && t.cpEnd === c.end));
      spans.push({ ...span, words });
    }
  }
  return spans;
}

for (const model of ['sm', 'md']) {
  test(`${model}: cues read as plain English: a/an, no stop words, no names or titles`, async () => {
    const spans = await explained(model);
    assert.ok(spans.length >= 8, `${spans.length} spans`);
    for (const span of spans) {
      assert.ok(span.cues.length > 0, `"${span.text}" explains itself`);
      for (const cue of span.cues) {
        assert.doesNotMatch(cue.text, /\ba [aeiou]/iu, cue.text);
        assert.doesNotMatch(cue.text, /\ban [^aeiou\s"]/iu, cue.text);
        assert.doesNotMatch(cue.text, /^a word like|", "/u, `no bare word lists: ${cue.text}`);
      }
      for (const word of span.words) {
        assert.ok(word, 'a word cue points at a token of the article');
        assert.ok(!word.isStopWord, `a stop word as a cue: ${word.text}`);
        assert.ok(!['General', 'Idriss'].includes(word.text), `a name or title: ${word.text}`);
      }
    }
  });

  test(`${model}: most spans have a cue that points at a word inside them`, async () => {
    const spans = await explained(model);
    const pointing = spans.filter((span) =>
      span.cues.some((c) => c.start !== undefined && c.start >= span.start && c.end! <= span.end),
    );
    assert.ok(pointing.length > spans.length / 2, `${pointing.length} of ${spans.length} spans`);
    // The cue names the word it points at.
    for (const span of spans)
      for (const cue of span.cues.filter((c) => c.start !== undefined))
        assert.equal(
          cue.text,
          `the word "${span.words.find((w) => w?.cpStart === cue.start)?.text}"`,
        );
  });
}
