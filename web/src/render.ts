/**
 * Pure functions behind the article view and the HTML export: code-point offsets, segments
 * for nested and overlapping spans, visibility filters, escaping, and the exported page.
 *
 * No DOM and no Node APIs here, so the browser bundle and the Node unit tests share them.
 * Every offset the API sends counts Unicode code points (half-open); JavaScript strings
 * index UTF-16 code units, so everything is converted here before slicing.
 */
import type {
  AnalysisRecord,
  CatalogueTechnique,
  SentenceScore,
  Span,
  SpanTechnique,
} from './types.js';
import { CONFIDENCE_MEANING } from '../../src/detect/analysis.js';

// ---------------------------------------------------------------------------------------
// Code points

/** Length of `text` in code points (an emoji counts 1, a flag 2, a BOM 1). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-16 offset of every code-point offset 0..length (inclusive), so `map[cp]` is a unit. */
export function codePointToUnitMap(text: string): number[] {
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    map.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  map.push(text.length);
  return map;
}

/** `text` between code-point offsets `start` (inclusive) and `end` (exclusive), clamped. */
export function sliceCodePoints(text: string, start: number, end: number): string {
  const map = codePointToUnitMap(text);
  const last = map.length - 1;
  const s = Math.max(0, Math.min(last, start));
  const e = Math.max(s, Math.min(last, end));
  return text.slice(map[s], map[e]);
}

// ---------------------------------------------------------------------------------------
// Segments

export interface Range {
  start: number;
  end: number;
}

/** A stretch of text with one constant set of covering spans. */
export interface Segment extends Range {
  /** Indices into the span array, outermost first (by start, then longest first). */
  spans: number[];
}

/**
 * Span indices in display order: by start, longest first, then by input order. This puts
 * an enclosing span before the spans nested in it, as displaCy does.
 */
export function orderSpans(spans: readonly Range[]): number[] {
  return spans
    .map((_, i) => i)
    .sort((a, b) => {
      const x = spans[a] as Range;
      const y = spans[b] as Range;
      return x.start - y.start || y.end - x.end || a - b;
    });
}

/** True when a span's offsets are usable for a text of `length` code points. */
function validRange(r: Range, length: number): boolean {
  return (
    Number.isInteger(r.start) &&
    Number.isInteger(r.end) &&
    r.start >= 0 &&
    r.end <= length &&
    r.start < r.end
  );
}

/**
 * Split [0, length) at every span boundary. Each segment lists the spans covering it
 * (outermost first); uncovered stretches have an empty list. Segments are contiguous and
 * cover the whole text; spans with invalid offsets are ignored.
 */
export function buildSegments(length: number, spans: readonly Range[]): Segment[] {
  const order = orderSpans(spans).filter((i) => validRange(spans[i] as Range, length));
  const rank = new Map(order.map((spanIndex, position) => [spanIndex, position]));
  const cuts = new Set<number>([0, length]);
  for (const i of order) {
    const s = spans[i] as Range;
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const start = points[k] as number;
    const end = points[k + 1] as number;
    if (start >= end) continue;
    const covering = order.filter((i) => {
      const s = spans[i] as Range;
      return s.start <= start && s.end >= end;
    });
    covering.sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number));
    segments.push({ start, end, spans: covering });
  }
  return segments;
}

// ---------------------------------------------------------------------------------------
// Blocks: the article as a title and paragraphs, each a list of pieces of text

/** A piece of one line: UTF-16 text plus its code-point range and covering spans. */
export interface Piece extends Segment {
  text: string;
  /** Spans whose last rendered piece this is (the place for their name tag). */
  endsSpans: number[];
}

export interface Block {
  kind: 'title' | 'paragraph';
  start: number;
  end: number;
  pieces: Piece[];
}

function stripBom(s: string): string {
  return s.replace(/^\uFEFF/, '').trim();
}

/**
 * Lay the article out as blocks: one per non-blank line (newlines end a block). The first
 * block is the title when its text equals `title`. Spans that cross a line break are split
 * into pieces on both lines; each span's tag goes after its last piece.
 */
