/**
 * The library's front door: `analyze(text)` with the shipped model, loaded once. The CLI,
 * the HTTP API and queue workers all call this.
 */
import { existsSync } from 'node:fs';
import { SpinscopeError } from './errors.js';
import type { Analysis } from './detect/analysis.js';
import {
  defaultModelPath,
  Detector,
  DEFAULT_MODEL_NAME,
  type AnalyzeOptions,
  type ModelHeader,
} from './detect/detector.js';

const loaded = new Map<string, Detector>();

/** The model file of a model name (`sm`, `md`, `lg`) or path (`some/model.bin`). */
export function resolveModelPath(model: string = DEFAULT_MODEL_NAME): string {
  return /[\\/]|\.bin$/u.test(model) ? model : defaultModelPath(model);
}

/** A model by name (`sm`) or by path to a model.bin, loaded once per process. */
export function loadDetector(model: string = DEFAULT_MODEL_NAME): Detector {
  const path = existingModelPath(model);
  let detector = loaded.get(path);
  if (!detector) loaded.set(path, (detector = Detector.load(path)));
  return detector;
}

/**
 * A model's header, without its weights: for the thread that hands analyses to a pool
 * (identity, early errors), so that only the pool's threads hold the weights.
 */
export function loadModelHeader(model: string = DEFAULT_MODEL_NAME): ModelHeader {
  const path = existingModelPath(model);
  let header = loadedHeaders.get(path);
  if (!header) loadedHeaders.set(path, (header = Detector.readHeader(path)));
  return header;
}
const loadedHeaders = new Map<string, ModelHeader>();

function existingModelPath(model: string): string {
  const path = resolveModelPath(model);
  if (!existsSync(path))
    throw new SpinscopeError('SPN_ERR_MODEL', `no model "${model}" (looked for ${path})`);
  return path;
}

export interface AnalyzeTextOptions extends AnalyzeOptions {
  /** Model name or path; the default model otherwise. */
  model?: string;
}

/** Find the propaganda techniques in an article: spans, confidences, cues and scores. */
export async function analyze(text: string, options: AnalyzeTextOptions = {}): Promise<Analysis> {
  return loadDetector(options.model).analyze(text, options);
}
