/**
 * The article in a news page, as the text the detector reads and a map from that text back
 * to the page's own text nodes.
 *
 * Readability finds the article in a clone of the document (the page itself is never
 * touched); the clone's text nodes are paired with the page's, so that every UTF-16 unit of
 * the analysed text knows the page text it came from. The text is laid out as the detector
 * expects an article: the headline, an empty line, then one paragraph per block, separated by
 * empty lines; white space is collapsed as a browser renders it.
 */
import { Readability } from '@mozilla/readability';

/** A stretch of one of the page's text nodes: UTF-16 offsets into its data, half-open. */
export interface TextPiece {
  node: Text;
  start: number;
  end: number;
}

export interface ArticleText {
  text: string;
  /** The headline the text starts with, when the page has one. */
  title: string | null;
  /** The page's text nodes the text came from, in document order. */
  nodes: Text[];
  /**
   * For each UTF-16 unit of `text`: the index in `nodes` of the node it came from (-1 for the
   * line breaks between blocks and for `<br>`), and the [start, end) units of that node it
   * stands for (a collapsed run of white space stands for the whole run in its node).
   */
  nodeOf: Int32Array;
  startOf: Int32Array;
  endOf: Int32Array;
}

/** Elements whose text is never article text. */
const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'button',
  'select',
  'textarea',
  'iframe',
  'canvas',
  'object',
  'spinscope-marker',
  'spinscope-layer',
]);

/** Elements that start and end a paragraph of the analysed text. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/** HTML's collapsible white space (not the no-break space, which the page shows). */
const isSpace = (unit: number) =>
  unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d || unit === 0x0c;

const collapse = (text: string) => text.replace(/[ \t\n\r\f]+/g, ' ').trim();

type Block = (Text | 'br')[];

/** Pair each text node of `clone` (a deep clone of `doc`) with the page's node. */
function pairTextNodes(doc: Document, clone: Document): Map<Text, Text> {
  const pairs = new Map<Text, Text>();
  const live = doc.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
  const copy = clone.createTreeWalker(clone, NodeFilter.SHOW_TEXT);
  for (
    let a = live.nextNode(), b = copy.nextNode();
    a && b;
    a = live.nextNode(), b = copy.nextNode()
  )
    pairs.set(b as Text, a as Text);
  return pairs;
}

/**
 * The page's text node for each text node of Readability's article. Readability moves the
 * clone's nodes about, which keeps them; when it rebuilds a part from HTML (a second try on a
 * short page) the new nodes are found by their text, the next match after the last one.
 */
class NodeFinder {
  private readonly order: Text[];
  private readonly position = new Map<Text, number>();
  private readonly used = new Set<Text>();
  private cursor = 0;

  constructor(private readonly pairs: Map<Text, Text>) {
    this.order = [...pairs.values()];
    this.order.forEach((node, i) => this.position.set(node, i));
  }

  find(cloned: Text): Text | undefined {
    let found = this.pairs.get(cloned);
    if (!found || this.used.has(found)) {
      const data = cloned.data;
      const match = (node: Text) => node.data === data && !this.used.has(node);
      found =
        this.order.slice(this.cursor).find(match) ?? this.order.slice(0, this.cursor).find(match);
    }
    if (!found) return undefined;
    this.used.add(found);
    this.cursor = (this.position.get(found) ?? this.cursor) + 1;
    return found;
  }
}

/** The blocks of an element (of the clone), with the page's text nodes in them. */
function blocksOf(root: Element, finder: NodeFinder): Block[] {
  const blocks: Block[] = [];
  let current: Block = [];
  const flush = () => {
    if (current.length > 0) blocks.push(current);
    current = [];
  };
  const visit = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const live = finder.find(node as Text);
      if (live) current.push(live);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const tag = (node as Element).localName;
    if (SKIP.has(tag)) return;
    if (tag === 'br') {
      current.push('br');
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) flush();
    for (let child = node.firstChild; child; child = child.nextSibling) visit(child);
    if (block) flush();
  };
  visit(root);
  flush();
  return blocks;
}

