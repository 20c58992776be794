/**
 * The files of a batch folder:
 *   results.jsonl   the journal: one line per finished article, appended as each finishes
 *   si.labels       SemEval SI predictions     } rebuilt from results.jsonl at the end of a run
 *   tc.labels       SemEval TC predictions     } (and when it is interrupted), each written
 *   failures.jsonl  the items that failed      } atomically: a reader sees the old file or the
 *   summary.json    counts, speed, model       } whole new one
 *
 * results.jsonl has one writer, which appends each line with a single write; a run that is
 * killed leaves at most a torn last line, which the next run cuts off. Its ids are what a
 * resumed run skips, so nothing is done twice and nothing is lost.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { modelName } from '../config.js';
import { SpinscopeError, systemError, type ErrorCode } from '../errors.js';
import { formatSiLabels, formatTcLabels, siLabelsOf, tcLabelsOf } from '../formats/labels.js';
import type { Analysis } from '../detect/analysis.js';
import { TECHNIQUE_LABELS, type TechniqueLabel } from '../techniques/catalogue.js';
import {
  AtomicFileWriter,
  decodeUtf8,
  writeAll,
  writeFileAtomicallySync,
} from '../formats/files.js';
import { readLines } from './lines.js';

export const RESULTS_FILE = 'results.jsonl';
export const SI_FILE = 'si.labels';
export const TC_FILE = 'tc.labels';
export const SUMMARY_FILE = 'summary.json';
export const FAILURES_FILE = 'failures.jsonl';
export const LOCK_FILE = '.batch.lock';
const REBUILT_FILES = [SI_FILE, TC_FILE, SUMMARY_FILE, FAILURES_FILE];

export interface ModelId {
  name: string;
  version: string;
}

/** Whether two identities are one model's (a former name, `fast` or `accurate`, is today's). */
export function sameModel(a: ModelId, b: ModelId): boolean {
  return modelName(a.name) === modelName(b.name) && a.version === b.version;
}

/** One line of results.jsonl. Offsets in `analysis` count code points (`offsetUnit: 'codepoint'`). */
export interface ResultRecord {
  id: string;
  input: string;
  source: string | null;
  title: string | null;
  date: string | null;
  /** sha256 of the analysed text's UTF-8 bytes (the store's key, with the model). */
  contentHash: string;
  model: ModelId;
  analysis: Analysis;
}

/** One line of failures.jsonl. */
export interface FailureRecord {
  id: string;
  input: string;
  code: ErrorCode;
  message: string;
}

// ---------------------------------------------------------------------------------------
// The lock: one batch at a time writes to a folder.

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the folder's lock, or throw if a live process holds it. A lock left by a process
 * that is gone (killed) is taken over. Returns the function that releases it.
 */
export function lockFolder(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        const full = systemError(error);
        if (full?.code === 'SPN_ERR_STORAGE') throw full;
        throw new SpinscopeError(
          'SPN_ERR_FILE_READ',
          `cannot create the lock file: ${(error as Error).message}`,
          { file },
        );
      }
    }
    const holder = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    if (
      Number.isSafeInteger(holder) &&
      holder > 0 &&
      holder !== process.pid &&
      processAlive(holder)
    ) {
      throw new SpinscopeError(
        'SPN_ERR_USAGE',
        `another spinscope batch (process ${holder}) is writing to this folder; wait for it or stop it`,
        { file: dir },
      );
    }
    rmSync(file, { force: true }); // left by a run that was killed
  }
  throw new SpinscopeError('SPN_ERR_FILE_READ', 'cannot take the lock', { file });
}

