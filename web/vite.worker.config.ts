/**
 * Builds the detector's Web Worker (src/browser/worker.ts) as one ES module:
 * `npm run build:worker` writes web/dist/worker/ (`npm run build` runs it after the page's
 * build, web/vite.config.ts, which empties web/dist/ and copies the models the worker reads
 * into web/dist/models/); each request names a model.bin's URL.
 *
 * The detection path is the same code as on Node but for a few small modules that read
 * files or start threads: each has a browser twin in src/browser/twins/, swapped in here.
 * The build fails if any Node module is still reached. onnxruntime-web (the sentence encoder
 * of `lg`, browser/load-encoder.ts) is a chunk of its own, loaded with the first `lg` model.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

/** Node modules of the detection path → their browser twins. */
const TWINS = new Map(
  [
    'formats/model-file',
    'features/onnx-runtime',
    'features/sentence-encoder',
    'features/word-list-files',
    'text/wink-loader',
  ].map((module) => [src(`${module}.ts`), src(`browser/twins/${module.split('/')[1]}.ts`)]),
);

const browserTwins: Plugin = {
  name: 'spinscope-browser-twins',
  enforce: 'pre',
  async resolveId(source, importer, options) {
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    const twin = resolved && TWINS.get(resolved.id);
    return twin ?? resolved;
  },
};

/** wink-nlp's cache module wrapped as on Node (text/wink-cache.ts, text/wink-loader.ts). */
const winkLexiconOnly: Plugin = {
  name: 'spinscope-wink-lexicon-only',
  transform(code, id) {
    if (!id.endsWith('/wink-nlp/src/wink-nlp.js')) return undefined;
    const original = "require( './cache.js' )";
    if (!code.includes(original))
      throw new Error('wink-nlp no longer loads ./cache.js as expected');
    return code.replace(
      original,
      `require(${JSON.stringify(src('text/wink-cache.ts'))}).lexiconOnlyCaches(${original})`,
    );
  },
};

/**
 * onnxruntime-web locates its WebAssembly beside itself (`new URL(…wasm, import.meta.url)`),
 * which Vite would inline into the worker as base64 (a library build inlines every asset):
 * twice 20 MB. The worker hands the WebAssembly over as bytes instead (browser/load-encoder.ts,
 * from the site's models/encoder/), so the address is made one Vite leaves alone.
 */
const onnxWasmNotInlined: Plugin = {
  name: 'spinscope-onnx-wasm-not-inlined',
  transform(code, id) {
    if (!/\/onnxruntime-web\/dist\/ort\.wasm\.bundle\.min\.mjs$/u.test(id)) return undefined;
    const original = 'new URL("ort-wasm-simd-threaded.wasm",import.meta.url)';
    if (!code.includes(original))
      throw new Error('onnxruntime-web no longer locates its WebAssembly as expected');
    return code.replaceAll(original, 'new URL("ort-wasm-simd-threaded.wasm",`${import.meta.url}`)');
  },
};

export default defineConfig({
  publicDir: false,
  plugins: [browserTwins, winkLexiconOnly, onnxWasmNotInlined],
  build: {
    outDir: fileURLToPath(new URL('./dist/worker', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    lib: { entry: src('browser/worker.ts'), formats: ['es'], fileName: 'detector-worker' },
    rolldownOptions: {
      onLog(level, log, handler) {
        if (log.message.includes('externalized for browser compatibility'))
          throw new Error(`the worker reaches a Node module: ${log.message}`);
        handler(level, log);
      },
    },
  },
});
