/**
 * The yardstick for model choices: article-level K-fold cross-validation over every labelled
 * article (train and dev together, 446). The fold of each article is fixed and committed
 * (bench/cv-folds.json). Each fold is predicted by a model that a recipe trained on the other
 * folds, scored as shipped (after the model file's int8 round trip); the pooled out-of-fold
 * predictions are scored with the official scorers (SI F1, TC micro-F1 on the gold spans,
 * TC macro-F1, full-task micro-F1), with the mean and sd over folds, and per technique.
 * `--against RECIPE` trains a second recipe on the same folds (or `--against FILE.json` reads
 * the `--out` file of an earlier run) and gives the paired difference per fold: a change is
 * kept only when its mean gain exceeds twice its sd.
 *
 *   npm run bench:cv [-- --recipe fast-offsets-0 --against fast --out cv.json]
 *   npm run bench:cv -- --recipe R --only 0,1,2 --out a.json   (and --only 3,4 --out b.json
 *   in a second process; then: npm run bench:cv -- --merge a.json,b.json --against fast)
 *   npm run bench:cv -- --merge a.json,b.json --card models/lg --card-recipe lg
 *                                        (the figures into the card of a model of that recipe)
 *   npm run bench:cv -- --write-folds    (only to make a new fold assignment)
 *
 * The fast recipe takes about 2 minutes a fold on a 2-core machine.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCorpusDir, PACKAGE_ROOT } from '../src/config.js';
import { Detector } from '../src/detect/detector.js';
import { scoreFullTask } from '../src/eval/full.js';
import { scoreSi } from '../src/eval/si.js';
import { scoreTc } from '../src/eval/tc.js';
import { readCorpus, type Corpus } from '../src/formats/corpus.js';
import type { SpanLabel, TechniqueSpanLabel } from '../src/formats/labels.js';
import {
  evaluateDetector,
  renderCard,
  type CrossValidated,
  type ModelCard,
} from '../src/train/card.js';
import { seededRandom, shuffle } from '../src/train/random.js';
import { trainDetector, tuneClassBias } from '../src/train/train.js';
import {
  DEFAULT_ACCURATE_SETTINGS,
  trainAccurateDetector,
  type AccurateTrainResult,
} from '../src/train/train-accurate.js';
import {
  accurateWithSentenceHead,
  trainSentenceHeadDetector,
} from '../src/train/train-sentence-head.js';
import { encodeTrainedModel, type TrainedModel } from '../src/train/trained-model.js';
import { cachedEmbedder, VectorFile } from '../src/train/vector-file.js';
import type { Embedder } from '../src/features/sentence-encoder.js';
import { onnxEncoder } from '../src/features/sentence-encoder-engines.js';
import { onnxRuntime } from '../src/features/onnx-runtime.js';
import { meanAndSd } from '../src/eval/spread.js';
import type { ReliabilityBin } from '../src/train/calibration.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: defaultCorpusDir() },
  recipe: { type: 'string', default: 'fast' },
  against: { type: 'string' },
  folds: { type: 'string', default: join(import.meta.dirname, 'cv-folds.json') },
  'write-folds': { type: 'boolean', default: false },
  k: { type: 'string', default: '5' },
  only: { type: 'string' },
  merge: { type: 'string' },
  /** A model folder (trained by this recipe on every article) whose card gets the figures. */
  card: { type: 'string' },
  'card-recipe': { type: 'string' },
  out: { type: 'string' },
});

const CLUSTERS = join(PACKAGE_ROOT, 'models', 'word-clusters.bin');
/** Sentence vectors encoded by earlier runs: each text is encoded once, whatever the fold. */
const vectorFile = new VectorFile(join(PACKAGE_ROOT, '.cache', 'sentence-vectors.bin'));
const VECTORS = join(PACKAGE_ROOT, 'models', 'word-vectors.bin');

