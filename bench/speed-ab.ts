/**
 * Two builds of Spinscope timed against each other in one process: a speed change is judged
 * here, since this host's speed drifts by a quarter from minute to minute and between
 * processes. Each build's `dist/` is imported on its own (its own modules, its own loaded
 * model); rounds over the dev articles (`predictFull`, as `spinscope predict` runs an
 * article) alternate between the two, their order swapped every round, and each round's CPU
 * time is paired with the other build's in the same round. Prints both medians, the mean
 * paired change with its standard error, and whether the predictions are byte-identical.
 *
 *   git worktree add /tmp/before HEAD && (cd /tmp/before && npm ci && npx tsc)
 *   npm run build && npm run bench:ab -- --before /tmp/before/dist [--model md --rounds 20]
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  before: { type: 'string' },
  after: { type: 'string', default: resolve(PACKAGE_ROOT, 'dist') },
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
  model: { type: 'string', default: 'sm' },
  rounds: { type: 'string', default: '16' },
});
if (!values.before) throw new Error('--before DIST: the dist/ folder of the build to compare');
const corpus = await readCorpus(values.data as string);

interface Round {
  msPerArticle: number;
  digest: string;
}

/** One build's round: the dev articles predicted once, timed by the process's CPU time. */
async function build(dist: string): Promise<() => Promise<Round>> {
  const load = (file: string) => import(pathToFileURL(resolve(dist, file)).href);
  const { loadDetector } = await load('analyze.js');
  const { predictFull } = await load('detect/predict.js');
  const { formatTcLabels } = await load('formats/labels.js');
  const { parseArticle } = await load('text/document.js');
  const detector = loadDetector(values.model);
  await detector.warmUp();
  return async () => {
    let labels = '';
    const cpu = process.cpuUsage();
    for (const article of corpus.articles) {
      const ctx = detector.context(parseArticle(article.text));
      labels += formatTcLabels(await predictFull(detector, ctx, article.id));
    }
    const used = process.cpuUsage(cpu);
    return {
      msPerArticle: (used.user + used.system) / 1000 / corpus.articles.length,
      digest: createHash('sha256').update(labels).digest('hex').slice(0, 16),
    };
  };
}

const builds = {
  before: await build(values.before),
  after: await build(values.after as string),
};
const rounds = { before: [] as Round[], after: [] as Round[] };
for (let round = 0; round < Number(values.rounds); round++) {
  const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  for (const name of order) rounds[name].push(await builds[name]());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (name: 'before' | 'after') => rounds[name].map((r) => r.msPerArticle);
const changes = ms('after').map((after, i) => after / ms('before')[i]! - 1);
const mean = changes.reduce((s, x) => s + x, 0) / changes.length;
const sd = Math.sqrt(changes.reduce((s, x) => s + (x - mean) ** 2, 0) / (changes.length - 1));
const digests = (name: 'before' | 'after') => new Set(rounds[name].map((r) => r.digest));
const identical =
  digests('before').size === 1 && [...digests('before')][0] === [...digests('after')][0];
console.log(
  `${values.model}, ${corpus.articles.length} articles, ${values.rounds} rounds each, CPU ms an article:\n` +
    `  before ${median(ms('before')).toFixed(2)} (median), after ${median(ms('after')).toFixed(2)}\n` +
    `  paired change ${(100 * mean).toFixed(1)}% ± ${((100 * sd) / Math.sqrt(changes.length)).toFixed(1)}% (standard error)\n` +
    `  predictions ${identical ? 'identical' : 'DIFFER'}`,
);
