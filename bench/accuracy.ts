/**
 * Accuracy of the shipped model on a labelled split with the official scorers (SI, TC on
 * the template, full task): the figures of its model card. With `--bootstrap N` it also says
 * how well the split can tell figures apart: the scores of N resamples of its articles (drawn
 * with replacement, whole articles, since spans of one article are not independent), as a
 * standard deviation and a 95% interval.
 *
 * With `--against MODEL` (2000 resamples unless told), the two models' difference on the
 * same resamples: whether a gain is larger than what the choice of articles alone would give.
 *
 *   npm run bench:accuracy [-- --data ../shared/data/ptc/dev --model accurate]
 *   npm run bench:accuracy -- --model accurate --bootstrap 2000 --against fast
 */
import { DEFAULT_MODEL_NAME, defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { groupByArticle, type SpanLabel } from '../src/formats/labels.js';
import { loadDetector } from '../src/analyze.js';
import { evaluateDetector } from '../src/train/card.js';
import { seededRandom } from '../src/train/random.js';
import { scoreSi } from '../src/eval/si.js';
import { scoreTc } from '../src/eval/tc.js';
import { scoreFullTask } from '../src/eval/full.js';
import { meanAndSd } from '../src/eval/spread.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
  model: { type: 'string', default: DEFAULT_MODEL_NAME },
  bootstrap: { type: 'string', default: '0' },
  against: { type: 'string' },
});
// --against alone asks for the paired comparison, so it brings the default resampling.
const resamples = values.against && values.bootstrap === '0' ? 2000 : Number(values.bootstrap);
if (!Number.isInteger(resamples) || resamples < 0)
  throw new Error(`--bootstrap takes a whole number of resamples, not "${values.bootstrap}"`);
const TASKS = ['si', 'tc', 'full'] as const;
type Task = (typeof TASKS)[number];
const corpus = await readCorpus(values.data as string);
const { metrics, predictions } = await evaluateDetector(loadDetector(values.model), corpus);
const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(4));
console.log(`${metrics.articles} articles of ${values.data}`);
console.log(
  `SI         P ${f(metrics.si.precision)}  R ${f(metrics.si.recall)}  F1 ${f(metrics.si.f1)}`,
);
console.log(
  `TC         micro-F1 ${f(metrics.tc?.microF1)} (official pairing), ${f(metrics.tcOrderFree?.microF1)} order-free, macro-F1 ${f(metrics.tc?.macroF1)}`,
);
console.log(
  `Full task  P ${f(metrics.full.micro.precision)}  R ${f(metrics.full.micro.recall)}  F1 ${f(metrics.full.micro.f1)}`,
);
console.log(
  `Calibration ECE: spans ${f(metrics.calibration.span.ece)}, techniques ${f(metrics.calibration.technique.ece)}`,
);

if (resamples > 0 && !(corpus.si && corpus.tc))
  console.log(`\nNo bootstrap: ${corpus.dir} has no gold SI and TC labels.`);
if (resamples > 0 && corpus.si && corpus.tc) {
  const { si: goldSi, tc: goldTc } = corpus;
  const ids = corpus.articles.map((a) => a.id);
  // A resample's k-th article is renamed, so an article drawn twice counts twice.
  const resampler = <T extends SpanLabel>(labels: readonly T[]) => {
    const byArticle = groupByArticle(labels);
    return (sample: readonly string[]) =>
      sample.flatMap((id, k) =>
        (byArticle.get(id) ?? []).map((label) => ({ ...label, articleId: `${id}#${k}` })),
      );
  };
  const gold = { si: resampler(goldSi), tc: resampler(goldTc) };
  const scorer = (p: typeof predictions) => {
    const si = resampler(p.si);
    const tc = resampler(p.tc);
    const full = resampler(p.full);
    return (sample: readonly string[]): Record<Task, number> => ({
      si: scoreSi(gold.si(sample), si(sample)).f1,
      tc: corpus.template ? scoreTc(gold.tc(sample), tc(sample)).microF1 : NaN,
      full: scoreFullTask(gold.tc(sample), full(sample)).micro.f1,
    });
  };
  const score = scorer(predictions);
  const other = values.against
    ? scorer((await evaluateDetector(loadDetector(values.against), corpus)).predictions)
    : undefined;
  const random = seededRandom(1);
  const draws = { si: [] as number[], tc: [] as number[], full: [] as number[] };
  const differences = { si: [] as number[], tc: [] as number[], full: [] as number[] };
  for (let r = 0; r < resamples; r++) {
    const sample = ids.map(() => ids[Math.floor(random() * ids.length)] as string);
    const mine = score(sample);
    const theirs = other?.(sample);
    for (const task of TASKS) {
      draws[task].push(mine[task]);
      if (theirs) differences[task].push(mine[task] - theirs[task]);
    }
  }
  const summary = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
    const { mean, sd } = meanAndSd(xs);
    return `mean ${f(mean)}  sd ${f(sd)}  95% ${f(at(0.025))} to ${f(at(0.975))}`;
  };
  console.log(`\nBootstrap over articles (${resamples} resamples of whole articles)`);
  for (const task of TASKS)
    if (!Number.isNaN(draws[task][0])) console.log(`  ${task.padEnd(5)} ${summary(draws[task])}`);
  if (other) {
    console.log(`${values.model} minus ${values.against}, paired on the same resamples`);
    for (const task of TASKS) {
      const xs = differences[task];
      if (Number.isNaN(xs[0])) continue;
      const above = xs.filter((x) => x > 0).length / xs.length;
      console.log(`  ${task.padEnd(5)} ${summary(xs)}  above 0 in ${(100 * above).toFixed(1)}%`);
    }
  }
}
