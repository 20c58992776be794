/**
 * A resumable batch: analyse every item of some inputs into a folder, with analyses in a
 * worker pool (the server's worker, fed in order through p-limit), a bounded number of items
 * in flight, each result kept in the SQLite store and appended to results.jsonl as it
 * finishes, and the label files, failures and summary rebuilt from results.jsonl at the end
 * or when the run is interrupted (`signal`).
 *
 * Running the same batch again resumes it: items whose id is already in results.jsonl are
 * skipped, and an item whose text the store already holds (for this model) is not analysed
 * again. `runBatch` takes its items from `iterateItems`; `processItems` takes any async
 * iterable of items. `runInFolder` and `forEachItem` are the parts every engine shares (the
 * folder, its journal, store, counters and outputs); the queue producer (queue-producer.ts)
 * is the other engine, with the analyses done by `spinscope worker` processes.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { loadModelHeader } from '../analyze.js';
import { DEFAULT_MODEL_NAME } from '../config.js';
import { ERROR_CODES, SpinscopeError, systemError, type ErrorCode } from '../errors.js';
import type { Analysis } from '../detect/analysis.js';
import { startAnalysisPool } from '../analysis-pool.js';
import { AnalysisStore } from '../store/store.js';
import type { ArticleInput } from '../formats/article-input.js';
import { HtmlExtractor } from '../formats/html-extractor.js';
import type { TechniqueLabel } from '../techniques/catalogue.js';
import { DEFAULT_MAX_BYTES, validateText } from '../text/validate.js';
import {
  countItems,
  iterateItems,
  loadArticle,
  resolveInputs,
  type BatchItem,
  type LoadOptions,
} from './inputs.js';
import {
  lockFolder,
  removeStaleTemporaries,
  ResultsJournal,
  writeFailures,
  writeLabelFiles,
  writeSummary,
  type FailureRecord,
  type ModelId,
} from './outputs.js';

export interface BatchOptions {
  /** Files, folders, JSONL files and URL lists (see inputs.ts). */
  inputs: readonly string[];
  /** The output folder (created if needed). */
  outDir: string;
  /** SQLite store (default `OUT/store.sqlite`). */
  dbFile?: string;
  /** Model name or path (default `lg`). */
  model?: string;
  /**
   * Analysis threads (default: cores − 1, at least 1): each holds its own copy of the model,
   * and a second thread on 2 cores cost `md` 230 MiB more (778 against 547) for no gain.
   */
  workers?: number;
  /** Largest article text in UTF-8 bytes (default 2 MiB); HTML pages may be 4 times this. */
  maxBytes?: number;
  /** Let URL items reach private and loopback addresses (default false). */
  allowPrivateUrls?: boolean;
  /** Deadline of one URL fetch in ms (default 10 s). */
  fetchTimeoutMs?: number;
  /** Longest extraction of one HTML page in ms (default 5 s); see html-extractor.ts. */
  htmlTimeoutMs?: number;
  /** Items being loaded or analysed at once (default: 4 per worker, at least 16). */
  maxInFlight?: number;
  /**
   * Abort to stop early: analyses in flight finish, HTML extractions in flight are ended, the
   * outputs are written, the run can resume.
   */
  signal?: AbortSignal;
  /** Notes worth telling the user (a torn line cut off, for example). */
  onWarning?: (message: string) => void;
}

export interface BatchProgress {
  /** Items dealt with so far in this run (analysed, from the store, already done, or failed). */
  done: number;
  /** All items, when known (undefined for JSONL files of 50 MB or more). */
  total: number | undefined;
  analysed: number;
  fromStore: number;
  fromResults: number;
  failed: number;
}

