/**
 * What a batch reads: files, folders, JSON Lines files and lists of URLs, turned into a
 * stream of items. An item is plain data (its id, where it came from, and what to load), so
 * that a queue can carry it just as well as this module's iterator; `loadArticle` turns it
 * into article text.
 *
 * Inputs:
 *   - a folder: every .txt/.html/.htm file below it (recursively, in name order, hidden files
 *     and folders skipped);
 *   - a JSON Lines file (.jsonl/.ndjson): one item a line, `{"id"?, "text"|"html"|"url",
 *     "title"?, "source"?, "date"?}`, streamed;
 *   - a list of URLs (.urls, or any file whose non-empty lines not starting with # are all
 *     http(s) URLs), one a line;
 *   - any other file: one article (.html/.htm through article extraction).
 *
 * Item ids: the JSON Lines `id`, else the article id of an `article<ID>.txt` file, else the
 * file's path relative to its input folder (`/`-separated; a file named directly: its path
 * as given), else the URL; a text or HTML line without an id gets `FILE:LINE`. Ids are
 * article ids in SemEval label files, so whitespace in a derived id is percent-encoded and
 * an explicit id with whitespace is refused.
 */
import { open, readdir, realpath, stat, lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, join, normalize, relative, sep } from 'node:path';
import { HTML_FACTOR } from '../config.js';
import { SpinscopeError, type ErrorCode } from '../errors.js';
import type { ArticleInput, HtmlHandling } from '../formats/article-input.js';
import { articleIdFromFileName } from '../formats/corpus.js';
import { decodeText, decodeUtf8 } from '../formats/files.js';
import { readLines } from './lines.js';

/** Where an item's article comes from. */
export type ItemSource =
  | { kind: 'file'; path: string }
  | { kind: 'text'; text: string; title?: string; source?: string; date?: string }
  | { kind: 'html'; html: string; title?: string; source?: string; date?: string }
  | { kind: 'url'; url: string; title?: string; source?: string; date?: string }
  /** An item that is known to be bad before loading (a malformed line, an unreadable folder). */
  | { kind: 'invalid'; code: ErrorCode; message: string };

export interface BatchItem {
  /** The article id in the outputs. */
  id: string;
  /** Where the item was found: a file path, or `FILE:LINE` for a line of a JSONL or URL file. */
  input: string;
  source: ItemSource;
}

export type InputKind = 'folder' | 'article' | 'jsonl' | 'urls';

export interface ResolvedInput {
  path: string;
  kind: InputKind;
}

export interface LoadOptions {
  /** Largest article text in UTF-8 bytes; HTML pages and fetched pages may be 4 times this. */
  maxBytes: number;
  allowPrivateUrls?: boolean;
  /** Deadline of one URL fetch in ms. */
  fetchTimeoutMs?: number;
  /** HTML pages are extracted in worker threads, within budgets, stoppable. */
  html: HtmlHandling;
}

const ARTICLE_EXTENSIONS = new Set(['.txt', '.html', '.htm']);
const HTML_EXTENSIONS = new Set(['.html', '.htm', '.xhtml']);
const JSONL_EXTENSIONS = new Set(['.jsonl', '.ndjson']);
/** A line of a URL list longer than this is not a URL. */
const MAX_URL_LINE = 64 * 1024;
/** Counting a JSONL file's lines for the progress total only below this size. */
export const COUNT_LIMIT_BYTES = 50 * 1024 * 1024;

// Fetching and HTML handling are loaded only when an item needs them.
let articleInput: Promise<typeof import('../formats/article-input.js')> | undefined;
const articleModule = () => (articleInput ??= import('../formats/article-input.js'));

/** Whitespace in a derived id is percent-encoded: label files separate columns by tabs. */
export function encodeId(id: string): string {
  return id.replace(/\s/gu, (c) => encodeURIComponent(c));
}

function isHttpUrl(line: string): boolean {
  if (!/^https?:\/\/\S+$/iu.test(line)) return false;
  try {
    new URL(line);
    return true;
  } catch {
    return false;
  }
}

