/**
 * The models against the plain feature-based baseline (shared/docs/baseline.md), timed in the
 * same run (issue #35): `predict --task full` over the dev articles, one article at a time,
 * model loading excluded, for the baseline (bench/baseline/baseline.py, scikit-learn on one
 * thread, which reports its own prediction time) and for each model through the library
 * (loadDetector, then predictFull as `spinscope predict` calls it). The systems run
 * interleaved (baseline, sm, md, lg, then again) so that a host's drift hits them alike; each
 * one's speed is its best round. Full-task and SI F1 come from `evaluate`, the scorer of
 * `spinscope evaluate`, on the last round's predictions; the shipped models were trained on
 * train+dev, so on dev theirs are no held-out figures (the table says what each learnt from;
 * `--model PATH` measures a model.bin trained with `spinscope train --split train`). Then the
 * same models through `spinscope predict` itself, on every core, with its peak memory.
 *
 * Needs Debian's scikit-learn (`apt-get install python3-sklearn`, for /usr/bin/python3, or
 * $SPINSCOPE_PYTHON); without it the benchmark says so and stops. The baseline's model is
 * trained into .cache/baseline.pkl on first use (about 2 minutes on 2 cores).
 *
 *   npm run bench:baseline [-- --data ../shared/data/ptc/dev --model sm,md,lg --rounds 2]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT, defaultCorpusDir } from '../src/config.js';
import { readCorpus } from '../src/formats/corpus.js';
import { formatTcLabels } from '../src/formats/labels.js';
import { loadDetector } from '../src/analyze.js';
import type { Detector } from '../src/detect/detector.js';
import { predictFull } from '../src/detect/predict.js';
import { evaluate } from '../src/eval/evaluate.js';
import { parseArticle } from '../src/text/document.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
  model: { type: 'string', default: 'sm,md,lg' },
  rounds: { type: 'string', default: '2' },
});
const PYTHON = process.env.SPINSCOPE_PYTHON ?? '/usr/bin/python3';
const BASELINE = fileURLToPath(new URL('./baseline/baseline.py', import.meta.url));
const BASELINE_MODEL = join(PACKAGE_ROOT, '.cache', 'baseline.pkl');
const CLI = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
const dataDir = values.data as string;
const rounds = Number(values.rounds);

if (spawnSync(PYTHON, ['-c', 'import sklearn']).status !== 0) {
  console.log(
    `Skipped: the baseline needs scikit-learn for ${PYTHON} (Debian: apt-get install python3-sklearn; or set SPINSCOPE_PYTHON).`,
  );
  process.exit(0);
}
if (!existsSync(BASELINE_MODEL)) {
  console.log(`Training the baseline into ${BASELINE_MODEL} (about 2 minutes)...`);
  execFileSync(PYTHON, [BASELINE, 'train', '--model', BASELINE_MODEL, '--data', dirname(dataDir)], {
    stdio: 'inherit',
  });
}
const goldName = (await readdir(dataDir)).find((n) => n.endsWith('-task-tc.labels'));
if (!goldName) throw new Error(`${dataDir} has no *-task-tc.labels file to score against`);
const gold = join(dataDir, goldName);
const corpus = await readCorpus(dataDir);
const out = await mkdtemp(join(tmpdir(), 'spinscope-vs-baseline-'));

interface System {
  name: string;
  /** Predicts the full task into `file`; answers the seconds of prediction, load excluded. */
  predict(file: string): Promise<number>;
  loadSeconds: number;
  seconds: number[];
  /** The split it was trained on (the model header's `training.split`). */
  trainedOn: string;
}

function baseline(): System {
  const system: System = {
    name: 'baseline (scikit-learn, 1 thread)',
    loadSeconds: NaN,
    seconds: [],
    trainedOn: 'train',
    async predict(file) {
      const args = ['predict', '--model', BASELINE_MODEL, '--task', 'full'];
      const report = execFileSync(
        PYTHON,
        [BASELINE, ...args, '--articles', dataDir, '--out', file],
        {
          encoding: 'utf8',
        },
      );
      const match = / in ([\d.]+) s .*model load ([\d.]+) s/u.exec(report);
      if (!match) throw new Error(`the baseline did not report its time: ${report}`);
      system.loadSeconds = Number(match[2]);
      return Number(match[1]);
    },
  };
  return system;
}

