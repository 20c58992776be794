/**
 * What a desk's corrections buy: one cross-validation fold of the PTC corpus plays the desk.
 * Its first N articles (10, 20, 40) are "the desk's reviewed articles", added to the other
 * folds for training (`--weight` times each, as `train --weight` would); the fold's last
 * articles, the same for every N, measure the model. N = 0 is the baseline, so every figure
 * is paired with it on the same articles.
 *
 *   npm run bench:desk-gain [-- --fold 0 --sizes 10,20,40 --weight 1 --held 49 --out FILE]
 *
 * The fast recipe: about 3 minutes a training on a 2-core machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCorpusDir, PACKAGE_ROOT } from '../src/config.js';
import { Detector } from '../src/detect/detector.js';
import { mergeCorpora, readCorpus, type Corpus } from '../src/formats/corpus.js';
import type { SpanLabel } from '../src/formats/labels.js';
import { evaluateDetector } from '../src/train/card.js';
import { trainDetector } from '../src/train/train.js';
import { encodeTrainedModel } from '../src/train/trained-model.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: defaultCorpusDir() },
  folds: { type: 'string', default: join(import.meta.dirname, 'cv-folds.json') },
  fold: { type: 'string', default: '0' },
  sizes: { type: 'string', default: '10,20,40' },
  weight: { type: 'string', default: '1' },
  /** How many of the fold's articles measure (its last ones); the rest can be the desk's. */
  held: { type: 'string', default: '49' },
  out: { type: 'string' },
});

const CLUSTERS = join(PACKAGE_ROOT, 'models', 'word-clusters.bin');
const corpus = mergeCorpora([
  await readCorpus(join(values.data, 'train')),
  await readCorpus(join(values.data, 'dev')),
]);
const folds = (JSON.parse(readFileSync(values.folds, 'utf8')) as { folds: string[][] }).folds;
const desk = folds[Number(values.fold)]!;
const held = new Set(desk.slice(desk.length - Number(values.held)));
const others = new Set(folds.filter((_, k) => k !== Number(values.fold)).flat());
const sizes = [0, ...values.sizes.split(',').map(Number)];
if (Math.max(...sizes) > desk.length - held.size)
  throw new Error(`the fold has ${desk.length - held.size} articles for the desk`);

function subset(ids: ReadonlySet<string>, name: string): Corpus {
  const keep = <T extends SpanLabel>(labels: readonly T[] | undefined) =>
    labels?.filter((l) => ids.has(l.articleId));
  const tc = keep(corpus.tc);
  return {
    dir: join(values.data, name),
    articles: corpus.articles.filter((a) => ids.has(a.id)),
    si: keep(corpus.si),
    tc,
    template: tc?.map(({ articleId, cpStart, cpEnd }) => ({ articleId, cpStart, cpEnd })),
  };
}

const measured = subset(held, 'desk-held-out');
const rows: { desk: number; si: number; tc: number; full: number; seconds: number }[] = [];
for (const n of sizes) {
  const started = performance.now();
  const reviewed = desk.slice(0, n);
  const training = subset(new Set([...others, ...reviewed]), `desk-${n}`);
  const weights = new Map(reviewed.map((id) => [id, Number(values.weight)]));
  const { model } = trainDetector({
    corpus: training,
    clustersFile: CLUSTERS,
    articleWeights: weights,
  });
  const shipped = Detector.fromBytes(
    encodeTrainedModel(model),
    join(PACKAGE_ROOT, 'models', 'sm', 'model.bin'),
  );
  const { metrics } = await evaluateDetector(shipped, measured);
  rows.push({
    desk: n,
    si: metrics.si.f1,
    tc: metrics.tc!.microF1,
    full: metrics.full.micro.f1,
    seconds: Math.round((performance.now() - started) / 1000),
  });
  const row = rows.at(-1)!;
  console.log(
    `${n} desk articles: SI ${row.si.toFixed(4)}  TC ${row.tc.toFixed(4)}  full ${row.full.toFixed(4)}  (${row.seconds} s)`,
  );
}
const base = rows[0]!;
console.log(
  `\nfold ${values.fold}: ${held.size} measured articles, ${others.size} PTC articles always in training, weight ${values.weight}`,
);
console.log(
  '| desk articles added | SI F1 | TC micro-F1 | full task | change in TC | change in full |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.desk} | ${r.si.toFixed(4)} | ${r.tc.toFixed(4)} | ${r.full.toFixed(4)} | ${(r.tc - base.tc >= 0 ? '+' : '') + (r.tc - base.tc).toFixed(4)} | ${(r.full - base.full >= 0 ? '+' : '') + (r.full - base.full).toFixed(4)} |`,
  );
if (values.out)
  writeFileSync(values.out, `${JSON.stringify({ fold: values.fold, rows }, null, 2)}\n`);
