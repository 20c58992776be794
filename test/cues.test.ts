import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyze.js';
import type { Cue } from '../src/detect/analysis.js';
import { parseArticle, type Token } from '../src/text/document.js';
import { EXAMPLE_TEXT } from '../web/src/example.js';
import { FIXTURES } from './helpers.js';

const ARTICLES = join(FIXTURES, 'corpus/articles');
/** Our own fixture articles, the web UI's example, and one with a title, a name and a question. */
const TEXTS = [
  ...readdirSync(ARTICLES).map((f) => readFileSync(join(ARTICLES, f), 'utf8')),
  EXAMPLE_TEXT,
  'Invaders at the Gate\n\nGeneral Idriss warned that the rebels are invading while the going is good. ' +
    'Can we really trust a man whose own figures change every week? ' +
    'These traitors will destroy everything we love! ' +
    'If we do nothing, the invaders will flood every street of our proud nation. ' +
    'Everyone knows the corrupt elites are laughing at us. Stand firm, stand proud!\n',
];

/** Words with no charge of their own, which a model once gave as cues. */
const NEUTRAL = new Set([
  'reading',
  'foot',
  'room',
  'conference',
  'change',
  'building',
  'allow',
  'come',
]);

interface ExplainedSpan {
  text: string;
  start: number;
  end: number;
  cues: readonly Cue[];
  /** The article's token at each word cue's offsets. */
  words: (Token | undefined)[];
  /** The sentence the span starts in, and whether it is the headline's. */
  sentence: string;
  headline: boolean;
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
      const first = doc.tokens.find((t) => t.cpEnd > span.start)!;
      const sentence = doc.sentences[first.sentence]!.text;
      spans.push({ ...span, words, sentence, headline: doc.lines[first.line]!.isTitle });
    }
  }
  return spans;
}

for (const model of ['sm', 'md']) {
  test(`${model}: cues read as plain English: a/an, no stop words, no names or titles`, async () => {
    const spans = await explained(model);
    assert.ok(spans.length >= 8, `${spans.length} spans`);
    // A phrase with nothing charged in or around it says nothing rather than something untrue.
    const silent = spans.filter((span) => span.cues.length === 0);
    assert.ok(silent.length <= spans.length / 5, `${silent.length} of ${spans.length} say nothing`);
    for (const span of spans) {
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

  test(`${model}: no cue twice, and no cue names a word without a charge of its own`, async () => {
    for (const span of await explained(model)) {
      const texts = span.cues.map((c) => c.text);
      assert.equal(new Set(texts).size, texts.length, `a cue twice: ${texts.join('; ')}`);
      const named = texts.flatMap((t) => [...t.matchAll(/"([^"]+)"/gu)].map((m) => m[1]!));
      assert.equal(new Set(named).size, named.length, `a word named twice: ${texts.join('; ')}`);
      for (const word of named)
        assert.ok(!NEUTRAL.has(word.toLowerCase()), `a neutral word: ${texts.join('; ')}`);
    }
  });

  test(`${model}: what a cue says of the phrase and its sentence is so`, async () => {
    for (const span of await explained(model)) {
      for (const { text } of span.cues) {
        const where = `"${text}" for "${span.text}"`;
        // No slogan detector and no stock phrase across the sentence: only words they use.
        assert.doesNotMatch(text, /slogan|stock phrase in the same sentence/u, where);
        const inSentence = /\("([^"]+)"\) in the same sentence$/u.exec(text);
        if (inSentence) assert.ok(span.sentence.includes(inSentence[1]!), where);
        const charged = /^a strongly (?:negative|positive) word \("([^"]+)"\)$/u.exec(text);
        if (charged) assert.ok(span.text.includes(charged[1]!), where);
        if (text === 'a question in the same sentence') assert.match(span.sentence, /\?/u, where);
        if (text === 'an exclamation in the same sentence')
          assert.match(span.sentence, /!/u, where);
        if (text === 'in the headline') assert.ok(span.headline, where);
      }
    }
  });
}

test('md: the phrases of issue #32 have no neutral word, no slogan and no repeat among their cues', async () => {
  const spans = (await analyze(EXAMPLE_TEXT, { model: 'md' })).spans;
  const cuesOf = (start: string) => {
    const span = spans.find((s) => s.text.startsWith(start));
    assert.ok(span, `a highlight starting "${start}"`);
    return span.cues.map((c) => c.text).join('; ');
  };
  assert.doesNotMatch(cuesOf('smug penny-pincher'), /"reading"|"foot"|slogan/u);
  assert.doesNotMatch(cuesOf('The faceless bureaucrats'), /slogan/u);
  assert.doesNotMatch(cuesOf('we will say it again'), /bulldozers.*bulldozers/u);
  assert.doesNotMatch(cuesOf('can we really trust'), /"change"/u);
});
