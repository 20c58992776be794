import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFeature } from '../src/features/describe.js';
import { featureName, featureKey } from '../src/features/hash.js';

test('cue texts: sentence flags (key:value) and window words (key=value) read as words', () => {
  const sentenceFlag = (flag: string) => featureName(featureKey('S', ':'), flag);
  assert.equal(sentenceFlag('question'), 'S:question');
  assert.equal(describeFeature(sentenceFlag('question')), 'a question');
  assert.equal(describeFeature(sentenceFlag('excl')), 'an exclamation');
  assert.equal(describeFeature(sentenceFlag('quote')), 'a sentence with a quotation');
  assert.equal(describeFeature(sentenceFlag('long')), undefined);
  assert.equal(describeFeature('w-1=so-called'), 'after "so-called"');
  assert.equal(describeFeature('w1=elites'), 'before "elites"');
  // A value may hold the other separator.
  assert.equal(describeFeature('sbag=10:30'), '"10:30" in the sentence');
});