/** A training input for recipes that read sentence vectors, logging each stage's end. */
const encoderInput = (corpus: Corpus) => ({
  corpus,
  clustersFile: CLUSTERS,
  vectorCache: vectorFile,
  onProgress: ({ stage, done, total }: { stage: string; done: number; total: number }) => {
    if (done === total) console.log(`  ${stage}: ${total}`);
  },
});

type Trained = TrainedModel | Record<string, TrainedModel>;

/** The encoder as analyses run it (int8 feed-forward layers), its vectors cached apart. */
async function int8Embedder(): Promise<Embedder> {
  const ort = await onnxRuntime();
  if (!ort) throw new Error('the int8 encoder needs onnxruntime-node');
  return cachedEmbedder(int8VectorFile, await onnxEncoder(ort, { int8: true }));
}

/** Models scored with an encoder other than the float one. */
const SCORING_EMBEDDERS: Record<string, () => Promise<Embedder>> = {
  'fast-use-span-only-int8': int8Embedder,
  'lg-floor-int8': int8Embedder,
};
const int8VectorFile = new VectorFile(join(PACKAGE_ROOT, '.cache', 'sentence-vectors-int8.bin'));

/**
 * A recipe: how a model is trained from a corpus. Names say what differs from `fast`. A
 * recipe may give several models from one training, each scored (`accurate-and-lg`). The
 * recipes of options no shipped model uses are in docs/experiments.md, with the commit that
 * runs them.
 */
const RECIPES: Record<string, (corpus: Corpus) => Promise<Trained>> = {
  fast: async (corpus) => trainDetector({ corpus, clustersFile: CLUSTERS }).model,
  'fast-use': async (corpus) => (await trainSentenceHeadDetector(encoderInput(corpus))).model,
  /** `fast-use` reading the span's vector alone (its sentence's replaced by a constant). */
  'fast-use-span-only': async (corpus) =>
    (await trainSentenceHeadDetector({ ...encoderInput(corpus), spanOnly: true })).model,
  accurate: async (corpus) =>
    (await trainAccurateDetector({ corpus, clustersFile: CLUSTERS, vectorsFile: VECTORS })).model,
  /**
   * `fast-use-span-only` (trained on float vectors) scored twice: with the float encoder, and
   * as `fast-use-span-only-int8` with the encoder's feed-forward layers in int8.
   */
  'fast-use-span-only-int8': async (corpus) => {
    const model = (await trainSentenceHeadDetector({ ...encoderInput(corpus), spanOnly: true }))
      .model;
    return { 'fast-use-span-only': model, 'fast-use-span-only-int8': model };
  },
  /** The accurate model, and its taggers with the sentence head of `fast-use` (one training). */
  'accurate-and-lg': async (corpus) => {
    const input = { corpus, clustersFile: CLUSTERS, vectorsFile: VECTORS, vectorCache: vectorFile };
    const accurate = await trainAccurateDetector(input);
    const headModel = await trainSentenceHeadDetector(input, { ...accurate, model: accurate.fast });
    return {
      accurate: accurate.model,
      lg: accurateWithSentenceHead(accurate.model, headModel.model),
    };
  },
};

/**
 * The accurate model with every technique predicted, on its held-out fold, at least `share`
 * times as often as it occurs: the class bias tuned again with that floor (what training
 * with `minPredictedShare` does; the second label and calibration stay as fitted without it).
 */
function withClassFloor(accurate: AccurateTrainResult, heldOutFold: number, share: number) {
  const { model, articles, heldOutTechniques } = accurate;
  const heldOut = articles.filter((a) => a.fold === heldOutFold);
  const { accuracy: _accuracy, ...decision } = tuneClassBias(heldOut, heldOutTechniques, share);
  const header = { ...model.header, classifier: { ...model.header.classifier, ...decision } };
  return { ...model, header };
}

