/** An article from the outside world (a file's bytes, a URL) as text ready to analyse. */
import { extname } from 'node:path';
import { decodeText } from './files.js';
import { fetchPage, type FetchOptions } from './fetch-url.js';
import { extractArticle } from './html.js';

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

/** A file's bytes: strict UTF-8; HTML pages go through article extraction. */
export function articleFromBytes(
  bytes: Uint8Array,
  name: string,
  contentType?: string,
): ArticleInput {
  const text = decodeText(bytes, name);
  if (!looksLikeHtml(name, text, contentType)) return { text, source: name };
  const article = extractArticle(text);
  return {
    text: article.text,
    title: article.title,
    date: article.date,
    source: article.siteName ?? name,
  };
}

/** A page fetched safely (see fetch-url.ts), HTML turned into article text. */
export async function articleFromUrl(
  url: string,
  options: FetchOptions = {},
): Promise<ArticleInput> {
  const page = await fetchPage(url, options);
  const source = new URL(page.url).hostname;
  if (!page.isHtml) return { text: page.body, source };
  const article = extractArticle(page.body, page.url);
  return {
    text: article.text,
    title: article.title,
    date: article.date,
    source: article.siteName ?? source,
  };
}
