/**
 * The embedded analysis store: one SQLite file (better-sqlite3) that keeps every analysed
 * article, its full `Analysis` as JSON, one row per span and technique for filters and
 * charts, and an FTS5 index over title and text for search.
 *
 * A record is keyed by (sha256 of the text, model name, model version), so saving the
 * same article with the same model twice stores it once. Each save is one transaction,
 * and the file runs in WAL mode with `synchronous = FULL`, so a save that has returned
 * survives kill -9 (and power loss), and a save that was interrupted leaves nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { namesOfModel } from '../config.js';
import { SpinscopeError, systemError } from '../errors.js';
import type { Analysis } from '../detect/analysis.js';
import { withReviewedSpans } from '../review.js';
import type {
  AnalysisList,
  AnalysisMeta,
  AnalysisRecord,
  AnalysisSummary,
  Review,
  ReviewedSpan,
  ReviewState,
  StoredAnalysis,
} from '../types.js';

export type {
  AnalysisMeta,
  AnalysisSummary,
  Review,
  ReviewedSpan,
  ReviewState,
  StoredAnalysis,
} from '../types.js';
import {
  isTechniqueLabel,
  TECHNIQUE_LABELS,
  type TechniqueLabel,
} from '../techniques/catalogue.js';
import { codePointLength } from '../text/offsets.js';
import { migrate, NewerSchemaError, SCHEMA_VERSION, schemaVersion } from './migrations.js';
import { checkReviewedSpans, checkSaveInput } from './input-checks.js';

export { SCHEMA_VERSION, checkReviewedSpans };

/** How aggregates name records saved without a source; also accepted as a `list` filter. */
export const UNKNOWN_SOURCE = '(unknown)';
/** Marks around the matched words in search snippets (rare in news text, safe in HTML). */
export const SNIPPET_OPEN = '\u00ab';
export const SNIPPET_CLOSE = '\u00bb';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 500;

export interface SaveInput {
  /** The exact text that was analysed (offsets in `analysis` refer to it). */
  text: string;
  analysis: Analysis;
  /** Where the article came from, e.g. a site name or feed. */
  source?: string;
  /** Defaults to `analysis.title`. */
  title?: string;
  /** Publication date, ISO 8601 (`2024-05-01` or a full timestamp), when known. */
  date?: string;
  durationMs?: number;
}

export interface ListQuery {
  /** Default 50, at most 500. */
  limit?: number;
  offset?: number;
  /** Full-text search over title and text; every word must occur. Blank means no filter. */
  query?: string;
  technique?: TechniqueLabel;
  /** Exact source; UNKNOWN_SOURCE selects records saved without one. */
  source?: string;
  /** Only analyses with a saved review (true) or without one (false). */
  reviewed?: boolean;
}

/** What a person saves as a review. */
export interface ReviewInput {
  spans: readonly ReviewedSpan[];
  /** Stored trimmed of white space at either end (a byte order mark too); blank as null. */
  reviewer?: string;
}

/** The columns every row of the analyses table has. */
interface MetaRow {
  id: string;
  content_hash: string;
  model_name: string;
  model_version: string;
  source: string | null;
  title: string | null;
  date: string | null;
  created_at: string;
}

interface AnalysisRow extends MetaRow {
  duration_ms: number | null;
  text: string;
  result: string;
}

interface SummaryRow extends MetaRow {
  score: number;
  span_count: number;
  reviewed: number;
  snippet?: string;
}

/** Does analysis `a` have a saved review? */
const REVIEWED_SQL = 'SELECT 1 FROM reviews r WHERE r.analysis_id = a.id';

const ANALYSES_TABLE_SQL = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'analyses'";

/** The latest review of each reviewed analysis. */
const LATEST_REVIEWS = `SELECT * FROM reviews r
  WHERE r.seq = (SELECT max(seq) FROM reviews WHERE analysis_id = r.analysis_id)`;

/**
 * The spans people see, one row per span and technique: the latest review's where there is
 * one, else the model's. Counts, filters and charts read these (`WITH ${SHOWN_SPANS}`).
 */
const SHOWN_SPANS = `shown_spans (analysis_id, technique) AS (
  SELECT s.analysis_id, s.technique FROM spans s
  WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.analysis_id = s.analysis_id)
  UNION ALL
  SELECT r.analysis_id, t.value FROM (${LATEST_REVIEWS}) r, json_each(r.spans) sp,
    json_each(sp.value, '$.techniques') t)`;

const ROW_COLUMNS = `id, content_hash, model_name, model_version, source, title, date,
  created_at, duration_ms, text, result`;