/**
 * One accurate training per fold gives: `accurate`; `accurate-floor` (withClassFloor, 0.6);
 * `fast`, its fast model, and `fast-floor`, the fast model trained with the floor (as
 * shipped); `lg`; `lg-floor`, lg with every technique predicted out of fold at least 0.6
 * times as often as it occurs; and `lg-floor-int8`, the same model scored with the int8
 * encoder, as `lg` ships and runs. Until commit b13a5e3 this recipe was
 * `accurate-lg-sentence` and also gave `lg-neural`, `lg-sentence` and `lg-hidden`; until
 * 2026-12-07 its heads read the span's and the sentence's vectors (now the span's alone, as
 * `lg` ships; bench/results/cv-accurate-lg-sentence.json is a run from before).
 */
RECIPES['accurate-lg'] = async (corpus) => {
  const input = { ...encoderInput(corpus), vectorsFile: VECTORS };
  const accurate = await trainAccurateDetector(input);
  const fast = { ...accurate, model: accurate.fast };
  const lgWithFloor = async (minPredictedShare: number) => {
    const head = await trainSentenceHeadDetector(
      { ...input, settings: { minPredictedShare }, spanOnly: true },
      fast,
    );
    return accurateWithSentenceHead(accurate.model, head.model);
  };
  const floor = await lgWithFloor(0.6);
  return {
    accurate: accurate.model,
    'accurate-floor': withClassFloor(accurate, DEFAULT_ACCURATE_SETTINGS.heldOutFold, 0.6),
    fast: accurate.fast,
    'fast-floor': trainDetector({ ...input, settings: { minPredictedShare: 0.6 } }).model,
    lg: await lgWithFloor(0),
    'lg-floor': floor,
    'lg-floor-int8': floor,
  };
};

interface FoldFile {
  k: number;
  seed: number;
  /** Article ids of each fold. */
  folds: string[][];
}

const train = await readCorpus(join(values.data as string, 'train'));
const dev = await readCorpus(join(values.data as string, 'dev'));
const articles = [...train.articles, ...dev.articles];
const goldSi = [...(train.si ?? []), ...(dev.si ?? [])];
const goldTc = [...(train.tc ?? []), ...(dev.tc ?? [])];

if (values['write-folds']) {
  const k = Number(values.k);
  const ids = articles.map((a) => a.id).sort();
  shuffle(ids, seededRandom(20261206));
  const folds: string[][] = Array.from({ length: k }, (_, i) =>
    ids.filter((_, j) => j % k === i).sort(),
  );
  writeFileSync(values.folds as string, `${JSON.stringify({ k, seed: 20261206, folds })}\n`);
  console.log(`${values.folds}: ${k} folds of ${folds.map((f) => f.length).join(', ')} articles`);
  process.exit(0);
}
if (!existsSync(values.folds as string)) throw new Error(`no fold file ${values.folds}`);
const foldFile = JSON.parse(readFileSync(values.folds as string, 'utf8')) as FoldFile;
const known = new Set(articles.map((a) => a.id));
const assigned = foldFile.folds.flat();
if (assigned.length !== known.size || assigned.some((id) => !known.has(id)))
  throw new Error(`${values.folds} does not assign the ${known.size} labelled articles`);

/**
 * The folds to train and score: all, or those `--only K[,K…]` names (a quick check, or a
 * share of the folds for each of several processes, joined by `--merge`).
 */
const foldsToRun =
  values.only === undefined ? foldFile.folds.map((_, k) => k) : values.only.split(',').map(Number);

/** The articles of some folds as a corpus; the gold TC spans are its TC template. */
function corpusOf(ids: Set<string>, name: string): Corpus {
  const tc = goldTc.filter((l) => ids.has(l.articleId));
  return {
    dir: join(values.data as string, name),
    articles: articles.filter((a) => ids.has(a.id)),
    si: goldSi.filter((l) => ids.has(l.articleId)),
    tc,
    template: tc.map(({ articleId, cpStart, cpEnd }): SpanLabel => ({ articleId, cpStart, cpEnd })),
  };
}

interface FoldScores {
  si: number;
  tc: number;
  tcMacro: number;
  full: number;
}

