/**
 * The annotated article in the page: highlighted, underlined stretches (`<mark class="hl">`),
 * a small numbered marker button after each span (the technique's name shows beside it on
 * hover and focus, and in the legend), and the details popover, placed by Floating UI beside
 * its span, never over it. All article text goes in as text nodes.
 */
import { computePosition, flip, offset, shift, size } from '@floating-ui/dom';
import { h, replace, prefersReducedMotion } from './dom.js';
import {
  describeTechniques,
  formatConfidence,
  layoutBlocks,
  safeColor,
  segmentBackground,
  segmentUnderlines,
  visibleTechniques,
  type CatalogueByLabel,
  type Filter,
  type Piece,
} from './render.js';
import type { AnalysisRecord, Span, SpanTechnique } from './types.js';
import { CONFIDENCE_MEANING, type DocumentScore } from '../../src/detect/analysis.js';

export interface ArticleView {
  /** Visible techniques per span under the current filter. */
  shown: SpanTechnique[][];
}

/** Render the article (title and paragraphs) into `heading` and `body`. */
export function renderArticle(
  heading: HTMLElement,
  body: HTMLElement,
  record: AnalysisRecord,
  byLabel: CatalogueByLabel,
  filter: Filter,
): ArticleView {
  const spans = record.analysis.spans;
  const shown = spans.map((s) => visibleTechniques(s, filter));
  const colorOf = (t: SpanTechnique | undefined) =>
    safeColor(byLabel.get(t?.technique ?? '')?.color);
  const numbers = techniqueNumbers(byLabel);

  const renderPiece = (piece: Piece): Node[] => {
    const on = piece.spans.filter((i) => (shown[i] as SpanTechnique[]).length > 0);
    const nodes: Node[] = [];
    if (on.length === 0) {
      nodes.push(h('span', { 'data-start': piece.start, 'data-end': piece.end }, piece.text));
    } else {
      const colors = on.map((i) => colorOf((shown[i] as SpanTechnique[])[0]));
      const mark = h(
        'mark',
        {
          class: on.length > 1 ? 'hl hl-multi' : 'hl',
          'data-spans': on.join(' '),
          'data-start': piece.start,
          'data-end': piece.end,
        },
        piece.text,
      );
      mark.style.background = segmentBackground(colors);
      const shadow = segmentUnderlines(colors);
      if (shadow !== 'none') mark.style.boxShadow = shadow;
      nodes.push(mark);
    }
    for (const i of piece.endsSpans) {
      const techniques = shown[i] as SpanTechnique[];
      const best = techniques[0];
      if (best === undefined) continue;
      const tag = h(
        'button',
        {
          type: 'button',
          class: 'tag',
          'data-span': i,
          'data-techniques': techniques.map((t) => t.technique).join(' '),
          'data-name': describeTechniques(techniques),
          'aria-haspopup': 'dialog',
          'aria-expanded': 'false',
          'aria-controls': 'details',
          'aria-label': `${describeTechniques(techniques, ', ')}: show details`,
        },
        techniques.map((t) => String(numbers.get(t.technique) ?? '?')).join('·'),
      );
      tag.style.background = colorOf(best);
      nodes.push(tag);
    }
    return nodes;
  };

  const title = record.analysis.title ?? record.title ?? null;
  const blocks = layoutBlocks(record.text, spans, title);
  const first = blocks[0];
  const titleBlock = first?.kind === 'title' ? first : undefined;
  if (titleBlock) {
    replace(heading, ...titleBlock.pieces.flatMap(renderPiece));
  } else {
    replace(heading, record.title ?? record.analysis.title ?? 'Untitled article');
  }
  replace(
    body,
    ...blocks
      .filter((b) => b !== titleBlock)
      .map((b) => h('p', { 'data-start': b.start }, ...b.pieces.flatMap(renderPiece))),
  );
  return { shown };
}