export class AnalysisStore {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  /**
   * Open (creating folders and file as needed) and bring the schema up to date. With
   * `existing` (for commands that only read), the file must already be a Spinscope store.
   */
  static open(file: string, { existing = false } = {}): AnalysisStore {
    if (existing && file !== ':memory:' && !existsSync(file)) {
      throw new SpinscopeError('SPN_ERR_FILE_READ', 'no such store (the --db of serve or batch)', {
        file,
      });
    }
    let db: Database.Database;
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      db = new Database(file);
    } catch (error) {
      throw new SpinscopeError('SPN_ERR_FILE_READ', `cannot open: ${(error as Error).message}`, {
        file,
      });
    }
    try {
      // Wait for other writers instead of failing at once with SQLITE_BUSY.
      db.pragma('busy_timeout = 5000');
      // Check the version before changing anything (WAL mode is written to the file).
      const found = schemaVersion(db);
      if (found > SCHEMA_VERSION) throw new NewerSchemaError(found, SCHEMA_VERSION);
      // Checked before anything is written: another program's file stays as it was.
      if (existing && (found === 0 || !db.prepare(ANALYSES_TABLE_SQL).get())) {
        throw new SpinscopeError('SPN_ERR_FILE_READ', 'is not a Spinscope analysis store', {
          file,
        });
      }
      db.pragma('journal_mode = WAL');
      // FULL: fsync the WAL on every commit, so a returned save is durable.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (error) {
      db.close();
      const coded = systemError(error); // ours as they are, a full disk as SPN_ERR_STORAGE
      if (coded) throw coded;
      if (error instanceof NewerSchemaError) {
        throw new SpinscopeError(
          'SPN_ERR_FILE_READ',
          `was written by a newer Spinscope (store schema version ${error.found}; this one ` +
            `reads up to ${error.known}): upgrade Spinscope to open it`,
          { file },
        );
      }
      throw new SpinscopeError(
        'SPN_ERR_FILE_READ',
        `cannot open the analysis store: ${(error as Error).message}`,
        { file },
      );
    }
    return new AnalysisStore(db);
  }

  /** sha256 (hex) of the UTF-8 bytes of `text`. */
  static contentHash(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
  }

  /** The record id: derived from its key, so the same article and model always get the same id. */
  static recordId(contentHash: string, modelName: string, modelVersion: string): string {
    return createHash('sha256')
      .update(`${contentHash}\0${modelName}\0${modelVersion}`, 'utf8')
      .digest('hex')
      .slice(0, 24);
  }

  /**
   * Store an analysis. Idempotent: if this text was already saved with the same model name
   * and version, the stored record is returned unchanged with `created: false`.
   */
  save(input: SaveInput): { record: StoredAnalysis; created: boolean } {
    const { text, analysis } = checkSaveInput(input);
    const contentHash = AnalysisStore.contentHash(text);
    const { name: modelName, version: modelVersion } = analysis.model;
    const id = AnalysisStore.recordId(contentHash, modelName, modelVersion);
    const write = this.db.transaction((): boolean => {
      const inserted = this.statement(
        `INSERT INTO analyses (id, content_hash, model_name, model_version, source, title, date,
           created_at, duration_ms, text, result, score, span_count)
         VALUES (@id, @contentHash, @modelName, @modelVersion, @source, @title, @date,
           @createdAt, @durationMs, @text, @result, @score, @spanCount)
         ON CONFLICT DO NOTHING`,
      ).run({
        id,
        contentHash,
        modelName,
        modelVersion,
        source: normaliseSource(input.source),
        title: blankToNull(input.title ?? analysis.title),
        date: input.date ?? null,
        createdAt: new Date().toISOString(),
        durationMs: input.durationMs ?? null,
        text,
        result: JSON.stringify(analysis),
        score: analysis.document.score,
        spanCount: analysis.spans.length,
      });
      if (inserted.changes === 0) return false;
      const insertSpan = this.statement(
        `INSERT INTO spans (analysis_id, span_index, rank, start_cp, end_cp, technique, confidence)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      analysis.spans.forEach((span, index) => {
        span.techniques.forEach((t, rank) => {
          insertSpan.run(id, index, rank, span.start, span.end, t.technique, t.confidence);
        });
      });
      return true;
    });
    // IMMEDIATE: take the write lock first, so concurrent writers queue instead of deadlocking.
    const created = write.immediate();
    const record = this.get(id);
    if (!record) throw new Error(`analysis ${id} vanished right after it was saved`);
    return { record, created };
  }

  find(contentHash: string, modelName: string, modelVersion: string): StoredAnalysis | undefined {
    // A store written before the models were renamed keeps their former names (`accurate`).
    for (const name of namesOfModel(modelName)) {
      const found = this.get(AnalysisStore.recordId(contentHash, name, modelVersion));
      if (found) return found;
    }
    return undefined;
  }

  get(id: string): StoredAnalysis | undefined {
    const row = this.statement(`SELECT ${ROW_COLUMNS} FROM analyses WHERE id = ?`).get(id) as
      AnalysisRow | undefined;
    return row && toStored(row);
  }

  /** A page of summaries, newest first (best match first when searching), and the total. */
  list(query: ListQuery = {}): AnalysisList {
    const limit = checkCount(query.limit ?? DEFAULT_LIST_LIMIT, 'limit');
    const offset = checkCount(query.offset ?? 0, 'offset');
    const match = ftsQuery(query.query ?? '');
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    let from = 'analyses a';
    if (match !== undefined) {
      from = 'analyses_fts JOIN analyses a ON a.seq = analyses_fts.rowid';
      where.push('analyses_fts MATCH @match');
      params.match = match;
    }
    if (query.technique !== undefined) {
      if (!isTechniqueLabel(query.technique)) {
        throw new SpinscopeError('SPN_ERR_INPUT_TYPE', `unknown technique "${query.technique}"`);
      }
      where.push(
        'EXISTS (SELECT 1 FROM shown_spans s WHERE s.analysis_id = a.id AND s.technique = @technique)',
      );
      params.technique = query.technique;
    }
    if (query.source !== undefined) {
      const source = normaliseSource(query.source);
      if (source === null) where.push('a.source IS NULL');
      else {
        where.push('a.source = @source');
        params.source = source;
      }
    }
    if (query.reviewed !== undefined)
      where.push(`${query.reviewed ? '' : 'NOT '}EXISTS (${REVIEWED_SQL})`);
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.statement(`WITH ${SHOWN_SPANS} SELECT count(*) AS n FROM ${from} ${whereSql}`).get(
        params,
      ) as { n: number }
    ).n;
    const snippet =
      match === undefined
        ? ''
        : `, snippet(analyses_fts, -1, '${SNIPPET_OPEN}', '${SNIPPET_CLOSE}', '…', 16) AS snippet`;
    const order = match === undefined ? '' : 'analyses_fts.rank, ';
    const rows = this.statement(
      `WITH ${SHOWN_SPANS}
       SELECT a.id, a.content_hash, a.model_name, a.model_version, a.source, a.title, a.date,
         a.created_at, a.score, EXISTS (${REVIEWED_SQL}) AS reviewed ${snippet},
         coalesce((SELECT json_array_length(r.spans) FROM (${LATEST_REVIEWS}) r
           WHERE r.analysis_id = a.id), a.span_count) AS span_count
       FROM ${from} ${whereSql}
       ORDER BY ${order}a.created_at DESC, a.seq DESC
       LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit, offset }) as SummaryRow[];
    const counts = this.techniqueCounts(rows.map((r) => r.id));
    const items = rows.map((row): AnalysisSummary => {
      const summary: AnalysisSummary = {
        ...toMeta(row),
        score: row.score,
        spans: row.span_count,
        techniqueCounts: counts.get(row.id) ?? zeroCounts(),
        reviewed: row.reviewed === 1,
      };
      if (row.snippet !== undefined) summary.snippet = row.snippet;
      return summary;
    });
    return { total, items };
  }

  /**
   * Save a review of an analysis: a new row, so that the earlier reviews stay as its history
   * and the model's output is never changed. Bad spans are refused before anything is written.
   */
  saveReview(id: string, input: ReviewInput, now = new Date()): Review {
    const record = this.get(id);
    if (!record) throw new SpinscopeError('SPN_ERR_NOT_FOUND', `no analysis ${id}`);
    const spans = checkReviewedSpans(input.spans, codePointLength(record.text));
    const review: Review = {
      analysisId: id,
      reviewer: blankToNull(input.reviewer)?.trim() ?? null,
      reviewedAt: now.toISOString(),
      spans,
    };
    this.statement(
      `INSERT INTO reviews (analysis_id, reviewer, reviewed_at, spans) VALUES (?, ?, ?, ?)`,
    ).run(id, review.reviewer, review.reviewedAt, JSON.stringify(spans));
    return review;
  }

  /** The analysis as people see it: its latest review's spans in place of the model's, if any. */
  shown(id: string): Omit<AnalysisRecord, 'cached'> | undefined {
    const record = this.get(id);
    const review = record && this.review(id).review;
    if (!record || !review) return record;
    return {
      ...record,
      analysis: withReviewedSpans(record.text, record.analysis, review.spans),
      reviewed: { by: review.reviewer, at: review.reviewedAt },
    };
  }

  /** The current review of an analysis (null if none) and its history, newest first. */
  review(id: string): ReviewState {
    if (!this.get(id)) throw new SpinscopeError('SPN_ERR_NOT_FOUND', `no analysis ${id}`);
    const rows = this.statement(
      `SELECT reviewer, reviewed_at, spans FROM reviews WHERE analysis_id = ? ORDER BY seq DESC`,
    ).all(id) as { reviewer: string | null; reviewed_at: string; spans: string }[];
    const [latest] = rows;
    return {
      review: latest
        ? {
            analysisId: id,
            reviewer: latest.reviewer,
            reviewedAt: latest.reviewed_at,
            spans: JSON.parse(latest.spans) as ReviewedSpan[],
          }
        : null,
      history: rows.map((r) => ({
        reviewer: r.reviewer,
        reviewedAt: r.reviewed_at,
        spans: (JSON.parse(r.spans) as unknown[]).length,
      })),
    };
  }

  /** Span counts per source and technique, for charts. */
  techniquesBySource(): { source: string; technique: TechniqueLabel; count: number }[] {
    return this.statement(
      `WITH ${SHOWN_SPANS}
       SELECT coalesce(a.source, @unknown) AS source, s.technique, count(*) AS count
       FROM shown_spans s JOIN analyses a ON a.id = s.analysis_id
       GROUP BY 1, 2 ORDER BY 1, 2`,
    ).all({ unknown: UNKNOWN_SOURCE }) as {
      source: string;
      technique: TechniqueLabel;
      count: number;
    }[];
  }

  /** Span counts per month (`YYYY-MM` of the article date, else of the save) and technique. */
  techniquesOverTime(): { period: string; technique: TechniqueLabel; count: number }[] {
    return this.statement(
      `WITH ${SHOWN_SPANS}
       SELECT substr(coalesce(a.date, a.created_at), 1, 7) AS period, s.technique, count(*) AS count
       FROM shown_spans s JOIN analyses a ON a.id = s.analysis_id
       GROUP BY 1, 2 ORDER BY 1, 2`,
    ).all() as { period: string; technique: TechniqueLabel; count: number }[];
  }

  /** Number of stored analyses per source, most first. */
  sources(): { source: string; count: number }[] {
    return this.statement(
      `SELECT coalesce(source, @unknown) AS source, count(*) AS count
       FROM analyses GROUP BY 1 ORDER BY 2 DESC, 1`,
    ).all({ unknown: UNKNOWN_SOURCE }) as { source: string; count: number }[];
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  private techniqueCounts(ids: readonly string[]): Map<string, Record<TechniqueLabel, number>> {
    const counts = new Map<string, Record<TechniqueLabel, number>>();
    if (ids.length === 0) return counts;
    const rows = this.statement(
      `WITH ${SHOWN_SPANS}
       SELECT analysis_id AS id, technique, count(*) AS n FROM shown_spans
       WHERE analysis_id IN (SELECT value FROM json_each(?))
       GROUP BY 1, 2`,
    ).all(JSON.stringify(ids)) as { id: string; technique: string; n: number }[];
    for (const row of rows) {
      let record = counts.get(row.id);
      if (!record) counts.set(row.id, (record = zeroCounts()));
      if (isTechniqueLabel(row.technique)) record[row.technique] = row.n;
    }
    return counts;
  }

  /** Prepared statements are cached: `list` builds a handful of SQL variants. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function zeroCounts(): Record<TechniqueLabel, number> {
  return Object.fromEntries(TECHNIQUE_LABELS.map((label) => [label, 0])) as Record<
    TechniqueLabel,
    number
  >;
}

/** The columns every record has, as the API names them. */
function toMeta(row: MetaRow): AnalysisMeta {
  return {
    id: row.id,
    contentHash: row.content_hash,
    modelName: row.model_name,
    modelVersion: row.model_version,
    source: row.source,
    title: row.title,
    date: row.date,
    createdAt: row.created_at,
  };
}

function toStored(row: AnalysisRow): StoredAnalysis {
  const analysis = JSON.parse(row.result) as Analysis;
  // JSON drops `title: undefined`; put the key back so the object is the one that was saved.
  if (!('title' in analysis)) (analysis as { title: string | undefined }).title = undefined;
  return {
    ...toMeta(row),
    durationMs: row.duration_ms,
    text: row.text,
    analysis,
  };
}

/**
 * Turn user text into an FTS5 query that cannot be a syntax error: every whitespace-separated
 * word becomes a quoted string (quotes doubled), and FTS5 requires all of them. Operators
 * such as NEAR, OR, `*` or `(` are therefore searched as plain words. Blank means no filter.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text.split(/\s+/u).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
}

function normaliseSource(source: string | undefined): string | null {
  const trimmed = source?.trim();
  return !trimmed || trimmed === UNKNOWN_SOURCE ? null : trimmed;
}

function blankToNull(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

function checkCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SpinscopeError(
      'SPN_ERR_INPUT_TYPE',
      `${name} must be a whole number of at least 0, found ${String(value)}`,
    );
  }
  return name === 'limit' ? Math.min(value, MAX_LIST_LIMIT) : value;
}
