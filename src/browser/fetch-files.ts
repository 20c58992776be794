/**
 * Files from URLs in a browser, as the model loaders read them (load-model.ts,
 * load-encoder.ts): fetched, checked with Web Crypto's SHA-256, unzipped with
 * DecompressionStream.
 */
import { SpinscopeError } from '../errors.js';

export async function gunzip(bytes: Uint8Array<ArrayBuffer>, source: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a Spinscope model (not gzip data)', {
      file: source,
    });
  }
}

export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A URL's bytes, or undefined when the server has no such file. */
export async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const response = await fetch(url);
  if (response.status === 404) return undefined;
  if (!response.ok)
    throw new SpinscopeError('SPN_ERR_MODEL', `cannot fetch: HTTP ${response.status}`, {
      file: url.href,
    });
  return new Uint8Array(await response.arrayBuffer());
}
