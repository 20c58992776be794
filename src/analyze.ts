/**
 * The library's front door: `analyze(text)` with the shipped model, loaded once. The CLI,
 * the HTTP API and queue workers all call this.
 */
import { existsSync } from 'node:fs';
import { SpinscopeError } from './errors.js';
import type { Analysis } from './model/analysis.js';
import {
  defaultModelPath,
  Detector,
  DEFAULT_MODEL_NAME,
  type AnalyzeOptions,
} from './model/detector.js';

const loaded = new Map<string, Detector>();

/** A model by name (`fast`) or by path to a model.bin, loaded once per process. */
export function loadDetector(model: string = DEFAULT_MODEL_NAME): Detector {
  const path = /[\\/]|\.bin$/u.test(model) ? model : defaultModelPath(model);
  let detector = loaded.get(path);
  if (!detector) {
    if (!existsSync(path)) {
      throw new SpinscopeError('SPN_ERR_MODEL', `no model "${model}" (looked for ${path})`);
    }
    detector = Detector.load(path);
    loaded.set(path, detector);
  }
  return detector;
}

export interface AnalyzeTextOptions extends AnalyzeOptions {
  /** Model name or path; the default model otherwise. */
  model?: string;
}

/** Find the propaganda techniques in an article: spans, confidences, cues and scores. */
export function analyze(text: string, options: AnalyzeTextOptions = {}): Analysis {
  return loadDetector(options.model).analyze(text, options);
}
