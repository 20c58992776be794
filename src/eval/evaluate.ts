/** `evaluate`: read gold and predicted label files and score them with one of the tasks. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SpinscopeError } from '../errors.js';
import { readTextFile } from '../formats/files.js';
import { listArticleFiles } from '../formats/corpus.js';
import { parseLabels, type ParsedLabels } from '../formats/labels.js';
import { codePointLength } from '../text/offsets.js';
import { scoreFullTask, type FullTaskScore } from './full.js';
import { scoreSi, type SiScore } from './si.js';
import { scoreTc, type TcPairing, type TcScore } from './tc.js';

export type EvaluationTask = 'si' | 'tc' | 'full';

export interface EvaluateOptions {
  task: EvaluationTask;
  /** Gold labels: a label file, or a folder whose `*.labels` files are read together. */
  gold: string;
  /** Predictions: a label file, or a folder of label files. */
  predicted: string;
  /** TC pairing of multi-label spans; `official` by default. */
  pairing?: TcPairing;
  /** A folder of articles: when given, every span must lie inside its article. */
  articles?: string;
}

export type Evaluation =
  | { task: 'si'; si: SiScore; headline: string }
  | { task: 'tc'; tc: TcScore; headline: string }
  | { task: 'full'; si: SiScore; full: FullTaskScore; headline: string };

export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const articleLengths = options.articles ? await readArticleLengths(options.articles) : undefined;
  const gold = await readLabelPath(options.gold, articleLengths);
  const predicted = await readLabelPath(options.predicted, articleLengths);
  switch (options.task) {
    case 'si': {
      const si = scoreSi(gold.spans, predicted.spans);
      return { task: 'si', si, headline: `SI F1 ${si.f1.toFixed(4)}` };
    }
    case 'tc': {
      requireTechniques(gold, options.gold, 'tc');
      requireTechniques(predicted, options.predicted, 'tc');
      const tc = scoreTc(
        gold.techniqueSpans,
        predicted.techniqueSpans,
        options.pairing ?? 'official',
      );
      return { task: 'tc', tc, headline: `TC micro-F1 ${tc.microF1.toFixed(4)}` };
    }
    case 'full': {
      requireTechniques(gold, options.gold, 'full');
      requireTechniques(predicted, options.predicted, 'full');
      const si = scoreSi(gold.spans, predicted.spans);
      const full = scoreFullTask(gold.techniqueSpans, predicted.techniqueSpans);
      return { task: 'full', si, full, headline: `Full-task micro-F1 ${full.micro.f1.toFixed(4)}` };
    }
  }
}

function requireTechniques(labels: ParsedLabels, path: string, task: string): void {
  if (labels.kind !== 'tc' && labels.spans.length > 0) {
    throw new SpinscopeError(
      'SPN_ERR_LABEL_FORMAT',
      `the ${task} task needs technique labels (4 columns: article, technique, start, end), found a ${labels.kind.toUpperCase()} file`,
      { file: path },
    );
  }
}

async function readArticleLengths(dir: string): Promise<Map<string, number>> {
  const lengths = new Map<string, number>();
  for (const { id, file } of await listArticleFiles(dir)) {
    lengths.set(id, codePointLength(await readTextFile(file)));
  }
  return lengths;
}

/** A label file, or every `*.labels` file of a folder, as one set of labels. */
export async function readLabelPath(
  path: string,
  articleLengths?: ReadonlyMap<string, number>,
): Promise<ParsedLabels> {
  let files = [path];
  try {
    if ((await stat(path)).isDirectory()) {
      files = (await readdir(path))
        .filter((n) => n.endsWith('.labels'))
        .sort()
        .map((n) => join(path, n));
    }
  } catch (error) {
    throw new SpinscopeError('SPN_ERR_FILE_READ', `cannot read: ${(error as Error).message}`, {
      file: path,
    });
  }
  const parts = await Promise.all(
    files.map(async (file) =>
      parseLabels(await readTextFile(file), file, articleLengths ? { articleLengths } : {}),
    ),
  );
  const kinds = new Set(parts.filter((p) => p.spans.length > 0).map((p) => p.kind));
  if (kinds.size > 1) {
    throw new SpinscopeError(
      'SPN_ERR_LABEL_FORMAT',
      `mixes label kinds (${[...kinds].join(', ')})`,
      { file: path },
    );
  }
  return {
    kind: [...kinds][0] ?? 'si',
    spans: parts.flatMap((p) => p.spans),
    techniqueSpans: parts.flatMap((p) => p.techniqueSpans),
  };
}
