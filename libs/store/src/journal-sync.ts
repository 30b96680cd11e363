import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, readRunFolder, runFolderWriter } from '@nasx/kernel';
import type Database from 'better-sqlite3';
import { JournalIngest, RUN_COLUMNS, ingestStatements, type IngestStatements, type RunRow } from './journal-ingest';
import { createTables } from './schema';
import type { RunStatus, SyncReport } from './store.types';

/** Bytes at the start and before the end of the ingested part of a journal that are hashed to notice a rewrite. */
const PROBE_BYTES = 4096;
/** Journals are read this much at a time (a 100,000-evaluation journal is ~100 MB). */
const CHUNK_BYTES = 8 << 20;

/** The status of a run from its last `run-finished`, else from whether a live process holds its folder's lock. */
function statusOf(row: RunRow, dir: string): RunStatus {
  switch (row.outcome) {
    case 'completed':
    case 'budget-exhausted':
      return 'finished';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'interrupted';
    default:
      return runFolderWriter(dir) !== undefined ? 'running' : 'interrupted';
  }
}

/** A short hash of `length` bytes of a file from `position`. */
function probe(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return createHash('sha1').update(buf.subarray(0, got)).digest('hex').slice(0, 20);
}

/** The fingerprint of a journal's first `offset` bytes: hashes of its first and last 4 KiB. */
function fingerprint(fd: number, offset: number): { head: string; tail: string } {
  const n = Math.min(PROBE_BYTES, offset);
  return { head: probe(fd, 0, n), tail: probe(fd, offset - n, n) };
}

/** A new run's row: what its folder's config.json says (its name, config file, creation time). */
function newRow(id: string, dir: string): RunRow {
  let name = id.replace(/-\d{8}-\d{6}-[0-9a-f]+$/, '');
  let configFile: string | null = null;
  let createdAt: number | null = null;
  try {
    const saved = readRunFolder(dir);
    if (typeof saved.config['name'] === 'string') name = saved.config['name'];
    if (typeof saved.configFile === 'string') configFile = saved.configFile;
    const t = Date.parse(saved.createdAt);
    if (Number.isFinite(t)) createdAt = t;
  } catch {
    // A folder without a readable config.json still has a journal to index.
  }
  return {
    run: null,
    id,
    name,
    config_file: configFile,
    space: null,
    searcher: null,
    estimator: null,
    task: null,
    seed: null,
    objective: null,
    minimize: 0,
    multi: 0,
    budget_evaluations: null,
    budget_seconds: null,
    status: 'interrupted',
    outcome: null,
    reason: null,
    created_at: createdAt,
    updated_at: null,
    finished_at: null,
    evaluations: 0,
    cached: 0,
    failures: 0,
    best_seq: null,
    best_trial: null,
    best_value: null,
    best_key: null,
    elapsed_ms: 0,
    finished_elapsed_ms: null,
    sessions: 0,
    session_start: null,
    prior_ms: 0,
    last_seq: -1,
    journal_offset: 0,
    journal_head: null,
    journal_tail: null,
  };
}

/** What one run's sync did. */
interface RunSync {
  readonly changed: boolean;
  readonly fromStart: boolean;
  readonly lines: number;
  readonly bytes: number;
}

/**
 * Keeps a store's tables in step with the journals of its runs directory. Each run is synced in
 * one IMMEDIATE transaction that reads its offset, the new lines and writes them, so two processes
 * syncing one store at once never ingest a line twice.
 */
export class JournalSync {
  private readonly st: IngestStatements;
  private readonly getRun: Database.Statement;
  private readonly insertRun: Database.Statement;
  private readonly updateRun: Database.Statement;
  private readonly deletes: Database.Statement[];