export interface BatchSummary {
  /** Articles in results.jsonl (all runs into this folder). */
  articles: number;
  /** Articles analysed by the model in this run. */
  analysed: number;
  /** Articles this run found in the store and did not analyse again. */
  fromStore: number;
  /** Items skipped because results.jsonl already had them (earlier runs). */
  fromResults: number;
  /** Items that failed in this run (listed in failures.jsonl). */
  failed: number;
  /** Spans over all articles in results.jsonl. */
  spans: number;
  /** Span-technique pairs per technique over all articles (a span with two techniques counts for both). */
  spansPerTechnique: Record<TechniqueLabel, number>;
  /** Wall time of this run. */
  seconds: number;
  /** (analysed + fromStore) / seconds: articles this run wrote to results.jsonl per second. */
  articlesPerSecond: number;
  model: ModelId;
  /** Offsets in results.jsonl and the label files count Unicode code points. */
  offsetUnit: 'codepoint';
  /** False when the run was interrupted: run it again to finish. */
  complete: boolean;
}

/** Thrown inside a task that was still waiting when the run was stopped. */
export class Stopped extends Error {
  constructor() {
    super('the batch was stopped before this item was started');
  }
}

/** An item's failure as failures.jsonl records it (unknown errors are SPN_ERR_INTERNAL). */
export function failureOf(item: BatchItem, error: unknown): FailureRecord {
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' && code in ERROR_CODES;
  return {
    id: item.id,
    input: item.input,
    code: known ? (code as ErrorCode) : 'SPN_ERR_INTERNAL',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** An item's article, loaded and checked: the exact text to analyse and its store key. */
export interface LoadedItem {
  article: ArticleInput;
  text: string;
  /** sha256 of the text (the store's key, with the model). */
  contentHash: string;
}

/**
 * One run into a batch folder, as an engine sees it: the folder's store, the counters, and
 * the one way to write a result (`write`) or a failure (`fail`). `runInFolder` makes it,
 * and writes the label files, failures and summary when the engine returns.
 */
export interface BatchRun {
  readonly outDir: string;
  /** Model name or path, as given. */
  readonly model: string;
  /** The model's identity: every record of the folder is of this model. */
  readonly modelId: ModelId;
  readonly maxBytes: number;
  readonly store: AnalysisStore;
  readonly progress: BatchProgress;
  readonly signal: AbortSignal | undefined;
  readonly warn: (message: string) => void;
  /** An item was left for the next run (the run was stopped before it was done). */
  leaveUndone(): void;
  /** True when results.jsonl already holds this id (from an earlier run). */
  isDone(id: string): boolean;
  /** Read, fetch or extract an item's article and check its text. Throws a SpinscopeError. */
  load(item: BatchItem): Promise<LoadedItem>;
  /** Append the item's result to results.jsonl (never twice for one id). */
  write(item: BatchItem, loaded: LoadedItem, analysis: Analysis): void;
  /** Record the item as failed (an error, or a failure reported from elsewhere). */
  fail(item: BatchItem, error: unknown): void;
  /** Tell onProgress, if anything changed. */
  report(): void;
}

/** What `runInFolder` takes: the batch options less the inputs, and a total for progress. */
export type FolderOptions = Omit<BatchOptions, 'inputs' | 'workers'> & {
  total?: number | (() => Promise<number | undefined>);
};

/**
 * Open the batch folder (create it, lock it, read results.jsonl, open the store), hand it to
 * `engine` (which resolves to true when it took every item), then rebuild the label files, failures.jsonl and summary.json from results.jsonl
 * (also when the engine was stopped or failed) and release the folder.
 */
export async function runInFolder(
  options: FolderOptions,
  engine: (run: BatchRun) => Promise<boolean>,
  onProgress: (progress: BatchProgress) => void = () => {},
): Promise<BatchSummary> {
  const started = performance.now();
  const model = options.model ?? DEFAULT_MODEL_NAME;
  const header = loadModelHeader(model); // fails early on a bad model; its identity keys the store
  const modelId: ModelId = { name: header.name, version: header.version };
  createFolder(options.outDir);
  const unlock = lockFolder(options.outDir);
  const folder: FolderState = {
    failures: [],
    progress: {
      done: 0,
      total: typeof options.total === 'number' ? options.total : undefined,
      analysed: 0,
      fromStore: 0,
      fromResults: 0,
      failed: 0,
    },
    exhausted: false,
    undone: false,
  };
  let journal: ResultsJournal | undefined;
  let store: AnalysisStore | undefined;
  let fatal: unknown;
  const extractor = new HtmlExtractor({ timeoutMs: options.htmlTimeoutMs });
  try {
    removeStaleTemporaries(options.outDir);
    journal = await openJournal(options, modelId);
    store = AnalysisStore.open(options.dbFile ?? join(options.outDir, 'store.sqlite'));
    const run = folderRun(
      options,
      { model, modelId, store, journal, extractor, folder },
      onProgress,
    );
    if (typeof options.total === 'function' && !options.signal?.aborted) {
      folder.progress.total = await options.total();
    }
    try {
      folder.exhausted = await engine(run);
    } finally {
      run.report();
    }
  } catch (error) {
    fatal ??= error;
  } finally {
    store?.close();
    await extractor.close();
  }

  try {
    let summary: BatchSummary | undefined;
    let unwritten: unknown;
    if (journal !== undefined) {
      try {
        summary = await writeOutputs(options.outDir, journal, folder, {
          modelId,
          started,
          complete: folder.exhausted && !folder.undone && fatal === undefined,
        });
      } catch (error) {
        if (fatal === undefined) throw error; // else the first error is the one to report
        unwritten = error;
      }
    }
    if (fatal !== undefined || summary === undefined) throw stopError(fatal, unwritten, options);
    return summary;
  } finally {
    unlock();
  }
}

/**
 * The error that stopped a run: the system's (a full disk) in the catalogue's terms, saying
 * so when the summary could not be written either.
 */
function stopError(fatal: unknown, unwritten: unknown, options: FolderOptions): unknown {
  const coded = systemError(fatal);
  if (coded === undefined || unwritten === undefined) return coded ?? fatal;
  const why = unwritten instanceof Error ? unwritten.message : String(unwritten);
  return new SpinscopeError(
    coded.code,
    `${coded.message}; ${join(options.outDir, 'summary.json')} could not be written either (${why})`,
  );
}

/** What a run gathers in its folder: failures, counts, and whether it took every item. */
interface FolderState {
  readonly failures: FailureRecord[];
  readonly progress: BatchProgress;
  /** Every item was taken from the inputs (set by the engine's forEachItem). */
  exhausted: boolean;
  /** Some item was left for the next run. */
  undone: boolean;
}

function createFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new SpinscopeError(
      'SPN_ERR_FILE_READ',
      `cannot create the output folder: ${(error as Error).message}`,
      { file: dir },
    );
  }
}

