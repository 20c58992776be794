/**
 * The threads analyses run in (Piscina over analysis-worker.ts), for the server, local
 * batches and queue workers: each thread loads the model before the first real task, so that
 * no request or job waits for it.
 */
import { Piscina } from 'piscina';
import type { Analysis } from './detect/analysis.js';
import {
  ANALYSIS_WORKER_URL,
  type AnalysisTask,
  type PredictTask,
  type WarmUpFailure,
} from './analysis-worker.js';
import { SpinscopeError } from './errors.js';

export type AnalysisPool = Piscina<AnalysisTask, Analysis>;

export async function startAnalysisPool(options: {
  model: string;
  threads: number;
}): Promise<AnalysisPool> {
  const { model, threads } = options;
  const pool: AnalysisPool = new Piscina({
    filename: ANALYSIS_WORKER_URL,
    maxThreads: threads,
    minThreads: threads,
  });
  try {
    const failures = await Promise.all(
      Array.from(
        { length: threads },
        // The pool's types describe its default export; `warmUp` takes and gives these.
        () => pool.run(model as never, { name: 'warmUp' }) as Promise<unknown>,
      ),
    );
    const failure = failures.find(Boolean) as WarmUpFailure | undefined;
    if (failure) throw new SpinscopeError(failure.code, failure.message);
  } catch (error) {
    await pool.destroy();
    throw error;
  }
  return pool;
}

/** One article's SemEval predictions, in a thread of the pool (analysis-worker.ts `predict`). */
export async function predictInPool(pool: AnalysisPool, task: PredictTask): Promise<string> {
  // The pool's types describe its default export; `predict` takes and gives these.
  return (await pool.run(task as never, { name: 'predict' })) as unknown as string;
}
