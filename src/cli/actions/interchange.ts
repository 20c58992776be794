/** `spinscope export` and `spinscope import`: stored analyses out, other tools' annotations in. */
import {
  readInterchange,
  readLabelMap,
  writeInterchange,
  type AnnotatedArticle,
  type InterchangeFormat,
} from '../../formats/interchange.js';
import { checkOutFolder } from '../../formats/out-folder.js';
import { AnalysisStore, MAX_LIST_LIMIT } from '../../store/store.js';
import type { Sink } from '../sink.js';

export interface ExportOptions {
  db: string;
  format: InterchangeFormat;
  out: string;
  reviewedOnly: boolean;
  /** Write into a folder that has other files in it. */
  force: boolean;
}

/** Every stored analysis: its review's spans where it has one, beside the model's own. */
export function exportAction(options: ExportOptions, out: Sink): void {
  checkOutFolder(options.out, options.force); // before anything is read
  const store = AnalysisStore.open(options.db, { existing: true });
  const articles: AnnotatedArticle[] = [];
  let reviewed = 0;
  try {
    for (let offset = 0; ; offset += MAX_LIST_LIMIT) {
      const page = store.list({
        limit: MAX_LIST_LIMIT,
        offset,
        ...(options.reviewedOnly && { reviewed: true }),
      });
      for (const item of page.items) {
        const record = store.get(item.id)!;
        const review = store.review(item.id).review;
        if (review) reviewed++;
        const found = record.analysis.spans.map((s) => ({
          start: s.start,
          end: s.end,
          techniques: s.techniques.map((t) => t.technique),
        }));
        articles.push({
          id: record.id,
          text: record.text,
          title: record.title,
          source: record.source,
          spans: review?.spans ?? found,
          model: {
            version: `spinscope ${record.modelName} ${record.modelVersion}`,
            spans: found,
            reviewed: review !== null,
          },
        });
      }
      if (offset + page.items.length >= page.total) break;
    }
  } finally {
    store.close();
  }
  writeInterchange(options.format, articles, options.out, options.force);
  out(
    `${articles.length} articles (${reviewed} reviewed) written to ${options.out} as ${options.format}\n`,
  );
}

export interface ImportOptions {
  format: Exclude<InterchangeFormat, 'jsonl'>;
  inputs: string[];
  out: string;
  map?: string;
  force: boolean;
}

/** Annotations from other tools, as a corpus in the PTC layout. */
export async function importAction(options: ImportOptions, out: Sink): Promise<void> {
  checkOutFolder(options.out, options.force); // before anything is read
  const map = options.map === undefined ? undefined : await readLabelMap(options.map);
  const articles = await readInterchange(options.format, options.inputs, map);
  writeInterchange('semeval', articles, options.out, options.force);
  const spans = articles.reduce((n, a) => n + a.spans.length, 0);
  out(`${articles.length} articles with ${spans} spans written to ${options.out} (PTC layout)\n`);
}
