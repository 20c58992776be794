/**
 * `spinscope worker`: analyse the jobs that `spinscope batch --queue` puts in Redis, until
 * SIGINT or SIGTERM (then the jobs in progress are finished first; a second signal stops at
 * once, and those jobs are taken up by another worker once their lock runs out).
 */
import { runQueueWorker, type QueueWorkerOptions } from '../../batch/queue/queue-worker.js';
import { SIGNAL_EXIT, type Sink } from '../sink.js';

export type WorkerCommandOptions = Omit<QueueWorkerOptions, 'signal' | 'log' | 'pollMs'>;

/** Run the worker; resolves to the exit code (0 after a stop by signal). */
export async function workerAction(options: WorkerCommandOptions, out: Sink): Promise<number> {
  const controller = new AbortController();
  let stopping = false;
  const onSignal = (name: NodeJS.Signals): void => {
    if (stopping) process.exit(SIGNAL_EXIT[name] ?? 1); // a second one: stop now
    stopping = true;
    process.stderr.write(
      `spinscope worker: ${name}: finishing the jobs in progress (again to stop at once)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const totals = await runQueueWorker({
      ...options,
      signal: controller.signal,
      log: (line) => process.stderr.write(`spinscope worker: ${line}\n`),
    });
    out(`worker stopped: ${totals.completed} jobs done, ${totals.failed} failed\n`);
    // With Redis gone, a BullMQ connection may still be trying to reconnect: do not wait for
    // it (this timer does not hold the process when nothing else does).
    setTimeout(() => process.exit(0), 2_000).unref();
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
