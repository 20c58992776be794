/**
 * The annotated article for a terminal: each span on the background colour of its
 * technique, followed by a short tag with the technique's number and confidence, then a
 * legend; wrapped to the terminal's width. Without colour (not a TTY, NO_COLOR), spans are
 * bracketed instead.
 */
import wrapAnsi from 'wrap-ansi';
import { TECHNIQUES } from '../techniques/catalogue.js';
import { CONFIDENCE_MEANING, type Analysis } from '../detect/analysis.js';
import { CodePointIndex } from '../text/offsets.js';

export interface RenderOptions {
  color: boolean;
  /** Wrap lines to this many columns (undefined: no wrapping). */
  width?: number;
  /** The confidence the analysis hid techniques below (0: none hidden). */
  threshold: number;
}

/** A technique's confidence as the web UI shows it: "17%". */
const percent = (confidence: number) => `${Math.round(confidence * 100)}%`;

const RESET = '\u001b[0m';
const background = (code: number) => `\u001b[48;5;${code}m\u001b[38;5;16m`;
const dim = (text: string, color: boolean) => (color ? `\u001b[2m${text}${RESET}` : text);
const bold = (text: string, color: boolean) => (color ? `\u001b[1m${text}${RESET}` : text);

export function renderAnalysis(text: string, analysis: Analysis, options: RenderOptions): string {
  const offsets = new CodePointIndex(text);
  const number = new Map(TECHNIQUES.map((t, i) => [t.label, i + 1]));
  const parts: string[] = [];
  let at = 0;
  for (const span of [...analysis.spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue; // spans never overlap today; skip defensively if they do
    parts.push(offsets.slice(at, span.start));
    const first = TECHNIQUES[(number.get(span.techniques[0]!.technique) as number) - 1]!;
    const body = offsets.slice(span.start, span.end);
    const tag = span.techniques
      .map((t) => `${number.get(t.technique)} ${percent(t.confidence)}`)
      .join(', ');
    parts.push(
      options.color
        ? `${background(first.ansi256)}${body}${RESET}${dim(`[${tag}]`, true)}`
        : `[[${body}]]{${tag}}`,
    );
    at = span.end;
  }
  parts.push(offsets.slice(at, offsets.length));

  // The legend explains the tags shown: the techniques of the spans above the threshold.
  const shown = new Map<string, number>();
  for (const span of analysis.spans)
    for (const t of span.techniques) shown.set(t.technique, (shown.get(t.technique) ?? 0) + 1);
  const legend = TECHNIQUES.filter((t) => shown.has(t.label)).map((t) => {
    const swatch = options.color ? `${background(t.ansi256)}  ${RESET}` : '  ';
    return `${swatch} ${String(number.get(t.label)).padStart(2)} ${t.name} (${shown.get(t.label)})`;
  });
  const doc = analysis.document;
  const summary = [
    '',
    bold('Techniques', options.color),
    ...(legend.length > 0 ? legend : ['   none found']),
    '',
    `${bold('Propaganda score', options.color)} ${doc.score.toFixed(2)} · ${doc.spans} spans in ${doc.words} words (${doc.density} per 100 words) · model ${analysis.model.name} ${analysis.model.version}`,
    ...(analysis.spans.length < doc.spans
      ? [
          `${analysis.spans.length} of ${doc.spans} spans shown, those with a technique at ≥ ${percent(options.threshold)}; --threshold 0 shows all.`,
        ]
      : []),
    dim(
      `Each tag is the technique number and its confidence. ${CONFIDENCE_MEANING} Offsets in --format json count code points.`,
      options.color,
    ),
  ];
  const output = `${parts.join('')}\n${summary.join('\n')}`;
  return `${options.width ? wrapAnsi(output, options.width, { hard: true, trim: false }) : output}\n`;
}