/** True when the file's non-empty lines that do not start with # are all http(s) URLs (at least one). */
export async function isUrlList(path: string): Promise<boolean> {
  let urls = 0;
  try {
    for await (const line of readLines(path, MAX_URL_LINE)) {
      if (!line.bytes) return false;
      const text = decodeUtf8(line.bytes)?.trim();
      if (text === undefined) return false;
      if (text === '' || text.startsWith('#')) continue;
      if (!isHttpUrl(text)) return false;
      urls += 1;
    }
  } catch {
    return false;
  }
  return urls > 0;
}

/**
 * Check the inputs named on the command line and tell what each is. A path that does not
 * exist at all is a usage error (thrown); a link that leads nowhere is an article that will
 * fail to load, like any unreadable file. The same path named twice is read once.
 */
export async function resolveInputs(paths: readonly string[]): Promise<ResolvedInput[]> {
  if (paths.length === 0) throw new SpinscopeError('SPN_ERR_USAGE', 'no inputs given');
  const resolved: ResolvedInput[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    try {
      await lstat(path);
    } catch (error) {
      throw new SpinscopeError(
        'SPN_ERR_FILE_READ',
        `cannot read the input: ${(error as Error).message}`,
        { file: path },
      );
    }
    let info: Stats | undefined;
    try {
      info = await stat(path);
    } catch {
      info = undefined; // a broken link: an article that will fail with the reason
    }
    const key = info ? await realpath(path).catch(() => path) : path;
    if (seen.has(key)) continue;
    seen.add(key);
    const ext = extname(path).toLowerCase();
    let kind: InputKind;
    if (info?.isDirectory()) kind = 'folder';
    else if (JSONL_EXTENSIONS.has(ext)) kind = 'jsonl';
    else if (ext === '.urls') kind = 'urls';
    else if (HTML_EXTENSIONS.has(ext) || !info?.isFile()) kind = 'article';
    else kind = (await isUrlList(path)) ? 'urls' : 'article';
    resolved.push({ path, kind });
  }
  return resolved;
}

/**
 * Every item of the inputs, in order: folders in name order, files line by line. `maxBytes`
 * bounds a JSONL line (an HTML page of HTML_FACTOR times it, escaped, and some room).
 */
export async function* iterateItems(
  inputs: readonly ResolvedInput[],
  options: { maxBytes: number },
): AsyncGenerator<BatchItem> {
  for (const input of inputs) {
    switch (input.kind) {
      case 'folder':
        yield* folderItems(input.path);
        break;
      case 'jsonl':
        yield* jsonlItems(input.path, jsonlLineLimit(options.maxBytes));
        break;
      case 'urls':
        yield* urlListItems(input.path);
        break;
      case 'article':
        yield fileItem(input.path, normalize(input.path));
        break;
    }
  }
}

/**
 * The number of items, for a progress total: folders are listed, URL lists and JSONL files
 * counted line by line; undefined when a JSONL file is 50 MB or more (it is not read twice).
 */
export async function countItems(inputs: readonly ResolvedInput[]): Promise<number | undefined> {
  let total = 0;
  for (const input of inputs) {
    switch (input.kind) {
      case 'folder':
        for await (const _ of walk(input.path)) total += 1;
        break;
      case 'jsonl': {
        const size = (await stat(input.path).catch(() => undefined))?.size ?? 0;
        if (size >= COUNT_LIMIT_BYTES) return undefined;
        total += await countLines(input.path, (text) => text !== '');
        break;
      }
      case 'urls':
        total += await countLines(input.path, (text) => text !== '' && !text.startsWith('#'));
        break;
      case 'article':
        total += 1;
        break;
    }
  }
  return total;
}

async function countLines(path: string, counts: (trimmed: string) => boolean): Promise<number> {
  let n = 0;
  try {
    for await (const line of readLines(path, MAX_URL_LINE)) {
      // A line over the limit is an item too (it fails); bad UTF-8 likewise.
      if (!line.bytes) n += 1;
      else if (counts((decodeUtf8(line.bytes) ?? '?').trim())) n += 1;
    }
  } catch {
    return n;
  }
  return n;
}

