/**
 * Experiment (#35 item 2): a span's sentence vector pooled from its sentence's encoder pass
 * instead of a pass over the span's own text. The encoder's last layer gives a state per
 * piece; the package's sentence vector is the mean of a text's piece states through the tanh
 * layer, made unit length. A span's vector here is the same over the pieces of its sentence
 * that overlap the span, so that each sentence is encoded once and spans cost nothing.
 *
 * The head reads "texts" by name: a span's is a key naming its sentence and its code-point
 * range in it (`partKey`), which `PooledEncoder` resolves. Where a span cannot be pooled
 * (its sentence changes length under NFKC, or the span lies past the encoder's 128 pieces)
 * its own text is encoded, as the shipped model does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddingsModel } from '@energetic-ai/embeddings';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import {
  encoderGraph,
  encoderPackageDir,
  MAX_PIECES,
  readEncoderWeights,
  timingFrequencies,
  timingSignal,
} from '../src/features/sentence-encoder-graph.js';
import {
  headTexts,
  SENTENCE_VECTOR_SIZE,
  type Embedder,
  type HeadTexts,
} from '../src/features/sentence-encoder.js';
import { tokensInSpan } from '../src/text/document.js';

const PART = '\u0000part:';

/** The key of the code points [from, to) of `text`. */
function partKey(text: string, from: number, to: number): string {
  return `${PART}${from}:${to}\u0000${text}`;
}

function parsePart(key: string): { text: string; from: number; to: number } | undefined {
  if (!key.startsWith(PART)) return undefined;
  const end = key.indexOf('\u0000', PART.length);
  const [from, to] = key.slice(PART.length, end).split(':').map(Number) as [number, number];
  return { text: key.slice(end + 1), from, to };
}

/** The span as a part of its sentence (clipped to it), and the sentence. */
export const pooledHeadTexts: HeadTexts = (doc, span) => {
  const [first] = tokensInSpan(doc, span);
  const token = doc.tokens[first];
  if (!token) return headTexts(doc, span);
  const sentence = doc.sentences[token.sentence]!;
  const from = Math.max(0, span.cpStart - sentence.cpStart);
  const to = Math.min(sentence.cpEnd, span.cpEnd) - sentence.cpStart;
  return [partKey(sentence.text, from, to), sentence.text];
};

/**
 * Code-point ranges in `text` of its pieces, as the package's tokenizer cut them (a leading
 * "▁" per word, spaces as "▁", unknown symbols merged into one piece): undefined when NFKC
 * changes the text's length, since its offsets would no longer be the text's.
 */
function pieceRanges(text: string, ids: number[], vocabulary: [string, number][]) {
  const normalised = [...text.normalize('NFKC')];
  if (normalised.length !== [...text].length) return undefined;
  const symbols = ['▁', ...normalised.map((c) => (c === ' ' ? '▁' : c))];
  const ranges: [number, number][] = [];
  let at = 0;
  ids.forEach((id, i) => {
    let length: number;
    if (id !== 0) length = [...vocabulary[id]![0]].length;
    else {
      // Unknown symbols merged: up to where the next known piece starts.
      const next = ids[i + 1];
      const nextPiece = next === undefined ? undefined : [...vocabulary[next]![0]];
      length = 1;
      while (
        nextPiece &&
        at + length < symbols.length &&
        nextPiece.some((c, k) => symbols[at + length + k] !== c)
      )
        length++;
      if (!nextPiece) length = symbols.length - at;
    }
    // The leading "▁" is not in the text: symbol s is the text's code point s - 1.
    ranges.push([Math.max(0, at - 1), at + length - 1]);
    at += length;
  });
  return ranges;
}

/** The encoder on ONNX Runtime giving whole-text vectors and pooled parts (one pass a text). */
export async function pooledEncoder(): Promise<Embedder> {
  const ort = await onnxRuntime();
  if (!ort) throw new Error('the pooled-span experiment needs onnxruntime-node');
  const dir = encoderPackageDir();
  const weights = readEncoderWeights(dir);
  const frequencies = timingFrequencies(weights);
  const tanhWeights = weights.get('module/Encoder_en/hidden_layers/tanh_layer_0/weights')!;
  const tanhBias = weights.get('module/Encoder_en/hidden_layers/tanh_layer_0/bias')!;
  const session = await ort.InferenceSession.create(encoderGraph(weights), {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
  });
  const vocabulary = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as [
    string,
    number,
  ][];
  const { tokenizer } = new EmbeddingsModel({ vocabulary, model: undefined as never });

  const pass = async (text: string) => {
    const ids = tokenizer.encode(text.trim() === '' ? ' ' : text).slice(0, MAX_PIECES);
    const n = ids.length;
    const result = await session.run({
      ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      mask: new ort.Tensor('float32', new Float32Array(n).fill(1), [1, n]),
      timing: new ort.Tensor('float32', timingSignal(frequencies, n), [n, frequencies.length * 2]),
    });
    return {
      ids,
      vector: Float32Array.from(result.vectors!.data as Float32Array),
      states: result.states!.data as Float32Array,
    };
  };

  /** The mean of the states of pieces k in `chosen`, through the tanh layer, unit length. */
  const pool = (states: Float32Array, chosen: number[]) => {
    const W = SENTENCE_VECTOR_SIZE;
    const mean = new Float64Array(W);
    for (const k of chosen)
      for (let j = 0; j < W; j++) mean[j]! += states[k * W + j]! / chosen.length;
    const out = new Float32Array(W);
    let norm = 0;
    for (let c = 0; c < W; c++) {
      let z = tanhBias[c]!;
      for (let j = 0; j < W; j++) z += mean[j]! * tanhWeights[j * W + c]!;
      out[c] = Math.tanh(z);
      norm += out[c]! * out[c]!;
    }
    const scale = 1 / Math.sqrt(Math.max(norm, 1e-12));
    for (let c = 0; c < W; c++) out[c]! *= scale;
    return out;
  };

  return {
    async embed(keys) {
      const passes = new Map<string, Awaited<ReturnType<typeof pass>>>();
      const passOf = async (text: string) => {
        let p = passes.get(text);
        if (!p) passes.set(text, (p = await pass(text)));
        return p;
      };
      const vectors: Float32Array[] = [];
      for (const key of keys) {
        const part = parsePart(key);
        if (!part) {
          vectors.push((await passOf(key)).vector);
          continue;
        }
        const { ids, states } = await passOf(part.text);
        const ranges = pieceRanges(part.text, ids, vocabulary);
        const chosen = (ranges ?? []).flatMap(([a, b], k) =>
          a < part.to && b > part.from ? [k] : [],
        );
        vectors.push(
          chosen.length > 0
            ? pool(states, chosen)
            : (await passOf([...part.text].slice(part.from, part.to).join(''))).vector,
        );
      }
      return vectors;
    },
  };
}