/** Each technique's number in the catalogue's order (1–14), as markers and the legend show it. */
export function techniqueNumbers(byLabel: CatalogueByLabel): Map<string, number> {
  return new Map([...byLabel.keys()].map((label, i) => [label, i + 1]));
}

/**
 * The document's score for a reader: the number, what it means (`meaning`, if given), a meter,
 * and its spans, words and density.
 */
export function documentScoreParts(doc: DocumentScore, meaning?: string): HTMLElement[] {
  return [
    h(
      'div',
      { class: 'score' },
      h('span', { class: 'score-value' }, doc.score.toFixed(2)),
      h('span', { class: 'score-label' }, 'propaganda score (0–1)'),
    ),
    ...(meaning ? [h('p', { class: 'hint' }, meaning)] : []),
    h('meter', {
      min: 0,
      max: 1,
      low: 0.2,
      high: 0.5,
      optimum: 0,
      value: doc.score,
      'aria-label': 'Propaganda score',
    }),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Spans'), h('dd', {}, String(doc.spans))),
      h('div', {}, h('dt', {}, 'Words'), h('dd', {}, String(doc.words))),
      h('div', {}, h('dt', {}, 'Density'), h('dd', {}, `${doc.density} per 100 words`)),
    ),
  ];
}

/** A ranked sentence as a button (its text, score and spans) that `reveal`s it when pressed. */
export function sentenceButton(
  s: { text: string; start: number; end: number; score: number; spans: number },
  reveal: () => void,
): HTMLElement {
  const button = h(
    'button',
    { type: 'button', class: 'sentence', 'data-start': s.start, 'data-end': s.end },
    h('span', { class: 'sentence-text' }, s.text),
    h(
      'span',
      { class: 'sentence-score' },
      `score ${s.score.toFixed(2)} · ${s.spans} span${s.spans === 1 ? '' : 's'}`,
    ),
  );
  button.addEventListener('click', reveal);
  return h('li', {}, button);
}

/**
 * The legend for the techniques with a highlight (the others would only list a 0): a toggle
 * button each, its number and colour as in the article, and its count; or why none is listed.
 */
export function legendContent(
  techniques: readonly { label: string; name: string; color: string }[],
  counts: ReadonlyMap<string, number>,
  hidden: ReadonlySet<string>,
  numbers: ReadonlyMap<string, number>,
  anySpans: boolean,
): HTMLElement {
  const items = techniques
    .filter((t) => counts.has(t.label))
    .map((t) => {
      const on = !hidden.has(t.label);
      const count = counts.get(t.label) ?? 0;
      const swatch = h(
        'span',
        { class: 'swatch', 'aria-hidden': 'true' },
        String(numbers.get(t.label) ?? ''),
      );
      swatch.style.background = safeColor(t.color);
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'legend-item',
            'aria-pressed': String(on),
            'data-label': t.label,
            title: on ? `Hide ${t.name}` : `Show ${t.name}`,
          },
          swatch,
          h('span', { class: 'legend-name' }, t.name),
          h('span', { class: 'legend-count', 'aria-label': `${count} spans` }, String(count)),
        ),
      );
    });
  if (items.length > 0) return h('ul', {}, ...items);
  return h(
    'p',
    { class: 'hint' },
    anySpans
      ? 'No highlight is this sure: lower the confidence, or show all highlights.'
      : 'No techniques found in this article.',
  );
}

