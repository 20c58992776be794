/**
 * A corpus folder in the PTC layout:
 *   articles/article<ID>.txt
 *   labels-si/article<ID>.task-si.labels, labels-tc/article<ID>.task-tc.labels (per article)
 *   *-task-si.labels, *-task-tc.labels (all articles in one file)
 *   *-tc-template.out (TC input spans, technique "?")
 * Label files are optional: a folder of articles alone is a corpus to predict on.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SpinscopeError } from '../errors.js';
import { codePointLength } from '../text/offsets.js';
import { readTextFile } from './files.js';
import { parseLabels, type SpanLabel, type TechniqueSpanLabel } from './labels.js';

export interface CorpusArticle {
  readonly id: string;
  readonly file: string;
  readonly text: string;
}

export interface Corpus {
  readonly dir: string;
  /** Articles in id order. */
  readonly articles: readonly CorpusArticle[];
  /** Gold SI spans, when the folder has them. */
  readonly si: readonly SpanLabel[] | undefined;
  /** Gold TC spans, when the folder has them. */
  readonly tc: readonly TechniqueSpanLabel[] | undefined;
  /** TC template spans, when the folder has them. */
  readonly template: readonly SpanLabel[] | undefined;
}

const ARTICLE_FILE = /^article(.+)\.txt$/u;

/**
 * A short, machine-independent name for a corpus folder: its last two path parts (`ptc/dev`);
 * for merged folders (mergeCorpora), each one's (`ptc/train + ptc/dev`).
 */
export function corpusName(dir: string): string {
  return dir
    .split('+')
    .map((one) => one.split(/[\\/]/u).filter(Boolean).slice(-2).join('/'))
    .join(' + ');
}

/** The article id of a file name such as `article111111111.txt` or `article1.task-si.labels`. */
export function articleIdFromFileName(file: string): string | undefined {
  return /^article([^.]+)\./u.exec(basename(file))?.[1];
}

/** List the article files of a folder (or of its `articles/` subfolder). */
export async function listArticleFiles(dir: string): Promise<{ id: string; file: string }[]> {
  const articlesDir = (await isDirectory(join(dir, 'articles'))) ? join(dir, 'articles') : dir;
  const names = await readDirectory(articlesDir);
  return names
    .map((name) => ({ name, id: ARTICLE_FILE.exec(name)?.[1] }))
    .filter((entry): entry is { name: string; id: string } => entry.id !== undefined)
    .map(({ name, id }) => ({ id, file: join(articlesDir, name) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function readCorpus(dir: string): Promise<Corpus> {
  if (!(await isDirectory(dir))) {
    throw new SpinscopeError('SPN_ERR_CORPUS_LAYOUT', 'is not a folder', { file: dir });
  }
  const files = await listArticleFiles(dir);
  if (files.length === 0) {
    throw new SpinscopeError(
      'SPN_ERR_CORPUS_LAYOUT',
      'has no article<ID>.txt files (nor an articles/ folder with them)',
      {
        file: dir,
      },
    );
  }
  const articles: CorpusArticle[] = [];
  for (const { id, file } of files) articles.push({ id, file, text: await readTextFile(file) });

  const articleLengths = new Map(articles.map((a) => [a.id, codePointLength(a.text)]));
  const names = await readDirectory(dir);
  const si = await readLabelSet(dir, names, 'si', articleLengths);
  const tc = (await readLabelSet(dir, names, 'tc', articleLengths)) as
    TechniqueSpanLabel[] | undefined;
  const templateName = names.find((n) => /tc-template\.out$/iu.test(n));
  const templateFile = templateName ? join(dir, templateName) : undefined;
  const template = templateFile
    ? parseLabels(await readTextFile(templateFile), templateFile, {
        expect: 'template',
        articleLengths,
      }).spans
    : undefined;
  return { dir, articles, si, tc, template };
}

/**
 * Several corpus folders as one (train and dev, say): their articles in id order and their
 * labels; labels of a kind only when every folder has them. An article id may occur once.
 */
export function mergeCorpora(corpora: readonly Corpus[]): Corpus {
  const articles = corpora
    .flatMap((c) => c.articles)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  articles.forEach((a, i) => {
    if (i > 0 && articles[i - 1]!.id === a.id)
      throw new SpinscopeError('SPN_ERR_CORPUS_LAYOUT', `article ${a.id} is in two folders`, {
        file: a.file,
      });
  });
  const all = <T>(labels: (readonly T[] | undefined)[]) =>
    labels.every((l) => l !== undefined) ? labels.flatMap((l) => l!) : undefined;
  return {
    dir: corpora.map((c) => c.dir).join('+'),
    articles,
    si: all(corpora.map((c) => c.si)),
    tc: all(corpora.map((c) => c.tc)),
    template: all(corpora.map((c) => c.template)),
  };
}

/** Combined file (`*-task-si.labels`) if present, else the per-article folder (`labels-si/`). */
async function readLabelSet(
  dir: string,
  names: string[],
  kind: 'si' | 'tc',
  articleLengths: ReadonlyMap<string, number>,
): Promise<SpanLabel[] | TechniqueSpanLabel[] | undefined> {
  const combined = names.find((n) => n.toLowerCase().endsWith(`-task-${kind}.labels`));
  if (combined) return readLabelFiles([join(dir, combined)], kind, articleLengths);
  const folder = join(dir, `labels-${kind}`);
  if (!(await isDirectory(folder))) return undefined;
  const files = (await readDirectory(folder)).filter((n) => n.endsWith('.labels')).sort();
  return readLabelFiles(
    files.map((n) => join(folder, n)),
    kind,
    articleLengths,
  );
}

/** Read and concatenate label files of one kind. */
export async function readLabelFiles(
  files: readonly string[],
  kind: 'si' | 'tc',
  articleLengths?: ReadonlyMap<string, number>,
): Promise<SpanLabel[] | TechniqueSpanLabel[]> {
  const all: (SpanLabel | TechniqueSpanLabel)[] = [];
  for (const file of files) {
    const parsed = parseLabels(await readTextFile(file), file, { expect: kind, articleLengths });
    all.push(...(kind === 'tc' ? parsed.techniqueSpans : parsed.spans));
  }
  return all as SpanLabel[] | TechniqueSpanLabel[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function readDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    throw new SpinscopeError(
      'SPN_ERR_FILE_READ',
      `cannot list folder: ${(error as Error).message}`,
      { file: dir },
    );
  }
}
