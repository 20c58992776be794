/**
 * A model's files on Node: writing a model file (formats/model-container.ts describes the
 * format), and reading a model with the word clusters and vectors it was trained with, from
 * disk, unzipped with node:zlib and checked with node:crypto. The browser reads the same
 * files from URLs (browser/load-model.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PACKAGE_ROOT } from '../config.js';
import { SpinscopeError } from '../errors.js';
import { DEFAULT_MODEL_NAME, modelName } from '../model-names.js';
import { decodeClusters, type WordClusters } from '../features/clusters.js';
import {
  BLOCK,
  checkSideFile,
  isGzip,
  MAGIC,
  parseModel,
  parseModelHeader,
  type SideFileRef,
  type StoredModel,
  type TensorEntry,
} from './model-container.js';
import { readBytesSync } from './files.js';

export { MODEL_FORMAT, tensorOf, type StoredModel, type TensorEntry } from './model-container.js';

/** The shipped model of a name (`sm`, `md`, `lg`, or a former name: `fast`, `accurate`). */
export function defaultModelPath(name = DEFAULT_MODEL_NAME): string {
  return join(PACKAGE_ROOT, 'models', modelName(name), 'model.bin');
}

function quantise(values: Float32Array): Buffer {
  const blocks = Math.ceil(values.length / BLOCK);
  const out = Buffer.alloc(blocks * 4 + values.length);
  for (let b = 0; b < blocks; b++) {
    let max = 0;
    const end = Math.min(values.length, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < end; i++) max = Math.max(max, Math.abs(values[i] as number));
    const scale = max / 127;
    out.writeFloatLE(scale, b * 4);
    for (let i = b * BLOCK; i < end; i++) {
      out.writeInt8(scale === 0 ? 0 : Math.round((values[i] as number) / scale), blocks * 4 + i);
    }
  }
  return out;
}

export function encodeModel<H extends object>(
  header: H,
  tensors: ReadonlyMap<string, Float32Array>,
): Buffer {
  const entries: TensorEntry[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, values] of tensors) {
    entries.push({ name, length: values.length, offset });
    const part = quantise(values);
    parts.push(part);
    offset += part.length;
  }
  const headerBytes = Buffer.from(JSON.stringify({ ...header, tensors: entries }), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  return gzipSync(Buffer.concat([prefix, headerBytes, ...parts]), { level: 9 });
}

/** A model file's bytes unzipped (SPN_ERR_MODEL when they are not gzip data). */
export function gunzipModel(compressed: Uint8Array, source: string): Buffer {
  try {
    return gunzipSync(compressed);
  } catch {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a Spinscope model (not gzip data)', {
      file: source,
    });
  }
}

export function decodeModel<H>(compressed: Uint8Array, source: string): StoredModel<H> {
  return parseModel<H>(gunzipModel(compressed, source), source);
}

/** A model file's header alone (its tensors are not read), checked as `decodeModel` does. */
export function decodeModelHeader<H>(compressed: Uint8Array, source: string): H {
  return parseModelHeader<H>(gunzipModel(compressed, source), source);
}

/** A model file's bytes (SPN_ERR_MODEL when it cannot be read). */
export function readModelFile(path: string): Buffer {
  return readBytesSync(path, 'the model', 'SPN_ERR_MODEL');
}

/** Word clusters from their file (models/word-clusters.bin). */
export function readClusters(path: string): WordClusters {
  return decodeClusters(readBytesSync(path, 'word clusters', 'SPN_ERR_MODEL'), path);
}

/**
 * A file the model was trained with (word clusters, word vectors), looked up next to the
 * model file or in the folder above, checked against the sha256 the model recorded, and
 * unzipped where it is gzip.
 */
export function readSideFile(modelPath: string, expected: SideFileRef, what: string): Buffer {
  const path = [
    join(dirname(modelPath), expected.file),
    join(dirname(modelPath), '..', expected.file),
  ]
    .map((p) => resolve(p))
    .find((p) => existsSync(p));
  if (!path) {
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      `cannot find the ${what} ${expected.file} next to the model`,
      { file: modelPath },
    );
  }
  const bytes = readBytesSync(path, what, 'SPN_ERR_MODEL');
  checkSideFile(sha256(bytes), expected, path, modelPath);
  return isGzip(bytes) ? gunzipModel(bytes, path) : bytes;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
