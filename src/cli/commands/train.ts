/** `spinscope train`: its options and help; what it does is in ../actions/ (loaded when run). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultCorpusDir, modelName, SHIPPED_MODELS } from '../../config.js';
import type { RefitChoice } from '../../train/train-accurate.js';
import type { ModelKind } from '../actions/train.js';
import { positiveInteger, unitInterval } from '../options.js';
import type { Sink } from '../sink.js';

/** `--model`: sm, md or lg, or a former name (fast, accurate). */
function modelKind(value: string): ModelKind {
  const kind = SHIPPED_MODELS.find((k) => k === modelName(value));
  if (!kind) throw new InvalidArgumentError(`expected ${SHIPPED_MODELS.join(', ')}`);
  return kind;
}

export function trainCommand(program: Command, out: Sink): void {
  program
    .command('train')
    .description('train the detector on a corpus and write the model and its card')
    .option(
      '--data <dir>',
      'corpus folder (with train/ and dev/), or a split folder; repeat to train on several (default: the PTC corpus)',
      (dir: string, dirs: string[]) => [...dirs, dir],
      [] as string[],
    )
    .option(
      '--weight <dir=n>',
      'the linear models learn n times from the articles of this --data folder (repeatable)',
      (spec: string, weights: Map<string, number>) => {
        const m = /^(.+)=([1-9]\d?)$/u.exec(spec);
        if (!m) throw new InvalidArgumentError('expected DIR=N with N from 1 to 99');
        return new Map(weights).set(m[1]!, Number(m[2]));
      },
      new Map<string, number>(),
    )
    .option(
      '--split <names>',
      'split(s) to train on, comma-separated (train,dev: all 446)',
      'train',
    )
    .option('--dev-split <name>', 'split to measure the model on for its card ("" for none)', 'dev')
    .option(
      '--model <kind>',
      'sm (linear models), md (sm + neural layer) or lg (md spans + sentence-vector techniques); fast and accurate are former names of sm and md',
      modelKind,
      'sm',
    )
    .option('--out <dir>', 'folder for model.bin, card.md and card.json (default: models/<kind>)')
    .option(
      '--name <name>',
      "the model's name in analyses and its card (default: the --out folder's)",
    )
    .option('--clusters <file>', 'word-cluster file (default: models/word-clusters.bin)')
    .option(
      '--vectors <file>',
      'word vectors of the md and lg models (default: models/word-vectors.bin)',
    )
    .option(
      '--vector-cache <file>',
      'lg: sentence vectors kept between runs (default: .cache/sentence-vectors.bin in the package)',
    )
    .option(
      '--md <model>',
      'lg: reuse the taggers of this md model.bin (same articles and seed) and train only the technique head',
    )
    .addOption(new Option('--accurate <model>').hideHelp())
    .option(
      '--cv <file>',
      'a `npm run bench:cv -- --out` file whose figures the card reports (its first recipe, or --cv-recipe)',
    )
    .option('--cv-recipe <name>', 'the recipe of the --cv file to report')
    .option(
      '--min-share <x>',
      'every technique is predicted, out of fold, at least x times as often as it occurs (0: off)',
      unitInterval,
      0,
    )
    .option('--seed <n>', 'random seed', positiveInteger, 1)
    .addOption(
      new Option(
        '--refit <networks>',
        'md: the networks trained again on every article once the held-out fold chose their epochs',
      )
        .choices(['none', 'classifier', 'tagger', 'both'] satisfies RefitChoice[])
        .default('classifier'),
    )
    .option(
      '--taggers <n>',
      'md: how many neural taggers (seeds seed, seed + 1000, …) average their probabilities (default 2)',
      positiveInteger,
    )
    .action(async (opts) => {
      const { trainAction } = await import('../actions/train.js');
      await trainAction(
        {
          data: opts.data.length > 0 ? opts.data : [defaultCorpusDir()],
          weights: opts.weight,
          split: opts.split,
          devSplit: opts.devSplit || undefined,
          out: opts.out ?? `models/${opts.model}`,
          name: opts.name,
          clusters: opts.clusters,
          model: opts.model,
          vectors: opts.vectors,
          settings: { seed: opts.seed, minPredictedShare: opts.minShare },
          refit: opts.refit,
          taggers: opts.taggers,
          vectorCache: opts.vectorCache,
          mdModel: opts.md ?? opts.accurate,
          crossValidation: opts.cv && { file: opts.cv, recipe: opts.cvRecipe },
        },
        out,
      );
    });
}
