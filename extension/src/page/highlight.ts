/**
 * The analysis in the news page itself: each stretch of the page's text under a span wrapped
 * in a `<mark>` with the technique colours (stripes where spans overlap), a numbered marker
 * after each span, and the web UI's details popover, opened from a marker by pointer or
 * keyboard. The drawing is the web UI's (web/src/render.ts, web/src/article.ts): only where
 * the text lives differs.
 *
 * The page keeps its layout and links: marks are inline and reset every style the page could
 * give them; a marker never goes inside a link; markers and the popover live in shadow roots,
 * so the page's styles do not reach them. `remove()` gives the page back its own text nodes,
 * as they were.
 */
import css from '../../../web/src/styles.css?inline';
import { Details, MarkerTip, PointerMoves, techniqueNumbers } from '../../../web/src/article.js';
import { h } from '../../../web/src/dom.js';
import {
  buildSegments,
  catalogueByLabel,
  codePointToUnitMap,
  describeTechniques,
  orderSpans,
  safeColor,
  segmentBackground,
  segmentUnderlines,
  visibleTechniques,
  type Filter,
} from '../../../web/src/render.js';
import type { AnalysisRecord, ShownAnalysis, ShownTechnique } from '../../../src/types.js';
import { TECHNIQUES } from '../../../src/techniques/catalogue.js';
import { piecesOf, type ArticleText, type TextPiece } from './extract.js';

/**
 * The web UI's styles for the shadow roots: its page-wide variables on each root's host, and
 * its rem sizes in pixels of a 16 px root, whatever root size the news page sets.
 */
const SHADOW_CSS = `${css.replaceAll(':root', ':host').replace(/(\d*\.?\d+)rem\b/g, 'calc($1 * 16px)')}
:host { font-size: 16px; }
button.tag { margin: 0 0.1em 0 0.15em; }
.details { text-align: left; line-height: 1.5; }`;

let sheet: CSSStyleSheet | undefined;

/**
 * Style a shadow root: one constructed sheet shared by all (CSSOM, which a page's
 * Content-Security-Policy does not block, as it may block a `<style>` element).
 */
function styleRoot(root: ShadowRoot): void {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(SHADOW_CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', {}, SHADOW_CSS));
  }
}

/** Every property the page could give a `<mark>` reset, then the web UI's highlight. */
const MARK_RESET = 'all: unset;';
function markStyle(colors: readonly string[]): string {
  const shadow = segmentUnderlines(colors);
  return (
    `${MARK_RESET} color: #111111; background: ${segmentBackground(colors)};` +
    (shadow === 'none' ? '' : ` box-shadow: ${shadow};`) +
    ' padding: 0.12em 0; border-radius: 2px; text-decoration: underline 2px rgb(17 17 17 / 0.55);' +
    ' text-underline-offset: 0.22em; -webkit-box-decoration-break: clone; box-decoration-break: clone;'
  );
}

/** Where a marker may not go: a marker inside a link would follow the link when pressed. */
const INTERACTIVE = 'a, label, summary, [role="link"], [role="button"]';

interface Marker {
  host: HTMLElement;
  button: HTMLButtonElement;
}

/** A part of a page text node that highlighting split off, and where it starts in the original. */
interface Fragment {
  start: number;
  node: Text;
}

export class PageHighlights {
  /** Spans with no text in the page (the page changed since it was read). */
  readonly unplaced: number;
  private readonly unitOf: number[];
  private readonly marks: HTMLElement[] = [];
  private readonly markers = new Map<number, Marker>();
  private readonly fragments = new Map<Text, Fragment[]>();
  private readonly layer: HTMLElement;
  private readonly details: Details;
  private readonly pointer = new PointerMoves();
  private readonly tip: HTMLElement;
  private readonly record: AnalysisRecord;
  private readonly byLabel = catalogueByLabel(TECHNIQUES);
  private readonly numbers = techniqueNumbers(this.byLabel);
  private shown: ShownTechnique[][] = [];
  private readonly listeners: [string, EventListener][] = [];

