/**
 * Annotations in and out of the tools that desks already use, all through one shape
 * (`AnnotatedArticle`: the text and its spans in code points):
 *   semeval       a corpus in the PTC layout (what `train --data` reads)
 *   label-studio  Label Studio's JSON tasks for text span labelling, with a labelling config:
 *                 a model's spans as a prediction (with its version), a person's as an annotation
 *   brat          brat standoff: <id>.txt, <id>.ann and annotation.conf
 *   jsonl         one article per line
 * Label Studio's editor counts offsets in UTF-16 units in older versions and in code points
 * since its emoji fix: on import each region's own text decides; exports use code points. An
 * import takes a task's last annotation that was not cancelled, or else its last prediction.
 * brat (Python) counts code points. Every writer builds a folder beside the target and
 * moves it into place (out-folder.ts), so a failure leaves nothing half-written.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SpinscopeError } from '../errors.js';
import {
  isTechniqueLabel,
  TECHNIQUES,
  techniqueById,
  type TechniqueLabel,
} from '../techniques/catalogue.js';
import { CodePointIndex, codePointLength } from '../text/offsets.js';
import { readCorpus } from './corpus.js';
import { decodeText } from './files.js';
import { checkOutFolder, writeFolder } from './out-folder.js';

export interface AnnotatedSpan {
  /** Code points, half-open. */
  start: number;
  end: number;
  techniques: TechniqueLabel[];
}

export interface AnnotatedArticle {
  /** Letters, digits, `-` and `_` only: it names files. */
  id: string;
  text: string;
  title?: string | null;
  source?: string | null;
  /** The spans: a person's (a review, labels made elsewhere), or else a model's. */
  spans: AnnotatedSpan[];
  /**
   * Where a model found spans: its name and version, its own spans, and whether a person
   * reviewed them (then `spans` are the review's).
   */
  model?: { version: string; spans: AnnotatedSpan[]; reviewed: boolean };
}

export type InterchangeFormat = 'semeval' | 'label-studio' | 'brat' | 'jsonl';

/** Labels of another tool mapped onto corpus labels (`--map FILE`: a JSON object). */
export type LabelMap = ReadonlyMap<string, TechniqueLabel>;

/** A corpus label from a label as another tool names it: the label, its id, or the map's. */
function techniqueOf(label: string, map: LabelMap | undefined, where: string): TechniqueLabel {
  const mapped = map?.get(label);
  if (mapped) return mapped;
  if (isTechniqueLabel(label)) return label;
  const byId = techniqueById(label);
  if (byId) return byId.label;
  throw new SpinscopeError(
    'SPN_ERR_LABEL_TECHNIQUE',
    `unknown label "${label}" (give --map FILE to map other label sets)`,
    { file: where },
  );
}

export async function readLabelMap(file: string): Promise<LabelMap> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new SpinscopeError(
      'SPN_ERR_LABEL_FORMAT',
      `not a JSON object: ${(error as Error).message}`,
      {
        file,
      },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', 'must be a JSON object of labels', { file });
  const map = new Map<string, TechniqueLabel>();
  for (const [from, to] of Object.entries(raw)) {
    if (typeof to !== 'string' || !isTechniqueLabel(to))
      throw new SpinscopeError(
        'SPN_ERR_LABEL_TECHNIQUE',
        `"${from}" maps to "${String(to)}", which is not a corpus label`,
        { file },
      );
    map.set(from, to);
  }
  return map;
}

// ---------------------------------------------------------------------------------------
// Writing

/**
 * Write the articles in a format to `out`, a new or empty folder (or, with `force`, one with
 * other files in it), all or nothing; see out-folder.ts.
 */
export function writeInterchange(
  format: InterchangeFormat,
  articles: readonly AnnotatedArticle[],
  out: string,
  force = false,
): void {
  const target = checkOutFolder(out, force);
  for (const a of articles) checkId(a.id);
  writeFolder(target, (dir) => WRITERS[format](articles, dir));
}

function checkId(id: string): void {
  if (!/^[A-Za-z0-9_-]+$/u.test(id))
    throw new SpinscopeError('SPN_ERR_USAGE', `article id "${id}" cannot name a file`);
}

const WRITERS: Record<
  InterchangeFormat,
  (articles: readonly AnnotatedArticle[], dir: string) => void
