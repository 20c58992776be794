/**
 * The model file: gzip of
 *   "SPNMODEL" | u32 header bytes | header (JSON) | tensors
 * Each tensor is int8 with one float32 scale per block of 64 weights (blockwise
 * quantisation: about 4x smaller than float32, with no measurable loss of accuracy; see
 * the model card). The header says where each tensor lies. Reading a model's files (the
 * model, and the word clusters and vectors it was trained with) is here too.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SpinscopeError } from '../errors.js';
import { readBytesSync } from './files.js';

const MAGIC = 'SPNMODEL';
const BLOCK = 64;
export const MODEL_FORMAT = 1;

export interface TensorEntry {
  name: string;
  length: number;
  offset: number;
}

export interface StoredModel<H> {
  header: H;
  tensors: Map<string, Float32Array>;
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

function dequantise(bytes: Buffer, offset: number, length: number): Float32Array {
  const blocks = Math.ceil(length / BLOCK);
  const scales = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) scales[b] = bytes.readFloatLE(offset + b * 4);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset + offset + blocks * 4, length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (q[i] as number) * (scales[(i / BLOCK) | 0] as number);
  return out;
}

function quantisedSize(length: number): number {
  return Math.ceil(length / BLOCK) * 4 + length;
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

export function decodeModel<H>(compressed: Buffer, source: string): StoredModel<H> {
  const { header, bytes, base } = decodeHeader<H>(compressed, source);
  const tensors = new Map<string, Float32Array>();
  for (const entry of header.tensors) {
    if (base + entry.offset + quantisedSize(entry.length) > bytes.length) {
      throw new SpinscopeError('SPN_ERR_MODEL', `is truncated (tensor ${entry.name})`, {
        file: source,
      });
    }
    tensors.set(entry.name, dequantise(bytes, base + entry.offset, entry.length));
  }
  return { header, tensors };
}

/** A model file's header alone (its tensors are not read), checked as `decodeModel` does. */
export function decodeModelHeader<H>(compressed: Buffer, source: string): H {
  return decodeHeader<H>(compressed, source).header;
}

function decodeHeader<H>(compressed: Buffer, source: string) {
  let bytes: Buffer;
  try {
    bytes = gunzipSync(compressed);
  } catch {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a Spinscope model (not gzip data)', {
      file: source,
    });
  }
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a Spinscope model (bad magic)', {
      file: source,
    });
  }
  const headerLength = bytes.readUInt32LE(8);
  let header: H & { tensors: TensorEntry[]; format?: number };
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength));
  } catch {
    throw new SpinscopeError('SPN_ERR_MODEL', 'has a corrupt header', { file: source });
  }
  if (header.format !== MODEL_FORMAT) {
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      `has format ${header.format}; this Spinscope reads format ${MODEL_FORMAT}`,
      {
        file: source,
      },
    );
  }
  return { header, bytes, base: 12 + headerLength };
}

/** A tensor of a decoded model by name; throws when it is missing or has the wrong size. */
export function tensorOf(
  tensors: ReadonlyMap<string, Float32Array>,
  name: string,
  length: number,
): Float32Array {
  const t = tensors.get(name);
  if (!t || t.length !== length) throw new Error(`tensor ${name} is missing or wrong`);
  return t;
}

/** A model file's bytes (SPN_ERR_MODEL when it cannot be read). */
export function readModelFile(path: string): Buffer {
  return readBytesSync(path, 'the model', 'SPN_ERR_MODEL');
}

/**
 * A file the model was trained with (word clusters, word vectors), looked up next to the
 * model file or in the folder above, and checked against the sha256 the model recorded.
 */
export function readSideFile(
  modelPath: string,
  expected: { file: string; sha256: string },
  what: string,
): Buffer {
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
      {
        file: modelPath,
      },
    );
  }
  const bytes = readFileSync(path);
  if (sha256(bytes) !== expected.sha256) {
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      `${what} ${path} differ from those the model was trained with`,
      { file: modelPath },
    );
  }
  return bytes;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
