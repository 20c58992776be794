/**
 * Browser stand-in for linkedom in the web UI's build (web/vite.config.ts): a page analysed
 * on the device is parsed by the browser's own DOMParser, which the page passes to
 * formats/html.ts's `extractArticle` (its `parse` option), so linkedom is never called.
 */
export function parseHTML(): never {
  throw new Error('linkedom is not bundled in the browser: pass extractArticle a DOMParser');
}
