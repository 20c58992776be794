/**
 * `spinscope batch`: a resumable run over files, folders, JSONL files and URL lists, analysed
 * here or (with --queue) by `spinscope worker` processes through Redis.
 */
import { SpinscopeError } from '../../errors.js';
import { runBatch, type BatchProgress, type BatchSummary } from '../../batch/run-batch.js';
import { progressReporter, type ProgressReporter } from '../progress.js';
import { SIGNAL_EXIT, type Sink } from '../sink.js';

export interface BatchCommandOptions {
  inputs: string[];
  out: string;
  db?: string;
  model?: string;
  workers?: number;
  maxBytes?: number;
  allowPrivateUrls?: boolean;
  fetchTimeoutMs?: number;
  htmlTimeoutMs?: number;
  /** redis:// URL: queue the analyses for `spinscope worker` processes instead. */
  queue?: string;
  attempts?: number;
  backoffMs?: number;
  connectTimeoutMs?: number;
}

/** Exit codes (also in the command's help). */
export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 3;

/** Counts (and a rate) when the number of items is not known in advance. */
function countsReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const started = Date.now();
  let last = 0;
  let pending: string | undefined;
  const print = (line: string): void => {
    stream.write(stream.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
    pending = undefined;
  };
  return {
    update(stage, done) {
      const now = Date.now();
      const seconds = (now - started) / 1000;
      const rate = seconds >= 1 ? `, ${(done / seconds).toFixed(1)}/s` : '';
      pending = `${stage}: ${done} items${rate}`;
      if (now - last < (stream.isTTY ? 200 : 2000)) return;
      last = now;
      print(pending);
    },
    stop() {
      if (pending !== undefined) print(pending);
      if (stream.isTTY && last > 0) stream.write('\n');
      last = 0;
    },
  };
}

function describe(summary: BatchSummary, out: string): string {
  const parts = [
    `${summary.analysed} analysed`,
    `${summary.fromStore} from the store`,
    `${summary.fromResults} already done`,
    `${summary.failed} failed`,
  ];
  const lines = [
    `${summary.articles} articles in ${out}/results.jsonl (this run: ${parts.join(', ')}) ` +
      `in ${summary.seconds.toFixed(1)} s, ${summary.articlesPerSecond} articles/s`,
  ];
  if (summary.failed > 0) lines.push(`${summary.failed} failed: see ${out}/failures.jsonl`);
  if (!summary.complete) lines.push('interrupted: run the same command again to finish');
  return `${lines.join('\n')}\n`;
}

/** Run the batch; resolves to the exit code. */
export async function batchAction(options: BatchCommandOptions, out: Sink): Promise<number> {
  if (options.queue === undefined) {
    const queueOnly = (
      [
        ['attempts', '--attempts'],
        ['backoffMs', '--backoff'],
        ['connectTimeoutMs', '--connect-timeout'],
      ] as const
    ).filter(([key]) => options[key] !== undefined);
    if (queueOnly.length > 0) {
      throw new SpinscopeError(
        'SPN_ERR_USAGE',
        `${queueOnly.map(([, flag]) => flag).join(', ')} only apply with --queue`,
      );
    }
  } else if (options.workers !== undefined) {
    throw new SpinscopeError(
      'SPN_ERR_USAGE',
      '--workers sets the analysis threads of a local batch; with --queue the analyses run in ' +
        '`spinscope worker` processes (their --concurrency)',
    );
  }
  const controller = new AbortController();
  let signalName: string | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (signalName !== undefined) process.exit(SIGNAL_EXIT[name] ?? 1); // a second one: stop now
    signalName = name;
    process.stderr.write(
      `\n${name}: finishing the analyses in progress and writing the outputs (again to stop at once)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let reporter: ProgressReporter | undefined;
  const stage = options.queue === undefined ? 'analysing' : 'analysing (queue)';
  const onProgress = (progress: BatchProgress): void => {
    reporter ??= progress.total === undefined ? countsReporter() : progressReporter();
    reporter.update(stage, progress.done, progress.total ?? 0);
  };
  const common = {
    inputs: options.inputs,
    outDir: options.out,
    dbFile: options.db,
    model: options.model,
    maxBytes: options.maxBytes,
    allowPrivateUrls: options.allowPrivateUrls,
    fetchTimeoutMs: options.fetchTimeoutMs,
    htmlTimeoutMs: options.htmlTimeoutMs,
    signal: controller.signal,
    onWarning: (message: string) => process.stderr.write(`spinscope: ${message}\n`),
  };
  try {
    let summary: BatchSummary;
    if (options.queue === undefined) {
      summary = await runBatch({ ...common, workers: options.workers }, onProgress);
    } else {
      const { runQueuedBatch } = await import('../../batch/queue/queue-producer.js');
      summary = await runQueuedBatch(
        {
          ...common,
          queue: options.queue,
          attempts: options.attempts,
          backoffMs: options.backoffMs,
          connectTimeoutMs: options.connectTimeoutMs,
        },
        onProgress,
      );
    }
    reporter?.stop();
    reporter = undefined;
    out(describe(summary, options.out));
    if (signalName !== undefined) return SIGNAL_EXIT[signalName] ?? 1;
    return summary.failed > 0 ? EXIT_SOME_FAILED : EXIT_OK;
  } finally {
    reporter?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
