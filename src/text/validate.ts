/** Checks on text at the public boundary, so that everything behind it can trust its input. */
import { SpinscopeError } from '../errors.js';

/** Default largest article, in UTF-8 bytes (news articles are rarely over 100 kB). */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

export interface TextLimits {
  /** Largest accepted text in UTF-8 bytes. */
  maxBytes?: number;
}

export function validateText(text: unknown, limits: TextLimits = {}): string {
  if (typeof text !== 'string') {
    throw new SpinscopeError(
      'SPN_ERR_INPUT_TYPE',
      `expected the article as a string, found ${text === null ? 'null' : typeof text}`,
    );
  }
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const bytes = new TextEncoder().encode(text).byteLength;
  if (bytes > maxBytes) {
    throw new SpinscopeError(
      'SPN_ERR_INPUT_TOO_LARGE',
      `the text is ${formatBytes(bytes)}, over the limit of ${formatBytes(maxBytes)} (raise it with maxBytes / --max-bytes)`,
    );
  }
  if (text.trim().length === 0) {
    throw new SpinscopeError(
      'SPN_ERR_INPUT_EMPTY',
      'the text is empty or only whitespace: nothing to analyse',
    );
  }
  // NUL and other C0 controls (besides tab and line breaks) do not occur in text: a binary file.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const controls = text.match(/[\u0000-\u0008\u000e-\u001f]/gu)?.length ?? 0;
  const replacements = text.match(/\ufffd/gu)?.length ?? 0;
  if (controls > 0 || replacements > Math.max(8, text.length / 100)) {
    throw new SpinscopeError(
      'SPN_ERR_INPUT_BINARY',
      'the text looks like binary data or was not decoded as UTF-8',
    );
  }
  return text;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${(bytes / 1024).toFixed(1)} KiB`;
}
