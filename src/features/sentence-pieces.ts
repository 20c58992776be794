/**
 * The Universal Sentence Encoder's tokenizer: the best-scoring split of a text into vocabulary
 * pieces (a Viterbi over a trie of pieces), the algorithm of @energetic-ai/embeddings' Tokenizer
 * kept to the piece, quirks and ties included (tests compare the two on every dev line). The
 * package's copy copies the rest of the text at every character and walks its lattice through
 * string keys; this one searches by index over typed arrays, several times faster.
 */

/** The encoder's pieces and their scores, as its vocab.json lists them. */
export type Vocabulary = readonly (readonly [string, number])[];

/** The package's first pieces are reserved (unknown, start, end, spare ids): never matched. */
const RESERVED = 6;
const SEPARATOR = '\u2581';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** The vocabulary index of the piece that ends here, or -1. */
  piece: number;
}

export class PieceTokenizer {
  private readonly root: TrieNode = { children: new Map(), piece: -1 };
  /** Each piece's length in code points, and its score. */
  private readonly lengths: Int32Array;
  private readonly scores: Float64Array;

  constructor(private readonly vocabulary: Vocabulary) {
    this.lengths = new Int32Array(vocabulary.length);
    this.scores = Float64Array.from(vocabulary, ([, score]) => score);
    for (let index = RESERVED; index < vocabulary.length; index++) {
      let node = this.root;
      const symbols = Array.from(vocabulary[index]![0]);
      for (const symbol of symbols) {
        let child = node.children.get(symbol);
        if (!child) node.children.set(symbol, (child = { children: new Map(), piece: -1 }));
        node = child;
      }
      node.piece = index;
      this.lengths[index] = symbols.length;
    }
  }

  /** The text's piece ids. */
  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    const input = normalized.length > 0 ? SEPARATOR + normalized.replaceAll(' ', SEPARATOR) : '';
    const symbols = Array.from(input);
    const n = symbols.length;
    // The pieces that end at each position, by where they start (ascending), as the package
    // visits them: [start, piece, start, piece, ...]; piece 0 (unknown) where none starts.
    const ending: number[][] = Array.from({ length: n + 1 }, () => []);
    for (let start = 0; start < n; start++) {
      let node = this.root.children.get(symbols[start]!);
      let matched = false;
      for (let i = start; node;) {
        if (node.piece >= 0) {
          ending[start + this.lengths[node.piece]!]!.push(start, node.piece);
          matched = true;
        }
        i++;
        node = i < n ? node.children.get(symbols[i]!) : undefined;
      }
      if (!matched) ending[start + 1]!.push(start, 0);
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      const pieces = ending[end]!;
      for (let k = 0; k < pieces.length; k += 2) {
        const start = pieces[k]!;
        const piece = pieces[k + 1]!;
        const score = (piece === 0 ? 0 : this.scores[piece]!) + best[start]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          words[end] = piece;
        }
      }
    }
    // Back from the end, each step the piece's length in UTF-16 units, as the package steps.
    const ids: number[] = [];
    for (let at = n; at > 0; at -= this.vocabulary[words[at]!]![0].length) ids.push(words[at]!);
    // Runs of unknown pieces become one.
    const merged: number[] = [];
    ids.forEach((id, i) => {
      if (!(id === 0 && i > 0 && ids[i - 1] === 0)) merged.push(id);
    });
    return merged.reverse();
  }
}