/** results.jsonl, opened for appending; a line torn by a crash is cut off, with a warning. */
async function openJournal(options: FolderOptions, modelId: ModelId): Promise<ResultsJournal> {
  const journal = await ResultsJournal.open(options.outDir, modelId);
  if (journal.scan.truncatedBytes > 0) {
    options.onWarning?.(
      `${journal.file}: cut off ${journal.scan.truncatedBytes} bytes from line ` +
        `${journal.scan.truncatedAtLine} on (a write torn by a crash); those articles will be done again`,
    );
  }
  return journal;
}

/** The BatchRun an engine works through: loading, writing and failing items, and progress. */
function folderRun(
  options: FolderOptions,
  parts: {
    model: string;
    modelId: ModelId;
    store: AnalysisStore;
    journal: ResultsJournal;
    extractor: HtmlExtractor;
    folder: FolderState;
  },
  onProgress: (progress: BatchProgress) => void,
): BatchRun {
  const { model, modelId, store, journal, extractor, folder } = parts;
  const { progress } = folder;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const written = new Set<string>();
  const loadOptions: LoadOptions = {
    maxBytes,
    allowPrivateUrls: options.allowPrivateUrls ?? false,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 10_000,
    html: { extractor, signal: options.signal },
  };
  let reported = -1;
  return {
    outDir: options.outDir,
    model,
    modelId,
    maxBytes,
    store,
    progress,
    signal: options.signal,
    warn: options.onWarning ?? (() => {}),
    leaveUndone() {
      folder.undone = true;
    },
    isDone(id) {
      return journal.scan.ids.has(id);
    },
    async load(item) {
      const article = await loadArticle(item, loadOptions);
      const text = validateText(article.text, { maxBytes });
      return { article, text, contentHash: AnalysisStore.contentHash(text) };
    },
    write(item, loaded, analysis) {
      if (journal.scan.ids.has(item.id) || written.has(item.id)) return;
      written.add(item.id);
      const { article } = loaded;
      journal.append({
        id: item.id,
        input: item.input,
        source: article.source ?? null,
        title: article.title ?? analysis.title ?? null,
        date: article.date ?? null,
        contentHash: loaded.contentHash,
        model: modelId,
        analysis,
      });
    },
    fail(item, error) {
      folder.failures.push(failureOf(item, error));
      progress.failed += 1;
    },
    report() {
      progress.done =
        progress.analysed + progress.fromStore + progress.fromResults + progress.failed;
      if (progress.done === reported) return;
      reported = progress.done;
      onProgress({ ...progress });
    },
  };
}

