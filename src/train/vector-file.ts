/**
 * Sentence vectors kept in a file between training runs, so that cross-validation and
 * retraining encode each text once. A record is the sha256 of the text (32 bytes) and its
 * vector (512 float32); new vectors are appended by `save`. A torn last record (a crash
 * mid-write) is ignored, and cut off by the next save. One process writes at a time.
 */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  SENTENCE_VECTOR_SIZE,
  SentenceEncoder,
  type Embedder,
} from '../features/sentence-encoder.js';

/** Where vectors computed before are kept. */
export interface VectorCache {
  get(text: string): Float32Array | undefined;
  add(text: string, vector: Float32Array): void;
}

/**
 * The sentence encoder with a cache in front: only texts the cache lacks are encoded, in float
 * (models are trained on float vectors; analyses encode in int8, which gives the same accuracy).
 */
export function cachedEmbedder(
  cache: VectorCache,
  encoder: Embedder = SentenceEncoder.load('float'),
): Embedder {
  return {
    async embed(texts) {
      const missing = texts.filter((text) => !cache.get(text));
      const vectors = await encoder.embed(missing);
      missing.forEach((text, i) => cache.add(text, vectors[i]!));
      return texts.map((text) => cache.get(text)!);
    },
  };
}

const KEY_BYTES = 32;
const RECORD_BYTES = KEY_BYTES + 4 * SENTENCE_VECTOR_SIZE;

export class VectorFile implements VectorCache {
  private readonly vectors = new Map<string, Float32Array>();
  private pending: Buffer[] = [];

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const bytes = readFileSync(path);
    for (let at = 0; at + RECORD_BYTES <= bytes.length; at += RECORD_BYTES) {
      const key = bytes.toString('hex', at, at + KEY_BYTES);
      const values = new Float32Array(SENTENCE_VECTOR_SIZE);
      Buffer.from(values.buffer).set(bytes.subarray(at + KEY_BYTES, at + RECORD_BYTES));
      this.vectors.set(key, values);
    }
  }

  get size(): number {
    return this.vectors.size;
  }

  get(text: string): Float32Array | undefined {
    return this.vectors.get(keyOf(text).toString('hex'));
  }

  add(text: string, vector: Float32Array): void {
    const key = keyOf(text);
    this.vectors.set(key.toString('hex'), vector);
    this.pending.push(key, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
  }

  /** Append the vectors added since the last save. */
  save(): void {
    if (this.pending.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const size = existsSync(this.path) ? statSync(this.path).size : 0;
    if (size % RECORD_BYTES > 0) truncateSync(this.path, size - (size % RECORD_BYTES));
    appendFileSync(this.path, Buffer.concat(this.pending));
    this.pending = [];
  }
}

function keyOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
