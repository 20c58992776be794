/**
 * A review in progress: the spans as the reader corrects them (reject, relabel, new extent,
 * add), with undo. The article view shows them through `withReviewedSpans`, in the same
 * order, so a span's index is the same in the draft and on the page. Saved through
 * `PUT /api/v1/analyses/{id}/review`.
 */
import type { ReviewedSpan, Span, TechniqueLabel } from './types.js';

export class ReviewDraft {
  private history: ReviewedSpan[][] = [];

  constructor(private current: ReviewedSpan[]) {}

  /** The model's spans as a first draft: every technique the model gave, as it gave them. */
  static fromModel(spans: readonly Span[]): ReviewDraft {
    return new ReviewDraft(
      spans.map((s) => ({
        start: s.start,
        end: s.end,
        techniques: s.techniques.map((t) => t.technique),
      })),
    );
  }

  get spans(): readonly ReviewedSpan[] {
    return this.current;
  }

  get canUndo(): boolean {
    return this.history.length > 0;
  }

  accept(index: number): void {
    this.edit((spans) => spans.map((s, i) => (i === index ? { ...s, accepted: true } : s)));
  }

  reject(index: number): void {
    this.edit((spans) => spans.filter((_, i) => i !== index));
  }

  relabel(index: number, techniques: TechniqueLabel[]): void {
    this.edit((spans) =>
      spans.map((s, i) => (i === index ? { start: s.start, end: s.end, techniques } : s)),
    );
  }

  resize(index: number, start: number, end: number): void {
    this.edit((spans) =>
      spans.map((s, i) => (i === index ? { start, end, techniques: s.techniques } : s)),
    );
  }

  add(start: number, end: number, techniques: TechniqueLabel[]): void {
    this.edit((spans) => [...spans, { start, end, techniques }]);
  }

  undo(): void {
    const previous = this.history.pop();
    if (previous) this.current = previous;
  }

  private edit(change: (spans: ReviewedSpan[]) => ReviewedSpan[]): void {
    this.history.push(this.current);
    this.current = change(this.current).sort((a, b) => a.start - b.start || a.end - b.end);
  }
}

/**
 * The code-point offsets of the reader's selection inside the article (pieces carry their
 * `data-start`), or null when nothing inside it is selected.
 */
export function selectedRange(root: HTMLElement): { start: number; end: number } | null {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const at = (node: Node, offset: number): number | null => {
    const piece = (node instanceof Element ? node : node.parentElement)?.closest<HTMLElement>(
      '[data-start][data-end]',
    );
    if (!piece || !root.contains(piece)) return null;
    const before =
      node.nodeType === Node.TEXT_NODE ? (node.textContent ?? '').slice(0, offset) : '';
    return Number(piece.dataset.start) + Array.from(before).length;
  };
  const start = at(range.startContainer, range.startOffset);
  const end = at(range.endContainer, range.endOffset);
  return start !== null && end !== null && end > start ? { start, end } : null;
}

/**
 * The first place (in code points) where `phrase` occurs in `text` and no reviewed span of
 * the technique covers it yet; the keyboard's way to add a span without selecting text.
 */
export function findPhrase(
  text: string,
  phrase: string,
  taken: readonly { start: number; end: number }[],
): { start: number; end: number } | null {
  const wanted = phrase.trim();
  if (wanted === '') return null;
  for (let at = text.indexOf(wanted); at >= 0; at = text.indexOf(wanted, at + 1)) {
    const start = Array.from(text.slice(0, at)).length;
    const end = start + Array.from(wanted).length;
    if (!taken.some((s) => s.start < end && s.end > start)) return { start, end };
  }
  return null;
}
