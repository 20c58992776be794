/**
 * The detector in a Web Worker: `{ id, model, text, options }` in (`model`: the URL of a
 * model.bin), `{ id, analysis }` or `{ id, error }` out. Each model loads once, on its first
 * request; analyses run one after another, as `Detector.analyze` runs them on Node.
 */
import type { Analysis } from '../detect/analysis.js';
import type { AnalyzeOptions, Detector } from '../detect/detector.js';
import { SpinscopeError } from '../errors.js';
import { loadModel } from './load-model.js';

export interface AnalyzeRequest {
  id: number;
  model: string;
  text: string;
  options?: AnalyzeOptions;
}

export type AnalyzeReply =
  { id: number; analysis: Analysis } | { id: number; error: { code: string; message: string } };

/** What this module sees of the worker's global scope (the project's types are Node's). */
declare const self: {
  onmessage: ((event: { data: AnalyzeRequest }) => void) | null;
  postMessage(reply: AnalyzeReply): void;
};

const detectors = new Map<string, Promise<Detector>>();
let queue: Promise<unknown> = Promise.resolve();

/** A model's detector, loaded on first use; a failed load is tried again on the next request. */
function detectorOf(model: string): Promise<Detector> {
  let detector = detectors.get(model);
  if (!detector) {
    detectors.set(model, (detector = loadModel(model)));
    detector.catch(() => detectors.delete(model));
  }
  return detector;
}

async function answer({ id, model, text, options }: AnalyzeRequest): Promise<AnalyzeReply> {
  try {
    return { id, analysis: await (await detectorOf(model)).analyze(text, options) };
  } catch (error) {
    const code = error instanceof SpinscopeError ? error.code : 'SPN_ERR_INTERNAL';
    return { id, error: { code, message: (error as Error).message } };
  }
}

self.onmessage = ({ data }) => {
  queue = queue.then(async () => self.postMessage(await answer(data)));
};