function fileItem(path: string, relativeName: string): BatchItem {
  const name = relativeName.split(sep).join('/');
  const base = name.split('/').pop() ?? name;
  const articleId = /\.txt$/iu.test(base) ? articleIdFromFileName(base) : undefined;
  return { id: encodeId(articleId ?? name), input: path, source: { kind: 'file', path } };
}

/** Entries of a folder tree that are articles (or could have been: broken links), in name order. */
async function* walk(
  root: string,
): AsyncGenerator<{ path: string; rel: string; error?: SpinscopeError }> {
  const visited = new Set<string>();
  async function* visit(dir: string): AsyncGenerator<{
    path: string;
    rel: string;
    error?: SpinscopeError;
  }> {
    const real = await realpath(dir).catch(() => dir);
    if (visited.has(real)) return; // a link back up the tree
    visited.add(real);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      yield {
        path: dir,
        rel: relative(root, dir) || '.',
        error: new SpinscopeError(
          'SPN_ERR_FILE_READ',
          `cannot list folder: ${(error as Error).message}`,
          { file: dir },
        ),
      };
      return;
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const rel = relative(root, path);
      const isArticle = ARTICLE_EXTENSIONS.has(extname(name).toLowerCase());
      let info: Stats;
      try {
        info = await stat(path);
      } catch (error) {
        // A broken link, or a file gone since the listing: report it if it is an article.
        if (isArticle) {
          yield {
            path,
            rel,
            error: new SpinscopeError(
              'SPN_ERR_FILE_READ',
              `cannot read: ${(error as Error).message}`,
              { file: path },
            ),
          };
        }
        continue;
      }
      if (info.isDirectory()) yield* visit(path);
      else if (isArticle) {
        yield info.isFile()
          ? { path, rel }
          : {
              path,
              rel,
              error: new SpinscopeError('SPN_ERR_FILE_READ', 'is not a regular file', {
                file: path,
              }),
            };
      }
    }
  }
  yield* visit(root);
}

async function* folderItems(root: string): AsyncGenerator<BatchItem> {
  for await (const entry of walk(root)) {
    const item = fileItem(entry.path, entry.rel);
    if (entry.error) {
      item.source = { kind: 'invalid', code: entry.error.code, message: entry.error.message };
    }
    yield item;
  }
}

/** The one item of a line file that could not be read (or not read to its end). */
function unreadableFile(file: string, error: unknown): BatchItem {
  return invalidLine(
    file,
    0,
    'SPN_ERR_FILE_READ',
    `cannot read: ${(error as Error).message}`,
    encodeId(file),
  );
}
function invalidLine(
  file: string,
  lineNo: number,
  code: ErrorCode,
  message: string,
  id?: string,
): BatchItem {
  const input = `${file}:${lineNo}`;
  return {
    id: id ?? encodeId(input),
    input,
    source: { kind: 'invalid', code, message: `${file}:${lineNo}: ${message}` },
  };
}

/** Line limit of a JSONL file: an HTML page of HTML_FACTOR × maxBytes, escaped, and some room. */
function jsonlLineLimit(maxBytes: number): number {
  return Math.ceil(maxBytes * HTML_FACTOR * 1.5) + 64 * 1024;
}

async function* jsonlItems(file: string, limit: number): AsyncGenerator<BatchItem> {
  try {
    for await (const line of readLines(file, limit)) {
      if (!line.bytes) {
        yield invalidLine(
          file,
          line.lineNo,
          'SPN_ERR_INPUT_TOO_LARGE',
          `the line is ${line.end - line.start} bytes, over the limit of ${limit}`,
        );
        continue;
      }
      const text = decodeUtf8(line.bytes);
      if (text === undefined) {
        yield invalidLine(file, line.lineNo, 'SPN_ERR_INPUT_BINARY', 'is not valid UTF-8 text');
        continue;
      }
      const trimmed = (line.lineNo === 1 ? text.replace(/^\ufeff/u, '') : text).trim();
      if (trimmed === '') continue;
      yield jsonlItem(file, line.lineNo, trimmed);
    }
  } catch (error) {
    yield unreadableFile(file, error);
  }
}

