#!/usr/bin/env node
/**
 * The `spinscope` command. Each command's options are in commands/, what it does in
 * actions/ (a thin caller of the library), imported only when the command runs so that
 * `--help` stays instant. Failures are reported in one
 * place: a SpinscopeError prints its code and message and exits with 1.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { SpinscopeError } from '../errors.js';
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
    .showHelpAfterError()
    .configureOutput({ writeOut: out });

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
