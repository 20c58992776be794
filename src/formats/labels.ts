/**
 * SemEval-2020 Task 11 label files: tab-separated, offsets in code points, `cpStart`
 * inclusive and `cpEnd` exclusive.
 *   SI:       article_id  start  end
 *   TC:       article_id  technique  start  end
 *   template: a TC file whose technique column is `?`
 */
import { isTechniqueLabel, type TechniqueLabel } from '../techniques/catalogue.js';
import { SpinscopeError } from '../errors.js';

export interface SpanLabel {
  readonly articleId: string;
  readonly cpStart: number;
  readonly cpEnd: number;
}

export interface TechniqueSpanLabel extends SpanLabel {
  readonly technique: TechniqueLabel;
}

export type LabelFileKind = 'si' | 'tc' | 'template';

export interface ParseLabelOptions {
  /** The kind the file must be; by default taken from its first line. */
  expect?: LabelFileKind;
  /** Article lengths in code points: when given, every label must name one and lie inside it. */
  articleLengths?: ReadonlyMap<string, number>;
}

export interface ParsedLabels {
  readonly kind: LabelFileKind;
  readonly spans: readonly SpanLabel[];
  /** Present for `tc` files. */
  readonly techniqueSpans: readonly TechniqueSpanLabel[];
}

/**
 * Parse a label file's content. The kind is taken from the column count of its first line
 * (3: SI, 4: TC, or a template when the technique is `?`) unless `expect` says otherwise.
 * Empty lines are ignored; every other malformed line is an error naming file and line.
 */
export function parseLabels(
  content: string,
  file: string,
  options: ParseLabelOptions = {},
): ParsedLabels {
  const { expect, articleLengths } = options;
  const spans: SpanLabel[] = [];
  const techniqueSpans: TechniqueSpanLabel[] = [];
  let kind: LabelFileKind | undefined = expect;
  const lines = content.replace(/^\ufeff/u, '').split('\n');
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    const line = rawLine.replace(/\r$/u, '');
    if (line.trim() === '') return;
    const cols = line.split('\t');
    kind ??= cols.length === 3 ? 'si' : cols[1] === '?' ? 'template' : 'tc';
    const wanted = kind === 'si' ? 3 : 4;
    if (cols.length !== wanted) {
      throw new SpinscopeError(
        'SPN_ERR_LABEL_FORMAT',
        `expected ${wanted} tab-separated columns for a ${kind.toUpperCase()} label, found ${cols.length}: "${truncate(line)}"`,
        { file, line: lineNo },
      );
    }
    const articleId = (cols[0] as string).trim();
    if (!/^\S+$/u.test(articleId)) {
      throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', 'empty article id', { file, line: lineNo });
    }
    const cpStart = parseOffset(cols[wanted - 2] as string, 'start', file, lineNo);
    const cpEnd = parseOffset(cols[wanted - 1] as string, 'end', file, lineNo);
    if (cpStart >= cpEnd) {
      throw new SpinscopeError(
        'SPN_ERR_LABEL_FORMAT',
        `start ${cpStart} must be smaller than end ${cpEnd}`,
        { file, line: lineNo },
      );
    }
    if (articleLengths) {
      const length = articleLengths.get(articleId);
      if (length === undefined) {
        throw new SpinscopeError(
          'SPN_ERR_ARTICLE_MISSING',
          `article ${articleId} has no article file`,
          {
            file,
            line: lineNo,
          },
        );
      }
      if (cpEnd > length) {
        throw new SpinscopeError(
          'SPN_ERR_LABEL_OFFSET',
          `span ${cpStart}-${cpEnd} runs past the end of article ${articleId} (${length} characters)`,
          { file, line: lineNo },
        );
      }
    }
    spans.push({ articleId, cpStart, cpEnd });
    if (kind === 'tc') {
      const technique = (cols[1] as string).trim();
      if (!isTechniqueLabel(technique)) {
        throw new SpinscopeError(
          'SPN_ERR_LABEL_TECHNIQUE',
          `unknown technique "${truncate(technique)}" (expected one of the 14 corpus labels)`,
          { file, line: lineNo },
        );
      }
      techniqueSpans.push({ articleId, technique, cpStart, cpEnd });
    } else if (kind === 'template' && (cols[1] as string).trim() !== '?') {
      throw new SpinscopeError(
        'SPN_ERR_LABEL_FORMAT',
        `a template line must have "?" as its technique, found "${truncate(cols[1] as string)}"`,
        { file, line: lineNo },
      );
    }
  });
  return { kind: kind ?? expect ?? 'si', spans, techniqueSpans };
}

function parseOffset(value: string, what: string, file: string, line: number): number {
  const trimmed = value.trim();
  if (!/^\d+$/u.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new SpinscopeError(
      'SPN_ERR_LABEL_FORMAT',
      `${what} offset must be a non-negative integer, found "${truncate(value)}"`,
      { file, line },
    );
  }
  return Number(trimmed);
}

function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function formatSiLabels(spans: readonly SpanLabel[]): string {
  return spans.map((s) => `${s.articleId}\t${s.cpStart}\t${s.cpEnd}\n`).join('');
}

export function formatTcLabels(spans: readonly TechniqueSpanLabel[]): string {
  return spans.map((s) => `${s.articleId}\t${s.technique}\t${s.cpStart}\t${s.cpEnd}\n`).join('');
}

/** A detected span as the label files read it (detect/analysis.ts: DetectedSpan). */
interface AnalysedSpan {
  readonly start: number;
  readonly end: number;
  readonly techniques: readonly { readonly technique: TechniqueLabel }[];
}

/** An article's analysed spans as SI labels, in their order. */
export function siLabelsOf(articleId: string, spans: readonly AnalysedSpan[]): SpanLabel[] {
  return spans.map((s) => ({ articleId, cpStart: s.start, cpEnd: s.end }));
}

/** An article's analysed spans as TC labels: one per technique of each span, in their order. */
export function tcLabelsOf(
  articleId: string,
  spans: readonly AnalysedSpan[],
): TechniqueSpanLabel[] {
  return spans.flatMap((s) =>
    s.techniques.map((t) => ({
      articleId,
      technique: t.technique,
      cpStart: s.start,
      cpEnd: s.end,
    })),
  );
}

export function formatTemplate(spans: readonly SpanLabel[]): string {
  return spans.map((s) => `${s.articleId}\t?\t${s.cpStart}\t${s.cpEnd}\n`).join('');
}

/** Order labels by article id, then start, then end (stable). */
export function compareSpans(a: SpanLabel, b: SpanLabel): number {
  if (a.articleId !== b.articleId) return a.articleId < b.articleId ? -1 : 1;
  return a.cpStart - b.cpStart || a.cpEnd - b.cpEnd;
}

/** Group labels by article id, keeping their order. */
export function groupByArticle<T extends SpanLabel>(labels: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const label of labels) {
    let group = groups.get(label.articleId);
    if (!group) groups.set(label.articleId, (group = []));
    group.push(label);
  }
  return groups;
}
