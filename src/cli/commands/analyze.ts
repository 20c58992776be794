/** `spinscope analyze`: its options and help; what it does is in ../actions/ (loaded when run). */
import { Option, type Command } from 'commander';
import { DEFAULT_MODEL_NAME } from '../../config.js';
import { READER_MIN_CONFIDENCE } from '../../detect/analysis.js';
import { positiveInteger, unitInterval, MODEL_HELP } from '../options.js';
import type { Sink } from '../sink.js';

export function analyzeCommand(program: Command, out: Sink): void {
  program
    .command('analyze')
    .description('find propaganda techniques in one article (a file, or - for standard input)')
    .argument('[file]', 'article text file, or - to read standard input', '-')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'json', 'jsonl', 'si', 'tc'])
        .default('text'),
    )
    .option(
      '--threshold <confidence>',
      `hide techniques below this confidence (0-1; default ${READER_MIN_CONFIDENCE} for text, 0 for the other formats; 0 shows all)`,
      unitInterval,
    )
    .option('--model <name>', MODEL_HELP, DEFAULT_MODEL_NAME)
    .option('--max-bytes <n>', 'largest text accepted, in bytes', positiveInteger)
    .option('--id <id>', 'article id for --format si|tc (default: from the file name)')
    .option('--no-color', 'plain text without colours')
    .option(
      '--width <columns>',
      "wrap the text output to this many columns (default: the terminal's width; none when piped)",
      positiveInteger,
    )
    .action(async (file: string, opts) => {
      const { analyzeAction } = await import('../actions/analyze.js');
      await analyzeAction(
        {
          file,
          format: opts.format,
          threshold: opts.threshold,
          model: opts.model,
          maxBytes: opts.maxBytes,
          id: opts.id,
          color: opts.color && process.stdout.isTTY === true && !process.env.NO_COLOR,
          width: opts.width ?? (process.stdout.isTTY ? process.stdout.columns : undefined),
        },
        out,
      );
    });
}
