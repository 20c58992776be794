/**
 * Do the technique classifier's class offsets hold TC back on dev? For each training seed it
 * trains the fast model and labels the dev template three ways, with the official TC scorer:
 * - offsets tuned out of fold on train (the shipped recipe);
 * - no offsets (the Repetition rules kept);
 * - offsets tuned on dev itself, cross-validated: tuned on one half of the dev articles and
 *   scored on the other, both ways, so the figure stays a held-out one.
 * If the last were far above the first, dev's label mix (more Flag-Waving and Repetition
 * than train) would be the lever; it is not (docs/experiments.md has the figures).
 *
 *   npm run bench:tc-offsets [-- --seeds 1,2,3 --data ../shared/data/ptc]
 */
import { join } from 'node:path';
import { defaultCorpusDir, PACKAGE_ROOT } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { groupByArticle, type TechniqueSpanLabel } from '../src/formats/labels.js';
import { scoreTc } from '../src/eval/tc.js';
import { labelTemplate } from '../src/detect/predict.js';
import {
  adjust,
  adjustTechniques,
  repetitionCues,
  type ClassifierDecision,
} from '../src/detect/technique-decision.js';
import { linearTechniqueProbabilities } from '../src/detect/stages/linear.js';
import { articleContext } from '../src/features/context.js';
import { spanContexts } from '../src/features/span-rows.js';
import { trainDetector, tuneClassBias, type TrainingArticle } from '../src/train/train.js';
import { TECHNIQUE_LABELS } from '../src/techniques/catalogue.js';
import { parseArticle, type TextSpan } from '../src/text/document.js';
import { spread } from '../src/eval/spread.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: defaultCorpusDir() },
  seeds: { type: 'string', default: '1,2,3' },
});
const train = await readCorpus(join(values.data, 'train'));
const dev = await readCorpus(join(values.data, 'dev'));
if (!dev.tc || !dev.template) throw new Error(`${dev.dir}: needs gold TC labels and a template`);
const goldTc = dev.tc;
const goldByArticle = groupByArticle(goldTc);
const templateByArticle = groupByArticle(dev.template);
const neutral: ClassifierDecision = {
  classBias: new Array<number>(TECHNIQUE_LABELS.length).fill(0),
  repetitionNeedsRecurrence: false,
  repeatedSpanBoost: 0,
};

const rows: { seed: number; outOfFold: number; none: number; devHalves: number }[] = [];
for (const seed of values.seeds.split(',').map(Number)) {
  const { model } = trainDetector({
    corpus: train,
    clustersFile: join(PACKAGE_ROOT, 'models', 'word-clusters.bin'),
    settings: { seed },
  });
  // Each dev article as tuneClassBias takes it (gold spans), with the template to label.
  const articles = dev.articles.map((a) => {
    const ctx = articleContext(parseArticle(a.text), model.clusters);
    const gold = goldByArticle.get(a.id) ?? [];
    const template = templateByArticle.get(a.id) ?? [];
    const raw = (spans: readonly TextSpan[]) => {
      const contexts = spanContexts(ctx, spans);
      const linear = linearTechniqueProbabilities(model.classifier, ctx, spans, contexts);
      return adjustTechniques(ctx, spans, linear, neutral, contexts);
    };
    const tuning: TrainingArticle = {
      id: a.id,
      weight: 1,
      ctx,
      fold: 0,
      labels: new Uint8Array(),
      si: [],
      tc: gold,
    };
    return {
      tuning,
      goldProbabilities: raw(gold),
      template,
      templateProbabilities: raw(template),
      templateCues: repetitionCues(ctx, template, spanContexts(ctx, template)),
    };
  });
  type DevArticle = (typeof articles)[number];
  const label = (subset: readonly DevArticle[], decision: ClassifierDecision) =>
    subset.flatMap((a) =>
      labelTemplate(
        a.templateProbabilities.map((p, i) =>
          adjust(Float64Array.from(p), decision, a.templateCues[i]!),
        ),
        a.template,
        a.tuning.id,
      ),
    );
  const tcOf = (predicted: TechniqueSpanLabel[]) => scoreTc(goldTc, predicted).microF1;
  const shipped = model.header.classifier;
  const halves = [0, 1].flatMap((half) => {
    const tuneOn = articles.filter((_, i) => i % 2 !== half);
    const { accuracy: _, ...decision } = tuneClassBias(
      tuneOn.map((a) => a.tuning),
      new Map(tuneOn.map((a) => [a.tuning.id, a.goldProbabilities])),
    );
    return label(
      articles.filter((_, i) => i % 2 === half),
      decision,
    );
  });
  const row = {
    seed,
    outOfFold: tcOf(label(articles, shipped)),
    none: tcOf(label(articles, { ...shipped, classBias: neutral.classBias })),
    devHalves: tcOf(halves),
  };
  rows.push(row);
  console.log(
    JSON.stringify(row, (key, value: unknown) =>
      typeof value === 'number' && key !== 'seed' ? Number(value.toFixed(4)) : value,
    ),
  );
}

const summary = (key: 'outOfFold' | 'none' | 'devHalves') => spread(rows.map((r) => r[key]));
console.log(`dev TC over seeds ${values.seeds}:`);
console.log(`  offsets tuned out of fold on train (shipped recipe)  ${summary('outOfFold')}`);
console.log(`  no offsets                                           ${summary('none')}`);
console.log(`  offsets tuned on the other half of dev               ${summary('devHalves')}`);