interface RecipeRun {
  recipe: string;
  /** The folds run, in the order of perFold. */
  folds: number[];
  perFold: FoldScores[];
  predictions: { si: SpanLabel[]; tc: TechniqueSpanLabel[]; full: TechniqueSpanLabel[] };
  /** Each fold's reliability of the technique confidence (right: overlaps a gold span of it). */
  techniqueBins: ReliabilityBin[][];
  seconds: number;
}

/** Train a recipe on each fold's other folds and score what it gives: a run per model. */
async function runRecipe(recipe: string): Promise<RecipeRun[]> {
  const train = RECIPES[recipe];
  if (!train)
    throw new Error(`unknown recipe ${recipe} (known: ${Object.keys(RECIPES).join(', ')})`);
  const started = performance.now();
  const runs = new Map<string, RecipeRun>();
  for (const k of foldsToRun) {
    const heldOut = new Set(foldFile.folds[k]);
    const rest = new Set(assigned.filter((id) => !heldOut.has(id)));
    const foldStarted = performance.now();
    const trained = await train(corpusOf(rest, `cv-${k}`));
    const models = 'header' in trained ? { [recipe]: trained as TrainedModel } : trained;
    for (const [name, model] of Object.entries(models)) {
      // Scored as shipped: through the model file (int8 weights).
      const detector = Detector.fromBytes(
        encodeTrainedModel(model),
        join(PACKAGE_ROOT, 'models', name, 'model.bin'),
        { embedder: (await SCORING_EMBEDDERS[name]?.()) ?? cachedEmbedder(vectorFile) },
      );
      const { metrics, predictions } = await evaluateDetector(
        detector,
        corpusOf(heldOut, `fold-${k}`),
      );
      vectorFile.save();
      int8VectorFile.save();
      const run = runs.get(name) ?? {
        recipe: name,
        folds: [],
        perFold: [],
        predictions: { si: [], tc: [], full: [] },
        techniqueBins: [],
        seconds: 0,
      };
      runs.set(name, run);
      run.techniqueBins.push(metrics.calibration.technique.bins);
      run.predictions.si.push(...predictions.si);
      run.predictions.tc.push(...predictions.tc);
      run.predictions.full.push(...predictions.full);
      const scores: FoldScores = {
        si: metrics.si.f1,
        tc: metrics.tc!.microF1,
        tcMacro: metrics.tc!.macroF1,
        full: metrics.full.micro.f1,
      };
      run.perFold.push(scores);
      run.folds.push(k);
      console.log(
        `${name} fold ${k} (${heldOut.size} articles, ${((performance.now() - foldStarted) / 1000).toFixed(0)} s): ` +
          `SI ${f(scores.si)}  TC ${f(scores.tc)}  TC macro ${f(scores.tcMacro)}  full ${f(scores.full)}`,
      );
    }
  }
  for (const run of runs.values()) run.seconds = (performance.now() - started) / 1000;
  return [...runs.values()];
}

const f = (n: number) => n.toFixed(4);
const spreadOf = (xs: number[]) => {
  const { mean, sd } = meanAndSd(xs);
  return `${f(mean)} ± ${f(sd)}`;
};

