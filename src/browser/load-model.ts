/**
 * A model in the browser: its file and side files fetched from URLs, unzipped with
 * DecompressionStream and checked with Web Crypto before the detector is built, so that the
 * detector itself stays synchronous and the same as on Node (formats/model-file.ts reads the
 * same files from disk).
 */
import { Detector } from '../detect/detector.js';
import { sideFilesOf, type ModelHeader } from '../detect/model-header.js';
import { SpinscopeError } from '../errors.js';
import {
  checkSideFile,
  isGzip,
  parseModel,
  parseModelHeader,
  type SideFileRef,
} from '../formats/model-container.js';

async function gunzip(bytes: Uint8Array<ArrayBuffer>, source: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a Spinscope model (not gzip data)', {
      file: source,
    });
  }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A URL's bytes, or undefined when the server has no such file. */
async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const response = await fetch(url);
  if (response.status === 404) return undefined;
  if (!response.ok)
    throw new SpinscopeError('SPN_ERR_MODEL', `cannot fetch: HTTP ${response.status}`, {
      file: url.href,
    });
  return new Uint8Array(await response.arrayBuffer());
}

/** A side file beside the model or in the folder above (as on disk), checked and unzipped. */
async function fetchSideFile(modelUrl: URL, expected: SideFileRef): Promise<Uint8Array> {
  for (const url of [new URL(expected.file, modelUrl), new URL(`../${expected.file}`, modelUrl)]) {
    const bytes = await fetchBytes(url);
    if (!bytes) continue;
    checkSideFile(await sha256(bytes), expected, url.href, modelUrl.href);
    return isGzip(bytes) ? gunzip(bytes, url.href) : bytes;
  }
  throw new SpinscopeError('SPN_ERR_MODEL', `cannot find ${expected.file} next to the model`, {
    file: modelUrl.href,
  });
}

/** The model at a URL (a model.bin), with the word clusters and vectors it names. */
export async function loadModel(url: string | URL): Promise<Detector> {
  const modelUrl = new URL(url);
  const compressed = await fetchBytes(modelUrl);
  if (!compressed)
    throw new SpinscopeError('SPN_ERR_MODEL', 'no model at this URL', { file: modelUrl.href });
  const bytes = await gunzip(compressed, modelUrl.href);
  const refs = sideFilesOf(parseModelHeader<ModelHeader>(bytes, modelUrl.href));
  const files = new Map(
    await Promise.all(
      refs.map(async (ref) => [ref.file, await fetchSideFile(modelUrl, ref)] as const),
    ),
  );
  return Detector.fromModel(
    parseModel<ModelHeader>(bytes, modelUrl.href),
    (expected) => {
      const file = files.get(expected.file);
      if (!file) throw new Error(`${expected.file} was not fetched (sideFilesOf misses it)`);
      return file;
    },
    modelUrl.href,
  );
}
