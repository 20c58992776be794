/**
 * Colour-blindness simulation as Machado, Oliveira and Fernandes (2009) prescribe: their
 * severity-1.0 matrices applied to linear RGB, then back to sRGB. (culori's
 * `filterDeficiency*` apply the same matrices to gamma-encoded sRGB, which hides confusions.)
 * Shared by the palette search and its test.
 */
import { converter, type Color, type Rgb } from 'culori';

/** Row-major 3x3 matrices, from the authors' page (www.inf.ufrgs.br/~oliveira). */
const MACHADO = {
  deuteranopia: [
    0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.01182, 0.04294, 0.968881,
  ],
  protanopia: [
    0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998,
  ],
  tritanopia: [
    1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.3039,
  ],
} as const;

export type Deficiency = keyof typeof MACHADO;

const toLinear = converter('lrgb');
const toRgb = converter('rgb');
const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** The colour as a viewer with `deficiency` sees it (sRGB, clamped to what a screen shows). */
export function simulate(deficiency: Deficiency, colour: Color | string): Rgb {
  const m = MACHADO[deficiency];
  const { r, g, b } = toLinear(colour)!;
  return toRgb({
    mode: 'lrgb',
    r: clamp(m[0] * r + m[1] * g + m[2] * b),
    g: clamp(m[3] * r + m[4] * g + m[5] * b),
    b: clamp(m[6] * r + m[7] * g + m[8] * b),
  });
}
