/**
 * Browser twin of formats/model-file.ts (the worker's Vite build swaps it in): there are no
 * files to read in a browser, so a model loads from URLs (browser/load-model.ts) and these,
 * which read files, say so.
 */
function onlyOnNode(): never {
  throw new Error('reading model files from disk needs Node; in a browser use loadModel(url)');
}

export const defaultModelPath = onlyOnNode;
export const decodeModel = onlyOnNode;
export const decodeModelHeader = onlyOnNode;
export const readModelFile = onlyOnNode;
export const readSideFile = onlyOnNode;
