/// <reference lib="dom" />
/**
 * Article text from an HTML page: Mozilla Readability (Firefox's reader view) over a DOM,
 * returned in the corpus layout (title, empty line, one paragraph per line) with the
 * title and publication date when the page has them.
 *
 * Readability's time grows faster than the page (2,000 nested divs took minutes), so a
 * streaming tokenizer checks the page's nesting depth and element count against a budget
 * before any DOM is built. Callers that must stay responsive (the server, batches) run
 * this in a worker thread with a time budget as well: see html-extractor.ts.
 */
import { Readability } from '@mozilla/readability';
import { Parser } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import { SpinscopeError } from '../errors.js';

export interface ExtractedArticle {
  title: string | undefined;
  /** Publication date (ISO 8601) when the page states one. */
  date: string | undefined;
  /** Site name when the page states one. */
  siteName: string | undefined;
  /** Title, empty line, body paragraphs one per line (the corpus layout). */
  text: string;
}

/** Limits on a page's shape, checked before any DOM is built. */
export interface HtmlStructureBudget {
  /** Deepest element nesting (default 256; Chromium's parser flattens past 512). */
  maxDepth: number;
  /** Most elements (default 30,000: news pages have a few thousand). */
  maxElements: number;
}

export const DEFAULT_HTML_BUDGET: HtmlStructureBudget = { maxDepth: 256, maxElements: 30_000 };

/** Builds a document from HTML: the product uses linkedom (bench:html compares jsdom). */
export type ParseHtml = (html: string, url: string) => Document;

const parseWithLinkedom: ParseHtml = (html) => parseHTML(html).document as unknown as Document;

const BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, td, th, dd, dt, figcaption';

/**
 * Throw SPN_ERR_INPUT_HTML when the page nests deeper or has more elements than the budget.
 * htmlparser2 closes void elements and implied end tags (a `<p>` closes the open `<p>`)
 * as a browser would, so the depth is the DOM's, without building it.
 */
export function checkHtmlStructure(
  html: string,
  budget: HtmlStructureBudget = DEFAULT_HTML_BUDGET,
): void {
  let depth = 0;
  let elements = 0;
  let over: string | undefined;
  const parser = new Parser(
    {
      onopentag() {
        elements += 1;
        depth += 1;
        if (over !== undefined) return;
        if (depth > budget.maxDepth) {
          over = `its elements nest more than ${budget.maxDepth} deep`;
        } else if (elements > budget.maxElements) {
          over = `it has more than ${budget.maxElements} elements`;
        }
        if (over !== undefined) parser.pause(); // the rest need not be read
      },
      onclosetag() {
        depth -= 1;
      },
    },
    { decodeEntities: false },
  );
  parser.end(html);
  if (over !== undefined) {
    throw new SpinscopeError('SPN_ERR_INPUT_HTML', `the HTML page is refused: ${over}`);
  }
}

export interface ExtractOptions {
  /** The page's address (resolves relative links; default an invalid example URL). */
  url?: string;
  budget?: HtmlStructureBudget;
  /** The DOM to build (default linkedom). */
  parse?: ParseHtml;
}

/**
 * The article of an HTML page, in this thread. Throws SPN_ERR_INPUT_HTML or SPN_ERR_HTML.
 * The second argument may be the page's URL alone (the signature of earlier versions).
 */
export function extractArticle(
  html: string,
  urlOrOptions: string | ExtractOptions = {},
): ExtractedArticle {
  const options = typeof urlOrOptions === 'string' ? { url: urlOrOptions } : urlOrOptions;
  checkHtmlStructure(html, options.budget);
  const parse = options.parse ?? parseWithLinkedom;
  const url = options.url ?? 'https://example.invalid/';
  const document = parse(html, url);
  const date = findDate(document);
  const article = new Readability(document).parse();
  const content = article?.content
    ? parse(`<!doctype html><html><body>${article.content}</body></html>`, url).body
    : undefined;
  const paragraphs: string[] = [];
  if (content) {
    const blocks = [...content.querySelectorAll(BLOCKS)].filter((el) => !el.querySelector(BLOCKS));
    for (const block of blocks.length > 0 ? blocks : [content]) {
      const text = normaliseSpace(block.textContent ?? '');
      if (text) paragraphs.push(text);
    }
  }
  if (paragraphs.length === 0) {
    const body = normaliseSpace(document.body?.textContent ?? '');
    if (body) paragraphs.push(body);
  }
  if (paragraphs.length === 0) {
    throw new SpinscopeError('SPN_ERR_HTML', 'the page has no readable article text');
  }
  const siteName = normaliseSpace(article?.siteName ?? '') || undefined;
  const title =
    withoutSiteName(normaliseSpace(article?.title ?? document.title ?? ''), siteName) || undefined;
  const text = title ? `${title}\n\n${paragraphs.join('\n')}\n` : `${paragraphs.join('\n')}\n`;
  return { title, date: toIsoDate(article?.publishedTime) ?? date, siteName, text };
}

/**
 * The title without a trailing " | Site" or " - Site" (or en or em dash) that names the
 * page's own site: the site is the source, not a part of the article.
 */
export function withoutSiteName(title: string, siteName: string | undefined): string {
  if (!siteName) return title;
  for (const separator of [' | ', ' - ', ' – ', ' — ']) {
    const suffix = separator + siteName;
    if (
      title.length > suffix.length &&
      title.slice(-suffix.length).toLowerCase() === suffix.toLowerCase()
    )
      return title.slice(0, -suffix.length).trim();
  }
  return title;
}

function normaliseSpace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

function findDate(document: Document): string | undefined {
  const meta = document.querySelector(
    'meta[property="article:published_time"], meta[name="date"], meta[name="pubdate"], meta[itemprop="datePublished"]',
  );
  return toIsoDate(
    meta?.getAttribute('content') ??
      document.querySelector('time[datetime]')?.getAttribute('datetime'),
  );
}

function toIsoDate(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}