const OPTIONAL_FIELDS = ['title', 'source', 'date'] as const;
const CONTENT_FIELDS = ['text', 'html', 'url'] as const;
const KNOWN_FIELDS = new Set<string>(['id', ...CONTENT_FIELDS, ...OPTIONAL_FIELDS]);

function jsonlItem(file: string, lineNo: number, text: string): BatchItem {
  const bad = (message: string, id?: string) =>
    invalidLine(file, lineNo, 'SPN_ERR_INPUT_TYPE', message, id);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return bad(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad('expected a JSON object such as {"id": "a1", "text": "..."}');
  }
  const record = value as Record<string, unknown>;
  let id: string | undefined;
  if (record.id !== undefined && record.id !== null) {
    const raw = typeof record.id === 'number' ? String(record.id) : record.id;
    if (typeof raw !== 'string' || !/^\S+$/u.test(raw) || raw.length > 1000) {
      return bad('"id" must be a string (or number) without whitespace, at most 1000 characters');
    }
    id = raw;
  }
  const unknown = Object.keys(record).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    return bad(
      `unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (expected id, text|html|url, title, source, date)`,
      id,
    );
  }
  const given = CONTENT_FIELDS.filter((key) => record[key] !== undefined && record[key] !== null);
  if (given.length !== 1) {
    return bad(
      given.length === 0
        ? 'has none of "text", "html" or "url"'
        : `has ${given.map((k) => `"${k}"`).join(' and ')}: give exactly one`,
      id,
    );
  }
  const field = given[0] as (typeof CONTENT_FIELDS)[number];
  const content = record[field];
  if (typeof content !== 'string') return bad(`"${field}" must be a string`, id);
  const extra: { title?: string; source?: string; date?: string } = {};
  for (const key of OPTIONAL_FIELDS) {
    const v = record[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return bad(`"${key}" must be a string`, id);
    extra[key] = v;
  }
  if (extra.date !== undefined && !isIsoDate(extra.date)) {
    return bad(`"date" must be an ISO 8601 date such as 2024-05-31, found "${extra.date}"`, id);
  }
  const input = `${file}:${lineNo}`;
  if (field === 'url') {
    const url = content.trim();
    if (!isHttpUrl(url)) {
      return invalidLine(
        file,
        lineNo,
        'SPN_ERR_URL',
        `"${url.slice(0, 200)}" is not an http(s) URL`,
        id,
      );
    }
    return { id: id ?? url, input, source: { kind: 'url', url, ...extra } };
  }
  const itemId = id ?? encodeId(input);
  return field === 'text'
    ? { id: itemId, input, source: { kind: 'text', text: content, ...extra } }
    : { id: itemId, input, source: { kind: 'html', html: content, ...extra } };
}

