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
 * iterable of items, so a queue can feed a batch folder too.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { loadDetector } from '../analyze.js';
import { ERROR_CODES, SpinscopeError, type ErrorCode } from '../errors.js';
import type { Analysis } from '../model/analysis.js';
import type { AnalysisTask } from '../server/analysis-worker.js';
import { AnalysisStore } from '../store/store.js';
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
  /** Model name or path (default `fast`). */
  model?: string;
  /** Analysis threads (default: cores − 1, at least 1). */
  workers?: number;
  /** Largest article text in UTF-8 bytes (default 2 MiB); HTML pages may be 4 times this. */
  maxBytes?: number;
  /** Let URL items reach private and loopback addresses (default false). */
  allowPrivateUrls?: boolean;
  /** Deadline of one URL fetch in ms (default 10 s). */
  fetchTimeoutMs?: number;
  /** Items being loaded or analysed at once (default: 4 per worker, at least 16). */
  maxInFlight?: number;
  /** Abort to stop early: items in flight finish, the outputs are written, the run can resume. */
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
class Stopped extends Error {}

function failureOf(item: BatchItem, error: unknown): FailureRecord {
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' && code in ERROR_CODES;
  return {
    id: item.id,
    input: item.input,
    code: known ? (code as ErrorCode) : 'SPN_ERR_INTERNAL',
    message: error instanceof Error ? error.message : String(error),
  };
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
 * The engine: take items from any async iterable (in order), skip those already in the
 * folder's results, and process the rest. `total` (a number, or a function that counts the
 * items once the folder is locked) is only for progress.
 */
