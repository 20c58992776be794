/**
 * Schema migrations for the analysis store: an ordered list of SQL steps. Step N (1-based)
 * brings the database to `PRAGMA user_version = N`. Steps are only ever appended, never
 * edited, because databases in the field have already run the old ones.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: analyses, their spans (one row per span and technique) and a full-text index.
  `
  CREATE TABLE analyses (
    -- An explicit integer key: the FTS index points at rows by rowid, and an implicit
    -- rowid may change on VACUUM.
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    content_hash  TEXT    NOT NULL,
    model_name    TEXT    NOT NULL,
    model_version TEXT    NOT NULL,
    source        TEXT,
    title         TEXT,
    date          TEXT,
    created_at    TEXT    NOT NULL,
    duration_ms   REAL,
    text          TEXT    NOT NULL,
    result        TEXT    NOT NULL CHECK (json_valid(result)),
    score         REAL    NOT NULL,
    span_count    INTEGER NOT NULL,
    UNIQUE (content_hash, model_name, model_version)
  ) STRICT;
  CREATE INDEX analyses_by_created ON analyses (created_at);
  CREATE INDEX analyses_by_source ON analyses (source);

  -- Span i of an analysis with its technique number r (0 = most likely), so that counts
  -- here equal analysis.document.techniqueCounts. Offsets are code points, half-open.
  CREATE TABLE spans (
    analysis_id TEXT    NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    span_index  INTEGER NOT NULL,
    rank        INTEGER NOT NULL,
    start_cp    INTEGER NOT NULL,
    end_cp      INTEGER NOT NULL,
    technique   TEXT    NOT NULL,
    confidence  REAL    NOT NULL,
    PRIMARY KEY (analysis_id, span_index, rank)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX spans_by_technique ON spans (technique, analysis_id);

  -- External-content index: the text is stored once, in analyses; triggers keep it in step.
  CREATE VIRTUAL TABLE analyses_fts USING fts5 (
    title, text,
    content = 'analyses', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER analyses_fts_insert AFTER INSERT ON analyses BEGIN
    INSERT INTO analyses_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
  END;
  CREATE TRIGGER analyses_fts_delete AFTER DELETE ON analyses BEGIN
    INSERT INTO analyses_fts (analyses_fts, rowid, title, text)
      VALUES ('delete', old.seq, old.title, old.text);
  END;
  CREATE TRIGGER analyses_fts_update AFTER UPDATE OF title, text ON analyses BEGIN
    INSERT INTO analyses_fts (analyses_fts, rowid, title, text)
      VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO analyses_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
  END;
  `,
  // 2: reviews: the spans a person accepted, corrected or added, one row per saved review
  // (the latest is the review; the earlier ones its history). The model's output is never
  // changed.
  `
  CREATE TABLE reviews (
    seq         INTEGER PRIMARY KEY,
    analysis_id TEXT    NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    reviewer    TEXT,
    reviewed_at TEXT    NOT NULL,
    spans       TEXT    NOT NULL CHECK (json_valid(spans))
  ) STRICT;
  CREATE INDEX reviews_by_analysis ON reviews (analysis_id, seq);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Thrown (and turned into a user-facing error by the store) when a file is too new for us. */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`schema version ${found} is newer than the newest this code knows (${known})`);
    this.name = 'NewerSchemaError';
  }
}

/**
 * Bring `db` up to `migrations.length`, applying the missing steps in order in one
 * transaction, so a failing step leaves the database as it was. Returns how many steps ran.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const check = (): number => {
    const current = schemaVersion(db);
    if (current > migrations.length) throw new NewerSchemaError(current, migrations.length);
    return current;
  };
  // The common case, an up-to-date file, needs no write lock.
  if (check() === migrations.length) return 0;
  const run = db.transaction((): number => {
    // Read the version again under the write lock: two processes opening a new file at
    // once must not both apply step 1.
    const current = check();
    for (const step of migrations.slice(current)) db.exec(step);
    // PRAGMA takes no bound parameters; the value is an integer we computed.
    db.pragma(`user_version = ${migrations.length}`);
    return migrations.length - current;
  });
  // IMMEDIATE takes the write lock up front (waiting for it under busy_timeout).
  return run.immediate();
}
