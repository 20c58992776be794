/** `spinscope worker`: its options and help; what it does is in ../actions/ (loaded when run). */
import type { Command } from 'commander';
import { DEFAULT_MODEL_NAME } from '../../config.js';
import { positiveInteger } from '../options.js';
import type { Sink } from '../sink.js';

export function workerCommand(program: Command, out: Sink): void {
  program
    .command('worker')
    .description('analyse the articles that `batch --queue` puts in Redis (run one per machine)')
    .requiredOption('--queue <url>', 'redis://[user:password@]host[:port][/db]')
    .option(
      '--concurrency <n>',
      'articles analysed at once, one thread each (default: cores)',
      positiveInteger,
    )
    .option(
      '--model <name>',
      'model name or path to a model.bin (batches of other models are left alone)',
      DEFAULT_MODEL_NAME,
    )
    .option(
      '--max-bytes <n>',
      'largest article text accepted, in bytes (default 2 MiB)',
      positiveInteger,
    )
    .option(
      '--lock-duration <ms>',
      'a job whose worker stops answering is given to another after this long',
      positiveInteger,
      30_000,
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for jobs whose worker stopped answering',
      positiveInteger,
      15_000,
    )
    .option(
      '--max-stalled <n>',
      'times a job is taken up again after its worker died',
      positiveInteger,
      2,
    )
    .option(
      '--connect-timeout <ms>',
      'how long to wait for Redis to answer',
      positiveInteger,
      10_000,
    )
    .option('--verbose', 'log every job')
    .addHelpText(
      'after',
      `
  Serves every batch that \`spinscope batch --queue\` producers have announced in this Redis
  (with the same model), until SIGINT or SIGTERM: then the jobs in progress are finished
  first (a second signal stops at once). Needs no corpus and no input files: each job
  carries its article's text.`,
    )
    .action(async (opts) => {
      const { workerAction } = await import('../actions/worker.js');
      process.exitCode = await workerAction(
        {
          queue: opts.queue,
          concurrency: opts.concurrency,
          model: opts.model,
          maxBytes: opts.maxBytes,
          lockDurationMs: opts.lockDuration,
          stalledIntervalMs: opts.stalledInterval,
          maxStalledCount: opts.maxStalled,
          connectTimeoutMs: opts.connectTimeout,
          verbose: opts.verbose ?? false,
        },
        out,
      );
    });
}
