/** `spinscope batch`: its options and help; what it does is in ../actions/ (loaded when run). */
import type { Command } from 'commander';
import { DEFAULT_HTML_TIMEOUT_MS, DEFAULT_MODEL_NAME } from '../../config.js';
import { positiveInteger, MODEL_HELP } from '../options.js';
import type { Sink } from '../sink.js';

export function batchCommand(program: Command, out: Sink): void {
  program
    .command('batch')
    .description('analyse files, folders, JSONL files and URL lists into a folder; resumable')
    .argument('<inputs...>', 'files, folders, .jsonl/.ndjson files, .urls files')
    .requiredOption('--out <dir>', 'output folder (results.jsonl, labels, summary, failures)')
    .option('--db <file>', 'SQLite store of analyses (default: <out>/store.sqlite)')
    .option('--model <name>', MODEL_HELP, DEFAULT_MODEL_NAME)
    .option('--workers <n>', 'analysis worker threads (default: cores - 1)', positiveInteger)
    .option('--max-bytes <n>', 'largest article text, in bytes (HTML: 4 times)', positiveInteger)
    .option('--allow-private-urls', 'let URL items fetch private and loopback addresses')
    .option('--fetch-timeout <ms>', 'deadline of one URL fetch, in ms', positiveInteger, 10_000)
    .option(
      '--html-timeout <ms>',
      'longest extraction of one HTML page, in ms (over it: the item fails)',
      positiveInteger,
      DEFAULT_HTML_TIMEOUT_MS,
    )
    .option(
      '--queue <url>',
      'redis://[user:password@]host[:port][/db]: queue the analyses for `spinscope worker` processes',
    )
    .option(
      '--attempts <n>',
      'with --queue: tries per article before it fails (default 3)',
      positiveInteger,
    )
    .option(
      '--backoff <ms>',
      'with --queue: wait before the first retry, doubled for each further one (default 1000)',
      positiveInteger,
    )
    .option(
      '--connect-timeout <ms>',
      'with --queue: how long to wait for Redis to answer, at the start and during the run (default 10000)',
      positiveInteger,
    )
    .addHelpText(
      'after',
      `
  Inputs: folders (every .txt/.html/.htm file below, hidden ones skipped), article files,
  JSON Lines files (.jsonl/.ndjson: one {"id"?, "text"|"html"|"url", "title"?, "source"?,
  "date"?} a line) and URL lists (.urls, or any file of http(s) URLs one a line, # comments).

  Writes into --out: results.jsonl (one analysis per article, appended as each finishes;
  offsets count code points), si.labels and tc.labels (SemEval; article id = item id),
  failures.jsonl and summary.json. Run the same command again to resume after an
  interruption or a crash: articles in results.jsonl are skipped, and articles in the store
  are not analysed again.

  With --queue redis://HOST:PORT the articles are read here and analysed by
  \`spinscope worker --queue redis://HOST:PORT\` processes (on any machines); the outputs are
  written here all the same, and a run resumes the same way.

  Exit codes:
    0        every item succeeded
    3        some items failed (see failures.jsonl); the others were processed
    1        fatal error (bad arguments, unreadable model, store or output folder, no Redis)
    130/143  interrupted by SIGINT/SIGTERM (outputs written; run again to finish)`,
    )
    .action(async (inputs: string[], opts) => {
      const { batchAction } = await import('../actions/batch.js');
      const code = await batchAction(
        {
          inputs,
          out: opts.out,
          db: opts.db,
          model: opts.model,
          workers: opts.workers,
          maxBytes: opts.maxBytes,
          allowPrivateUrls: opts.allowPrivateUrls ?? false,
          fetchTimeoutMs: opts.fetchTimeout,
          htmlTimeoutMs: opts.htmlTimeout,
          queue: opts.queue,
          attempts: opts.attempts,
          backoffMs: opts.backoff,
          connectTimeoutMs: opts.connectTimeout,
        },
        out,
      );
      process.exitCode = code;
    });
}