/** Remove temporary files that an interrupted rewrite of the outputs left behind. */
export function removeStaleTemporaries(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (REBUILT_FILES.some((file) => name.startsWith(`${file}.tmp-`))) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------
// The journal.

function parseRecord(bytes: Buffer): ResultRecord | undefined {
  const text = decodeUtf8(bytes);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = value as Partial<ResultRecord> | null;
  if (
    typeof record !== 'object' ||
    record === null ||
    typeof record.id !== 'string' ||
    typeof record.analysis !== 'object' ||
    record.analysis === null ||
    !Array.isArray(record.analysis.spans) ||
    typeof record.model?.name !== 'string'
  ) {
    return undefined;
  }
  return record as ResultRecord;
}

export interface JournalScan {
  /** Ids of the articles in the journal. */
  ids: Set<string>;
  /** Bytes cut off the end (a torn or invalid tail), 0 when none. */
  truncatedBytes: number;
  /** Line number where the cut started, when there was one. */
  truncatedAtLine: number | undefined;
}

/** The append-only results file. */
export class ResultsJournal {
  private fd: number | undefined;
  private lastSync = Date.now();
  private unsynced = false;

  private constructor(
    readonly file: string,
    readonly scan: JournalScan,
  ) {}

  /**
   * Open the journal of `dir`: read the ids already there, cut off a torn last line (and
   * anything after a line that is not a complete record), and check that every record is
   * of `model` (a folder holds one model's results).
   */
  static async open(dir: string, model: ModelId): Promise<ResultsJournal> {
    const file = join(dir, RESULTS_FILE);
    const ids = new Set<string>();
    let cutAt: number | undefined;
    let cutLine: number | undefined;
    if (existsSync(file)) {
      for await (const line of readLines(file)) {
        const record = line.terminated && line.bytes ? parseRecord(line.bytes) : undefined;
        if (!record) {
          cutAt = line.start;
          cutLine = line.lineNo;
          break;
        }
        if (!sameModel(record.model, model)) {
          throw new SpinscopeError(
            'SPN_ERR_USAGE',
            `holds results of model ${record.model.name} ${record.model.version} (line ${line.lineNo}), ` +
              `not of ${model.name} ${model.version}: use another --out folder for another model`,
            { file },
          );
        }
        ids.add(record.id);
      }
    }
    const fd = openSync(file, 'a');
    let truncatedBytes = 0;
    if (cutAt !== undefined) {
      truncatedBytes = statSync(file).size - cutAt;
      ftruncateSync(fd, cutAt);
      fsyncSync(fd);
    }
    const journal = new ResultsJournal(file, {
      ids,
      truncatedBytes,
      truncatedAtLine: cutLine,
    });
    journal.fd = fd;
    return journal;
  }

  /** Append one record as one line, in one write. Durable within a second (and at close). */
  append(record: ResultRecord): void {
    if (this.fd === undefined) throw new Error('the results journal is closed');
    writeAll(this.fd, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
    this.unsynced = true;
    // The store keeps every analysis durably (synchronous = FULL), so a line lost to a power
    // cut is written again from the store by the next run; syncing about once a second is enough.
    if (Date.now() - this.lastSync >= 1000) this.sync();
  }

  sync(): void {
    if (this.fd === undefined || !this.unsynced) return;
    fdatasyncSync(this.fd);
    this.unsynced = false;
    this.lastSync = Date.now();
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      this.sync();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------
// The files rebuilt from the journal.

export interface ResultTotals {
  /** Distinct articles in results.jsonl. */
  articles: number;
  /** Spans over all articles. */
  spans: number;
  /** Span-technique pairs per technique (a span with two techniques counts for both). */
  spansPerTechnique: Record<TechniqueLabel, number>;
}

/**
 * Write si.labels and tc.labels from results.jsonl (in its order; the first record of an
 * id wins should one ever appear twice) and return the totals. Each file is replaced atomically.
 */
export async function writeLabelFiles(dir: string): Promise<ResultTotals> {
  const spansPerTechnique = Object.fromEntries(TECHNIQUE_LABELS.map((t) => [t, 0])) as Record<
    TechniqueLabel,
    number
  >;
  const totals: ResultTotals = { articles: 0, spans: 0, spansPerTechnique };
  const file = join(dir, RESULTS_FILE);
  const si = new AtomicFileWriter(join(dir, SI_FILE));
  const tc = new AtomicFileWriter(join(dir, TC_FILE));
  try {
    const seen = new Set<string>();
    if (existsSync(file)) {
      for await (const line of readLines(file)) {
        const record = line.terminated && line.bytes ? parseRecord(line.bytes) : undefined;
        if (!record || seen.has(record.id)) continue;
        seen.add(record.id);
        totals.articles += 1;
        const articleId = record.id;
        const spans = [...record.analysis.spans].sort((a, b) => a.start - b.start || a.end - b.end);
        totals.spans += spans.length;
        const techniqueLabels = tcLabelsOf(articleId, spans);
        for (const { technique } of techniqueLabels) {
          if (technique in spansPerTechnique) spansPerTechnique[technique] += 1;
        }
        si.write(formatSiLabels(siLabelsOf(articleId, spans)));
        tc.write(formatTcLabels(techniqueLabels));
      }
    }
    si.commit();
    tc.commit();
  } catch (error) {
    si.discard();
    tc.discard();
    throw error;
  }
  return totals;
}

export function writeFailures(dir: string, failures: readonly FailureRecord[]): void {
  const writer = new AtomicFileWriter(join(dir, FAILURES_FILE));
  try {
    for (const failure of failures) writer.write(`${JSON.stringify(failure)}\n`);
    writer.commit();
  } catch (error) {
    writer.discard();
    throw error;
  }
}

export function writeSummary(dir: string, summary: object): void {
  writeFileAtomicallySync(join(dir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
}
