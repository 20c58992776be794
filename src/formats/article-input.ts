/** An article from the outside world (a file's bytes, a URL) as text ready to analyse. */
import { extname } from 'node:path';
import { decodeText } from './files.js';
import { fetchPage, type FetchOptions } from './fetch-url.js';
import type { ExtractedArticle } from './html.js';
import type { HtmlExtractor } from './html-extractor.js';

export interface ArticleInput {
  text: string;
  title?: string;
  /** Publication date (ISO 8601) when known. */
  date?: string;
  source?: string;
}

const HTML_START = /^\s*(<!doctype html|<html|<head|<body|<article|<p[\s>])/iu;

/** True for .html/.htm files, HTML content types, or text that starts like an HTML page. */
export function looksLikeHtml(name: string, text: string, contentType?: string): boolean {
  const ext = extname(name).toLowerCase();
  if (ext === '.html' || ext === '.htm' || ext === '.xhtml') return true;
  if (contentType && /html/iu.test(contentType)) return true;
  return ext !== '.txt' && HTML_START.test(text.replace(/^\ufeff/u, ''));
}

/** How HTML is turned into an article: in a worker thread, within budgets; optionally stoppable. */
export interface HtmlHandling {
  extractor: HtmlExtractor;
  signal?: AbortSignal;
}

/** A file's bytes: strict UTF-8; HTML pages go through article extraction. */
export async function articleFromBytes(
  bytes: Uint8Array,
  name: string,
  html: HtmlHandling,
  contentType?: string,
): Promise<ArticleInput> {
  const text = decodeText(bytes, name);
  if (!looksLikeHtml(name, text, contentType)) return { text, source: name };
  const article = await html.extractor.extract(text, undefined, html.signal);
  return fromExtracted(article, name);
}

/** A page fetched safely (see fetch-url.ts), HTML turned into article text. */
export async function articleFromUrl(
  url: string,
  html: HtmlHandling,
  options: FetchOptions = {},
): Promise<ArticleInput> {
  const page = await fetchPage(url, options);
  const source = new URL(page.url).hostname;
  if (!page.isHtml) return { text: page.body, source };
  const article = await html.extractor.extract(page.body, page.url, html.signal);
  return fromExtracted(article, source);
}

/** An extracted page as an article; the page's site name wins over `source`. */
export function fromExtracted(article: ExtractedArticle, source: string | undefined): ArticleInput {
  const input: ArticleInput = { text: article.text };
  if (article.title !== undefined) input.title = article.title;
  if (article.date !== undefined) input.date = article.date;
  const site = article.siteName ?? source;
  if (site !== undefined) input.source = site;
  return input;
}
