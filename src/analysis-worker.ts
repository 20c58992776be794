/**
 * A Piscina worker: analyses run here, off the event loop of the server, a batch or a queue
 * worker, so that one long article does not hold up anything else. Each thread loads the
 * model once.
 */
import { analyze, loadDetector } from './analyze.js';
import type { Analysis } from './detect/analysis.js';

export interface AnalysisTask {
  text: string;
  model: string;
  maxBytes: number;
  warmUp?: boolean;
}

export default async function run(task: AnalysisTask): Promise<Analysis> {
  // The pool's first task warms the thread up: the model, and the sentence encoder if it has one.
  if (task.warmUp) await loadDetector(task.model).warmUp();
  return analyze(task.text, { model: task.model, maxBytes: task.maxBytes });
}

/** This module, as Piscina's `filename` (.js when compiled, .ts when run through tsx). */
export const ANALYSIS_WORKER_URL = import.meta.url;
