/**
 * A Piscina worker: analyses run here, off the event loop of the server, a batch or a queue
 * worker, so that one long article does not hold up anything else. Each thread loads the
 * model once.
 */
import { analyze, loadDetector } from './analyze.js';
import type { Analysis } from './detect/analysis.js';
import { predictFull, predictSi, predictTc } from './detect/predict.js';
import { SentenceEncoder } from './features/sentence-encoder.js';
import { formatSiLabels, formatTcLabels, type SpanLabel } from './formats/labels.js';
import { parseArticle } from './text/document.js';
import { SpinscopeError, type ErrorCode } from './errors.js';

// The pool has a thread per core already: each encodes its own articles' sentences.
SentenceEncoder.runInThisThread();

export interface AnalysisTask {
  text: string;
  model: string;
  maxBytes: number;
}

export default async function run(task: AnalysisTask): Promise<Analysis> {
  return analyze(task.text, { model: task.model, maxBytes: task.maxBytes });
}

/** A load failure as it crosses to the pool's owner (a thrown error would lose its code). */
export interface WarmUpFailure {
  code: ErrorCode;
  message: string;
}

/**
 * A thread's first task (`{ name: 'warmUp' }`): load the model and warm it up, answering
 * how loading failed, if it did.
 */
export async function warmUp(model: string): Promise<WarmUpFailure | undefined> {
  try {
    await loadDetector(model).warmUp();
    return undefined;
  } catch (error) {
    if (error instanceof SpinscopeError) return { code: error.code, message: error.message };
    throw error;
  }
}

/** One article's SemEval predictions (`spinscope predict`): TC labels the template's spans. */
export interface PredictTask {
  task: 'si' | 'tc' | 'full';
  articleId: string;
  text: string;
  model: string;
  template?: SpanLabel[];
}

/** The article's label lines (Piscina runs it by name: `{ name: 'predict' }`). */
export async function predict(t: PredictTask): Promise<string> {
  const detector = loadDetector(t.model);
  const ctx = detector.context(parseArticle(t.text));
  if (t.task === 'si') return formatSiLabels(await predictSi(detector, ctx, t.articleId));
  if (t.task === 'full') return formatTcLabels(await predictFull(detector, ctx, t.articleId));
  return formatTcLabels(await predictTc(detector, ctx, t.articleId, t.template ?? []));
}

/** This module, as Piscina's `filename` (.js when compiled, .ts when run through tsx). */
export const ANALYSIS_WORKER_URL = import.meta.url;
