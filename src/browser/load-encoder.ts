/**
 * The sentence encoder in a browser (the `lg` model's sentence-head stage): the same ONNX
 * graph that Node's analyses run (int8 feed-forward layers; features/sentence-encoder-graph.ts)
 * on onnxruntime-web's WebAssembly backend, fed the same packs of pieces
 * (features/sentence-encoder-packs.ts) by the same tokenizer. Its files, which the site's
 * build writes (web/encoder-assets.ts), are named with their sha256 by `encoder.json`; each is
 * fetched from the site itself, checked with Web Crypto and unzipped before use. The
 * WebAssembly is handed to onnxruntime-web as bytes, so it never fetches anything itself
 * (no CDN: everything offline). onnxruntime-web loads with the first `lg` model (a chunk of
 * its own: `sm` and `md` never download it).
 */
import { SpinscopeError } from '../errors.js';
import { encodableText, packedEmbed, packFeeds } from '../features/sentence-encoder-packs.js';
import { PieceTokenizer, type Vocabulary } from '../features/sentence-pieces.js';
import type { Embedder } from '../features/sentence-vectors.js';
import { fetchBytes, gunzip, sha256 } from './fetch-files.js';

export interface EncoderFileRef {
  file: string;
  sha256: string;
}

/** `encoder.json`: the encoder's files, relative to it, and what the graph does not hold. */
export interface EncoderManifest {
  graph: EncoderFileRef;
  vocabulary: EncoderFileRef;
  /** onnxruntime-web's WebAssembly (gzipped), of the version the worker bundles. */
  runtime: EncoderFileRef & { version: string };
  /** The timing signal's frequencies (float32 values). */
  timingFrequencies: number[];
}

/** One encoder a worker, loaded with the first model that needs it. */
const loaded = new Map<string, Promise<Embedder>>();

/** A file the manifest names: fetched beside it, checked, unzipped. */
async function fetchChecked(manifestUrl: URL, ref: EncoderFileRef): Promise<Uint8Array> {
  const url = new URL(ref.file, manifestUrl);
  const bytes = await fetchBytes(url);
  if (!bytes)
    throw new SpinscopeError('SPN_ERR_MODEL', 'the sentence encoder file is missing', {
      file: url.href,
    });
  if ((await sha256(bytes)) !== ref.sha256)
    throw new SpinscopeError('SPN_ERR_MODEL', 'differs from the file that encoder.json names', {
      file: url.href,
    });
  return gunzip(bytes, url.href);
}

async function load(manifestUrl: URL): Promise<Embedder> {
  const manifestBytes = await fetchBytes(manifestUrl);
  if (!manifestBytes)
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      'the sentence encoder (which this model reads) is not on this site',
      { file: manifestUrl.href },
    );
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as EncoderManifest;
  const [ort, graph, vocabulary, wasm] = await Promise.all([
    import('onnxruntime-web/wasm'),
    fetchChecked(manifestUrl, manifest.graph),
    fetchChecked(manifestUrl, manifest.vocabulary),
    fetchChecked(manifestUrl, manifest.runtime),
  ]);
  if (ort.env.versions.web !== manifest.runtime.version)
    throw new SpinscopeError(
      'SPN_ERR_MODEL',
      `holds onnxruntime-web ${manifest.runtime.version}'s WebAssembly; the worker has ${ort.env.versions.web}`,
      { file: manifestUrl.href },
    );
  // One thread (no SharedArrayBuffer, so no cross-origin isolation needed), in this worker.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  // The WebAssembly as checked bytes; its loader is bundled: onnxruntime-web fetches nothing.
  ort.env.wasm.wasmBinary = wasm;
  const session = await ort.InferenceSession.create(graph, {
    executionProviders: ['wasm'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const tokenizer = new PieceTokenizer(
    JSON.parse(new TextDecoder().decode(vocabulary)) as Vocabulary,
  );
  const frequencies = Float32Array.from(manifest.timingFrequencies);
  const embed = packedEmbed(tokenizer, frequencies, async (pack) => {
    const result = await session.run(packFeeds(ort.Tensor, pack), ['vectors']);
    const vectors = result.vectors!;
    const data = vectors.data as Float32Array;
    vectors.dispose();
    return data;
  });
  // As the encoder's thread does on Node (features/sentence-encoder-worker.ts).
  return { embed: (texts) => embed(texts.map(encodableText)) };
}

/** The sentence encoder whose `encoder.json` is at this URL; a failed load is tried again. */
export function loadEncoder(manifestUrl: URL): Promise<Embedder> {
  let encoder = loaded.get(manifestUrl.href);
  if (!encoder) {
    loaded.set(manifestUrl.href, (encoder = load(manifestUrl)));
    encoder.catch(() => loaded.delete(manifestUrl.href));
  }
  return encoder;
}