> = {
  semeval: writeSemeval,
  'label-studio': writeLabelStudio,
  brat: writeBrat,
  jsonl: (articles, dir) =>
    writeFileSync(
      join(dir, 'articles.jsonl'),
      articles
        .map(({ model: _model, ...a }) => JSON.stringify({ ...a, offsetUnit: 'codepoint' }))
        .join('\n')
        .concat(articles.length > 0 ? '\n' : ''),
    ),
};

function writeSemeval(articles: readonly AnnotatedArticle[], dir: string): void {
  for (const sub of ['articles', 'labels-si', 'labels-tc']) mkdirSync(join(dir, sub));
  for (const a of articles) {
    writeFileSync(join(dir, 'articles', `article${a.id}.txt`), a.text);
    const extents = [...new Set(a.spans.map((s) => `${s.start}\t${s.end}`))];
    writeFileSync(
      join(dir, 'labels-si', `article${a.id}.task-si.labels`),
      extents.map((e) => `${a.id}\t${e}\n`).join(''),
    );
    writeFileSync(
      join(dir, 'labels-tc', `article${a.id}.task-tc.labels`),
      a.spans
        .flatMap((s) => s.techniques.map((t) => `${a.id}\t${t}\t${s.start}\t${s.end}\n`))
        .join(''),
    );
  }
}

/** The labelling configuration for the 14 techniques (Label Studio's XML), with their colours. */
export function labelStudioConfig(): string {
  const labels = TECHNIQUES.map(
    (t) => `    <Label value="${t.label}" background="${t.color}" hint="${t.name}"/>`,
  ).join('\n');
  return `<View>\n  <Labels name="label" toName="text">\n${labels}\n  </Labels>\n  <Text name="text" value="$text" granularity="word"/>\n</View>\n`;
}

/**
 * Label Studio's tasks: a model's spans as a prediction with its version (the editor shows
 * them to accept or correct), a person's as an annotation.
 */
function writeLabelStudio(articles: readonly AnnotatedArticle[], dir: string): void {
  const tasks = articles.map((a) => {
    const index = new CodePointIndex(a.text);
    const regions = (spans: readonly AnnotatedSpan[], prefix: string) =>
      spans.map((s, i) => ({
        id: `${a.id}-${prefix}${i + 1}`,
        from_name: 'label',
        to_name: 'text',
        type: 'labels',
        value: {
          start: s.start,
          end: s.end,
          text: index.slice(s.start, s.end),
          labels: s.techniques,
        },
      }));
    return {
      data: { text: a.text, id: a.id, title: a.title ?? null, source: a.source ?? null },
      predictions: a.model
        ? [{ model_version: a.model.version, result: regions(a.model.spans, 'p') }]
        : [],
      annotations: !a.model || a.model.reviewed ? [{ result: regions(a.spans, '') }] : [],
    };
  });
  writeFileSync(join(dir, 'tasks.json'), `${JSON.stringify(tasks, null, 2)}\n`);
  writeFileSync(join(dir, 'label-config.xml'), labelStudioConfig());
}

function writeBrat(articles: readonly AnnotatedArticle[], dir: string): void {
  writeFileSync(
    join(dir, 'annotation.conf'),
    `[entities]\n${TECHNIQUES.map((t) => t.id).join('\n')}\n[relations]\n[events]\n[attributes]\n`,
  );
  for (const a of articles) {
    const index = new CodePointIndex(a.text);
    let n = 0;
    const lines = a.spans.flatMap((s) =>
      s.techniques.map((t) => {
        const text = index.slice(s.start, s.end).replace(/[\r\n]+/gu, ' ');
        return `T${++n}\t${techniqueId(t)} ${s.start} ${s.end}\t${text}\n`;
      }),
    );
    writeFileSync(join(dir, `${a.id}.txt`), a.text);
    writeFileSync(join(dir, `${a.id}.ann`), lines.join(''));
  }
}

function techniqueId(label: TechniqueLabel): string {
  return TECHNIQUES.find((t) => t.label === label)!.id;
}

// ---------------------------------------------------------------------------------------
// Reading

/** Annotations made elsewhere, from files or folders in one of the formats. */
export async function readInterchange(
  format: Exclude<InterchangeFormat, 'jsonl'>,
  inputs: readonly string[],
  map?: LabelMap,
): Promise<AnnotatedArticle[]> {
  const articles: AnnotatedArticle[] = [];
  for (const input of inputs) articles.push(...(await READERS[format](input, map)));
  const seen = new Set<string>();
  for (const a of articles) {
    if (seen.has(a.id))
      throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', `two articles have the id ${a.id}`);
    seen.add(a.id);
  }
  return articles;
}

