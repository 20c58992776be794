/**
 * The meme texts of SemEval-2021 Task 6 (subtask 2) as a corpus of technique spans: each
 * meme an article (`meme<split>-<id>`), each span whose technique maps onto one of the 14
 * PTC classes (technique-map.json, the PTC's own merges) a TC label. Techniques without a PTC
 * class (absent from the map) are dropped. Offsets count code points, as in the PTC.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SpinscopeError } from '../errors.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import { codePointLength } from '../text/offsets.js';
import type { Corpus, CorpusArticle } from './corpus.js';
import { readTextFile } from './files.js';
import type { TechniqueSpanLabel } from './labels.js';

export const MEME_FILES = ['training_set_task2.json', 'dev_set_task2.json', 'test_set_task2.json'];

const memeSchema = z.array(
  z.object({
    id: z.union([z.string(), z.number()]),
    text: z.string(),
    labels: z.array(
      z.object({ start: z.number().int(), end: z.number().int(), technique: z.string() }),
    ),
  }),
);

export async function readMemeCorpus(dir: string): Promise<Corpus> {
  const files = MEME_FILES.filter((name) => existsSync(join(dir, name)));
  if (files.length === 0)
    throw new SpinscopeError('SPN_ERR_CORPUS_LAYOUT', `has none of ${MEME_FILES.join(', ')}`, {
      file: dir,
    });
  const mapFile = join(dir, 'technique-map.json');
  const map = z.record(z.string(), z.string()).parse(JSON.parse(await readTextFile(mapFile)));
  const articles: CorpusArticle[] = [];
  const tc: TechniqueSpanLabel[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const parsed = memeSchema.safeParse(JSON.parse(await readTextFile(file)));
    if (!parsed.success)
      throw new SpinscopeError(
        'SPN_ERR_CORPUS_LAYOUT',
        `not a meme file: ${parsed.error.message}`,
        {
          file,
        },
      );
    const split = name.split('_')[0];
    for (const meme of parsed.data) {
      const articleId = `meme${split}-${meme.id}`;
      const length = codePointLength(meme.text);
      articles.push({ id: articleId, file, text: meme.text });
      for (const label of meme.labels) {
        // Smears, Glittering generalities and Obfuscation have no PTC class.
        const technique = map[label.technique];
        if (!technique) continue;
        if (!TECHNIQUE_LABELS.includes(technique as TechniqueLabel) || label.end > length)
          throw new SpinscopeError('SPN_ERR_CORPUS_LAYOUT', `bad span in meme ${meme.id}`, {
            file,
          });
        tc.push({
          articleId,
          technique: technique as TechniqueLabel,
          cpStart: label.start,
          cpEnd: label.end,
        });
      }
    }
  }
  const si = [
    ...new Map(tc.map((l) => [`${l.articleId}:${l.cpStart}:${l.cpEnd}`, l])).values(),
  ].map(({ articleId, cpStart, cpEnd }) => ({ articleId, cpStart, cpEnd }));
  return { dir, articles, si, tc, template: undefined };
}