  constructor(
    private readonly db: Database.Database,
    private readonly runsDir: string,
  ) {
    this.st = ingestStatements(db);
    this.getRun = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.insertRun = db.prepare(`INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    // An UPDATE rewrites only the indexes whose columns changed (REPLACE would rewrite all five).
    const columns = RUN_COLUMNS.filter((c) => c !== 'run' && c !== 'id');
    this.updateRun = db.prepare(`UPDATE runs SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE run = @run`);
    this.deletes = ['trials', 'events', 'runs'].map((t) => db.prepare(`DELETE FROM ${t} WHERE run = (SELECT run FROM runs WHERE id = ?)`));
  }

  /** Run folders: the directories of the runs directory that hold a journal. */
  private folders(): string[] {
    return fs
      .readdirSync(this.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(this.runsDir, d.name, RUN_FILES.journal)))
      .map((d) => d.name)
      .sort();
  }

  private deleteRun(id: string): void {
    for (const d of this.deletes) d.run(id);
  }

  /** Ingests what every journal gained since the last sync; drops runs whose folder is gone. */
  sync(): SyncReport {
    const folders = this.folders();
    const present = new Set(folders);
    const known = this.db.prepare('SELECT id FROM runs').pluck().all() as string[];
    const removed = known.filter((id) => !present.has(id));
    if (removed.length) this.db.transaction(() => removed.forEach((id) => this.deleteRun(id))).immediate();
    const changed: string[] = [];
    const reingested: string[] = [];
    let lines = 0;
    let bytes = 0;
    for (const id of folders) {
      const r = this.syncRun(id);
      if (!r) continue;
      if (r.changed) changed.push(id);
      if (r.fromStart) reingested.push(id);
      lines += r.lines;
      bytes += r.bytes;
    }
    return { runs: folders.length, changed, reingested, removed, lines, bytes };
  }

  /** Empties the tables and reads every journal from the start. */
  rebuild(): SyncReport {
    createTables(this.db);
    return this.sync();
  }

  private syncRun(id: string): RunSync | undefined {
    const dir = path.join(this.runsDir, id);
    let fd: number;
    try {
      fd = fs.openSync(path.join(dir, RUN_FILES.journal), 'r');
    } catch (e) {
      // Deleted since the folder was listed: the next sync removes it.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const size = fs.fstatSync(fd).size;
      // Most runs have not changed since the last sync: tell without taking the write lock.
      const row = this.getRun.get(id) as RunRow | undefined;
      if (row && size === row.journal_offset && statusOf(row, dir) === row.status) {
        const f = fingerprint(fd, size);
        if (f.head === row.journal_head && f.tail === row.journal_tail) return { changed: false, fromStart: false, lines: 0, bytes: 0 };
      }
      return this.db.transaction(() => this.ingest(id, dir, fd, size)).immediate();
    } finally {
      fs.closeSync(fd);
    }
  }

  private ingest(id: string, dir: string, fd: number, size: number): RunSync {
    let row = this.getRun.get(id) as RunRow | undefined;
    let fromStart = row === undefined;
    if (row && row.journal_offset > 0) {
      // A journal that shrank, or whose ingested part changed (rewritten, repaired), is another file now.
      const f = size >= row.journal_offset ? fingerprint(fd, row.journal_offset) : undefined;
      if (!f || f.head !== row.journal_head || f.tail !== row.journal_tail) {
        this.deleteRun(id);
        row = undefined;
        fromStart = true;
      }
    }
    if (!row) {
      row = newRow(id, dir);
      row.run = Number(this.insertRun.run(row).lastInsertRowid);
    }
    const ingest = new JournalIngest(this.st, row);
    let lines = 0;
    let offset = row.journal_offset;
    const start = offset;
    // Complete lines only: a last line without its newline (a run killed while writing it, or a
    // writer between two write calls) waits for the next sync.
    let chunk = CHUNK_BYTES;
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(chunk, size - offset));
      const got = fs.readSync(fd, buf, 0, buf.length, offset);
      const end = buf.subarray(0, got).lastIndexOf(10);
      if (end < 0) {
        // A line longer than the chunk: read more at once; else the torn last line.
        if (got === chunk && offset + got < size) {
          chunk *= 2;
          continue;
        }
        break;
      }
      for (let from = 0; from <= end;) {
        const nl = buf.indexOf(10, from);
        if (nl > from) {
          ingest.line(buf.toString('utf8', from, nl));
          lines++;
        }
        from = nl + 1;
      }
      offset += end + 1;
    }
    ingest.finish();
    const status = statusOf(row, dir);
    const changed = fromStart || offset !== start || status !== row.status;
    row.status = status;
    if (offset !== start) {
      const f = fingerprint(fd, offset);
      row.journal_offset = offset;
      row.journal_head = f.head;
      row.journal_tail = f.tail;
    }
    if (changed) this.updateRun.run(row);
    return { changed, fromStart, lines, bytes: offset - start };
  }
}