export function layoutBlocks(
  text: string,
  spans: readonly Range[],
  title?: string | null,
): Block[] {
  const map = codePointToUnitMap(text);
  const length = map.length - 1;
  const segments = buildSegments(length, spans);
  // Line boundaries (code points) so segments can be cut at newlines.
  const cps = Array.from(text);
  const blocks: Block[] = [];
  let lineStart = 0;
  const lines: Range[] = [];
  for (let cp = 0; cp <= length; cp++) {
    if (cp === length || cps[cp] === '\n') {
      lines.push({ start: lineStart, end: cp });
      lineStart = cp + 1;
    }
  }
  let segIndex = 0;
  for (const line of lines) {
    let end = line.end;
    // Drop a trailing carriage return (CRLF files).
    if (end > line.start && cps[end - 1] === '\r') end--;
    const lineText = text.slice(map[line.start], map[end]);
    if (stripBom(lineText) === '') continue;
    const pieces: Piece[] = [];
    while (segIndex < segments.length && (segments[segIndex] as Segment).end <= line.start) {
      segIndex++;
    }
    for (let k = segIndex; k < segments.length; k++) {
      const seg = segments[k] as Segment;
      if (seg.start >= end) break;
      const start = Math.max(seg.start, line.start);
      const stop = Math.min(seg.end, end);
      if (start >= stop) continue;
      pieces.push({
        start,
        end: stop,
        spans: seg.spans,
        endsSpans: [],
        text: text.slice(map[start], map[stop]),
      });
    }
    const kind =
      blocks.length === 0 && title != null && stripBom(lineText) === stripBom(title)
        ? 'title'
        : 'paragraph';
    blocks.push({ kind, start: line.start, end, pieces });
  }
  // Each span's tag goes after the last piece that shows it.
  const last = new Map<number, Piece>();
  for (const block of blocks) {
    for (const piece of block.pieces) for (const i of piece.spans) last.set(i, piece);
  }
  for (const [i, piece] of last) piece.endsSpans.push(i);
  // Inner spans end first when several end together: tag order follows nesting.
  for (const block of blocks) {
    for (const piece of block.pieces) {
      const order = piece.spans;
      piece.endsSpans.sort((a, b) => order.indexOf(b) - order.indexOf(a));
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------
// Filters

export interface Filter {
  /** Techniques below this confidence (0-1) are hidden. */
  threshold: number;
  /** Corpus labels switched off in the legend. */
  hidden: ReadonlySet<string>;
}

export const NO_FILTER: Filter = { threshold: 0, hidden: new Set() };

/** A technique passes the threshold; a reviewer's call (no confidence) always does. */
function passes(t: SpanTechnique, threshold: number): boolean {
  return t.confidence === null || t.confidence >= threshold;
}

/** The span's techniques that pass the filter, best first. */
export function visibleTechniques(span: Span, filter: Filter): SpanTechnique[] {
  return span.techniques.filter(
    (t) => passes(t, filter.threshold) && !filter.hidden.has(t.technique),
  );
}

/** Per-label count of spans showing the technique at the threshold (legend toggles ignored). */
export function techniqueCounts(spans: readonly Span[], threshold: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const span of spans) {
    for (const t of span.techniques) {
      if (passes(t, threshold)) counts.set(t.technique, (counts.get(t.technique) ?? 0) + 1);
    }
  }
  return counts;
}

/** The `n` highest-scoring sentences with a positive score, best first, ties by position. */
export function topSentences(sentences: readonly SentenceScore[], n = 3): SentenceScore[] {
  return sentences
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.start - b.start)
    .slice(0, n);
}

// ---------------------------------------------------------------------------------------
// Formatting and colours

/** 0.2135 -> "21%"; tiny but non-zero values -> "<1%". */
export function formatPercent(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const p = Math.round(value * 100);
  if (p === 0 && value > 0) return '<1%';
  return `${p}%`;
}

const HEX = /^#[0-9a-f]{6}$/i;
const FALLBACK_COLOR = '#cccccc';

/** A catalogue colour when it is a plain "#rrggbb", otherwise a neutral grey. */
export function safeColor(color: string | undefined): string {
  return color !== undefined && HEX.test(color) ? color.toLowerCase() : FALLBACK_COLOR;
}

/** CSS background for a stretch covered by spans of these colours: solid or striped. */
export function segmentBackground(colors: readonly string[]): string {
  const unique = [...new Set(colors.map(safeColor))];
  if (unique.length === 0) return 'transparent';
  if (unique.length === 1) return unique[0] as string;
  const stripe = 6;
  const stops = unique.map((c, i) => `${c} ${i * stripe}px ${(i + 1) * stripe}px`).join(', ');
  return `repeating-linear-gradient(135deg, ${stops})`;
}

/** Stacked underlines, one per covering span (outermost lowest), as a CSS box-shadow. */
export function segmentUnderlines(colors: readonly string[]): string {
  if (colors.length < 2) return 'none';
  return colors.map((c, i) => `0 ${(colors.length - i) * 3}px 0 ${safeColor(c)}`).join(', ');
}

// ---------------------------------------------------------------------------------------
// Escaping and the exported page

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** A snippet with matches between « and » as plain and matched parts, in order. */
export function parseSnippet(snippet: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  const re = /«([^»]*)»/g;
  let at = 0;
  for (let m = re.exec(snippet); m !== null; m = re.exec(snippet)) {
    if (m.index > at) parts.push({ text: snippet.slice(at, m.index), match: false });
    if (m[1] !== '') parts.push({ text: m[1] as string, match: true });
    at = m.index + m[0].length;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), match: false });
  return parts;
}

