/**
 * Search for the 14 highlight colours: light enough for dark text (WCAG AA against #111111),
 * and as far apart as possible by CIEDE2000 for normal vision and under simulated
 * deuteranopia and protanopia (Machado et al. 2009, in linear RGB: colour-vision.ts). The score
 * of a palette
 * is its worst pair, each vision's difference divided by its target (15 normal, 8 simulated),
 * among colours of bounded lightness and chroma (LIGHTNESS, CHROMA); greedy farthest-point
 * picks from random starts, then swaps, keep the best. Tritanopia is reported, not scored:
 * no 14 light colours stay 8 apart for all three. Prints each colour's xterm code too.
 *
 *   npx tsx scripts/search-palette.ts [--starts 40] [--pool 6000] [--seed 1]
 */
import { converter, differenceCiede2000, formatHex, wcagContrast, type Rgb } from 'culori';
import { seededRandom } from '../src/train/random.js';
import { simulate } from './colour-vision.js';
import { scriptArgs } from './script-args.js';

const { values } = scriptArgs(import.meta.url, {
  starts: { type: 'string', default: '40' },
  pool: { type: 'string', default: '6000' },
  seed: { type: 'string', default: '1' },
});

const TEXT = '#111111';
const MIN_CONTRAST = 4.6; // WCAG AA is 4.5; a little margin for rounding to hex
const TARGETS = { normal: 15, deuter: 8, prot: 8 };
/**
 * Highlights behind running text: not near white (they must show on the page), not neon
 * (OKLCH lightness and chroma bounds, chosen by eye).
 */
const LIGHTNESS = [0.62, 0.9];
const CHROMA = [0.05, 0.16];
const oklch = converter('oklch');
const COLOURS = 14;

const deltaE = differenceCiede2000();
const random = seededRandom(Number(values.seed));

interface Candidate {
  hex: string;
  normal: Rgb;
  deuter: Rgb;
  prot: Rgb;
  trit: Rgb;
}

const pool: Candidate[] = [];
while (pool.length < Number(values.pool)) {
  const rgb: Rgb = { mode: 'rgb', r: random(), g: random(), b: random() };
  const hex = formatHex(rgb);
  if (wcagContrast(hex, TEXT) < MIN_CONTRAST) continue;
  const { l, c } = oklch(rgb);
  if (l < LIGHTNESS[0]! || l > LIGHTNESS[1]! || c < CHROMA[0]! || c > CHROMA[1]!) continue;
  pool.push({
    hex,
    normal: rgb,
    deuter: simulate('deuteranopia', rgb),
    prot: simulate('protanopia', rgb),
    trit: simulate('tritanopia', rgb),
  });
}

/** How far apart two candidates are, as a share of the targets (1: exactly on target). */
function distance(a: Candidate, b: Candidate): number {
  return Math.min(
    deltaE(a.normal, b.normal) / TARGETS.normal,
    deltaE(a.deuter, b.deuter) / TARGETS.deuter,
    deltaE(a.prot, b.prot) / TARGETS.prot,
  );
}

function score(palette: readonly Candidate[]): number {
  let worst = Infinity;
  for (let i = 0; i < palette.length; i++)
    for (let j = i + 1; j < palette.length; j++)
      worst = Math.min(worst, distance(palette[i]!, palette[j]!));
  return worst;
}

function greedy(start: Candidate): Candidate[] {
  const palette = [start];
  const nearest = pool.map((c) => distance(c, start));
  while (palette.length < COLOURS) {
    let best = 0;
    for (let i = 1; i < pool.length; i++) if (nearest[i]! > nearest[best]!) best = i;
    const chosen = pool[best]!;
    palette.push(chosen);
    pool.forEach((c, i) => (nearest[i] = Math.min(nearest[i]!, distance(c, chosen))));
  }
  return palette;
}

/** Replace a member of the closest pair by the pool colour that most raises the score. */
function improve(palette: Candidate[]): Candidate[] {
  for (let round = 0; round < 30; round++) {
    const current = score(palette);
    let bestSwap: { at: number; with: Candidate; score: number } | undefined;
    for (let at = 0; at < palette.length; at++) {
      const others = palette.filter((_, i) => i !== at);
      for (const c of pool) {
        let worst = Infinity;
        for (const o of others) {
          worst = Math.min(worst, distance(c, o));
          if (worst <= current) break;
        }
        if (worst > current && worst > (bestSwap?.score ?? current)) {
          const next = [...others, c];
          const s = score(next);
          if (s > (bestSwap?.score ?? current)) bestSwap = { at, with: c, score: s };
        }
      }
    }
    if (!bestSwap) break;
    palette = [...palette.filter((_, i) => i !== bestSwap.at), bestSwap.with];
  }
  return palette;
}

let best: Candidate[] = [];
let bestScore = -1;
for (let s = 0; s < Number(values.starts); s++) {
  const palette = improve(greedy(pool[Math.floor(random() * pool.length)]!));
  const sc = score(palette);
  if (sc > bestScore) {
    best = palette;
    bestScore = sc;
    console.log(`start ${s}: worst pair at ${sc.toFixed(3)} of the targets`);
  }
}

const worstOf = (key: 'normal' | 'deuter' | 'prot' | 'trit') => {
  let worst = Infinity;
  for (let i = 0; i < best.length; i++)
    for (let j = i + 1; j < best.length; j++)
      worst = Math.min(worst, deltaE(best[i]![key], best[j]![key]));
  return worst;
};
console.log(
  `CIEDE2000 worst pair: normal ${worstOf('normal').toFixed(1)}, deuteranopia ${worstOf('deuter').toFixed(1)}, protanopia ${worstOf('prot').toFixed(1)}, tritanopia ${worstOf('trit').toFixed(1)}`,
);

/** The nearest colour of the xterm 6x6x6 cube, by CIEDE2000 (the terminal's highlight). */
const LEVELS = [0, 95, 135, 175, 215, 255];
function xterm(hex: string): number {
  let best = { code: 16, difference: Infinity };
  for (let i = 0; i < 216; i++) {
    const [r, g, b] = [Math.floor(i / 36), Math.floor(i / 6) % 6, i % 6].map(
      (k) => LEVELS[k]! / 255,
    );
    const difference = deltaE(hex, { mode: 'rgb', r: r!, g: g!, b: b! });
    if (difference < best.difference) best = { code: 16 + i, difference };
  }
  return best.code;
}
console.log(
  best
    .map(
      (c) => `${c.hex} (contrast ${wcagContrast(c.hex, TEXT).toFixed(2)}, xterm ${xterm(c.hex)})`,
    )
    .join('\n'),
);
