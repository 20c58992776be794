/**
 * `npm run build:extension`: the browser extension (extension/) built by Vite into
 * extension/dist/ (load it unpacked from there) and packed as extension/spinscope-extension.zip
 * (for a store). Inside: the background service worker, the content script (one classic
 * script, as `chrome.scripting` injects it), the side panel, options and offscreen pages, the
 * detector's Web Worker (web/vite.worker.config.ts, as for the web UI) and the models that run
 * in a browser, `sm` and `md`, with the word clusters and vectors they read.
 */
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { build, type InlineConfig } from 'vite';
import { zipSync } from 'fflate';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'extension/src');
export const EXTENSION_DIST = join(ROOT, 'extension/dist');
export const EXTENSION_ZIP = join(ROOT, 'extension/spinscope-extension.zip');
/** The models that run in a browser (`lg` needs the sentence encoder: server only). */
const MODELS = ['sm', 'md'];
const SIDE_FILES = ['word-clusters.bin', 'word-vectors.bin'];

const common: InlineConfig = {
  configFile: false,
  publicDir: false,
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': '"production"' },
};

/** A PNG of `size` pixels square from a colour function (RGBA), on node:zlib. */
function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]) {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      rows.set(pixel((x + 0.5) / size, (y + 0.5) / size), y * (size * 4 + 1) + 1 + x * 4);
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The icon: lines of text on the web UI's blue, one highlighted in amber with its marker. */
function icon(x: number, y: number): [number, number, number, number] {
  const r = 0.2;
  const dx = Math.max(r - x, x - (1 - r), 0);
  const dy = Math.max(r - y, y - (1 - r), 0);
  if (dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
  const line = (top: number, left: number, right: number) =>
    y >= top && y < top + 0.12 && x >= left && x < right;
  if (line(0.44, 0.18, 0.64)) return [0xe5, 0xaa, 0x08, 255];
  if ((x - 0.74) ** 2 + (y - 0.47) ** 2 < 0.075 ** 2) return [0xe5, 0xaa, 0x08, 255];
  if (line(0.22, 0.18, 0.82) || line(0.66, 0.18, 0.7)) return [0xff, 0xff, 0xff, 255];
  return [0x1d, 0x4f, 0x91, 255];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => join(dir, path))
    .filter((path) => statSync(path).isFile())
    .sort();
}

export async function buildExtension(): Promise<{ dir: string; zip: string; bytes: number }> {
  await build({
    ...common,
    root: SRC,
    base: './',
    build: {
      outDir: EXTENSION_DIST,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      modulePreload: false,
      chunkSizeWarningLimit: 800,
      rolldownOptions: {
        input: {
          sidepanel: join(SRC, 'sidepanel.html'),
          options: join(SRC, 'options.html'),
          offscreen: join(SRC, 'offscreen.html'),
          background: join(SRC, 'background.ts'),
        },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          assetFileNames: 'assets/[name]-[hash][extname]',
        },
      },
    },
  });
  await build({
    ...common,
    build: {
      outDir: EXTENSION_DIST,
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: false,
      lib: {
        entry: join(SRC, 'content.ts'),
        formats: ['iife'],
        name: 'spinscopeContent',
        fileName: () => 'content.js',
      },
    },
  });
  await build({
    configFile: join(ROOT, 'web/vite.worker.config.ts'),
    logLevel: 'warn',
    build: { outDir: join(EXTENSION_DIST, 'worker'), emptyOutDir: true },
  });

  const models = join(EXTENSION_DIST, 'models');
  mkdirSync(models, { recursive: true });
  for (const model of MODELS)
    copyFileSync(join(ROOT, 'models', model, 'model.bin'), join(models, `${model}.bin`));
  for (const file of SIDE_FILES) copyFileSync(join(ROOT, 'models', file), join(models, file));
  mkdirSync(join(EXTENSION_DIST, 'icons'), { recursive: true });
  for (const size of [16, 32, 48, 128])
    writeFileSync(join(EXTENSION_DIST, `icons/icon-${size}.png`), png(size, icon));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'extension/manifest.json'), 'utf8'));
  manifest.version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  writeFileSync(join(EXTENSION_DIST, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  // A fixed date, so that the same files give the same bytes; models are gzip already.
  const zip = zipSync(
    Object.fromEntries(
      filesUnder(EXTENSION_DIST).map((path) => [
        relative(EXTENSION_DIST, path).split('\\').join('/'),
        [readFileSync(path), { level: path.endsWith('.bin') ? 0 : 9 }] as const,
      ]),
    ),
    { mtime: new Date(1980, 0, 1) },
  );
  writeFileSync(EXTENSION_ZIP, zip);
  return { dir: EXTENSION_DIST, zip: EXTENSION_ZIP, bytes: zip.length };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { dir, zip, bytes } = await buildExtension();
  const unpacked = filesUnder(dir).reduce((sum, path) => sum + statSync(path).size, 0);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `extension: ${relative(ROOT, dir)}/ (${mib(unpacked)}), ${relative(ROOT, zip)} (${mib(bytes)})`,
  );
}
