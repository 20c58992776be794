/**
 * Sentence vectors as the stages read them, whatever encodes them (features/sentence-encoder.ts
 * on Node): what an encoder is to a stage, each text's vector kept once encoded, and which
 * texts a span is judged from. Platform-free.
 */
import { tokensInSpan, type ArticleDocument, type TextSpan, type Token } from '../text/document.js';

export const SENTENCE_VECTOR_SIZE = 512;

/** What turns texts into sentence vectors: the encoder, or training's with a cache in front. */
export interface Embedder {
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Vectors of texts, each encoded once: `ensure` encodes, then `get` answers synchronously. */
export class TextVectors {
  private readonly known = new Map<string, Float32Array>();

  constructor(private readonly embedder: Embedder) {}

  async ensure(texts: Iterable<string>): Promise<void> {
    const missing = new Set<string>();
    for (const text of texts) if (!this.known.has(text)) missing.add(text);
    const list = [...missing];
    const vectors = await this.embedder.embed(list);
    list.forEach((text, i) => this.known.set(text, vectors[i]!));
  }

  get(text: string): Float32Array {
    const vector = this.known.get(text);
    if (!vector) throw new Error(`no sentence vector for "${text.slice(0, 40)}" (ensure it first)`);
    return vector;
  }
}

/** The texts whose vectors a span's technique is judged from: the span's and its sentence's. */
export type HeadTexts = (doc: ArticleDocument, span: TextSpan) => [string, string];

/** A span's own text. */
export const spanText = (doc: ArticleDocument, span: TextSpan): string =>
  doc.offsets.slice(span.cpStart, span.cpEnd);

/** The texts a span's technique is judged from: its own and its sentence's. */
export const headTexts: HeadTexts = (doc, span) => {
  const text = spanText(doc, span);
  const [first] = tokensInSpan(doc, span);
  const token = doc.tokens[first] as Token | undefined;
  return [text, token ? doc.sentences[token.sentence]!.text : text];
};

/**
 * The span's text and, where its sentence's would be, a blank: for a head that reads the span
 * alone (one constant vector in place of the sentence's, so that sentences are not encoded).
 */
export const spanOnlyTexts: HeadTexts = (doc, span) => [spanText(doc, span), ' '];