/** A technique's confidence; a reviewer's call has none and says so (never a made-up 100%). */
export function formatConfidence(confidence: number | null): string {
  return confidence === null ? 'reviewed' : formatPercent(confidence);
}

/** "Loaded language 34% · Doubt reviewed" for the techniques shown. */
export function describeTechniques(
  techniques: readonly SpanTechnique[],
  separator = ' · ',
): string {
  return techniques.map((t) => `${t.name} ${formatConfidence(t.confidence)}`).join(separator);
}

export type CatalogueByLabel = ReadonlyMap<string, CatalogueTechnique>;

export function catalogueByLabel(catalogue: readonly CatalogueTechnique[]): CatalogueByLabel {
  return new Map(catalogue.map((t) => [t.label, t]));
}

const EXPORT_CSS = `
:root { color-scheme: light; }
body { font: 17px/1.7 Georgia, "Times New Roman", serif; color: #1a1a1a; background: #fff;
  max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font: 700 1.7rem/1.25 system-ui, sans-serif; margin: 0 0 .5rem; }
.meta, .note, footer { font: .9rem/1.5 system-ui, sans-serif; color: #444; }
article p { margin: 0 0 1rem; overflow-wrap: anywhere; }
mark { color: #111; padding: .1em 0; border-radius: 2px; -webkit-box-decoration-break: clone;
  box-decoration-break: clone; text-decoration: underline 2px rgb(17 17 17 / .55);
  text-underline-offset: .22em; }
.tag { font: 700 .8rem/1.2 system-ui, sans-serif; color: #111; border: 1px solid #555;
  border-radius: 999px; padding: 0 .3em; margin: 0 .15em; vertical-align: .45em; white-space: nowrap; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem .6rem;
  font: .9rem/1.4 system-ui, sans-serif; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; min-width: 1.4rem; height: 1.2rem; border: 1px solid #555; border-radius: 2px;
  font: 700 .8rem/1.2rem system-ui, sans-serif; text-align: center; color: #111; }
`;

export interface ExportOptions {
  filter?: Filter;
  /** Timestamp for the footer (default: now). */
  generatedAt?: string;
}

/**
 * The annotated article as one self-contained HTML page: inline CSS, no scripts (and a CSP
 * forbidding them), every piece of article text and metadata escaped, each highlighted
 * stretch a `<mark>` whose title names its techniques and confidences, a numbered marker
 * after each span (as in the page), and the legend that names the numbers.
 */
