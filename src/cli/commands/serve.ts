/** `spinscope serve`: its options and help; what it does is in ../actions/ (loaded when run). */
import { Option, type Command } from 'commander';
import {
  DEFAULT_HTML_TIMEOUT_MS,
  DEFAULT_LONG_CHARS,
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_MODEL_NAME,
} from '../../config.js';
import { nonNegativeInteger, positiveInteger, MODEL_HELP } from '../options.js';
import type { Sink } from '../sink.js';

export function serveCommand(program: Command, out: Sink): void {
  program
    .command('serve')
    .description('serve the web UI and the HTTP API (binds 127.0.0.1 by default)')
    .option('--port <n>', 'port (0 picks a free one)', nonNegativeInteger, 8080)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--db <file>', 'SQLite file of stored analyses', 'data/spinscope.sqlite')
    .option('--model <name>', MODEL_HELP, DEFAULT_MODEL_NAME)
    .option('--max-bytes <n>', 'largest article accepted, in bytes', positiveInteger)
    .option('--workers <n>', 'analysis threads for ordinary articles', positiveInteger)
    .option(
      '--long-chars <n>',
      'articles longer than this many characters take a thread of their own',
      positiveInteger,
      DEFAULT_LONG_CHARS,
    )
    .option(
      '--max-wait <ms>',
      'longest expected wait for an analysis; over it: 503 with Retry-After',
      positiveInteger,
      DEFAULT_MAX_WAIT_MS,
    )
    .option('--allow-private-urls', 'let /analyze/url fetch private and loopback addresses')
    .option(
      '--html-timeout <ms>',
      'longest extraction of one HTML page, in ms (over it: 422)',
      positiveInteger,
      DEFAULT_HTML_TIMEOUT_MS,
    )
    .option(
      '--headers-timeout <ms>',
      "longest wait for a request's headers, in ms (over it: 408)",
      positiveInteger,
      10_000,
    )
    .option(
      '--request-timeout <ms>',
      'longest wait for a whole request, body included, in ms (over it: 408)',
      positiveInteger,
      30_000,
    )
    .addOption(
      new Option('--log-level <level>', 'log lines from this level up, on stderr (JSON)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('warn'),
    )
    .action(async (opts) => {
      const { serveAction } = await import('../actions/serve.js');
      await serveAction(
        {
          port: opts.port,
          host: opts.host,
          dbFile: opts.db,
          model: opts.model,
          maxBytes: opts.maxBytes,
          workers: opts.workers,
          longChars: opts.longChars,
          maxWaitMs: opts.maxWait,
          allowPrivateUrls: opts.allowPrivateUrls ?? false,
          htmlTimeoutMs: opts.htmlTimeout,
          headersTimeoutMs: opts.headersTimeout,
          requestTimeoutMs: opts.requestTimeout,
          logger: { level: opts.logLevel },
        },
        out,
      );
    });
}