function isIsoDate(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/u.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

async function* urlListItems(file: string): AsyncGenerator<BatchItem> {
  try {
    for await (const line of readLines(file, MAX_URL_LINE)) {
      if (!line.bytes) {
        yield invalidLine(file, line.lineNo, 'SPN_ERR_URL', 'the line is too long for a URL');
        continue;
      }
      const text = decodeUtf8(line.bytes)?.trim();
      if (text === undefined) {
        yield invalidLine(file, line.lineNo, 'SPN_ERR_INPUT_BINARY', 'is not valid UTF-8 text');
        continue;
      }
      if (text === '' || text.startsWith('#')) continue;
      if (!isHttpUrl(text)) {
        yield invalidLine(
          file,
          line.lineNo,
          'SPN_ERR_URL',
          `"${text.slice(0, 200)}" is not an http(s) URL`,
        );
        continue;
      }
      yield { id: text, input: `${file}:${line.lineNo}`, source: { kind: 'url', url: text } };
    }
  } catch (error) {
    yield unreadableFile(file, error);
  }
}

function tooLarge(what: string, bytes: number, limit: number): SpinscopeError {
  return new SpinscopeError(
    'SPN_ERR_INPUT_TOO_LARGE',
    `${what} is ${bytes} bytes, over the limit of ${limit} (raise it with --max-bytes)`,
  );
}

/** Read, fetch or extract an item's article. Throws a SpinscopeError saying why it cannot. */
export async function loadArticle(item: BatchItem, options: LoadOptions): Promise<ArticleInput> {
  const { source } = item;
  const htmlLimit = options.maxBytes * HTML_FACTOR;
  switch (source.kind) {
    case 'invalid':
      throw new SpinscopeError(source.code, source.message);
    case 'file':
      return loadFile(source.path, options);
    case 'text':
      return withMeta({ text: source.text }, source);
    case 'html': {
      const bytes = Buffer.byteLength(source.html, 'utf8');
      if (bytes > htmlLimit) throw tooLarge('the HTML page', bytes, htmlLimit);
      const { fromExtracted } = await articleModule();
      const article = await options.html.extractor.extract(
        source.html,
        undefined,
        options.html.signal,
      );
      return withMeta(fromExtracted(article, undefined), source);
    }
    case 'url': {
      const { articleFromUrl } = await articleModule();
      const article = await articleFromUrl(source.url, options.html, {
        allowPrivate: options.allowPrivateUrls ?? false,
        maxBytes: htmlLimit,
        timeoutMs: options.fetchTimeoutMs ?? 10_000,
      });
      return withMeta(article, source);
    }
  }
}

/** The item's own title, source and date win over what was found in the page. */
function withMeta(
  article: ArticleInput,
  meta: { title?: string; source?: string; date?: string },
): ArticleInput {
  const merged: ArticleInput = { text: article.text };
  const title = meta.title ?? article.title;
  const source = meta.source ?? article.source;
  const date = meta.date ?? article.date;
  if (title !== undefined) merged.title = title;
  if (source !== undefined) merged.source = source;
  if (date !== undefined) merged.date = date;
  return merged;
}

async function loadFile(path: string, options: LoadOptions): Promise<ArticleInput> {
  const { maxBytes } = options;
  let handle;
  try {
    // Opening a FIFO or a device could wait forever: only regular files are opened.
    if (!(await stat(path)).isFile()) {
      throw new SpinscopeError('SPN_ERR_FILE_READ', 'is not a regular file', { file: path });
    }
    handle = await open(path, 'r');
  } catch (error) {
    if (error instanceof SpinscopeError) throw error;
    throw new SpinscopeError('SPN_ERR_FILE_READ', `cannot read: ${(error as Error).message}`, {
      file: path,
    });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new SpinscopeError('SPN_ERR_FILE_READ', 'is not a regular file', { file: path });
    }
    const limit = HTML_EXTENSIONS.has(extname(path).toLowerCase())
      ? maxBytes * HTML_FACTOR
      : maxBytes;
    if (info.size > limit) {
      throw new SpinscopeError(
        'SPN_ERR_INPUT_TOO_LARGE',
        `the file is ${info.size} bytes, over the limit of ${limit} (raise it with --max-bytes)`,
        { file: path },
      );
    }
    let bytes: Buffer;
    try {
      bytes = await handle.readFile();
    } catch (error) {
      throw new SpinscopeError('SPN_ERR_FILE_READ', `cannot read: ${(error as Error).message}`, {
        file: path,
      });
    }
    try {
      // A .txt file is text as it is (what articleFromBytes does with it, without loading it).
      if (extname(path).toLowerCase() === '.txt')
        return { text: decodeText(bytes, path), source: path };
      const { articleFromBytes } = await articleModule();
      return await articleFromBytes(bytes, path, options.html);
    } catch (error) {
      if (error instanceof SpinscopeError && error.file === undefined) {
        throw new SpinscopeError(error.code, error.message, { file: path });
      }
      throw error;
    }
  } finally {
    await handle.close();
  }
}