function report(run: RecipeRun): Record<string, unknown> {
  const scored = new Set(run.folds.flatMap((k) => foldFile.folds[k]!));
  const si = scoreSi(
    goldSi.filter((l) => scored.has(l.articleId)),
    run.predictions.si,
  );
  const gold = goldTc.filter((l) => scored.has(l.articleId));
  const tc = scoreTc(gold, run.predictions.tc);
  const full = scoreFullTask(gold, run.predictions.full);
  console.log(
    `\n${run.recipe}: ${scored.size} articles out of fold, ${(run.seconds / 60).toFixed(1)} min`,
  );
  console.log('| figure | pooled | mean ± sd over folds |');
  console.log('| --- | --- | --- |');
  const column = (key: keyof FoldScores) => spreadOf(run.perFold.map((s) => s[key]));
  console.log(`| SI F1 | ${f(si.f1)} | ${column('si')} |`);
  console.log(`| TC micro-F1 (gold spans) | ${f(tc.microF1)} | ${column('tc')} |`);
  console.log(`| TC macro-F1 | ${f(tc.macroF1)} | ${column('tcMacro')} |`);
  console.log(`| full-task micro-F1 | ${f(full.micro.f1)} | ${column('full')} |`);
  console.log('\n| technique | gold | predicted | P | R | F1 |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const scarce: string[] = [];
  for (const c of tc.perTechnique) {
    console.log(
      `| ${c.technique} | ${c.support} | ${c.predicted} | ${f(c.precision)} | ${f(c.recall)} | ${f(c.f1)} |`,
    );
    if (c.predicted < c.support / 2) scarce.push(c.technique);
  }
  console.log(
    scarce.length === 0
      ? 'every technique is predicted at least half as often as it occurs'
      : `predicted less than half as often as they occur: ${scarce.join(', ')}`,
  );
  const calibration = confidenceReport(run.techniqueBins, scored.size);
  return {
    recipe: run.recipe,
    articles: scored.size,
    minutes: run.seconds / 60,
    calibration,
    pooled: { si: si.f1, tc: tc.microF1, tcMacro: tc.macroF1, full: full.micro.f1 },
    folds: run.folds,
    perFold: run.perFold,
    perTechnique: tc.perTechnique,
    techniqueBins: run.techniqueBins,
    predictions: run.predictions,
  };
}

/**
 * The technique confidence out of fold, pooled over folds: per bin, the share of highlights
 * that overlap a gold span of their technique; and what a reader sees at each minimum
 * confidence (highlights per article, the share right).
 */
function confidenceReport(perFold: ReliabilityBin[][], articles: number) {
  const bins = perFold[0]!.map((bin, i) => {
    const all = perFold.map((fold) => fold[i]!);
    const count = all.reduce((sum, b) => sum + b.count, 0);
    const weighted = (key: 'meanConfidence' | 'accuracy') =>
      all.reduce((sum, b) => sum + b[key] * b.count, 0) / Math.max(1, count);
    return {
      from: bin.from,
      to: bin.to,
      count,
      meanConfidence: weighted('meanConfidence'),
      accuracy: weighted('accuracy'),
    };
  });
  const shown = bins.map((_, i) => {
    const above = bins.slice(i);
    const count = above.reduce((sum, b) => sum + b.count, 0);
    const right = above.reduce((sum, b) => sum + b.accuracy * b.count, 0);
    return {
      threshold: bins[i]!.from,
      perArticle: count / articles,
      precision: right / Math.max(1, count),
    };
  });
  /** Expected calibration error: the gap between confidence and the share right, by count. */
  const ece = (of: ReliabilityBin[]) =>
    of.reduce((sum, b) => sum + b.count * Math.abs(b.meanConfidence - b.accuracy), 0) /
    Math.max(
      1,
      of.reduce((sum, b) => sum + b.count, 0),
    );
  const eceSpread = spreadOf(perFold.map(ece));
  console.log(
    `\ntechnique confidence: expected calibration error ${f(ece(bins))} pooled, ${eceSpread} over folds`,
  );
  console.log(
    '| technique confidence | highlights | mean confidence | overlap a gold span of it |',
  );
  console.log('| --- | --- | --- | --- |');
  for (const b of bins.filter((b) => b.count > 0))
    console.log(
      `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.count} | ${f(b.meanConfidence)} | ${f(b.accuracy)} |`,
    );
  console.log('\n| shown at ≥ | highlights per article | share right |');
  console.log('| --- | --- | --- |');
  for (const t of shown)
    console.log(`| ${t.threshold.toFixed(1)} | ${t.perArticle.toFixed(2)} | ${f(t.precision)} |`);
  return { ece: ece(bins), bins, shown };
}

/** Runs written by `--out` from processes that ran different folds, joined by recipe. */
function mergeRuns(files: string[]): RecipeRun[] {
  const byRecipe = new Map<string, RecipeRun>();
  for (const file of files) {
    for (const part of JSON.parse(readFileSync(file, 'utf8')) as (RecipeRun & {
      minutes: number;
    })[]) {
      const run = byRecipe.get(part.recipe) ?? {
        recipe: part.recipe,
        folds: [],
        perFold: [],
        predictions: { si: [], tc: [], full: [] },
        techniqueBins: [],
        seconds: 0,
      };
      byRecipe.set(part.recipe, run);
      run.techniqueBins.push(...(part.techniqueBins ?? []));
      part.folds.forEach((k, i) => {
        run.folds.push(k);
        run.perFold.push(part.perFold[i]!);
      });
      for (const task of ['si', 'tc', 'full'] as const)
        (run.predictions[task] as SpanLabel[]).push(...part.predictions[task]);
      run.seconds = Math.max(run.seconds, part.minutes * 60);
    }
  }
  // Folds in order, so that runs pair fold by fold.
  for (const run of byRecipe.values()) {
    const order = run.folds.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0]);
    run.perFold = order.map(([, i]) => run.perFold[i]!);
    run.folds = order.map(([k]) => k);
  }
  return [...byRecipe.values()];
}

