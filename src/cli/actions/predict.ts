/** `spinscope predict`: SemEval-format predictions for a folder of articles. */
import { availableParallelism } from 'node:os';
import { readCorpus } from '../../formats/corpus.js';
import { readTextFile, writeFileAtomically } from '../../formats/files.js';
import { groupByArticle, parseLabels, type SpanLabel } from '../../formats/labels.js';
import { predictInPool, startAnalysisPool } from '../../analysis-pool.js';
import { loadModelHeader } from '../../analyze.js';
import { DEFAULT_MODEL_NAME } from '../../config.js';
import { SpinscopeError } from '../../errors.js';
import { codePointLength } from '../../text/offsets.js';
import { progressReporter } from '../progress.js';
import type { Sink } from '../sink.js';

export interface PredictCommandOptions {
  task: 'si' | 'tc' | 'full';
  articles: string;
  template?: string;
  out: string;
  model?: string;
  /** Threads (default: one per core). */
  workers?: number;
}

export async function predictAction(options: PredictCommandOptions, out: Sink): Promise<void> {
  const corpus = await readCorpus(options.articles);
  const model = options.model ?? DEFAULT_MODEL_NAME;
  loadModelHeader(model); // a missing or broken file fails here, before threads start
  let template: Map<string, SpanLabel[]> | undefined;
  if (options.task === 'tc') {
    const file = options.template;
    if (!file && !corpus.template) {
      throw new SpinscopeError(
        'SPN_ERR_USAGE',
        'the tc task needs --template FILE (the spans to label)',
      );
    }
    const articleLengths = new Map(corpus.articles.map((a) => [a.id, codePointLength(a.text)]));
    const spans = file
      ? parseLabels(await readTextFile(file), file, { expect: 'template', articleLengths }).spans
      : (corpus.template as SpanLabel[]);
    template = groupByArticle(spans);
  }
  // Articles are predicted in threads, one per core, each with the model loaded once.
  const threads = Math.min(options.workers ?? availableParallelism(), corpus.articles.length || 1);
  const loading = performance.now();
  const pool = await startAnalysisPool({ model, threads });
  const started = performance.now();
  const progress = progressReporter();
  let done = 0;
  try {
    const articles = corpus.articles.filter((a) => options.task !== 'tc' || template?.has(a.id));
    const lines = await Promise.all(
      articles.map(async (article) => {
        const labels = await predictInPool(pool, {
          task: options.task,
          articleId: article.id,
          text: article.text,
          model,
          template: template?.get(article.id),
        });
        progress.update(`predicting ${options.task}`, ++done, articles.length);
        return labels;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    progress.stop();
    const labels = lines.join('');
    await writeFileAtomically(options.out, labels);
    const count = labels.split('\n').length - 1;
    out(
      `${count} ${options.task.toUpperCase()} lines for ${corpus.articles.length} articles written to ${options.out}\n` +
        `${articles.length} articles in ${seconds.toFixed(2)} s (${(articles.length / seconds).toFixed(1)} a second) on ${threads} thread${threads === 1 ? '' : 's'}, after ${((started - loading) / 1000).toFixed(1)} s loading the model; peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`,
    );
  } finally {
    await pool.destroy();
  }
}