async function model(name: string): Promise<System> {
  const started = performance.now();
  const detector: Detector = loadDetector(name);
  const loadSeconds = (performance.now() - started) / 1000;
  const run = async (articles: typeof corpus.articles): Promise<string> => {
    const parts: string[] = [];
    for (const article of articles) {
      const ctx = detector.context(parseArticle(article.text));
      parts.push(formatTcLabels(await predictFull(detector, ctx, article.id)));
    }
    return parts.join('');
  };
  await run(corpus.articles.slice(0, 5)); // warm up the JIT and the encoder's threads
  return {
    name: name.endsWith('.bin') ? detector.header.name : name,
    loadSeconds,
    seconds: [],
    trainedOn: detector.header.training.split,
    async predict(file) {
      const started = performance.now();
      const labels = await run(corpus.articles);
      const seconds = (performance.now() - started) / 1000;
      await writeFile(file, labels);
      return seconds;
    },
  };
}

/**
 * `spinscope predict` itself (the built CLI, `npm run build` first): articles in threads, one
 * per core; its own report gives the prediction seconds (model loading excluded) and the
 * process's peak memory.
 */
function cli(name: string): System & { peakMiB: number[] } {
  const system = {
    name: `${name}, \`predict\` on every core`,
    loadSeconds: NaN,
    seconds: [] as number[],
    peakMiB: [] as number[],
    trainedOn: loadDetector(name).header.training.split,
    async predict(file: string) {
      const args = ['predict', '--task', 'full', '--articles', dataDir, '--model', name];
      const report = execFileSync(process.execPath, [CLI, ...args, '--out', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const match =
        / in ([\d.]+) s .*after ([\d.]+) s loading the model; peak memory (\d+) MiB/u.exec(report);
      if (!match) throw new Error(`predict did not report its time: ${report}`);
      system.loadSeconds = Number(match[2]);
      system.peakMiB.push(Number(match[3]));
      return Number(match[1]);
    },
  };
  return system;
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
console.log(
  `${corpus.articles.length} articles of ${dataDir}, ${rounds} rounds; load average ${load()}`,
);
const systems = [baseline()];
for (const name of (values.model as string).split(',')) systems.push(await model(name));
if (existsSync(CLI))
  for (const name of (values.model as string).split(',')) systems.push(cli(name));
else console.log(`(no ${CLI}: run npm run build to time \`spinscope predict\` too)`);
const files = new Map<System, string>();
for (let round = 1; round <= rounds; round++) {
  for (const [i, system] of systems.entries()) {
    const file = join(out, `${i}.labels`);
    const seconds = await system.predict(file);
    system.seconds.push(seconds);
    files.set(system, file);
    console.log(
      `round ${round}  ${system.name.padEnd(34)} ${(corpus.articles.length / seconds).toFixed(1).padStart(7)} articles/s`,
    );
  }
}

const speed = (s: System) => corpus.articles.length / Math.min(...s.seconds);
const reference = speed(systems[0] as System);
console.log(`\nload average at the end ${load()}\n`);
// F1 on articles a model was trained on is no held-out figure: the shipped models learnt from
// train+dev. The trained-on column says so; their cards give cross-validated figures.
console.log(
  '| system | trained on | articles/s (best) | rounds | × baseline | load | peak memory | SI F1 | full-task F1 |',
);
console.log('| --- | --- | --: | --- | --: | --: | --: | --: | --: |');
for (const system of systems) {
  const score = await evaluate({ task: 'full', gold, predicted: files.get(system) as string });
  if (score.task !== 'full') throw new Error('expected a full-task score');
  const perRound = system.seconds.map((s) => (corpus.articles.length / s).toFixed(1)).join(', ');
  console.log(
    `| ${system.name} | ${system.trainedOn} | ${speed(system).toFixed(1)} | ${perRound} | ${(speed(system) / reference).toFixed(2)} | ${system.loadSeconds.toFixed(2)} s | ${'peakMiB' in system ? `${Math.max(...(system.peakMiB as number[]))} MiB` : ''} | ${score.si.f1.toFixed(4)} | ${score.full.micro.f1.toFixed(4)} |`,
  );
}
const measured = basename(dataDir);
if (systems.some((s) => s.trainedOn.split(/[,+]/u).includes(measured)))
  console.log(
    `\nA system trained on ${measured} is scored here on articles it learnt from: its F1 is no held-out figure.`,
  );
await rm(out, { recursive: true, force: true });
process.exit(0); // the sentence encoder's threads
