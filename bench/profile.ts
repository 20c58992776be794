/**
 * Where each model's time goes per article: the dev articles analysed one at a time, with
 * every stage of the model (detect/stages/) and the sentence encoder wrapped in timers.
 * Tokenising and the article's features are timed by calling them once more on their own;
 * what is left of `analyze` is span decoding, technique decisions, sentence and document
 * scores. JSON is the analysis serialised as the CLI and the API do.
 *
 *   npm run bench:profile [-- --model sm,md,lg --articles 75]
 */
import { defaultCorpusDir } from '../src/config.js';
import { resolveModelPath } from '../src/analyze.js';
import { Detector } from '../src/detect/detector.js';
import { stageNames, type ModelHeader } from '../src/detect/model-header.js';
import type { Stage, StageSource } from '../src/detect/stage.js';
import { loadStages } from '../src/detect/stages/index.js';
import { decodeClusters } from '../src/features/clusters.js';
import { SentenceEncoder } from '../src/features/sentence-encoder.js';
import { readCorpus } from '../src/formats/corpus.js';
import { decodeModel, readModelFile, readSideFile } from '../src/formats/model-file.js';
import { parseArticle } from '../src/text/document.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  data: { type: 'string', default: `${defaultCorpusDir()}/dev` },
  model: { type: 'string', default: 'sm,md,lg' },
  articles: { type: 'string', default: '75' },
});
const texts = (await readCorpus(values.data as string)).articles
  .map((a) => a.text)
  .slice(0, Number(values.articles));

/** Milliseconds spent in each part, summed over the articles. */
class Clock {
  readonly parts = new Map<string, number>();
  add(part: string, ms: number): void {
    this.parts.set(part, (this.parts.get(part) ?? 0) + ms);
  }
  time<T>(part: string, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.add(part, performance.now() - started);
    }
  }
  async timeAsync<T>(part: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(part, performance.now() - started);
    }
  }
}

/** A stage whose work is timed under `part` (its own methods, `this` kept). */
function timedStage(stage: Stage, part: string, clock: Clock): Stage {
  const timed = Object.create(stage) as Stage;
  if (stage.kind === 'token') {
    (timed as typeof stage).tokenProbabilities = (run, before) =>
      clock.timeAsync(part, async () => stage.tokenProbabilities(run, before));
  } else {
    const technique = timed as typeof stage;
    technique.techniqueProbabilities = (run, spans, before) =>
      clock.timeAsync(part, async () => stage.techniqueProbabilities(run, spans, before));
    if (stage.cues) {
      technique.cues = (run, span, index) =>
        clock.time('cues', () => stage.cues!(run, span, index));
    }
  }
  return timed;
}

/** The model's detector with every stage and the encoder timed. */
function profiledDetector(model: string, clock: Clock): Detector {
  const path = resolveModelPath(model);
  const { header, tensors } = decodeModel<ModelHeader>(readModelFile(path), path);
  const source: StageSource = {
    header,
    tensors,
    sideFile: (expected, what) => readSideFile(path, expected, what),
  };
  const stages = stageNames(header).flatMap((name) =>
    loadStages([name], source, path).map((stage) =>
      timedStage(stage, `${name} (${stage.kind} stage)`, clock),
    ),
  );
  const clusters = decodeClusters(
    readSideFile(path, header.clusters, 'word clusters'),
    header.clusters.file,
  );
  const encoder = SentenceEncoder.load();
  const embedder = {
    embed: (list: readonly string[]) =>
      clock.timeAsync('sentence encoder', () => encoder.embed(list)),
  };
  return new Detector(header, stages, clusters, { embedder });
}

for (const model of (values.model as string).split(',')) {
  const clock = new Clock();
  const detector = profiledDetector(model, clock);
  for (const text of texts.slice(0, 3)) await detector.analyze(text); // JIT and encoder warm
  clock.parts.clear();
  let total = 0;
  for (const text of texts) {
    const doc = clock.time('tokenise', () => parseArticle(text));
    clock.time('article features', () => detector.context(doc));
    const started = performance.now();
    const analysis = await detector.analyze(text);
    total += performance.now() - started;
    clock.time('JSON', () => JSON.stringify(analysis));
  }
  const inside = [...clock.parts]
    .filter(([part]) => part !== 'JSON')
    .reduce((sum, [, ms]) => sum + ms, 0);
  clock.add('span decoding, decisions, scores', Math.max(0, total - inside));
  const all = total + (clock.parts.get('JSON') ?? 0);
  console.log(
    `\n${model}: ${(all / texts.length).toFixed(1)} ms per article (${texts.length} articles)`,
  );
  for (const [part, ms] of [...clock.parts].sort((a, b) => b[1] - a[1])) {
    console.log(
      `  ${part.padEnd(34)} ${(ms / texts.length).toFixed(2).padStart(8)} ms  ${((100 * ms) / all).toFixed(1).padStart(5)}%`,
    );
  }
}
process.exit(0); // the sentence encoder's threads