export function exportHtml(
  record: AnalysisRecord,
  catalogue: readonly CatalogueTechnique[],
  options: ExportOptions = {},
): string {
  const filter = options.filter ?? NO_FILTER;
  const byLabel = catalogueByLabel(catalogue);
  const spans = record.analysis.spans;
  const shown = spans.map((s) => visibleTechniques(s, filter));
  const title = record.analysis.title ?? record.title ?? null;
  const blocks = layoutBlocks(record.text, spans, title);
  const colorOf = (label: string) => safeColor(byLabel.get(label)?.color);
  const numberOf = (label: string) => catalogue.findIndex((t) => t.label === label) + 1;

  const renderPiece = (piece: Piece): string => {
    const on = piece.spans.filter((i) => (shown[i] as SpanTechnique[]).length > 0);
    let html = escapeHtml(piece.text);
    if (on.length > 0) {
      const colors = on.map((i) => colorOf((shown[i] as SpanTechnique[])[0]?.technique ?? ''));
      const titleText = on.map((i) => describeTechniques(shown[i] as SpanTechnique[])).join(' | ');
      const shadow = segmentUnderlines(colors);
      const style =
        `background:${segmentBackground(colors)}` +
        (shadow === 'none' ? '' : `;box-shadow:${shadow}`);
      html =
        `<mark data-spans="${on.join(' ')}" title="${escapeHtml(titleText)}" style="${style}">` +
        `${html}</mark>`;
    }
    for (const i of piece.endsSpans) {
      const techniques = shown[i] as SpanTechnique[];
      const best = techniques[0];
      if (best === undefined) continue;
      // A numbered marker as in the page: the legend names the numbers, the title says more.
      const marker = techniques.map((t) => numberOf(t.technique)).join('·');
      html +=
        `<span class="tag" title="${escapeHtml(describeTechniques(techniques))}" ` +
        `style="background:${colorOf(best.technique)}">${marker}</span>`;
    }
    return html;
  };

  // The article's own title line (with its highlights) is the page heading when present.
  const first = blocks[0];
  const titleBlock = first?.kind === 'title' ? first : undefined;
  const body = blocks
    .filter((b) => b !== titleBlock)
    .map((b) => `<p>${b.pieces.map(renderPiece).join('')}</p>`)
    .join('\n');

  const counts = techniqueCounts(spans, filter.threshold);
  const legend = catalogue
    .filter((t) => (counts.get(t.label) ?? 0) > 0 && !filter.hidden.has(t.label))
    .map(
      (t) =>
        `<li><span class="swatch" style="background:${safeColor(t.color)}">${numberOf(t.label)}</span>` +
        `${escapeHtml(t.name)} (${counts.get(t.label) ?? 0})</li>`,
    )
    .join('');

  const meta = [
    record.source ? `Source: ${record.source}` : '',
    record.date ? `Date: ${record.date}` : '',
    `Propaganda score: ${record.analysis.document.score.toFixed(2)} (0–1)`,
    `Spans: ${record.analysis.document.spans}`,
    `Model: ${record.analysis.model.name} ${record.analysis.model.version}`,
    reviewedLine(record) ?? '',
  ]
    .filter((s) => s !== '')
    .map(escapeHtml)
    .join(' · ');
  const plainTitle = record.title ?? record.analysis.title ?? 'Untitled article';
  const heading = titleBlock ? titleBlock.pieces.map(renderPiece).join('') : escapeHtml(plainTitle);
  const generated = options.generatedAt ?? new Date().toISOString();

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(plainTitle)} – Spinscope</title>
<style>${EXPORT_CSS}</style>
</head>
<body>
<header>
<h1>${heading}</h1>
<p class="meta">${meta}</p>
</header>
<section aria-label="Legend">
<ul class="legend">${legend || '<li>No techniques shown.</li>'}</ul>
<p class="note">Confidence threshold ${formatPercent(filter.threshold)}. Hover a highlight or its number to see its techniques and confidences. ${CONFIDENCE_MEANING}</p>
</section>
<article>
${body}
</article>
<footer>
<p>Annotated by Spinscope on ${escapeHtml(generated)}. Offsets count code points. Automated analysis: a prompt for critical reading, not a verdict.</p>
</footer>
</body>
</html>
`;
}

/** The AnalysisRecord as pretty-printed JSON (offsets in code points: analysis.offsetUnit). */
export function exportJson(record: AnalysisRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** "Reviewed by Ana on 2024-05-01" for a reviewed record, else undefined. */
export function reviewedLine(record: AnalysisRecord | null): string | undefined {
  const reviewed = record?.reviewed;
  return (
    reviewed && `Reviewed${reviewed.by ? ` by ${reviewed.by}` : ''} on ${isoDate(reviewed.at)}`
  );
}

/** A file name from a title: lowercase ASCII words joined by dashes. */
export function fileSlug(title: string | null | undefined, fallback = 'article'): string {
  const slug = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || fallback;
}

/**
 * A date as YYYY-MM-DD, the same for every reader; a date kept in another form is shown as
 * it is.
 */
export function isoDate(value: string): string {
  return /^\d{4}-\d{2}-\d{2}/u.test(value) ? value.slice(0, 10) : value;
}

/** The `n` most frequent techniques of a count table, and how many more were found. */
export function mostFrequent(
  counts: Readonly<Record<string, number>>,
  n: number,
): { top: [string, number][]; more: number } {
  const found = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  return { top: found.slice(0, n), more: Math.max(0, found.length - n) };
}