type Scored = Pick<RecipeRun, 'recipe' | 'perFold'> & { folds?: number[] };

/** The paired difference of two runs, fold by fold (files from before `folds` ran them all). */
function paired(main: Scored, other: Scored) {
  const at = (run: Scored, k: number) => run.perFold[run.folds ? run.folds.indexOf(k) : k]!;
  const folds = main.folds ?? main.perFold.map((_, k) => k);
  console.log(`\n${main.recipe} − ${other.recipe}, paired by fold:`);
  console.log('| figure | mean difference ± sd | per fold | kept (gain > 2 sd)? |');
  console.log('| --- | --- | --- | --- |');
  for (const key of ['si', 'tc', 'tcMacro', 'full'] as const) {
    const diffs = folds.map((k) => at(main, k)[key] - at(other, k)[key]);
    const { mean, sd } = meanAndSd(diffs);
    console.log(
      `| ${key} | ${mean >= 0 ? '+' : ''}${f(mean)} ± ${f(sd)} | ${diffs.map((d) => d.toFixed(3)).join(' ')} | ${mean > 2 * sd ? 'yes' : 'no'} |`,
    );
  }
}

const runs = values.merge
  ? mergeRuns(values.merge.split(','))
  : await runRecipe(values.recipe as string);
const results: Record<string, unknown>[] = runs.map(report);
const main = runs[0]!;
// A recipe that gives several models: each later one against the first.
for (const run of runs.slice(1)) paired(run, main);
if (values.against) {
  // A recipe to train, or the --out file of an earlier run on the same folds (its first recipe).
  const other: Scored = values.against.endsWith('.json')
    ? (JSON.parse(readFileSync(values.against, 'utf8')) as Scored[])[0]!
    : (await runRecipe(values.against))[0]!;
  if (!values.against.endsWith('.json')) results.push(report(other as RecipeRun));
  for (const run of runs) paired(run, other);
}
if (values.out) writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
if (values.card) {
  const run = values['card-recipe'] ? runs.find((r) => r.recipe === values['card-recipe']) : main;
  if (!run) throw new Error(`no recipe ${values['card-recipe']} in this run`);
  const file = join(values.card, 'card.json');
  const card = JSON.parse(readFileSync(file, 'utf8')) as ModelCard;
  const figures = results[runs.indexOf(run)] as unknown as CrossValidated;
  const { recipe, articles, minutes, pooled, perFold, perTechnique } = figures;
  card.crossValidated = { recipe, articles, minutes, pooled, perFold, perTechnique };
  writeFileSync(file, `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(values.card, 'card.md'), renderCard(card));
  console.log(`\n${values.card}: the card reports these figures`);
}