const READERS: Record<
  Exclude<InterchangeFormat, 'jsonl'>,
  (input: string, map?: LabelMap) => Promise<AnnotatedArticle[]>
> = {
  semeval: readSemeval,
  'label-studio': readLabelStudio,
  brat: readBrat,
};

async function readSemeval(dir: string, map?: LabelMap): Promise<AnnotatedArticle[]> {
  const corpus = await readCorpus(dir);
  return corpus.articles.map((a) => {
    const spans = new Map<string, AnnotatedSpan>();
    for (const l of (corpus.tc ?? []).filter((t) => t.articleId === a.id)) {
      const key = `${l.cpStart}:${l.cpEnd}`;
      const span = spans.get(key) ?? { start: l.cpStart, end: l.cpEnd, techniques: [] };
      const technique = techniqueOf(l.technique, map, dir);
      if (!span.techniques.includes(technique)) span.techniques.push(technique);
      spans.set(key, span);
    }
    return { id: a.id, text: a.text, spans: [...spans.values()] };
  });
}

/** An annotation's or a prediction's regions, as far as they are read. */
const LabelStudioResult = z
  .array(z.object({ type: z.string().optional(), value: z.unknown().optional() }))
  .optional();

/** Label Studio's export, as far as it is read (other fields are ignored). */
const LabelStudioTasks = z.array(
  z.object({
    id: z.unknown().optional(),
    data: z.object({
      text: z.string(),
      id: z.unknown().optional(),
      title: z.unknown().optional(),
      source: z.unknown().optional(),
    }),
    annotations: z
      .array(z.object({ result: LabelStudioResult, was_cancelled: z.boolean().optional() }))
      .optional(),
    predictions: z.array(z.object({ result: LabelStudioResult })).optional(),
  }),
  { error: 'a Label Studio export is a JSON array of tasks' },
);

/** The value of a region of type `labels`: offsets, the text they hold, the labels. */
const LabelsValue = z.object({
  start: z.int().nonnegative(),
  end: z.int(),
  text: z.string().optional(),
  labels: z.array(z.string()).min(1),
});

/** A JSON path as people write it: `[3].annotations[0].result`. */
function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
    .join('');
}

/** `data` checked against `schema`; the first problem, with its JSON path, as an error. */
function parseAt<T>(schema: z.ZodType<T>, data: unknown, file: string, at: PropertyKey[]): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = jsonPath([...at, ...issue.path]);
  const message = issue.message.replace(/^Invalid input: /u, '');
  throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', path ? `${path}: ${message}` : message, {
    file,
  });
}

async function readLabelStudio(file: string, map?: LabelMap): Promise<AnnotatedArticle[]> {
  if (statSync(file).isDirectory())
    throw new SpinscopeError('SPN_ERR_FILE_READ', 'is a folder, not a Label Studio JSON export', {
      file,
    });
  const content = decodeText(await readFile(file), file);
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', `not JSON: ${(error as Error).message}`, {
      file,
    });
  }
  const tasks = parseAt(LabelStudioTasks, json, file, []);
  return tasks.map((task, t) => {
    const rawId = task.data.id ?? task.id ?? t + 1;
    const id = String(rawId).replace(/[^A-Za-z0-9_-]/gu, '_');
    // A person's last annotation that was not cancelled, or else the model's last prediction.
    const annotations = task.annotations ?? [];
    const predictions = task.predictions ?? [];
    const a = annotations.findLastIndex((x) => !x.was_cancelled);
    const p = predictions.length - 1;
    const [kind, k] = a >= 0 ? ['annotations', a] : ['predictions', p];
    const result = (a >= 0 ? annotations[a] : predictions[p])?.result ?? [];
    const spans = new Map<string, AnnotatedSpan>();
    for (const [r, region] of result.entries()) {
      if (region.type !== 'labels') continue;
      const at = [t, kind, k, 'result', r, 'value'];
      const value = parseAt(LabelsValue, region.value, file, at);
      const where = `${file}: ${jsonPath(at)}`;
      const [start, end] = labelStudioOffsets(task.data.text, value, where);
      const key = `${start}:${end}`;
      const span = spans.get(key) ?? { start, end, techniques: [] };
      for (const label of value.labels) {
        const technique = techniqueOf(label, map, `${where}.labels`);
        if (!span.techniques.includes(technique)) span.techniques.push(technique);
      }
      spans.set(key, span);
    }
    return {
      id,
      text: task.data.text,
      title: typeof task.data.title === 'string' ? task.data.title : null,
      source: typeof task.data.source === 'string' ? task.data.source : null,
      spans: [...spans.values()],
    };
  });
}

