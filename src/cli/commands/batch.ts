/** `spinscope batch`: a resumable run over files, folders, JSONL files and URL lists. */
import { runBatch, type BatchProgress, type BatchSummary } from '../../batch/run-batch.js';
import { progressReporter, type ProgressReporter } from '../progress.js';
import type { Sink } from '../main.js';

export interface BatchCommandOptions {
  inputs: string[];
  out: string;
  db?: string;
  model?: string;
  workers?: number;
  maxBytes?: number;
  allowPrivateUrls?: boolean;
  fetchTimeoutMs?: number;
}

/** Exit codes (also in the command's help). */
export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 3;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

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
export async function batchCommand(options: BatchCommandOptions, out: Sink): Promise<number> {
  const controller = new AbortController();
  let signalName: string | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (signalName !== undefined) process.exit(SIGNAL_EXIT[name] ?? 1); // a second one: stop now
    signalName = name;
    process.stderr.write(
      `\n${name}: finishing the articles in progress and writing the outputs (again to stop at once)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let reporter: ProgressReporter | undefined;
  const onProgress = (progress: BatchProgress): void => {
    reporter ??= progress.total === undefined ? countsReporter() : progressReporter();
    reporter.update('analysing', progress.done, progress.total ?? 0);
  };
  try {
    const summary = await runBatch(
      {
        inputs: options.inputs,
        outDir: options.out,
        dbFile: options.db,
        model: options.model,
        workers: options.workers,
        maxBytes: options.maxBytes,
        allowPrivateUrls: options.allowPrivateUrls,
        fetchTimeoutMs: options.fetchTimeoutMs,
        signal: controller.signal,
        onWarning: (message) => process.stderr.write(`spinscope: ${message}\n`),
      },
      onProgress,
    );
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