/** The page's text nodes under `element`, outside the elements never read. */
function liveTextNodes(element: Element): Text[] {
  const nodes: Text[] = [];
  const walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => {
      for (let e = node.parentElement; e && e !== element.parentElement; e = e.parentElement)
        if (SKIP.has(e.localName)) return NodeFilter.FILTER_REJECT;
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
  return nodes;
}

/** The page's headline: the first `h1` with the article's title, else the first `h1`. */
function findHeadline(doc: Document, title: string | null | undefined): Element | undefined {
  const headings = [...doc.querySelectorAll('h1')].filter((h) => collapse(h.textContent ?? ''));
  const wanted = collapse(title ?? '');
  return (
    headings.find((h) => collapse(h.textContent ?? '') === wanted) ??
    headings.find((h) => wanted !== '' && wanted.includes(collapse(h.textContent ?? ''))) ??
    headings[0]
  );
}

/** Lay blocks out as text, keeping where each unit came from. */
function layOut(blocks: readonly Block[]): Omit<ArticleText, 'title'> {
  const units: string[] = [];
  const nodeOf: number[] = [];
  const startOf: number[] = [];
  const endOf: number[] = [];
  const nodes: Text[] = [];
  const emit = (unit: string, node: number, start: number, end: number) => {
    units.push(unit);
    nodeOf.push(node);
    startOf.push(start);
    endOf.push(end);
  };
  for (const block of blocks) {
    let started = false;
    let space: { node: number; start: number; end: number } | null = null;
    const blockStart = units.length;
    for (const part of block) {
      if (part === 'br') {
        space ??= { node: -1, start: 0, end: 0 };
        continue;
      }
      const index = nodes.push(part) - 1;
      const data = part.data;
      for (let i = 0; i < data.length; i++) {
        if (isSpace(data.charCodeAt(i))) {
          if (!space) space = { node: index, start: i, end: i + 1 };
          else if (space.node === index && space.end === i) space.end++;
          continue;
        }
        if (!started && units.length > 0) {
          emit('\n', -1, 0, 0);
          emit('\n', -1, 0, 0);
        } else if (space && started) {
          emit(' ', space.node, space.start, space.end);
        }
        space = null;
        started = true;
        emit(data[i] as string, index, i, i + 1);
      }
    }
    if (!started) units.length = nodeOf.length = startOf.length = endOf.length = blockStart;
  }
  return {
    text: units.join(''),
    nodes,
    nodeOf: Int32Array.from(nodeOf),
    startOf: Int32Array.from(startOf),
    endOf: Int32Array.from(endOf),
  };
}

/** The article in `doc`, or undefined when Readability finds none. */
export function extractArticle(doc: Document): ArticleText | undefined {
  const clone = doc.cloneNode(true) as Document;
  const finder = new NodeFinder(pairTextNodes(doc, clone));
  const parsed = new Readability<Element>(clone, { serializer: (node) => node as Element }).parse();
  const content = parsed?.content;
  if (!content) return undefined;
  const blocks = blocksOf(content, finder);
  // Readability keeps the title apart (and drops a headline that repeats it): the page's own
  // headline goes first, unless the article's text already holds it.
  const headline = findHeadline(doc, parsed.title);
  const used = new Set(blocks.flat());
  const headlineNodes = headline ? liveTextNodes(headline) : [];
  if (headlineNodes.length > 0 && !headlineNodes.some((node) => used.has(node)))
    blocks.unshift(headlineNodes);
  const laidOut = layOut(blocks);
  if (laidOut.text === '') return undefined;
  const firstLine = laidOut.text.split('\n', 1)[0] ?? '';
  const title = headline && collapse(headline.textContent ?? '') === firstLine ? firstLine : null;
  return { ...laidOut, title };
}

/**
 * The page text under code-point offsets [cpStart, cpEnd) of the article's text: one piece
 * per text node, in document order (the line breaks between blocks have none).
 */
export function piecesOf(
  article: ArticleText,
  unitOf: readonly number[],
  cpStart: number,
  cpEnd: number,
): TextPiece[] {
  const pieces: TextPiece[] = [];
  const from = unitOf[cpStart] ?? article.text.length;
  const to = unitOf[cpEnd] ?? article.text.length;
  for (let u = from; u < to; u++) {
    const index = article.nodeOf[u] as number;
    if (index < 0) continue;
    const node = article.nodes[index] as Text;
    const last = pieces[pieces.length - 1];
    if (last?.node === node) last.end = article.endOf[u] as number;
    else
      pieces.push({ node, start: article.startOf[u] as number, end: article.endOf[u] as number });
  }
  return pieces;
}
