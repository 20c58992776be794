/**
 * Code points <-> UTF-16 code units, in one place.
 *
 * Everything Spinscope reads or writes counts Unicode code points (as the corpus and Python
 * do); JavaScript strings index UTF-16 code units. Astral characters (emoji, each half of a
 * flag) are one code point but two units, so naive `slice` drifts by one per astral
 * character before the span. A leading BOM is an ordinary character: code point 0.
 */
export class CodePointIndex {
  readonly text: string;
  /** Length in code points. */
  readonly length: number;
  /** cp -> UTF-16 offset, length `length + 1`; absent when the text has no astral characters. */
  private readonly cpToUnit: Uint32Array | undefined;

  constructor(text: string) {
    this.text = text;
    let astral = 0;
    for (let i = 0; i < text.length; i++) {
      if (isHighSurrogateAt(text, i)) {
        astral++;
        i++;
      }
    }
    this.length = text.length - astral;
    if (astral === 0) return;
    const map = new Uint32Array(this.length + 1);
    let cp = 0;
    for (let unit = 0; unit < text.length; unit++) {
      map[cp++] = unit;
      if (isHighSurrogateAt(text, unit)) unit++;
    }
    map[cp] = text.length;
    this.cpToUnit = map;
  }

  /** True when code points and UTF-16 units coincide (no astral characters). */
  get isIdentity(): boolean {
    return this.cpToUnit === undefined;
  }

  /** UTF-16 offset of code point `cp` (0 <= cp <= length). */
  toUnit(cp: number): number {
    if (!Number.isInteger(cp) || cp < 0 || cp > this.length) {
      throw new RangeError(`code-point offset ${cp} outside 0..${this.length}`);
    }
    return this.cpToUnit === undefined ? cp : (this.cpToUnit[cp] as number);
  }

  /**
   * Code-point offset of UTF-16 offset `unit` (0 <= unit <= text.length). An offset inside a
   * surrogate pair is not a character boundary; it maps to the pair's own code point.
   */
  toCodePoint(unit: number): number {
    if (!Number.isInteger(unit) || unit < 0 || unit > this.text.length) {
      throw new RangeError(`UTF-16 offset ${unit} outside 0..${this.text.length}`);
    }
    const map = this.cpToUnit;
    if (map === undefined) return unit;
    // Binary search: the largest cp whose unit offset is <= unit.
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((map[mid] as number) <= unit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The text between two code-point offsets (half-open). */
  slice(cpStart: number, cpEnd: number): string {
    return this.text.slice(this.toUnit(cpStart), this.toUnit(cpEnd));
  }
}

function isHighSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}

/** Length of a string in code points. */
export function codePointLength(text: string): number {
  return new CodePointIndex(text).length;
}
