import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CodePointIndex, codePointLength } from '../src/text/offsets.js';

test('plain BMP text maps offsets one to one', () => {
  const index = new CodePointIndex('hello');
  assert.equal(index.isIdentity, true);
  assert.equal(index.length, 5);
  assert.equal(index.toUnit(3), 3);
  assert.equal(index.toCodePoint(5), 5);
});

test('an emoji is one code point and two UTF-16 units', () => {
  const text = 'a😀b';
  const index = new CodePointIndex(text);
  assert.equal(text.length, 4);
  assert.equal(index.length, 3);
  assert.equal(index.toUnit(2), 3);
  assert.equal(index.slice(2, 3), 'b');
  assert.equal(index.toCodePoint(3), 2);
  // The middle of a surrogate pair belongs to the pair's code point.
  assert.equal(index.toCodePoint(2), 1);
});

test('a flag is two code points (two regional indicators)', () => {
  const text = '🇺🇸 USA';
  const index = new CodePointIndex(text);
  assert.equal(index.length, 6);
  assert.equal(index.slice(3, 6), 'USA');
  assert.equal(index.slice(0, 2), '🇺🇸');
});

test('combining marks count as code points of their own', () => {
  const text = 'e\u0301tude';
  const index = new CodePointIndex(text);
  assert.equal(index.length, 6);
  assert.equal(index.slice(2, 6), 'tude');
});

test('a leading BOM is character 0', () => {
  const text = '\ufeffTitle';
  const index = new CodePointIndex(text);
  assert.equal(index.length, 6);
  assert.equal(index.slice(1, 6), 'Title');
  assert.equal(codePointLength(text), Array.from(text).length);
});

test('out-of-range offsets are rejected', () => {
  const index = new CodePointIndex('a😀');
  assert.throws(() => index.toUnit(3), RangeError);
  assert.throws(() => index.toUnit(-1), RangeError);
  assert.throws(() => index.toCodePoint(4), RangeError);
  assert.throws(() => index.toUnit(1.5), RangeError);
});

test('conversions round-trip on random strings (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
      const index = new CodePointIndex(text);
      const codePoints = Array.from(text);
      assert.equal(index.length, codePoints.length);
      for (let cp = 0; cp <= index.length; cp++) {
        const unit = index.toUnit(cp);
        assert.equal(index.toCodePoint(unit), cp);
        assert.equal(text.slice(0, unit), codePoints.slice(0, cp).join(''));
      }
    }),
    { numRuns: 300 },
  );
});

test('slices agree with Array.from on random strings with emoji (property)', () => {
  const withAstral = fc.array(fc.constantFrom('a', ' ', 'é', '😀', '🇫', '\u0301', '\ufeff', 'Z'), {
    maxLength: 40,
  });
  fc.assert(
    fc.property(withAstral, fc.nat(), fc.nat(), (chars, x, y) => {
      const text = chars.join('');
      const index = new CodePointIndex(text);
      const a = Math.min(x, y) % (index.length + 1);
      const b = Math.max(a, Math.max(x, y) % (index.length + 1));
      assert.equal(index.slice(a, b), Array.from(text).slice(a, b).join(''));
    }),
    { numRuns: 300 },
  );
});
