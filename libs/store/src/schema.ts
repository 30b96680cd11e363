import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import Database from 'better-sqlite3';

export const STORE_PACKAGE = '@nasx/store';

/** The store's file in a runs directory. */
export const STORE_FILE = 'nasx.db';

/**
 * Version of the tables below (`meta.schema` holds it with a hash of their SQL). A database of
 * another version or layout (or without one) is emptied and filled again from the journals, which
 * are the source of truth: never read with the wrong layout.
 */
export const STORE_SCHEMA_VERSION = 3;

// `runs` also keeps what an incremental sync needs to go on where it stopped: the byte offset of
// the journal ingested so far, hashes of the first and the last 4 KiB before it (a journal that
// shrank, or whose ingested part changed, is read again from the start), and the ingest state of
// the current session. Trials and events refer to their run by its integer key `run` (not its
// 30-character id: a 5,000-evaluation REA run has ~700,000 cached answers) and are keyed by journal
// seq (a failed `ask` reuses the next trial number). A cached answer the journal wrote as a
// reference keeps only what differs from the evaluation it repeats (`source_seq`): its objective,
// metrics and cost are that evaluation's, as in the journal (which halves the file).
const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  run INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  config_file TEXT,
  space TEXT,
  searcher TEXT,
  estimator TEXT,
  task TEXT,
  seed INTEGER,
  objective TEXT,
  minimize INTEGER NOT NULL DEFAULT 0,
  multi INTEGER NOT NULL DEFAULT 0,
  budget_evaluations INTEGER,
  budget_seconds REAL,
  status TEXT NOT NULL,
  outcome TEXT,
  reason TEXT,
  created_at INTEGER,
  updated_at INTEGER,
  finished_at INTEGER,
  evaluations INTEGER NOT NULL DEFAULT 0,
  cached INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  best_seq INTEGER,
  best_trial INTEGER,
  best_value REAL,
  best_key TEXT,
  elapsed_ms INTEGER NOT NULL DEFAULT 0,
  finished_elapsed_ms INTEGER,
  sessions INTEGER NOT NULL DEFAULT 0,
  session_start INTEGER,
  prior_ms INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT -1,
  journal_offset INTEGER NOT NULL DEFAULT 0,
  journal_head TEXT,
  journal_tail TEXT
);
CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_space ON runs (space);
CREATE INDEX runs_by_searcher ON runs (searcher);
CREATE INDEX runs_by_status ON runs (status);
CREATE TABLE trials (
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  trial INTEGER NOT NULL,
  status TEXT NOT NULL,
  arch_key TEXT,
  arch TEXT,
  objective TEXT,
  value REAL,
  metrics TEXT,
  cached INTEGER NOT NULL DEFAULT 0,
  source_seq INTEGER,
  seconds REAL,
  evaluations INTEGER,
  elapsed_ms INTEGER NOT NULL,
  time INTEGER NOT NULL,
  stage TEXT,
  error TEXT,
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;
CREATE INDEX trials_by_trial ON trials (run, trial);
CREATE INDEX trials_by_value ON trials (run, value DESC, seq);
CREATE INDEX trials_counted ON trials (run, seq, value, evaluations, trial, elapsed_ms) WHERE cached = 0 AND status = 'evaluated';
CREATE INDEX trials_counted_by_key ON trials (run, arch_key) WHERE cached = 0 AND status = 'evaluated';
CREATE TABLE events (
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  time INTEGER,
  data TEXT NOT NULL,
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;
CREATE INDEX events_by_type ON events (run, type, seq);
`;

/** True when an error is SQLite's for a file that is not a database or a damaged one (`SQLITE_NOTADB`, `SQLITE_CORRUPT*`). */
export function isDamagedDatabase(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/** The error for a store file SQLite cannot read: the journals hold everything, so rebuild it. */
export function damagedStoreError(file: string, runsDir: string, e: unknown): NasxError {
  return new NasxError('data', `${file} is not a usable experiment store (${(e as Error).message})`, {
    pkg: STORE_PACKAGE,
    file,
    fix: `run "nasx store rebuild --runs-dir ${runsDir}": the store is an index of the run journals and is rebuilt from them (the runs are not touched)`,
    cause: e,
  });
}

/** The better-sqlite3 addon is missing (its install script did not run): say how to build it. */
function addonError(e: unknown): NasxError | undefined {
  const message = (e as Error | undefined)?.message ?? '';
  if (!/better_sqlite3\.node|Could not locate the bindings file|NODE_MODULE_VERSION|was compiled against a different Node/.test(message)) return undefined;
  return new NasxError('usage', `the SQLite addon of better-sqlite3 (which the experiment store uses) cannot be loaded: ${message.split('\n')[0]}`, {
    pkg: STORE_PACKAGE,
    fix:
      'build it with "npm rebuild better-sqlite3" in the folder nasx is installed in (npm 11 skips install scripts it was not told to run: ' +
      '"npm install-scripts approve better-sqlite3" first, or "npm install -g --allow-scripts=better-sqlite3 @nasx/cli")',
    cause: e,
  });
}

/**
 * The schema a database's tables were made with, `<version>:<hash of their SQL>`: the hash makes a
 * change of the tables that forgot to bump {@link STORE_SCHEMA_VERSION} a mismatch too.
 */
const SCHEMA_ID = `${STORE_SCHEMA_VERSION}:${createHash('sha1').update(SCHEMA).digest('hex').slice(0, 12)}`;

/** Whether a database's tables are the current ones (false: a new file, another program's, an older store). */
function current(db: Database.Database): boolean {
  const has = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (!has) return false;
  return db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).pluck().get() === SCHEMA_ID;
}

/**
 * Drops every table and creates the current ones (empty: the next sync reads every journal). With
 * `unlessCurrent`, leaves tables of the current version alone: another process opening the same new
 * store may have made them since this one looked.
 */
export function createTables(db: Database.Database, opts: { unlessCurrent?: boolean } = {}): void {
  db.transaction(() => {
    if (opts.unlessCurrent && current(db)) return;
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    for (const name of tables) db.exec(`DROP TABLE IF EXISTS "${name.replace(/"/g, '""')}"`);
    db.exec(SCHEMA);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(SCHEMA_ID);
  }).immediate();
}

/**
 * Opens the database file of a store in WAL mode (a reader and a writer work at once), creating it
 * or rebuilding its tables when they are not the current ones (see `SCHEMA_ID`). Errors: the
 * addon missing, the file damaged, the folder not writable — each a NasxError saying what to do.
 */
export function openDatabase(file: string, runsDir: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 10000');
    if (String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase() !== 'wal') throw new Error('the file system does not support WAL mode');
    // Durable at checkpoints; a power cut may lose the last syncs, which the next sync redoes.
    db.pragma('synchronous = NORMAL');
    if (!current(db)) createTables(db, { unlessCurrent: true });
    return db;
  } catch (e) {
    db?.close();
    const addon = addonError(e);
    if (addon) throw addon;
    if (isDamagedDatabase(e)) throw damagedStoreError(file, runsDir, e);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR' || code === 'EACCES' || code === 'EROFS') {
      throw new NasxError('usage', `cannot write the experiment store ${file} (${(e as Error).message})`, {
        pkg: STORE_PACKAGE,
        file,
        fix: `make ${path.dirname(file)} writable: the store lives beside the runs it indexes`,
        cause: e,
      });
    }
    throw e;
  }
}

/** Deletes a store's database file and its WAL companions (the journals stay). */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}
