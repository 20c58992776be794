import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  TECHNIQUES,
  TECHNIQUE_LABELS,
  isTechniqueLabel,
  techniqueById,
  techniqueByLabel,
} from '../src/techniques/catalogue.js';
import { SHARED } from './helpers.js';

test('the catalogue has the 14 corpus labels, in the corpus order', () => {
  assert.equal(TECHNIQUES.length, 14);
  assert.deepEqual(
    TECHNIQUES.map((t) => t.label),
    [...TECHNIQUE_LABELS],
  );
  const file = join(SHARED, 'data/ptc/techniques-14.txt');
  if (existsSync(file)) {
    const labels = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    assert.deepEqual([...TECHNIQUE_LABELS], labels);
  }
});

test('ids, names and colours are unique; every entry is complete', () => {
  for (const key of ['id', 'name', 'color', 'ansi256'] as const) {
    assert.equal(new Set(TECHNIQUES.map((t) => t[key])).size, 14, key);
  }
  for (const t of TECHNIQUES) {
    assert.match(t.id, /^[a-z]+(-[a-z]+)*$/);
    assert.match(t.color, /^#[0-9a-f]{6}$/i);
    assert.ok(t.ansi256 >= 16 && t.ansi256 <= 231);
    assert.ok(t.explanation.length > 150, `${t.id}: explanation too short`);
    assert.ok(t.example.includes(t.exampleSpan), `${t.id}: example span not in example`);
  }
});

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test('highlight colours keep WCAG AA contrast (4.5) behind dark text', () => {
  const text = luminance('#111111');
  for (const t of TECHNIQUES) {
    const ratio = (luminance(t.color) + 0.05) / (text + 0.05);
    assert.ok(ratio >= 4.5, `${t.id}: contrast ${ratio.toFixed(2)}`);
  }
});

test('lookups by label and id', () => {
  assert.equal(techniqueByLabel('Name_Calling,Labeling')?.id, 'name-calling-labeling');
  assert.equal(techniqueById('slogans')?.label, 'Slogans');
  assert.equal(techniqueByLabel('slogans'), undefined);
  assert.equal(isTechniqueLabel('Doubt'), true);
  assert.equal(isTechniqueLabel('Propaganda'), false);
});
