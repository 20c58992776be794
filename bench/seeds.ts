/**
 * Seed spread: trains the fast and accurate models with each seed, scores both on a labelled
 * split with the official scorers, and prints every figure's mean and spread. A gain smaller
 * than the spread is noise. Results go to a JSON Lines file, one line per seed, so runs with
 * different seeds can go in parallel (one core each) and the summary reads them all.
 *
 *   npm run bench:seeds [-- --seeds 1,2,3 --out bench-seeds.jsonl]
 *   npm run bench:seeds -- --shipped      # score models/sm and models/md as seed 1
 *   npm run bench:seeds -- --summary --out bench-seeds.jsonl
 *   npm run bench:seeds -- --refit none  # which accurate networks are refitted on every
 *                                        # article: none, classifier (default), tagger, both
 *   npm run bench:seeds -- --taggers 1   # how many neural taggers are averaged (default 2)
 *
 * Models are scored as they ship: after the int8 round trip of the model file.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCorpusDir, PACKAGE_ROOT } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { evaluateDetector } from '../src/train/card.js';
import { Detector } from '../src/detect/detector.js';
import { encodeTrainedModel, type TrainedModel } from '../src/train/trained-model.js';
import { loadDetector } from '../src/analyze.js';
import {
  DEFAULT_ACCURATE_SETTINGS,
  refitNetworks,
  trainAccurateDetector,
  type RefitChoice,
} from '../src/train/train-accurate.js';
import { spread } from '../src/eval/spread.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: defaultCorpusDir() },
  seeds: { type: 'string', default: '1,2,3' },
  out: { type: 'string', default: 'bench-seeds.jsonl' },
  summary: { type: 'boolean', default: false },
  shipped: { type: 'boolean', default: false },
  refit: { type: 'string', default: 'classifier' },
  taggers: { type: 'string', default: String(DEFAULT_ACCURATE_SETTINGS.taggers) },
});

interface SeedResult {
  seed: number;
  model: string;
  si: number;
  tc: number;
  full: number;
  minutes: number;
}

const dev = await readCorpus(join(values.data, 'dev'));
/** A model as it ships: written to bytes (int8) and read back. */
const shipped = (model: TrainedModel) =>
  Detector.fromBytes(encodeTrainedModel(model), join(PACKAGE_ROOT, 'models/md/model.bin'));
async function score(seed: number, model: string, detector: Detector, minutes: number) {
  const { metrics } = await evaluateDetector(detector, dev);
  const line: SeedResult = {
    seed,
    model,
    si: metrics.si.f1,
    tc: metrics.tc?.microF1 ?? NaN,
    full: metrics.full.micro.f1,
    minutes,
  };
  appendFileSync(values.out, `${JSON.stringify(line)}\n`);
  console.log(JSON.stringify(line));
}

if (values.shipped) {
  for (const model of ['fast', 'accurate']) {
    const detector = loadDetector(model);
    await score(
      detector.header.training.seed,
      model,
      detector,
      detector.header.training.seconds / 60,
    );
  }
} else if (!values.summary) {
  const train = await readCorpus(join(values.data, 'train'));
  for (const seed of values.seeds.split(',').map(Number)) {
    const started = Date.now();
    const result = await trainAccurateDetector({
      corpus: train,
      clustersFile: join(PACKAGE_ROOT, 'models/word-clusters.bin'),
      vectorsFile: join(PACKAGE_ROOT, 'models/word-vectors.bin'),
      settings: { seed },
      accurate: {
        refit: refitNetworks(values.refit as RefitChoice),
        taggers: Number(values.taggers),
      },
      onProgress: (p) => process.stderr.write(`seed ${seed}: ${p.stage} ${p.done}/${p.total}\r`),
    });
    process.stderr.write('\n');
    const minutes = (Date.now() - started) / 60_000;
    await score(seed, 'fast', shipped(result.fast), result.fast.header.training.seconds / 60);
    await score(seed, 'accurate', shipped(result.model), minutes);
  }
}

if (existsSync(values.out)) {
  const results = readFileSync(values.out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SeedResult);
  for (const model of ['fast', 'accurate']) {
    const rows = results.filter((r) => r.model === model);
    if (rows.length === 0) continue;
    console.log(`\n${model}: ${rows.length} seeds (${rows.map((r) => r.seed).join(', ')})`);
    for (const key of ['si', 'tc', 'full'] as const)
      console.log(`  ${key.padEnd(5)} ${spread(rows.map((r) => r[key]))}`);
    console.log(`  training ${spread(rows.map((r) => r.minutes))} minutes`);
  }
}
