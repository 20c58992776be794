#!/usr/bin/env node
/**
 * The `spinscope` command. Each command's options are in commands/, what it does in
 * actions/ (a thin caller of the library), imported only when the command runs so that
 * `--help` stays instant. Failures are reported in one place (`run`): one line with the
 * message and its code, exit code 1, and the stack only with --debug.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { systemError } from '../errors.js';
import { analyzeCommand } from './commands/analyze.js';
import { batchCommand } from './commands/batch.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exportCommand, importCommand } from './commands/interchange.js';
import { predictCommand } from './commands/predict.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';
import type { Sink } from './sink.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The program; commands write to `out` (stdout), so that tests can capture what they print. */
export function buildProgram(out: Sink = (t) => process.stdout.write(t)): Command {
  const program = new Command()
    .name('spinscope')
    .description('Find propaganda techniques in news articles, phrase by phrase.')
    .version(pkg.version)
    .option('--debug', 'print the stack of an error too (or set SPINSCOPE_DEBUG=1)')
    // Commander's own usage errors (an unknown option, a value its parser refuses) in the
    // catalogue's one line, and thrown to run() rather than exiting the process.
    .exitOverride()
    .configureOutput({
      writeOut: out,
      outputError: (message, write) =>
        write(
          `spinscope: ${message.replace(/^error: /u, '').trim()} (see --help) [SPN_ERR_USAGE]\n`,
        ),
    });

  evaluateCommand(program, out);
  analyzeCommand(program, out);
  predictCommand(program, out);
  serveCommand(program, out);
  batchCommand(program, out);
  workerCommand(program, out);
  trainCommand(program, out);
  exportCommand(program, out);
  importCommand(program, out);
  return program;
}

export async function run(
  argv: string[],
  program = buildProgram(),
  err: Sink = (t) => process.stderr.write(t),
): Promise<number> {
  try {
    await program.parseAsync(argv);
    // A command may have set its own exit code (batch: 3 when some items failed).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Help, the version, or a usage error commander has already printed.
    if (error instanceof CommanderError) return error.exitCode;
    const debug = program.opts().debug === true || process.env.SPINSCOPE_DEBUG === '1';
    err(describeError(error, debug));
    return 1;
  }
}

/** One line: the message and its code (SPN_ERR_INTERNAL for a bug); with `debug`, the stack. */
function describeError(error: unknown, debug: boolean): string {
  const coded = systemError(error);
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  if (coded) return `spinscope: ${coded.message} [${coded.code}]\n${stack}`;
  const message = error instanceof Error ? error.message : String(error);
  const hint = debug ? '' : ' (run with --debug for the stack)';
  return `spinscope: ${message} [SPN_ERR_INTERNAL]${hint}\n${stack}`;
}

// Run only when executed as the binary, not when imported by tests.
if (
  process.argv[1] &&
  new URL(import.meta.url).pathname === (await import('node:fs')).realpathSync(process.argv[1])
) {
  process.exitCode = await run(process.argv);
}
