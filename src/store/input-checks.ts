/**
 * What the store lets in: the checks a save and a review pass before anything is written.
 * Everything in the spans table, the counts and the charts relies on them.
 */
import { SpinscopeError } from '../errors.js';
import type { Analysis } from '../detect/analysis.js';
import type { ReviewedSpan } from '../types.js';
import { isTechniqueLabel, TECHNIQUE_LABELS } from '../techniques/catalogue.js';
import { codePointLength } from '../text/offsets.js';

/** The parts of a save (store.ts: SaveInput) that are checked. */
interface SaveFields {
  text: string;
  analysis: Analysis;
  date?: string;
  durationMs?: number;
}

// An ISO 8601 date, optionally followed by a time; the month and day ranges are checked.
const ISO_DATE =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/u;

/** Checks that keep bad records out of the store. */
export function checkSaveInput<T extends SaveFields>(input: T): T {
  const bad = (message: string): SpinscopeError =>
    new SpinscopeError('SPN_ERR_INPUT_TYPE', `cannot store the analysis: ${message}`);
  const { text, analysis } = input;
  if (typeof text !== 'string') throw bad('the text must be a string');
  // Lone surrogates cannot be stored as UTF-8: SQLite would silently change the text.
  if (/\p{Cs}/u.test(text)) {
    throw new SpinscopeError('SPN_ERR_INPUT_BINARY', 'the text holds lone UTF-16 surrogates');
  }
  if (typeof analysis !== 'object' || analysis === null) throw bad('no analysis given');
  if (typeof analysis.model?.name !== 'string' || typeof analysis.model?.version !== 'string') {
    throw bad('the analysis names no model name and version');
  }
  const length = codePointLength(text);
  if (analysis.length !== length) {
    throw bad(`the analysis is of a text of ${analysis.length} characters, this one has ${length}`);
  }
  for (const span of analysis.spans) {
    if (!(
      Number.isInteger(span.start) &&
      span.start >= 0 &&
      span.start < span.end &&
      span.end <= length
    )) {
      throw bad(`span ${span.start}-${span.end} is outside the text (${length} characters)`);
    }
    for (const t of span.techniques) {
      if (!isTechniqueLabel(t.technique)) throw bad(`unknown technique "${t.technique}"`);
    }
  }
  if (!Number.isFinite(analysis.document.score)) throw bad('the document score is not a number');
  if (
    input.date !== undefined &&
    !(ISO_DATE.test(input.date) && !Number.isNaN(Date.parse(input.date)))
  ) {
    throw bad(`the date "${input.date}" is not an ISO 8601 date such as 2024-05-31`);
  }
  if (
    input.durationMs !== undefined &&
    !(Number.isFinite(input.durationMs) && input.durationMs >= 0)
  ) {
    throw bad(`the duration ${input.durationMs} is not a number of milliseconds`);
  }
  return input;
}

/**
 * Reviewed spans, checked and sorted: whole code-point offsets inside the text, known
 * techniques (at least one, none twice), and no two spans of one technique overlapping.
 */
export function checkReviewedSpans(spans: readonly ReviewedSpan[], length: number): ReviewedSpan[] {
  if (!Array.isArray(spans))
    throw new SpinscopeError('SPN_ERR_INPUT_TYPE', 'a review needs a list of spans');
  const checked = spans.map((span, i): ReviewedSpan => {
    const where = `span ${i + 1}`;
    if (
      !(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0) ||
      span.start >= span.end ||
      span.end > length
    ) {
      throw new SpinscopeError(
        'SPN_ERR_LABEL_OFFSET',
        `${where} (${String(span.start)}-${String(span.end)}) is not inside the text of ${length} characters`,
      );
    }
    if (!Array.isArray(span.techniques) || span.techniques.length === 0)
      throw new SpinscopeError('SPN_ERR_LABEL_TECHNIQUE', `${where} names no technique`);
    for (const t of span.techniques)
      if (!isTechniqueLabel(t))
        throw new SpinscopeError(
          'SPN_ERR_LABEL_TECHNIQUE',
          `${where}: unknown technique "${String(t)}"`,
        );
    if (new Set(span.techniques).size !== span.techniques.length)
      throw new SpinscopeError('SPN_ERR_LABEL_DUPLICATE', `${where} names a technique twice`);
    return {
      start: span.start,
      end: span.end,
      techniques: [...span.techniques],
      ...(typeof span.accepted === 'boolean' && { accepted: span.accepted }),
    };
  });
  checked.sort((a, b) => a.start - b.start || a.end - b.end);
  for (const technique of TECHNIQUE_LABELS) {
    let lastEnd = -1;
    for (const span of checked.filter((s) => s.techniques.includes(technique))) {
      if (span.start < lastEnd)
        throw new SpinscopeError(
          'SPN_ERR_LABEL_DUPLICATE',
          `two spans with ${technique} overlap at ${span.start}-${span.end}`,
        );
      lastEnd = Math.max(lastEnd, span.end);
    }
  }
  return checked;
}
