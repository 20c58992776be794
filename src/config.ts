/** Defaults that users can override: where the corpus lives, which model runs. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The package root (the folder holding package.json), whether run from src/ or dist/. */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../', import.meta.url)));

/**
 * The PTC corpus folder: `$SPINSCOPE_DATA`, or `../shared/data/ptc` beside the package.
 * Nothing ships the corpus itself: it is third-party news.
 */
export function defaultCorpusDir(): string {
  return process.env.SPINSCOPE_DATA ?? resolve(PACKAGE_ROOT, '../shared/data/ptc');
}

export { DEFAULT_MODEL_NAME, modelName, namesOfModel, SHIPPED_MODELS } from './model-names.js';

/** Longest extraction of one HTML page in ms (readable pages take well under a second). */
export const DEFAULT_HTML_TIMEOUT_MS = 5000;

/** HTML pages (files, fetched pages) carry markup around the text: they may be this many times the text limit. */
export const HTML_FACTOR = 4;

/** The server's long-article lane takes texts over this many characters (about four news articles). */
export const DEFAULT_LONG_CHARS = 20_000;

/** The server refuses an analysis (503) whose expected wait is longer than this, in ms. */
export const DEFAULT_MAX_WAIT_MS = 15_000;
