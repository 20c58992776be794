/** `spinscope predict`: SemEval-format predictions for a folder of articles. */
import { readCorpus } from '../../formats/corpus.js';
import { readTextFile, writeFileAtomically } from '../../formats/files.js';
import {
  formatSiLabels,
  formatTcLabels,
  groupByArticle,
  parseLabels,
  type SpanLabel,
} from '../../formats/labels.js';
import { loadDetector } from '../../analyze.js';
import { SpinscopeError } from '../../errors.js';
import { predictFull, predictSi, predictTc } from '../../detect/predict.js';
import { codePointLength } from '../../text/offsets.js';
import { parseArticle } from '../../text/document.js';
import { progressReporter } from '../progress.js';
import type { Sink } from '../sink.js';

export interface PredictCommandOptions {
  task: 'si' | 'tc' | 'full';
  articles: string;
  template?: string;
  out: string;
  model?: string;
}

export async function predictAction(options: PredictCommandOptions, out: Sink): Promise<void> {
  const corpus = await readCorpus(options.articles);
  const detector = loadDetector(options.model);
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
  const progress = progressReporter();
  const lines: string[] = [];
  for (const [i, article] of corpus.articles.entries()) {
    const ctx = detector.context(parseArticle(article.text));
    if (options.task === 'si')
      lines.push(formatSiLabels(await predictSi(detector, ctx, article.id)));
    else if (options.task === 'full')
      lines.push(formatTcLabels(await predictFull(detector, ctx, article.id)));
    else {
      const spans = template?.get(article.id);
      if (spans) lines.push(formatTcLabels(await predictTc(detector, ctx, article.id, spans)));
    }
    progress.update(`predicting ${options.task}`, i + 1, corpus.articles.length);
  }
  progress.stop();
  await writeFileAtomically(options.out, lines.join(''));
  const count = lines.join('').split('\n').length - 1;
  out(
    `${count} ${options.task.toUpperCase()} lines for ${corpus.articles.length} articles written to ${options.out}\n`,
  );
}