  constructor(
    private readonly doc: Document,
    private readonly article: ArticleText,
    analysis: ShownAnalysis,
    url: string,
  ) {
    this.unitOf = codePointToUnitMap(article.text);
    if (analysis.length !== this.unitOf.length - 1)
      throw new Error('the analysis is of another text than the page’s article');
    this.record = {
      id: '',
      contentHash: '',
      modelName: analysis.model.name,
      modelVersion: analysis.model.version,
      source: url,
      title: article.title,
      date: null,
      createdAt: '',
      durationMs: null,
      text: article.text,
      analysis,
      cached: false,
    };
    this.layer = doc.createElement('spinscope-layer');
    this.layer.style.cssText =
      'all: initial; position: absolute; top: 0; left: 0; z-index: 2147483647;';
    const layerRoot = this.layer.attachShadow({ mode: 'open' });
    const detailsEl = h('div', {
      class: 'details',
      id: 'details',
      role: 'dialog',
      'aria-labelledby': 'details-title',
      hidden: true,
    });
    this.tip = h('div', { class: 'marker-tip', 'aria-hidden': 'true', hidden: true });
    styleRoot(layerRoot);
    layerRoot.append(detailsEl, this.tip);
    doc.documentElement.append(this.layer);
    this.details = new Details(detailsEl, () => this.byLabel);

    const spans = analysis.spans;
    const segments = buildSegments(this.unitOf.length - 1, spans);
    const wraps: (TextPiece & { spans: number[] })[] = [];
    for (const segment of segments) {
      if (segment.spans.length === 0) continue;
      for (const piece of piecesOf(article, this.unitOf, segment.start, segment.end))
        if (piece.node.isConnected) wraps.push({ ...piece, spans: segment.spans });
    }
    this.wrap(wraps);
    this.marks.sort((a, b) =>
      a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
    );
    const lastMark = new Map<number, HTMLElement>();
    for (const mark of this.marks)
      for (const i of (mark.dataset.spans ?? '').split(' ')) lastMark.set(Number(i), mark);
    // Inner spans first where several end together: their markers read in nesting order.
    for (const i of orderSpans(spans).reverse()) {
      const mark = lastMark.get(i);
      if (mark) this.addMarker(i, mark);
    }
    this.unplaced = spans.length - lastMark.size;

    this.listen('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Escape' && this.details.isOpen) {
        event.preventDefault();
        this.details.hide(true);
      }
    });
    this.listen('click', (event) => {
      if (this.details.isPinned && !event.composedPath().includes(this.layer)) this.details.hide();
    });
    this.listen('resize', () => this.details.hide());
    this.listen('mousemove', (event) => this.pointer.track(event as MouseEvent));
  }

  /** Show the techniques that pass the filter; the others' marks are plain text again. */
  applyFilter(filter: Filter): void {
    this.details.hide();
    this.tip.hidden = true;
    this.pointer.contentChanged();
    this.shown = this.record.analysis.spans.map((span) => visibleTechniques(span, filter));
    const colorOf = (t: ShownTechnique | undefined) =>
      safeColor(this.byLabel.get(t?.technique ?? '')?.color);
    for (const mark of this.marks) {
      const on = (mark.dataset.spans ?? '')
        .split(' ')
        .map(Number)
        .filter((i) => (this.shown[i] ?? []).length > 0);
      mark.style.cssText =
        on.length === 0 ? MARK_RESET : markStyle(on.map((i) => colorOf(this.shown[i]?.[0])));
    }
    for (const [i, { host, button }] of this.markers) {
      const techniques = this.shown[i] ?? [];
      host.style.display = techniques.length === 0 ? 'none' : 'inline';
      button.textContent = techniques
        .map((t) => String(this.numbers.get(t.technique) ?? '?'))
        .join('·');
      button.dataset.name = describeTechniques(techniques);
      button.setAttribute('aria-label', `${describeTechniques(techniques, ', ')}: show details`);
      button.style.background = colorOf(techniques[0]);
    }
  }

  /** Scroll to the page text at code-point offsets [start, end) and select it. */
  reveal(start: number, end: number): void {
    const pieces = piecesOf(this.article, this.unitOf, start, end);
    const first = pieces[0];
    const last = pieces[pieces.length - 1];
    if (!first || !last) return;
    const range = this.doc.createRange();
    const from = this.locate(first.node, first.start, false);
    const to = this.locate(last.node, last.end, true);
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    const box = range.getBoundingClientRect();
    window.scrollBy({ top: box.top - window.innerHeight / 3 });
    const selection = this.doc.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }

  /** Take everything away: the page's text nodes hold their own text again, unsplit. */
  remove(): void {
    for (const [type, listener] of this.listeners) window.removeEventListener(type, listener, true);
    for (const { host } of this.markers.values()) host.remove();
    for (const mark of this.marks) mark.replaceWith(...mark.childNodes);
    for (const [node, fragments] of this.fragments) {
      node.data = fragments.map((f) => f.node.data).join('');
      for (const f of fragments) if (f.node !== node) f.node.remove();
    }
    this.layer.remove();
  }

  /** Wrap each piece in a mark, splitting text nodes from their end so offsets stay valid. */
  private wrap(wraps: (TextPiece & { spans: number[] })[]): void {
    const byNode = new Map<Text, (TextPiece & { spans: number[] })[]>();
    for (const w of wraps) byNode.set(w.node, [...(byNode.get(w.node) ?? []), w]);
    for (const [node, pieces] of byNode) {
      const fragments: Fragment[] = [{ start: 0, node }];
      pieces.sort((a, b) => b.start - a.start);
      for (const piece of pieces) {
        if (piece.end < node.length)
          fragments.push({ start: piece.end, node: node.splitText(piece.end) });
        const middle = piece.start > 0 ? node.splitText(piece.start) : node;
        if (middle !== node) fragments.push({ start: piece.start, node: middle });
        const mark = this.doc.createElement('mark');
        mark.className = 'hl';
        mark.dataset.spans = piece.spans.join(' ');
        mark.style.cssText = MARK_RESET;
        middle.replaceWith(mark);
        mark.append(middle);
        this.marks.push(mark);
      }
      this.fragments.set(
        node,
        fragments.sort((a, b) => a.start - b.start),
      );
    }
  }

  private addMarker(i: number, mark: HTMLElement): void {
    let after: Element = mark.closest(INTERACTIVE) ?? mark;
    while (
      after.nextElementSibling?.localName === 'spinscope-marker' &&
      after.nextSibling === after.nextElementSibling
    )
      after = after.nextElementSibling;
    const host = this.doc.createElement('spinscope-marker');
    host.style.cssText = 'all: initial; display: inline;';
    host.dataset.span = String(i);
    const button = h('button', {
      type: 'button',
      class: 'tag',
      'data-span': i,
      'aria-haspopup': 'dialog',
      'aria-expanded': 'false',
    });
    const root = host.attachShadow({ mode: 'open' });
    styleRoot(root);
    root.append(button);
    button.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();
      this.details.show(this.record, [i], this.shown, button, true);
    });
    new MarkerTip(this.tip, button, this.pointer);
    after.after(host);
    this.markers.set(i, { host, button });
  }

  /** A place in an original text node, in the fragment that now holds it. */
  private locate(node: Text, offset: number, isEnd: boolean): { node: Text; offset: number } {
    const fragments = this.fragments.get(node);
    if (!fragments) return { node, offset };
    let found = fragments[0] as Fragment;
    for (const f of fragments) if (isEnd ? f.start < offset : f.start <= offset) found = f;
    return { node: found.node, offset: offset - found.start };
  }

  private listen(type: string, listener: EventListener): void {
    window.addEventListener(type, listener, true);
    this.listeners.push([type, listener]);
  }
}
