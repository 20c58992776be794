/**
 * A Piscina worker: analyses run here, off the event loop of the server, a batch or a queue
 * worker, so that one long article does not hold up anything else. Each thread loads the
 * model once.
 */
import { analyze } from './analyze.js';
import type { Analysis } from './detect/analysis.js';

export interface AnalysisTask {
  text: string;
  model: string;
  maxBytes: number;
}

export default function run(task: AnalysisTask): Promise<Analysis> {
  return analyze(task.text, { model: task.model, maxBytes: task.maxBytes });
}

/** This module, as Piscina's `filename` (.js when compiled, .ts when run through tsx). */
export const ANALYSIS_WORKER_URL = import.meta.url;