/** Close the journal and rebuild the label files, failures.jsonl and summary.json from it. */
async function writeOutputs(
  outDir: string,
  journal: ResultsJournal,
  folder: FolderState,
  run: { modelId: ModelId; started: number; complete: boolean },
): Promise<BatchSummary> {
  const { progress } = folder;
  journal.close();
  const totals = await writeLabelFiles(outDir);
  writeFailures(outDir, folder.failures);
  const seconds = (performance.now() - run.started) / 1000;
  const written = progress.analysed + progress.fromStore;
  const summary: BatchSummary = {
    articles: totals.articles,
    analysed: progress.analysed,
    fromStore: progress.fromStore,
    fromResults: progress.fromResults,
    failed: progress.failed,
    spans: totals.spans,
    spansPerTechnique: totals.spansPerTechnique,
    seconds: Math.round(seconds * 1000) / 1000,
    articlesPerSecond: seconds > 0 ? Math.round((written / seconds) * 100) / 100 : 0,
    model: run.modelId,
    offsetUnit: 'codepoint',
    complete: run.complete,
  };
  writeSummary(outDir, summary);
  return summary;
}

/**
 * Take items in order and call `processOne` on each new one, at most `maxInFlight` at once:
 * an id already in results.jsonl counts as done by an earlier run, an id seen before in this
 * run is a failure. Stops taking items when the run is stopped or `processOne` throws (that
 * error is rethrown once the items in flight have settled). Resolves to true when every
 * item was taken.
 */
