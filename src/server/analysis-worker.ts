/**
 * A Piscina worker: analyses run here, off the server's event loop, so that one long
 * article does not hold up other requests. Each worker loads the model once.
 */
import { analyze } from '../analyze.js';
import type { Analysis } from '../model/analysis.js';

export interface AnalysisTask {
  text: string;
  model: string;
  maxBytes: number;
}

export default function run(task: AnalysisTask): Analysis {
  return analyze(task.text, { model: task.model, maxBytes: task.maxBytes });
}
