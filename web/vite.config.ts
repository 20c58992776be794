/**
 * Builds the web UI: `npx vite build --config web/vite.config.ts` writes web/dist/, which the
 * server serves at `/`. Everything is bundled (no CDN, no external fonts).
 * Dev: `SPINSCOPE_API=http://127.0.0.1:<port> npx vite --config web/vite.config.ts`
 * proxies /api to a running `spinscope serve`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': process.env.SPINSCOPE_API ?? 'http://127.0.0.1:8787' },
  },
});
