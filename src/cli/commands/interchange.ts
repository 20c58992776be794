/** `spinscope export` and `spinscope import`: options and help; the work is in ../actions/. */
import { Option, type Command } from 'commander';
import type { Sink } from '../sink.js';

export function exportCommand(program: Command, out: Sink): void {
  program
    .command('export')
    .description(
      'write the stored analyses (reviewed spans where a review exists) for other tools or for training',
    )
    .requiredOption('--db <file>', 'the SQLite store (as for serve and batch)')
    .addOption(
      new Option('--format <format>', 'semeval (PTC layout), label-studio, brat or jsonl')
        .choices(['semeval', 'label-studio', 'brat', 'jsonl'])
        .makeOptionMandatory(),
    )
    .requiredOption('--out <dir>', 'a new or empty folder')
    .option('--reviewed-only', 'only the analyses that someone has reviewed')
    .option('--force', 'add to a folder that has other files in it (never replacing one)')
    .action(async (opts) => {
      const { exportAction } = await import('../actions/interchange.js');
      await exportAction(
        {
          db: opts.db,
          format: opts.format,
          out: opts.out,
          reviewedOnly: opts.reviewedOnly ?? false,
          force: opts.force ?? false,
        },
        out,
      );
    });
}

export function importCommand(program: Command, out: Sink): void {
  program
    .command('import')
    .description(
      'turn annotations made in Label Studio, brat or the PTC layout into a corpus to train on',
    )
    .addOption(
      new Option('--format <format>', 'label-studio (a JSON export), brat (a folder) or semeval')
        .choices(['label-studio', 'brat', 'semeval'])
        .makeOptionMandatory(),
    )
    .argument('<input...>', 'export files or folders')
    .requiredOption('--out <dir>', 'a new or empty folder for the corpus (PTC layout)')
    .option('--map <file>', 'JSON object mapping other labels to corpus labels')
    .option('--force', 'add to a folder that has other files in it (never replacing one)')
    .action(async (inputs: string[], opts) => {
      const { importAction } = await import('../actions/interchange.js');
      await importAction(
        { format: opts.format, inputs, out: opts.out, map: opts.map, force: opts.force ?? false },
        out,
      );
    });
}
