/**
 * Builds the web UI: `npx vite build --config web/vite.config.ts` writes web/dist/, which the
 * server serves at `/` and any static file server can host on its own (the page then
 * analyses in the detector's Web Worker, web/vite.worker.config.ts, which `npm run build`
 * builds after this one into web/dist/worker/). Everything is bundled (no CDN, no external
 * fonts); paths are relative, so the site works from any folder.
 *
 * The models that run in a browser (`sm`, `md` and `lg`) and the side files they name are
 * copied to web/dist/models/ in the layout of models/, so that `models/<name>/model.bin` is
 * their URL from the page; `lg`'s sentence encoder (its graph, vocabulary and onnxruntime-web's
 * WebAssembly: encoder-assets.ts) goes to web/dist/models/encoder/. The server serves /models/
 * from the package's own models/ instead (model files only: the served page offers `sm` and
 * `md` on the device), and the npm package leaves web/dist/models/ out (package.json `files`).
 *
 * Dev: `SPINSCOPE_API=http://127.0.0.1:<port> npx vite --config web/vite.config.ts`
 * proxies /api, /models and /worker to a running `spinscope serve`.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { sideFilesOf, stageNames, type ModelHeader } from '../src/detect/model-header.js';
import { parseModelHeader } from '../src/formats/model-container.js';
import { writeEncoderAssets } from './encoder-assets.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('./dist', import.meta.url));
const modelsDir = fileURLToPath(new URL('../models', import.meta.url));

/** The models that run in a browser (`lg` with its sentence encoder on WebAssembly). */
const DEVICE_MODELS = ['sm', 'md', 'lg'] as const;

/** A model's files, relative to models/: its model.bin and the side files its header names. */
function modelFiles(name: string): string[] {
  const model = join(modelsDir, name, 'model.bin');
  const header = parseModelHeader<ModelHeader>(gunzipSync(readFileSync(model)), model);
  // Side files lie beside the model or in the folder above, as browser/load-model.ts looks.
  const sideFiles = sideFilesOf(header).map(({ file }) => {
    const found = [join(dirname(model), file), join(modelsDir, file)].find((p) => existsSync(p));
    if (!found) throw new Error(`${file}, which ${model} names, is not in models/`);
    return found;
  });
  return [model, ...sideFiles].map((path) => relative(modelsDir, path));
}

/** The sentence encoder's files (for `lg`), written here first: their bytes count below. */
const encoderDir = mkdtempSync(join(tmpdir(), 'spinscope-encoder-'));
const encoder = writeEncoderAssets(encoderDir);

const deviceModels = DEVICE_MODELS.map((name) => {
  const files = modelFiles(name);
  const header = parseModelHeader<ModelHeader>(
    gunzipSync(readFileSync(join(modelsDir, name, 'model.bin'))),
    name,
  );
  // The encoder's files only where the server, which serves models/, lacks them.
  const needsEncoder = stageNames(header).includes('sentence-head');
  const bytes =
    files.reduce((sum, file) => sum + statSync(join(modelsDir, file)).size, 0) +
    (needsEncoder ? encoder.bytes : 0);
  return { name, files, bytes, staticOnly: needsEncoder };
});

/** Copies the device models' files into web/dist/models/ once the page is written. */
const copyDeviceModels: Plugin = {
  name: 'spinscope-device-models',
  apply: 'build',
  writeBundle() {
    for (const file of new Set(deviceModels.flatMap((m) => m.files))) {
      const to = join(outDir, 'models', file);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(join(modelsDir, file), to);
    }
    mkdirSync(join(outDir, 'models', 'encoder'), { recursive: true });
    for (const file of encoder.files)
      copyFileSync(join(encoderDir, file), join(outDir, 'models', 'encoder', file));
  },
  closeBundle() {
    rmSync(encoderDir, { recursive: true, force: true });
  },
};

const api = process.env.SPINSCOPE_API ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  plugins: [copyDeviceModels],
  define: {
    // What the model picker offers on this device: names and the bytes of their files.
    __SPINSCOPE_DEVICE_MODELS__: JSON.stringify(
      deviceModels.map(({ name, bytes, staticOnly }) => ({ name, bytes, staticOnly })),
    ),
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': api, '/models': api, '/worker': api },
  },
});
