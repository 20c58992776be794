/**
 * A model in the browser: its file and side files fetched from URLs, unzipped with
 * DecompressionStream and checked with Web Crypto before the detector is built, so that the
 * detector itself stays synchronous and the same as on Node (formats/model-file.ts reads the
 * same files from disk). A model with a sentence-head stage (`lg`) gets the sentence encoder
 * on WebAssembly (load-encoder.ts), from the `encoder/` folder beside the models' folders.
 */
import { Detector, type LoadOptions } from '../detect/detector.js';
import { sideFilesOf, stageNames, type ModelHeader } from '../detect/model-header.js';
import { SpinscopeError } from '../errors.js';
import {
  checkSideFile,
  isGzip,
  parseModel,
  parseModelHeader,
  type SideFileRef,
} from '../formats/model-container.js';
import { fetchBytes, gunzip, sha256 } from './fetch-files.js';
import { loadEncoder } from './load-encoder.js';

/** A side file beside the model or in the folder above (as on disk), checked and unzipped. */
async function fetchSideFile(modelUrl: URL, expected: SideFileRef): Promise<Uint8Array> {
  for (const url of [new URL(expected.file, modelUrl), new URL(`../${expected.file}`, modelUrl)]) {
    const bytes = await fetchBytes(url);
    if (!bytes) continue;
    checkSideFile(await sha256(bytes), expected, url.href, modelUrl.href);
    return isGzip(bytes) ? gunzip(bytes, url.href) : bytes;
  }
  throw new SpinscopeError('SPN_ERR_MODEL', `cannot find ${expected.file} next to the model`, {
    file: modelUrl.href,
  });
}

/** The model at a URL (a model.bin), with the word clusters and vectors it names. */
export async function loadModel(url: string | URL): Promise<Detector> {
  const modelUrl = new URL(url);
  const compressed = await fetchBytes(modelUrl);
  if (!compressed)
    throw new SpinscopeError('SPN_ERR_MODEL', 'no model at this URL', { file: modelUrl.href });
  const bytes = await gunzip(compressed, modelUrl.href);
  const header = parseModelHeader<ModelHeader>(bytes, modelUrl.href);
  const [files, embedder] = await Promise.all([
    Promise.all(
      sideFilesOf(header).map(
        async (ref) => [ref.file, await fetchSideFile(modelUrl, ref)] as const,
      ),
    ).then((entries) => new Map(entries)),
    stageNames(header).includes('sentence-head')
      ? loadEncoder(new URL('../encoder/encoder.json', modelUrl))
      : undefined,
  ]);
  const options: LoadOptions = embedder ? { embedder } : {};
  return Detector.fromModel(
    parseModel<ModelHeader>(bytes, modelUrl.href),
    (expected) => {
      const file = files.get(expected.file);
      if (!file) throw new Error(`${expected.file} was not fetched (sideFilesOf misses it)`);
      return file;
    },
    modelUrl.href,
    options,
  );
}
