/**
 * Seed spread: trains the fast and accurate models with each seed, scores both on a labelled
 * split with the official scorers, and prints every figure's mean and spread. A gain smaller
 * than the spread is noise. Results go to a JSON Lines file, one line per seed, so runs with
 * different seeds can go in parallel (one core each) and the summary reads them all.
 *
 *   npm run bench:seeds [-- --seeds 1,2,3 --out bench-seeds.jsonl]
 *   npm run bench:seeds -- --summary --out bench-seeds.jsonl
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCorpusDir, PACKAGE_ROOT } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { evaluateDetector } from '../src/model/card.js';
import type { Detector } from '../src/model/detector.js';
import { trainAccurateDetector } from '../src/model/train-accurate.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: defaultCorpusDir() },
    seeds: { type: 'string', default: '1,2,3' },
    out: { type: 'string', default: 'bench-seeds.jsonl' },
    summary: { type: 'boolean', default: false },
  },
});

interface SeedResult {
  seed: number;
  model: string;
  si: number;
  tc: number;
  full: number;
  minutes: number;
}

if (!values.summary) {
  const train = await readCorpus(join(values.data, 'train'));
  const dev = await readCorpus(join(values.data, 'dev'));
  for (const seed of values.seeds.split(',').map(Number)) {
    const started = Date.now();
    const result = await trainAccurateDetector({
      corpus: train,
      clustersFile: join(PACKAGE_ROOT, 'models/word-clusters.bin'),
      vectorsFile: join(PACKAGE_ROOT, 'models/word-vectors.bin'),
      settings: { seed },
      onProgress: (p) => process.stderr.write(`seed ${seed}: ${p.stage} ${p.done}/${p.total}\r`),
    });
    const minutes = (Date.now() - started) / 60_000;
    const score = (model: string, detector: Detector): SeedResult => {
      const { metrics } = evaluateDetector(detector, dev);
      return {
        seed,
        model,
        si: metrics.si.f1,
        tc: metrics.tc?.microF1 ?? NaN,
        full: metrics.full.micro.f1,
        minutes,
      };
    };
    for (const line of [score('fast', result.fast), score('accurate', result.detector)]) {
      appendFileSync(values.out, `${JSON.stringify(line)}\n`);
      process.stderr.write('\n');
      console.log(JSON.stringify(line));
    }
  }
}

if (existsSync(values.out)) {
  const results = readFileSync(values.out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SeedResult);
  const stats = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return `${mean.toFixed(4)} ± ${sd.toFixed(4)} (${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)})`;
  };
  for (const model of ['fast', 'accurate']) {
    const rows = results.filter((r) => r.model === model);
    if (rows.length === 0) continue;
    console.log(`\n${model}: ${rows.length} seeds (${rows.map((r) => r.seed).join(', ')})`);
    for (const key of ['si', 'tc', 'full'] as const)
      console.log(`  ${key.padEnd(5)} ${stats(rows.map((r) => r[key]))}`);
    console.log(`  training ${stats(rows.map((r) => r.minutes))} minutes`);
  }
}
