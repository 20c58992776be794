/** `spinscope predict`: its options and help; what it does is in ../actions/ (loaded when run). */
import { MODEL_HELP, positiveInteger } from '../options.js';
import { Option, type Command } from 'commander';
import { DEFAULT_MODEL_NAME } from '../../config.js';
import type { Sink } from '../sink.js';

export function predictCommand(program: Command, out: Sink): void {
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
    .option('--model <name>', MODEL_HELP, DEFAULT_MODEL_NAME)
    .option('--workers <n>', 'threads (default: one per core)', positiveInteger)
    .action(async (opts) => {
      const { predictAction } = await import('../actions/predict.js');
      await predictAction(
        {
          task: opts.task,
          articles: opts.articles,
          template: opts.template,
          out: opts.out,
          model: opts.model,
          workers: opts.workers,
        },
        out,
      );
    });
}
