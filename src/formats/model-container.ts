/**
 * The model file's container, read from its bytes without any platform API, so that Node
 * (formats/model-file.ts) and the browser (browser/load-model.ts) decode models alike. The
 * file is gzip of
 *   "SPNMODEL" | u32 header bytes | header (JSON) | tensors
 * Each tensor is int8 with one float32 scale per block of 64 weights (blockwise
 * quantisation: about 4x smaller than float32, with no measurable loss of accuracy; see
 * the model card). The header says where each tensor lies. Unzipping and checking sha256
 * sums is the platform's part: here bytes are already unzipped.
 */
import { SpinscopeError } from '../errors.js';

export const MAGIC = 'SPNMODEL';
export const BLOCK = 64;
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

/** A file a model was trained with (word clusters, word vectors), as its header names it. */
export interface SideFileRef {
  file: string;
  sha256: string;
}

/** A model's side file, found, checked against its sha256 and unzipped, by the platform. */
export type SideFiles = (expected: SideFileRef, what: string) => Uint8Array;

export function quantisedSize(length: number): number {
  return Math.ceil(length / BLOCK) * 4 + length;
}

function dequantise(bytes: Uint8Array, offset: number, length: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks = Math.ceil(length / BLOCK);
  const scales = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) scales[b] = view.getFloat32(offset + b * 4, true);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset + offset + blocks * 4, length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (q[i] as number) * (scales[(i / BLOCK) | 0] as number);
  return out;
}

/** Whether bytes are gzip data (its magic number). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** An unzipped model file's header, checked, and where its tensors begin. */
function parseHeader<H>(bytes: Uint8Array, source: string) {
  const latin1 = String.fromCharCode(...bytes.subarray(0, 8));
  if (bytes.length < 12 || latin1 !== MAGIC) {
    throw new SpinscopeError('SPN_ERR_MODEL', 'is not a Spinscope model (bad magic)', {
      file: source,
    });
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header: H & { tensors: TensorEntry[]; format?: number };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw new SpinscopeError('SPN_ERR_MODEL', 'has a corrupt header', { file: source });
  }
  if (header.format !== MODEL_FORMAT) {
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      `has format ${header.format}; this Spinscope reads format ${MODEL_FORMAT}`,
      { file: source },
    );
  }
  return { header, base: 12 + headerLength };
}

/** An unzipped model file's header alone (its tensors are not read). */
export function parseModelHeader<H>(bytes: Uint8Array, source: string): H {
  return parseHeader<H>(bytes, source).header;
}

/** An unzipped model file: its header and tensors. */
export function parseModel<H>(bytes: Uint8Array, source: string): StoredModel<H> {
  const { header, base } = parseHeader<H>(bytes, source);
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

/** Throws when a side file's sha256 is not the one the model recorded. */
export function checkSideFile(
  sha256: string,
  expected: SideFileRef,
  where: string,
  model: string,
): void {
  if (sha256 !== expected.sha256) {
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      `${where} differs from the file the model was trained with`,
      { file: model },
    );
  }
}