/** The span's text without its own edge quotation marks, its cue words marked. */
function quotePieces(span: Span): (string | HTMLElement)[] {
  const chars = Array.from(span.text);
  const lead = Array.from(/^["'“”‘’«»]*/u.exec(span.text)![0]).length;
  const trail = Array.from(/["'“”‘’«»]*$/u.exec(span.text)![0]).length;
  const end = Math.max(lead, chars.length - trail);
  const words = span.cues
    .filter((c) => c.start !== undefined && c.end !== undefined)
    .map((c) => [c.start! - span.start, c.end! - span.start] as const)
    .filter(([a, b]) => a >= lead && b <= end)
    .sort((a, b) => a[0] - b[0]);
  const pieces: (string | HTMLElement)[] = [];
  let at = lead;
  for (const [a, b] of words) {
    if (a < at) continue;
    pieces.push(
      chars.slice(at, a).join(''),
      h('mark', { class: 'cue-word' }, chars.slice(a, b).join('')),
    );
    at = b;
  }
  pieces.push(chars.slice(at, end).join(''));
  return pieces;
}

/** Scroll to the text at code-point offset `start` and flash [start, end). */
export function revealRange(root: HTMLElement, start: number, end: number): void {
  const pieces = [...root.querySelectorAll<HTMLElement>('[data-start][data-end]')];
  const inRange = pieces.filter(
    (p) => Number(p.dataset.end) > start && Number(p.dataset.start) < end,
  );
  const target = inRange[0];
  if (!target) return;
  target.scrollIntoView({ block: 'center', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  target.tabIndex = -1;
  target.focus({ preventScroll: true });
  for (const p of inRange) {
    p.classList.remove('flash');
    void p.offsetWidth; // restart the animation
    p.classList.add('flash');
  }
  setTimeout(() => inRange.forEach((p) => p.classList.remove('flash')), 2500);
}

/**
 * Tells a mouseover the pointer made from one the page made. When the article is drawn again
 * under a still pointer, the browser sends mouseover for whatever now lies beneath it; a
 * popover opened by that would cover what the reader meant to click next.
 */
export class PointerMoves {
  private last = { x: Number.NaN, y: Number.NaN };
  private still: { x: number; y: number } | null = null;

  /** Follow the pointer: its owner calls this on every mousemove. */
  track(event: MouseEvent): void {
    this.last = { x: event.clientX, y: event.clientY };
    if (!this.isStill(event)) this.still = null;
  }

  /** The content under the pointer is about to change. */
  contentChanged(): void {
    this.still = this.last;
  }

  /** Whether `event` came from the pointer moving since the content last changed. */
  moved(event: MouseEvent): boolean {
    return !this.isStill(event);
  }

  private isStill(event: MouseEvent): boolean {
    return this.still !== null && event.clientX === this.still.x && event.clientY === this.still.y;
  }
}

/**
 * The names of a marker's techniques, beside the marker while the pointer is on it or it has
 * keyboard focus. Floating UI places it to the right (else the left) of the marker, never
 * above it, where it would cover the line before, which often holds the span's own words.
 */
export class MarkerTip {
  private tag: HTMLElement | null = null;

  constructor(
    private readonly el: HTMLElement,
    root: HTMLElement,
    pointer: PointerMoves,
  ) {
    const tagOf = (target: EventTarget | null) =>
      target instanceof Element ? target.closest<HTMLElement>('button.tag') : null;
    root.addEventListener('mouseover', (event) => {
      if (pointer.moved(event)) void this.show(tagOf(event.target));
    });
    root.addEventListener('focusin', (event) => {
      const tag = tagOf(event.target);
      if (tag?.matches(':focus-visible')) void this.show(tag);
    });
    // It stays while either holds: the pointer on its marker or the marker's keyboard focus.
    root.addEventListener('mouseout', (event) => {
      const tag = this.tag;
      const leaves = tag && tagOf(event.target) === tag && tagOf(event.relatedTarget) !== tag;
      if (leaves && !tag.matches(':focus-visible')) this.hide();
    });
    root.addEventListener('focusout', (event) => {
      const tag = this.tag;
      if (event.target === tag && !tag?.matches(':hover')) this.hide();
    });
  }

  private async show(tag: HTMLElement | null): Promise<void> {
    if (!tag || tag === this.tag) return;
    this.tag = tag;
    this.el.textContent = tag.dataset.name ?? '';
    this.el.hidden = false;
    const { x, y } = await computePosition(tag, this.el, {
      placement: 'right-start',
      middleware: [offset(6), flip({ fallbackPlacements: ['left-start'] }), shift({ padding: 4 })],
    });
    if (this.tag !== tag) return; // the pointer moved on meanwhile
    this.el.style.left = `${x}px`;
    this.el.style.top = `${y}px`;
  }

  hide(): void {
    this.tag = null;
    this.el.hidden = true;
  }
}

/** The details popover: technique names, explanations, confidences and cues of spans. */
export class Details {
  readonly el: HTMLElement;
  /** While reviewing: the controls shown under span `index` (reject, relabel, new extent). */
  reviewControls: ((index: number) => HTMLElement) | null = null;
  private pinned = false;
  private opener: HTMLElement | null = null;
  private hideTimer: number | undefined;

  constructor(
    el: HTMLElement,
    private readonly byLabel: () => CatalogueByLabel,
  ) {
    this.el = el;
    el.addEventListener('mouseenter', () => this.cancelHide());
    el.addEventListener('mouseleave', () => this.scheduleHide());
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  get isPinned(): boolean {
    return this.isOpen && this.pinned;
  }

  /**
   * Show the given spans (innermost first) next to `anchor`. Pinned popovers stay until
   * closed (Escape, the close button, a click elsewhere); others follow the pointer.
   */
  show(
    record: AnalysisRecord,
    spanIndices: number[],
    shown: SpanTechnique[][],
    anchor: HTMLElement,
    pinned: boolean,
  ): void {
    if (this.pinned && this.isOpen && !pinned) return;
    this.cancelHide();
    this.setExpanded(false);
    this.pinned = pinned;
    this.opener = anchor.classList.contains('tag') ? anchor : null;
    const close = h(
      'button',
      { type: 'button', class: 'close', 'aria-label': 'Close details' },
      '×',
    );
    close.addEventListener('click', () => this.hide(true));
    const sections = spanIndices.map((i) => {
      const section = this.renderSpan(record.analysis.spans[i] as Span, shown[i] ?? []);
      if (this.reviewControls) section.append(this.reviewControls(i));
      return section;
    });
    replace(
      this.el,
      h(
        'div',
        { class: 'details-head' },
        h(
          'h2',
          { id: 'details-title' },
          spanIndices.length > 1 ? 'Overlapping spans' : 'Span details',
        ),
        close,
      ),
      ...sections,
    );
    this.el.hidden = false;
    this.el.classList.toggle('pinned', pinned);
    this.setExpanded(true);
    void this.position(spanRects(anchor, spanIndices[0]));
  }

  /**
   * A span's details: the phrase, its techniques, then its cues, which say why this phrase
   * was highlighted, before the techniques' general explanations.
   */
  private renderSpan(span: Span, visible: SpanTechnique[]): HTMLElement {
    const byLabel = this.byLabel();
    const visibleSet = new Set(visible.map((t) => t.technique));
    const muted = (t: SpanTechnique) => (visibleSet.has(t.technique) ? '' : ' muted');
    const techniques = span.techniques.map((t) => {
      const badge = h('span', { class: 'badge' }, t.name);
      badge.style.background = safeColor(byLabel.get(t.technique)?.color);
      return h(
        'li',
        { class: `technique${muted(t)}` },
        h(
          'div',
          { class: 'technique-head' },
          badge,
          h('span', { class: 'confidence' }, formatConfidence(t.confidence)),
          visibleSet.has(t.technique) ? null : h('span', { class: 'hint' }, '(hidden by filter)'),
        ),
      );
    });
    const cues = span.cues.map((c) =>
      h(
        'li',
        {
          title: `${c.source === 'span' ? 'why it is a phrase' : 'why this technique'}, weight ${c.weight.toFixed(2)}`,
        },
        h('span', { class: 'cue' }, c.text),
      ),
    );
    // With several techniques, each explanation says whose it is.
    const explanations = span.techniques.map((t) => {
      const entry = byLabel.get(t.technique);
      return entry
        ? h(
            'p',
            { class: `explanation${muted(t)}` },
            span.techniques.length > 1 ? h('strong', {}, `${t.name}: `) : null,
            entry.explanation,
          )
        : null;
    });
    return h(
      'section',
      { class: 'details-span' },
      h('blockquote', { class: 'quote' }, '“', ...quotePieces(span), '”'),
      h('ul', { class: 'techniques' }, ...techniques),
      cues.length > 0 ? h('h3', {}, 'Cues') : null,
      cues.length > 0 ? h('ul', { class: 'cues' }, ...cues) : null,
      ...explanations,
      h(
        'p',
        { class: 'confidence-note' },
        span.confidence === null
          ? 'Reviewed: a person decides this phrase, so it has no model confidence.'
          : CONFIDENCE_MEANING,
      ),
    );
  }

  /**
   * Beside the span, never over it: below or above (whichever fits), inside the viewport. On
   * a phone the popover is a bottom sheet, and the page scrolls so the span stays above it.
   */
  private async position(rects: DOMRect[]): Promise<void> {
    const el = this.el;
    const box = union(rects);
    if (window.matchMedia('(max-width: 640px)').matches) {
      el.style.left = '';
      el.style.top = '';
      el.style.maxHeight = '';
      // Room below the last line, so that even the last span can scroll above the sheet.
      document.body.classList.add('sheet-open');
      const sheetTop = window.innerHeight - el.offsetHeight;
      const margin = 12;
      if (box.bottom > sheetTop - margin || box.top < margin)
        window.scrollBy({ top: box.top - Math.max(margin, (sheetTop - box.height) / 2) });
      return;
    }
    const reference = { getBoundingClientRect: () => box, getClientRects: () => rects };
    const { x, y } = await computePosition(reference, el, {
      placement: 'bottom-start',
      strategy: 'absolute',
      middleware: [
        offset(8),
        flip({ fallbackPlacements: ['top-start', 'bottom-end', 'top-end'] }),
        shift({ padding: 12 }),
        size({
          padding: 12,
          apply: ({ availableHeight }) => {
            el.style.maxHeight = `${Math.max(160, availableHeight)}px`;
          },
        }),
      ],
    });
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
  }

  private setExpanded(open: boolean): void {
    this.opener?.setAttribute('aria-expanded', String(open));
  }

  /** Hide now; with `restoreFocus`, give focus back to the tag that opened it. */
  hide(restoreFocus = false): void {
    this.cancelHide();
    if (this.el.hidden) return;
    this.el.hidden = true;
    document.body.classList.remove('sheet-open');
    this.setExpanded(false);
    this.pinned = false;
    if (restoreFocus && this.opener?.isConnected) this.opener.focus();
    this.opener = null;
  }

  /** Hide an unpinned popover shortly (so the pointer can move into it). */
  scheduleHide(): void {
    if (this.pinned) return;
    this.cancelHide();
    this.hideTimer = window.setTimeout(() => {
      if (!this.pinned) this.hide();
    }, 250);
  }

  private cancelHide(): void {
    if (this.hideTimer !== undefined) window.clearTimeout(this.hideTimer);
    this.hideTimer = undefined;
  }
}

/** The rectangles of a span's highlighted pieces (or of the anchor when none is found). */
function spanRects(anchor: HTMLElement, spanIndex: number | undefined): DOMRect[] {
  const root = anchor.closest('#article') ?? document;
  const marks =
    spanIndex === undefined
      ? []
      : [...root.querySelectorAll<HTMLElement>(`mark.hl[data-spans~="${spanIndex}"]`)];
  const rects = (marks.length > 0 ? marks : [anchor]).flatMap((m) => [...m.getClientRects()]);
  return rects.length > 0 ? rects : [anchor.getBoundingClientRect()];
}

/** The smallest rectangle holding all of them. */
function union(rects: readonly DOMRect[]): DOMRect {
  const left = Math.min(...rects.map((r) => r.left));
  const top = Math.min(...rects.map((r) => r.top));
  const right = Math.max(...rects.map((r) => r.right));
  const bottom = Math.max(...rects.map((r) => r.bottom));
  return new DOMRect(left, top, right - left, bottom - top);
}
