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
import { differenceCiede2000, formatHex, parse, wcagContrast, type Color } from 'culori';
import { simulate } from '../scripts/colour-vision.js';
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

/** The smallest CIEDE2000 difference between two of the colours, as `see` shows them. */
function closestPair(
  colours: readonly string[],
  see: (hex: string) => Color = (hex) => parse(hex)!,
) {
  const seen = colours.map(see);
  let worst = { difference: Infinity, pair: ['', ''] };
  for (let i = 0; i < seen.length; i++)
    for (let j = i + 1; j < seen.length; j++) {
      const difference = deltaE(seen[i]!, seen[j]!);
      if (difference < worst.difference) worst = { difference, pair: [colours[i]!, colours[j]!] };
    }
  return worst;
}

const deltaE = differenceCiede2000();

test('the 14 highlight colours stay apart for normal vision and for red-green colour blindness', (t) => {
  const colours = TECHNIQUES.map((t) => t.color);
  const visions = [
    { name: 'normal vision', least: 15, see: (hex: string) => parse(hex)! },
    { name: 'deuteranopia', least: 8, see: (hex: string) => simulate('deuteranopia', hex) },
    { name: 'protanopia', least: 8, see: (hex: string) => simulate('protanopia', hex) },
  ];
  for (const vision of visions) {
    const { difference, pair } = closestPair(colours, vision.see);
    assert.ok(
      difference >= vision.least,
      `${vision.name}: ${pair.join(' and ')} differ by ${difference.toFixed(1)} (CIEDE2000)`,
    );
  }
  // Tritanopia (rare) is reported, not required: no 14 light colours stay 8 apart for it too.
  const trit = closestPair(colours, (hex) => simulate('tritanopia', hex));
  t.diagnostic(`tritanopia: ${trit.pair.join(' and ')} differ by ${trit.difference.toFixed(1)}`);
  // The check can fail: the old palette's pear and yellow are caught (9.6 apart), and in
  // linear RGB its olive and rose are 3.2 apart for deuteranopia.
  assert.ok(closestPair(['#BBCC33', '#F0E442']).difference < 15);
  const olive = closestPair(['#8A9060', '#D55B70'], (hex) => simulate('deuteranopia', hex));
  assert.ok(olive.difference < 8);
});

test('text on every highlight meets WCAG AA contrast (4.5)', () => {
  for (const t of TECHNIQUES) {
    const ratio = wcagContrast(t.color, '#111111');
    assert.ok(ratio >= 4.5, `${t.id}: contrast ${ratio.toFixed(2)}`);
  }
});

test('terminal colours are the nearest of the xterm 6x6x6 cube', () => {
  const levels = [0, 95, 135, 175, 215, 255];
  const cube = Array.from({ length: 216 }, (_, i) => ({
    code: 16 + i,
    colour: {
      mode: 'rgb' as const,
      r: levels[Math.floor(i / 36)]! / 255,
      g: levels[Math.floor(i / 6) % 6]! / 255,
      b: levels[i % 6]! / 255,
    },
  }));
  for (const t of TECHNIQUES) {
    const nearest = cube.reduce((a, b) =>
      deltaE(t.color, b.colour) < deltaE(t.color, a.colour) ? b : a,
    );
    assert.equal(t.ansi256, nearest.code, `${t.id}: ${formatHex(nearest.colour)}`);
  }
});

test('lookups by label and id', () => {
  assert.equal(techniqueByLabel('Name_Calling,Labeling')?.id, 'name-calling-labeling');
  assert.equal(techniqueById('slogans')?.label, 'Slogans');
  assert.equal(techniqueByLabel('slogans'), undefined);
  assert.equal(isTechniqueLabel('Doubt'), true);
  assert.equal(isTechniqueLabel('Propaganda'), false);
});