/**
 * A region's offsets in code points: taken as code points when the region's text is there,
 * converted from UTF-16 units when it is there instead (older Label Studio), else an error.
 */
function labelStudioOffsets(
  text: string,
  value: { start: number; end: number; text?: string | undefined },
  where: string,
): [number, number] {
  const { start: s, end: e, text: expected } = value;
  if (s >= e)
    throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', `${where}: start must come before end`);
  const index = new CodePointIndex(text);
  if (e <= codePointLength(text) && (expected === undefined || index.slice(s, e) === expected))
    return [s, e];
  if (expected !== undefined && text.slice(s, e) === expected)
    return [index.toCodePoint(s), index.toCodePoint(e)];
  throw new SpinscopeError(
    'SPN_ERR_LABEL_OFFSET',
    `${where}: ${s}-${e} is past the text or does not hold "${String(expected)}"`,
  );
}

async function readBrat(dir: string, map?: LabelMap): Promise<AnnotatedArticle[]> {
  if (!statSync(dir).isDirectory())
    throw new SpinscopeError(
      'SPN_ERR_CORPUS_LAYOUT',
      'is not a folder of brat .txt and .ann files',
      {
        file: dir,
      },
    );
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.ann'))
    .sort();
  if (names.length === 0)
    throw new SpinscopeError('SPN_ERR_CORPUS_LAYOUT', 'has no brat .ann files', { file: dir });
  const articles: AnnotatedArticle[] = [];
  for (const name of names) {
    const id = name.slice(0, -'.ann'.length);
    const textFile = join(dir, `${id}.txt`);
    const annFile = join(dir, name);
    if (!existsSync(textFile))
      throw new SpinscopeError('SPN_ERR_ARTICLE_MISSING', `no ${id}.txt beside it`, {
        file: annFile,
      });
    const text = decodeText(await readFile(textFile), textFile);
    const index = new CodePointIndex(text);
    const length = codePointLength(text);
    const spans = new Map<string, AnnotatedSpan>();
    const lines = decodeText(await readFile(annFile), annFile).split('\n');
    for (const [n, line] of lines.entries()) {
      const where = { file: annFile, line: n + 1 };
      if (line.trim() === '' || line.startsWith('#')) continue;
      if (!line.startsWith('T'))
        throw new SpinscopeError(
          'SPN_ERR_LABEL_FORMAT',
          `only text-bound entries (T…) are read, found "${line.slice(0, 20)}"`,
          where,
        );
      const m = /^T\d+\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$/u.exec(line);
      if (!m)
        throw new SpinscopeError('SPN_ERR_LABEL_FORMAT', 'not a brat text-bound entry', where);
      const [, label, extents, quoted] = m as unknown as [string, string, string, string];
      if (extents.includes(';'))
        throw new SpinscopeError(
          'SPN_ERR_LABEL_FORMAT',
          'a discontinuous entry: a propaganda span is one stretch of text',
          where,
        );
      const [start, end] = extents.split(' ').map(Number) as [number, number];
      if (start >= end || end > length)
        throw new SpinscopeError(
          'SPN_ERR_LABEL_OFFSET',
          `${start}-${end} is not inside the text of ${length} characters`,
          where,
        );
      if (index.slice(start, end).replace(/[\r\n]+/gu, ' ') !== quoted)
        throw new SpinscopeError(
          'SPN_ERR_LABEL_OFFSET',
          `${start}-${end} holds "${index.slice(start, end)}", the entry says "${quoted}"`,
          where,
        );
      const technique = techniqueOf(label, map, `${annFile}:${n + 1}`);
      const key = `${start}:${end}`;
      const span = spans.get(key) ?? { start, end, techniques: [] };
      if (!span.techniques.includes(technique)) span.techniques.push(technique);
      spans.set(key, span);
    }
    articles.push({ id, text, spans: [...spans.values()] });
  }
  return articles;
}
