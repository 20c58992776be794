import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { featureKey, featureName, featureSlot, hashString } from '../src/features/hash.js';

// The shipped model's weights sit at the FNV-1a hash of each feature's name, so the fast
// path (key hashed once, value hashed on from there) must give exactly that hash.

test('a feature slot is the FNV-1a hash of the feature name', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.oneof(fc.string({ maxLength: 20 }), fc.nat({ max: 10_000_000 })),
      fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      fc.constantFrom('=', ':'),
      (name, value, value2, separator) => {
        const key = featureKey(name, separator);
        assert.equal(featureSlot(key, value, value2), hashString(featureName(key, value, value2)));
      },
    ),
    { numRuns: 500 },
  );
});

test('features without a value hash their key; known FNV-1a values hold', () => {
  const key = featureKey('bias');
  assert.equal(featureSlot(key), hashString('bias'));
  assert.equal(featureName(key), 'bias');
  assert.equal(hashString(''), 0x811c9dc5);
  assert.equal(hashString('a'), 0xe40c292c);
  assert.equal(featureSlot(featureKey('art'), 0), hashString('art=0'));
  assert.equal(featureSlot(featureKey('cl0'), 4095), hashString('cl0=4095'));
  assert.equal(featureSlot(featureKey('ww-1'), 'the', 'traitor'), hashString('ww-1=the|traitor'));
  assert.equal(featureName(featureKey('S', ':'), 'excl'), 'S:excl');
});
