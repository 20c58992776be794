/**
 * Article text from an HTML page: Mozilla Readability (Firefox's reader view) over jsdom,
 * returned in the corpus layout (title, empty line, one paragraph per line) with the
 * title and publication date when the page has them.
 */
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
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

const BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, td, th, dd, dt, figcaption';

export function extractArticle(html: string, url = 'https://example.invalid/'): ExtractedArticle {
  // No scripts, no subresources, and page console noise stays out of our output.
  const dom = new JSDOM(html, { url, virtualConsole: new VirtualConsole() });
  const document = dom.window.document;
  const date = findDate(document);
  const article = new Readability(document).parse();
  const content = article?.content ? JSDOM.fragment(article.content) : undefined;
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
  const title = normaliseSpace(article?.title ?? document.title ?? '') || undefined;
  const text = title ? `${title}\n\n${paragraphs.join('\n')}\n` : `${paragraphs.join('\n')}\n`;
  return {
    title,
    date: toIsoDate(article?.publishedTime) ?? date,
    siteName: article?.siteName ?? undefined,
    text,
  };
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