export async function forEachItem(
  run: BatchRun,
  items: AsyncIterable<BatchItem>,
  maxInFlight: number,
  processOne: (item: BatchItem) => Promise<void>,
): Promise<boolean> {
  const { signal } = run;
  const seen = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const iterator = items[Symbol.asyncIterator]();
  let fatal: unknown;
  let complete = false;
  try {
    while (!signal?.aborted && fatal === undefined) {
      const next = await iterator.next();
      if (next.done) {
        complete = true;
        break;
      }
      const item = next.value;
      if (seen.has(item.id)) {
        run.fail(
          item,
          new SpinscopeError(
            'SPN_ERR_INPUT_TYPE',
            `${item.input}: the id "${item.id}" is used by an earlier item too`,
          ),
        );
        run.report();
        continue;
      }
      seen.add(item.id);
      if (run.isDone(item.id)) {
        run.progress.fromResults += 1;
        run.report();
        continue;
      }
      const task = processOne(item)
        .catch((error: unknown) => {
          fatal ??= error;
        })
        .finally(() => {
          inFlight.delete(task);
          run.report();
        });
      inFlight.add(task);
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
  } catch (error) {
    fatal ??= error; // the inputs could not be read
  } finally {
    await Promise.allSettled([...inFlight]);
    if (signal?.aborted || fatal !== undefined) await iterator.return?.();
  }
  if (fatal !== undefined) throw fatal;
  return complete;
}

/** A batch over the inputs named on the command line (or by a library caller). */
export async function runBatch(
  options: BatchOptions,
  onProgress: (progress: BatchProgress) => void = () => {},
): Promise<BatchSummary> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const inputs = await resolveInputs(options.inputs);
  return processItems(
    iterateItems(inputs, { maxBytes }),
    { ...options, total: () => countItems(inputs) },
    onProgress,
  );
}

/**
 * The local engine: take items from any async iterable (in order), skip those already in the
 * folder's results, and analyse the rest in a pool of worker threads. `total` (a number, or
 * a function that counts the items once the folder is locked) is only for progress.
 */
export async function processItems(
  items: AsyncIterable<BatchItem>,
  options: Omit<BatchOptions, 'inputs'> & {
    total?: number | (() => Promise<number | undefined>);
  },
  onProgress: (progress: BatchProgress) => void = () => {},
): Promise<BatchSummary> {
  const threads = options.workers ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new SpinscopeError('SPN_ERR_USAGE', `workers must be a positive integer, not ${threads}`);
  }
  const maxInFlight = options.maxInFlight ?? Math.max(16, threads * 4);
  return runInFolder(
    options,
    async (run) => {
      const pool = await startAnalysisPool({ model: run.model, threads });
      try {
        // As in the server: hand the pool exactly as many tasks as it has threads, in order.
        const inOrder = pLimit(threads);
        return await forEachItem(run, items, maxInFlight, async (item) => {
          let loaded: LoadedItem;
          try {
            loaded = await run.load(item);
          } catch (error) {
            if (run.signal?.aborted) return run.leaveUndone(); // stopped mid-way: the next run
            return run.fail(item, error);
          }
          const { modelId } = run;
          const stored = run.store.find(loaded.contentHash, modelId.name, modelId.version);
          if (stored) {
            run.progress.fromStore += 1;
            return run.write(item, loaded, stored.analysis);
          }
          const began = performance.now();
          let analysis: Analysis;
          try {
            analysis = await inOrder(() => {
              if (run.signal?.aborted) throw new Stopped();
              return pool.run({ text: loaded.text, model: run.model, maxBytes: run.maxBytes });
            });
          } catch (error) {
            if (error instanceof Stopped) return run.leaveUndone(); // the next run does it
            return run.fail(item, error);
          }
          if (!saveResult(run, item, loaded, analysis, performance.now() - began)) return;
          run.progress.analysed += 1;
          run.write(item, loaded, analysis);
        });
      } finally {
        await pool.destroy();
      }
    },
    onProgress,
  );
}

/**
 * Keep an analysis in the store. A record the store refuses (a bad date, say) is the item's
 * failure (false); anything else (a full disk, a broken file) stops the run (thrown).
 */
export function saveResult(
  run: BatchRun,
  item: BatchItem,
  loaded: LoadedItem,
  analysis: Analysis,
  durationMs?: number,
): boolean {
  try {
    run.store.save({
      text: loaded.text,
      analysis,
      source: loaded.article.source,
      title: loaded.article.title,
      date: loaded.article.date,
      durationMs: durationMs === undefined ? undefined : Math.round(durationMs),
    });
    return true;
  } catch (error) {
    if (error instanceof SpinscopeError) {
      run.fail(item, error);
      return false;
    }
    throw error;
  }
}
