#!/usr/bin/env node
/**
 * The `spinscope` command. Each command is a thin caller of a library function; heavy
 * modules are imported lazily so that `--help` stays instant. Failures are reported in one
 * place: a SpinscopeError prints its code and message and exits with 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { DEFAULT_HTML_TIMEOUT_MS, DEFAULT_MODEL_NAME, defaultCorpusDir } from '../config.js';
import { SpinscopeError } from '../errors.js';
import type { RefitChoice } from '../train/train-accurate.js';
import type { Sink } from './sink.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Writes to stdout; commands take it so that tests can capture output. */

export function buildProgram(out: Sink = (t) => process.stdout.write(t)): Command {
  const program = new Command()
    .name('spinscope')
    .description('Find propaganda techniques in news articles, phrase by phrase.')
    .version(pkg.version)
    .showHelpAfterError()
    .configureOutput({ writeOut: out });

  program
    .command('evaluate')
    .description('score predictions against gold labels with the SemEval-2020 Task 11 metrics')
    .addOption(
      new Option('--task <task>', 'si, tc or full')
        .choices(['si', 'tc', 'full'])
        .makeOptionMandatory(),
    )
    .argument('<gold>', 'gold label file, or a folder of *.labels files')
    .argument('<predicted>', 'predicted label file, or a folder of *.labels files')
    .option(
      '--order-free',
      'TC: pair multi-label spans without regard to order (default: the official pairing)',
    )
    .option('--articles <dir>', 'check every span against the articles in this folder')
    .option('--json', 'print the results as JSON')
    .action(async (gold: string, predicted: string, opts) => {
      const { evaluate } = await import('../eval/evaluate.js');
      const result = await evaluate({
        task: opts.task,
        gold,
        predicted,
        pairing: opts.orderFree ? 'order-free' : 'official',
        articles: opts.articles,
      });
      if (opts.json) out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const { formatEvaluation } = await import('./commands/evaluate.js');
        out(`${formatEvaluation(result)}\n`);
      }
    });

  program
    .command('analyze')
    .description('find propaganda techniques in one article (a file, or - for standard input)')
    .argument('[file]', 'article text file, or - to read standard input', '-')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'json', 'jsonl', 'si', 'tc'])
        .default('text'),
    )
    .option('--threshold <confidence>', 'hide techniques below this confidence (0-1)', unitInterval)
    .option(
      '--model <name>',
      'model name (fast, accurate) or path to a model.bin',
      DEFAULT_MODEL_NAME,
    )
    .option('--max-bytes <n>', 'largest text accepted, in bytes', positiveInteger)
    .option('--id <id>', 'article id for --format si|tc (default: from the file name)')
    .option('--no-color', 'plain text without colours')
    .action(async (file: string, opts) => {
      const { analyzeCommand } = await import('./commands/analyze.js');
      await analyzeCommand(
        {
          file,
          format: opts.format,
          threshold: opts.threshold,
          model: opts.model,
          maxBytes: opts.maxBytes,
          id: opts.id,
          color: opts.color && process.stdout.isTTY === true && !process.env.NO_COLOR,
        },
        out,
      );
    });

  program
    .command('predict')
    .description('write SemEval-format predictions for a folder of articles')
    .addOption(
      new Option('--task <task>', 'si, tc or full')
        .choices(['si', 'tc', 'full'])
        .makeOptionMandatory(),
    )
    .requiredOption('--articles <dir>', 'folder of article<ID>.txt files (or a corpus folder)')
    .option('--template <file>', "TC: the spans to label (default: the folder's *-tc-template.out)")
    .requiredOption('--out <file>', 'where to write the predictions')
    .option(
      '--model <name>',
      'model name (fast, accurate) or path to a model.bin',
      DEFAULT_MODEL_NAME,
    )
    .action(async (opts) => {
      const { predictCommand } = await import('./commands/predict.js');
      await predictCommand(
        {
          task: opts.task,
          articles: opts.articles,
          template: opts.template,
          out: opts.out,
          model: opts.model,
        },
        out,
      );
    });

  program
    .command('serve')
    .description('serve the web UI and the HTTP API (binds 127.0.0.1 by default)')
    .option('--port <n>', 'port (0 picks a free one)', nonNegativeInteger, 8080)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--db <file>', 'SQLite file of stored analyses', 'data/spinscope.sqlite')
    .option(
      '--model <name>',
      'model name (fast, accurate) or path to a model.bin',
      DEFAULT_MODEL_NAME,
    )
    .option('--max-bytes <n>', 'largest article accepted, in bytes', positiveInteger)
    .option('--workers <n>', 'analysis worker threads', positiveInteger)
    .option('--allow-private-urls', 'let /analyze/url fetch private and loopback addresses')
    .option(
      '--html-timeout <ms>',
      'longest extraction of one HTML page, in ms (over it: 422)',
      positiveInteger,
      DEFAULT_HTML_TIMEOUT_MS,
    )
    .action(async (opts) => {
      const { startServer } = await import('../server/app.js');
      const { url, app } = await startServer({
        port: opts.port,
        host: opts.host,
        dbFile: opts.db,
        model: opts.model,
        maxBytes: opts.maxBytes,
        workers: opts.workers,
        allowPrivateUrls: opts.allowPrivateUrls ?? false,
        htmlTimeoutMs: opts.htmlTimeout,
      });
      out(`listening on ${url}\n`);
      const stop = () => void app.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('batch')
    .description('analyse files, folders, JSONL files and URL lists into a folder; resumable')
    .argument('<inputs...>', 'files, folders, .jsonl/.ndjson files, .urls files')
    .requiredOption('--out <dir>', 'output folder (results.jsonl, labels, summary, failures)')
    .option('--db <file>', 'SQLite store of analyses (default: <out>/store.sqlite)')
    .option(
      '--model <name>',
      'model name (fast, accurate) or path to a model.bin',
      DEFAULT_MODEL_NAME,
    )
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
      const { batchCommand } = await import('./commands/batch.js');
      const code = await batchCommand(
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
      const { workerCommand } = await import('./commands/worker.js');
      process.exitCode = await workerCommand(
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

  program
    .command('train')
    .description('train the detector on a corpus and write the model and its card')
    .option(
      '--data <dir>',
      'corpus folder (with train/ and dev/), or a split folder',
      defaultCorpusDir(),
    )
    .option('--split <name>', 'split to train on', 'train')
    .option('--dev-split <name>', 'split to measure the model on for its card ("" for none)', 'dev')
    .addOption(
      new Option('--model <kind>', 'fast (linear models) or accurate (fast + neural layer)')
        .choices(['fast', 'accurate'])
        .default('fast'),
    )
    .option('--out <dir>', 'folder for model.bin, card.md and card.json (default: models/<kind>)')
    .option('--clusters <file>', 'word-cluster file (default: models/word-clusters.bin)')
    .option(
      '--vectors <file>',
      'word vectors of the accurate model (default: models/word-vectors.bin)',
    )
    .option('--seed <n>', 'random seed', positiveInteger, 1)
    .addOption(
      new Option(
        '--refit <networks>',
        'accurate: the networks trained again on every article once the held-out fold chose their epochs',
      )
        .choices(['none', 'classifier', 'tagger', 'both'] satisfies RefitChoice[])
        .default('classifier'),
    )
    .option(
      '--taggers <n>',
      'accurate: how many neural taggers (seeds seed, seed + 1000, …) average their probabilities (default 2)',
      positiveInteger,
    )
    .action(async (opts) => {
      const { trainCommand } = await import('./commands/train.js');
      await trainCommand(
        {
          data: opts.data,
          split: opts.split,
          devSplit: opts.devSplit || undefined,
          out: opts.out ?? `models/${opts.model}`,
          clusters: opts.clusters,
          model: opts.model,
          vectors: opts.vectors,
          settings: { seed: opts.seed },
          refit: opts.refit,
          taggers: opts.taggers,
        },
        out,
      );
    });

  return program;
}

/** Parse a non-negative integer for an option. */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Parse a positive integer for an option. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Parse a number in [0, 1] for an option. */
export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

/** Parse a positive number for an option. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    // A command may have set its own exit code (batch: 3 when some items failed).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof SpinscopeError) {
      process.stderr.write(`spinscope: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}

// Run only when executed as the binary, not when imported by tests.
if (
  process.argv[1] &&
  new URL(import.meta.url).pathname === (await import('node:fs')).realpathSync(process.argv[1])
) {
  process.exitCode = await run(process.argv);
}