export async function processItems(
  items: AsyncIterable<BatchItem>,
  options: Omit<BatchOptions, 'inputs'> & {
    total?: number | (() => Promise<number | undefined>);
  },
  onProgress: (progress: BatchProgress) => void = () => {},
): Promise<BatchSummary> {
  const started = performance.now();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const model = options.model ?? 'fast';
  const threads = options.workers ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new SpinscopeError('SPN_ERR_USAGE', `workers must be a positive integer, not ${threads}`);
  }
  const maxInFlight = options.maxInFlight ?? Math.max(16, threads * 4);
  const detector = loadDetector(model); // fails early on a bad model; its identity keys the store
  const modelId: ModelId = { name: detector.header.name, version: detector.header.version };
  const signal = options.signal;
  const warn = options.onWarning ?? (() => {});

  try {
    mkdirSync(options.outDir, { recursive: true });
  } catch (error) {
    throw new SpinscopeError(
      'SPN_ERR_FILE_READ',
      `cannot create the output folder: ${(error as Error).message}`,
      { file: options.outDir },
    );
  }
  const unlock = lockFolder(options.outDir);
  let journal: ResultsJournal | undefined;
  let store: AnalysisStore | undefined;
  let pool: Piscina<AnalysisTask, Analysis> | undefined;
  const failures: FailureRecord[] = [];
  const progress: BatchProgress = {
    done: 0,
    total: typeof options.total === 'number' ? options.total : undefined,
    analysed: 0,
    fromStore: 0,
    fromResults: 0,
    failed: 0,
  };
  let fatal: unknown;
  /** Every item was taken from the inputs, and none was left undone by a stop. */
  let complete = false;
  try {
    removeStaleTemporaries(options.outDir);
    journal = await ResultsJournal.open(options.outDir, modelId);
    if (journal.scan.truncatedBytes > 0) {
      warn(
        `${journal.file}: cut off ${journal.scan.truncatedBytes} bytes from line ` +
          `${journal.scan.truncatedAtLine} on (a write torn by a crash); those articles will be done again`,
      );
    }
    const done = journal.scan.ids;
    store = AnalysisStore.open(options.dbFile ?? join(options.outDir, 'store.sqlite'));
    pool = new Piscina<AnalysisTask, Analysis>({
      // The server's worker: .js when compiled, .ts when run through tsx.
      filename: new URL(
        `../server/analysis-worker${extname(fileURLToPath(import.meta.url))}`,
        import.meta.url,
      ).href,
      maxThreads: threads,
      minThreads: threads,
    });
    // As in the server: hand the pool exactly as many tasks as it has threads, in order.
    const inOrder = pLimit(threads);
    const loadOptions: LoadOptions = {
      maxBytes,
      allowPrivateUrls: options.allowPrivateUrls ?? false,
      fetchTimeoutMs: options.fetchTimeoutMs ?? 10_000,
    };
    const theStore = store;
    const thePool = pool;
    const theJournal = journal;

    let reported = -1;
    const report = (): void => {
      progress.done =
        progress.analysed + progress.fromStore + progress.fromResults + progress.failed;
      if (progress.done === reported) return;
      reported = progress.done;
      onProgress({ ...progress });
    };
    const fail = (item: BatchItem, error: unknown): void => {
      failures.push(failureOf(item, error));
      progress.failed += 1;
    };

    const processOne = async (item: BatchItem): Promise<void> => {
      let text: string;
      let article;
      try {
        article = await loadArticle(item, loadOptions);
        text = validateText(article.text, { maxBytes });
      } catch (error) {
        return fail(item, error);
      }
      const contentHash = AnalysisStore.contentHash(text);
      let analysis: Analysis;
      const stored = theStore.find(contentHash, modelId.name, modelId.version);
      if (stored) {
        analysis = stored.analysis;
        progress.fromStore += 1;
      } else {
        const began = performance.now();
        try {
          analysis = await inOrder(() => {
            if (signal?.aborted) throw new Stopped();
            return thePool.run({ text, model, maxBytes });
          });
        } catch (error) {
          if (error instanceof Stopped) {
            complete = false; // not started: the next run does it
            return;
          }
          return fail(item, error);
        }
        try {
          theStore.save({
            text,
            analysis,
            source: article.source,
            title: article.title,
            date: article.date,
            durationMs: Math.round(performance.now() - began),
          });
        } catch (error) {
          // A record the store refuses (a bad date, say) is this item's failure; anything
          // else (a full disk, a broken file) stops the run.
          if (error instanceof SpinscopeError) return fail(item, error);
          throw error;
        }
        progress.analysed += 1;
      }
      theJournal.append({
        id: item.id,
        input: item.input,
        source: article.source ?? null,
        title: article.title ?? analysis.title ?? null,
        date: article.date ?? null,
        contentHash,
        model: modelId,
        analysis,
      });
    };

    if (typeof options.total === 'function' && !signal?.aborted) {
      progress.total = await options.total();
    }
    const seen = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    const iterator = items[Symbol.asyncIterator]();
    try {
      while (!signal?.aborted && fatal === undefined) {
        const next = await iterator.next();
        if (next.done) {
          complete = true;
          break;
        }
        const item = next.value;
        if (seen.has(item.id)) {
          fail(
            item,
            new SpinscopeError(
              'SPN_ERR_INPUT_TYPE',
              `${item.input}: the id "${item.id}" is used by an earlier item too`,
            ),
          );
          report();
          continue;
        }
        seen.add(item.id);
        if (done.has(item.id)) {
          progress.fromResults += 1;
          report();
          continue;
        }
        const task = processOne(item)
          .catch((error: unknown) => {
            fatal ??= error;
          })
          .finally(() => {
            inFlight.delete(task);
            report();
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
    report();
  } catch (error) {
    fatal ??= error;
  } finally {
    await pool?.destroy();
    store?.close();
  }

  try {
    let summary: BatchSummary | undefined;
    if (journal !== undefined) {
      try {
        journal.close();
        const totals = await writeLabelFiles(options.outDir);
        writeFailures(options.outDir, failures);
        const seconds = (performance.now() - started) / 1000;
        const written = progress.analysed + progress.fromStore;
        summary = {
          articles: totals.articles,
          analysed: progress.analysed,
          fromStore: progress.fromStore,
          fromResults: progress.fromResults,
          failed: progress.failed,
          spans: totals.spans,
          spansPerTechnique: totals.spansPerTechnique,
          seconds: Math.round(seconds * 1000) / 1000,
          articlesPerSecond: seconds > 0 ? Math.round((written / seconds) * 100) / 100 : 0,
          model: modelId,
          offsetUnit: 'codepoint',
          complete: complete && fatal === undefined,
        };
        writeSummary(options.outDir, summary);
      } catch (error) {
        if (fatal === undefined) throw error; // else the first error is the one to report
      }
    }
    if (fatal !== undefined || summary === undefined) throw fatal;
    return summary;
  } finally {
    unlock();
  }
}
