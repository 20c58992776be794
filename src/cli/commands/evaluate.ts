/** `spinscope evaluate`: its options and help; what it does is in ../actions/ (loaded when run). */
import { Option, type Command } from 'commander';
import type { Sink } from '../sink.js';

export function evaluateCommand(program: Command, out: Sink): void {
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
      const { evaluateAction } = await import('../actions/evaluate.js');
      await evaluateAction(
        {
          task: opts.task,
          gold,
          predicted,
          pairing: opts.orderFree ? 'order-free' : 'official',
          articles: opts.articles,
          json: opts.json ?? false,
        },
        out,
      );
    });
}
