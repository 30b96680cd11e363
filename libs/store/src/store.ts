import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type ObjectiveValue } from '@nasx/contracts';
import { RUN_FILES, parseJournalLine, readRunFolder, runFolderWriter } from '@nasx/kernel';
import Database from 'better-sqlite3';

export const STORE_PACKAGE = '@nasx/store';

/**
 * Version of the tables. A database of another version is dropped and rebuilt from the journals
 * (they are the source of truth), never read with the wrong layout.
 */
export const STORE_SCHEMA_VERSION = 1;

/** The file of a runs directory's store. */
export const STORE_FILE = 'nasx.db';

/** Where a run stands: from its journal and its folder's lock. */
export type RunStatus = 'running' | 'interrupted' | 'completed' | 'budget-exhausted' | 'failed' | 'cancelled';

/** One run as the store indexes it. */
export interface StoredRun {
  readonly id: string;
  readonly name: string;
  readonly configFile?: string;
  readonly space?: string;
  readonly searcher?: string;
  readonly estimator?: string;
  readonly task?: string;
  readonly seed?: number;
  /** `maximize val_acc@12`, `maximize [val_acc, -latency_ms]`. */
  readonly objective?: string;
  /** The objective has several values (a Pareto run). */
  readonly multi: boolean;
  readonly budget?: { readonly evaluations?: number; readonly seconds?: number };
  readonly status: RunStatus;
  readonly reason?: string;
  /** ms since the epoch. */
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly finishedAt?: number;
  /** Evaluations counted against the budget (the last one told). */
  readonly evaluations: number;
  /** Trials told (evaluated, cached answers included) and failed. */
  readonly trials: number;
  readonly failures: number;
  /** The best trial (largest objective; single-objective runs). */
  readonly best?: { readonly trial: number; readonly value: number; readonly arch: Architecture };
  /** Search time of all sessions, ms (summed from run-finished events; absent while running). */
  readonly elapsedMs?: number;
  readonly sessions: number;
  /** The last journal sequence number ingested (live views ask for what came after it). */
  readonly lastSeq: number;
}

/** One trial. */
export interface StoredTrial {
  readonly trial: number;
  readonly status: 'evaluated' | 'failed';
  readonly arch?: Architecture;
  readonly objective?: ObjectiveValue;
  /** The objective when it is one number (larger is better). */
  readonly value?: number;
  readonly metrics?: { readonly [name: string]: number };
  readonly cached: boolean;
  /** The estimate's cost in seconds. */
  readonly seconds?: number;
  /** Evaluations counted when it was told. */
  readonly evaluations?: number;
  readonly time: number;
  readonly seq: number;
  readonly error?: string;
}

/** The best-so-far curve of a run: one point per evaluated trial, in the order they were told. */
export interface TrajectoryPoint {
  readonly evaluations: number;
  readonly trial: number;
  readonly value: number;
  readonly best: number;
  /** ms since the run's first event. */
  readonly elapsedMs: number;
  readonly seq: number;
}

export interface RunFilter {
  /** Substring of the run id or name. */
  readonly name?: string;
  readonly space?: string;
  readonly searcher?: string;
  readonly estimator?: string;
  readonly status?: RunStatus;
  readonly limit?: number;
}

export interface TrialQuery {
  readonly sort?: 'trial' | 'value' | 'seconds';
  readonly order?: 'asc' | 'desc';
  readonly status?: 'evaluated' | 'failed';
  /** Only trials whose architecture key contains this text. */
  readonly arch?: string;
  readonly limit?: number;
  readonly offset?: number;
  /** Only trials told after this journal sequence number (live updates). */
  readonly afterSeq?: number;
}

/** What a sync did. */
export interface SyncReport {
  readonly runs: number;
  /** Runs whose journal was read from the start again (new, rewritten or truncated). */
  readonly reingested: number;
  readonly lines: number;
  readonly removed: number;
}

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, config_file TEXT, space TEXT, searcher TEXT, estimator TEXT, task TEXT,
  seed INTEGER, objective TEXT, multi INTEGER NOT NULL DEFAULT 0, budget TEXT, finished_status TEXT, reason TEXT,
  created_at INTEGER, updated_at INTEGER, finished_at INTEGER, evaluations INTEGER NOT NULL DEFAULT 0,
  trials INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, best_trial INTEGER, best_value REAL,
  elapsed_ms INTEGER, sessions INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT -1,
  journal_offset INTEGER NOT NULL DEFAULT 0, journal_head TEXT
);
CREATE TABLE trials (
  run_id TEXT NOT NULL, trial INTEGER NOT NULL, status TEXT NOT NULL, arch_key TEXT, arch TEXT, objective TEXT,
  value REAL, metrics TEXT, cached INTEGER NOT NULL DEFAULT 0, seconds REAL, evaluations INTEGER, time INTEGER NOT NULL,
  seq INTEGER NOT NULL, error TEXT, PRIMARY KEY (run_id, trial)
);
CREATE INDEX trials_by_seq ON trials (run_id, seq);
CREATE INDEX trials_by_value ON trials (run_id, value);
CREATE INDEX trials_by_key ON trials (run_id, arch_key, seq);
CREATE TABLE proposals (run_id TEXT NOT NULL, trial INTEGER NOT NULL, arch_key TEXT NOT NULL, arch TEXT NOT NULL, PRIMARY KEY (run_id, trial));
CREATE INDEX proposals_by_key ON proposals (run_id, arch_key);
CREATE TABLE events (run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, time INTEGER, data TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE INDEX runs_by_created ON runs (created_at);
`;

/** Bytes of a journal's start hashed to notice a rewritten file (same size or larger, other content). */
const HEAD_BYTES = 4096;

function headHash(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    fs.readSync(fd, buf, 0, buf.length, 0);
    return createHash('sha256').update(buf).digest('hex').slice(0, 16);
  } finally {
    fs.closeSync(fd);
  }
}

type Row = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * The experiment store: a SQLite index of the runs of one runs directory, fed from their journals
 * (which stay the source of truth). {@link ExperimentStore.sync} reads what each journal gained
 * since the last sync; {@link ExperimentStore.rebuild} starts over. Readers and a writer may use
 * one database at once (WAL).
 */
export class ExperimentStore {
  private readonly db: Database.Database;

  private constructor(
    readonly file: string,
    readonly runsDir: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  /**
   * Opens (or creates) the store of a runs directory: `<runsDir>/nasx.db` unless `file` is given.
   * A database of another schema version is rebuilt; a file that is not a database is an error.
   */
  static open(runsDir: string, opts: { file?: string; readonly?: boolean } = {}): ExperimentStore {
    const dir = path.resolve(runsDir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new NasxError('usage', `the runs directory ${dir} does not exist`, {
        pkg: STORE_PACKAGE,
        file: dir,
        fix: 'point --runs-dir at the folder runs are written to (default: runs/ in the working directory)',
      });
    }
    const file = path.resolve(opts.file ?? path.join(dir, STORE_FILE));
    let db: Database.Database;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      const version = ExperimentStore.version(db);
      if (version !== STORE_SCHEMA_VERSION) ExperimentStore.create(db);
    } catch (e) {
      throw new NasxError('data', `${file} is not a usable experiment store: ${(e as Error).message}`, {
        pkg: STORE_PACKAGE,
        file,
        fix: `delete it or run "nasx store rebuild --runs-dir ${runsDir}": the store is rebuilt from the run journals`,
      });
    }
    return new ExperimentStore(file, dir, db);
  }

  private static version(db: Database.Database): number | undefined {
    const has = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
    if (!has) return undefined;
    const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get() as { value: string } | undefined;
    return row ? Number(row.value) : undefined;
  }

  private static create(db: Database.Database): void {
    db.transaction(() => {
      for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]) {
        db.exec(`DROP TABLE IF EXISTS "${name}"`);
      }
      db.exec(SCHEMA);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(String(STORE_SCHEMA_VERSION));
    })();
  }

  close(): void {
    this.db.close();
  }

  /** Drops everything and ingests every journal again. */
  rebuild(): SyncReport {
    ExperimentStore.create(this.db);
    return this.sync();
  }

  /**
   * Ingests what each run's journal gained since the last sync, each run in one transaction. A
   * journal that shrank or whose first bytes changed is read again from the start; a last line
   * without its newline (a run killed while writing it) waits for the next sync; runs whose folder
   * is gone are removed.
   */
  sync(): SyncReport {
    const folders = fs
      .readdirSync(this.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(this.runsDir, d.name, RUN_FILES.journal)))
      .map((d) => d.name);
    const known = new Set((this.db.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id));
    let removed = 0;
    for (const id of known) {
      if (!folders.includes(id)) {
        this.deleteRun(id);
        removed++;
      }
    }
    let lines = 0;
    let reingested = 0;
    for (const id of folders) {
      const r = this.syncRun(id);
      lines += r.lines;
      if (r.fromStart) reingested++;
    }
    return { runs: folders.length, reingested, lines, removed };
  }

  private deleteRun(id: string): void {
    this.db.transaction(() => {
      for (const t of ['runs', 'trials', 'proposals', 'events']) this.db.prepare(`DELETE FROM ${t} WHERE ${t === 'runs' ? 'id' : 'run_id'} = ?`).run(id);
    })();
  }

  private syncRun(id: string): { lines: number; fromStart: boolean } {
    const dir = path.join(this.runsDir, id);
    const journal = path.join(dir, RUN_FILES.journal);
    const size = fs.statSync(journal).size;
    const row = this.db.prepare('SELECT journal_offset AS offset, journal_head AS head FROM runs WHERE id = ?').get(id) as
      { offset: number; head: string | null } | undefined;
    let offset = row?.offset ?? 0;
    let fromStart = !row;
    // A journal that shrank, or whose start changed, is another file now: read it from the start.
    if (row && (size < row.offset || (row.offset > 0 && headHash(journal, Math.min(HEAD_BYTES, row.offset)) !== row.head))) {
      this.deleteRun(id);
      offset = 0;
      fromStart = true;
    }
    if (fromStart) this.insertRun(id, dir);
    if (size === offset) return { lines: 0, fromStart };
    const fd = fs.openSync(journal, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: 0, fromStart };
    const complete = text.slice(0, end);
    const consumed = Buffer.byteLength(complete, 'utf8') + 1;
    const lines = complete.split('\n');
    const newOffset = offset + consumed;
    this.db.transaction(() => {
      const ingest = new Ingest(this.db, id);
      for (const line of lines) if (line.trim()) ingest.line(line);
      ingest.finish();
      this.db
        .prepare('UPDATE runs SET journal_offset = ?, journal_head = ? WHERE id = ?')
        .run(newOffset, headHash(journal, Math.min(HEAD_BYTES, newOffset)), id);
    })();
    return { lines: lines.length, fromStart };
  }

  private insertRun(id: string, dir: string): void {
    let name = id.replace(/-\d{8}-\d{6}-[0-9a-f]+$/, '');
    let configFile: string | undefined;
    let task: string | undefined;
    let created: number | undefined;
    try {
      const saved = readRunFolder(dir);
      name = typeof saved.config['name'] === 'string' ? saved.config['name'] : name;
      configFile = saved.configFile;
      const t = saved.config['task'];
      task = typeof t === 'string' ? t : t && typeof t === 'object' && !Array.isArray(t) && typeof t['use'] === 'string' ? t['use'] : undefined;
      created = Date.parse(saved.createdAt);
    } catch {
      // a folder without a readable config.json still has a journal to index
    }
    this.db
      .prepare('INSERT OR REPLACE INTO runs (id, name, config_file, task, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, name, configFile ?? null, task ?? null, Number.isFinite(created) ? created : null);
  }

  /** From the last session's run-finished; without one, running while the folder's writer lives. */
  private runStatus(row: Row): RunStatus {
    const finished = row['finished_status'] as RunStatus | null;
    if (finished) return finished;
    return runFolderWriter(path.join(this.runsDir, String(row['id']))) !== undefined ? 'running' : 'interrupted';
  }

  private toRun(row: Row): StoredRun {
    const bestTrial = num(row['best_trial']);
    let best: StoredRun['best'];
    if (bestTrial !== undefined) {
      const t = this.db.prepare('SELECT arch FROM trials WHERE run_id = ? AND trial = ?').get(row['id'], bestTrial) as { arch: string | null } | undefined;
      if (t?.arch) best = { trial: bestTrial, value: row['best_value'] as number, arch: JSON.parse(t.arch) as Architecture };
    }
    return {
      id: String(row['id']),
      name: String(row['name']),
      ...(row['config_file'] ? { configFile: String(row['config_file']) } : {}),
      ...(row['space'] ? { space: String(row['space']) } : {}),
      ...(row['searcher'] ? { searcher: String(row['searcher']) } : {}),
      ...(row['estimator'] ? { estimator: String(row['estimator']) } : {}),
      ...(row['task'] ? { task: String(row['task']) } : {}),
      ...(num(row['seed']) !== undefined ? { seed: num(row['seed']) } : {}),
      ...(row['objective'] ? { objective: String(row['objective']) } : {}),
      multi: row['multi'] === 1,
      ...(row['budget'] ? { budget: JSON.parse(String(row['budget'])) as StoredRun['budget'] } : {}),
      status: this.runStatus(row),
      ...(row['reason'] ? { reason: String(row['reason']) } : {}),
      ...(num(row['created_at']) !== undefined ? { createdAt: num(row['created_at']) } : {}),
      ...(num(row['updated_at']) !== undefined ? { updatedAt: num(row['updated_at']) } : {}),
      ...(num(row['finished_at']) !== undefined ? { finishedAt: num(row['finished_at']) } : {}),
      evaluations: Number(row['evaluations']),
      trials: Number(row['trials']),
      failures: Number(row['failures']),
      ...(best ? { best } : {}),
      ...(num(row['elapsed_ms']) !== undefined ? { elapsedMs: num(row['elapsed_ms']) } : {}),
      sessions: Number(row['sessions']),
      lastSeq: Number(row['last_seq']),
    };
  }

  /** Runs, newest first. */
  listRuns(filter: RunFilter = {}): StoredRun[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.name) {
      where.push(`(instr(id, ?) > 0 OR instr(name, ?) > 0)`);
      args.push(filter.name, filter.name);
    }
    for (const key of ['space', 'searcher', 'estimator'] as const) {
      if (filter[key]) {
        where.push(`${key} = ?`);
        args.push(filter[key]);
      }
    }
    const rows = this.db
      .prepare(`SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`)
      .all(...args) as Row[];
    let runs = rows.map((r) => this.toRun(r));
    if (filter.status) runs = runs.filter((r) => r.status === filter.status);
    return filter.limit !== undefined ? runs.slice(0, filter.limit) : runs;
  }

  /** One run, or an error naming the closest ids. */
  run(id: string): StoredRun {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw this.unknownRun(id);
    return this.toRun(row);
  }

  /** Whether the store knows a run. */
  has(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  private unknownRun(id: string): NasxError {
    const ids = (this.db.prepare('SELECT id FROM runs ORDER BY created_at DESC').all() as { id: string }[]).map((r) => r.id);
    const near = ids.filter((x) => x.includes(id) || id.includes(x)).slice(0, 3);
    return new NasxError('usage', `no run "${id}" in ${this.runsDir}`, {
      pkg: STORE_PACKAGE,
      fix: near.length
        ? `did you mean ${near.join(' or ')}?`
        : ids.length
          ? `nasx runs lists the ${ids.length} run(s) there, e.g. ${ids.slice(0, 3).join(', ')}`
          : 'the folder holds no runs yet; point --runs-dir at the folder your runs are in',
    });
  }

  /** A run's trials (default: in trial order). */
  trials(id: string, q: TrialQuery = {}): StoredTrial[] {
    if (!this.has(id)) throw this.unknownRun(id);
    const where = ['run_id = ?'];
    const args: unknown[] = [id];
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.arch) {
      where.push('instr(arch_key, ?) > 0');
      args.push(q.arch);
    }
    if (q.afterSeq !== undefined) {
      where.push('seq > ?');
      args.push(q.afterSeq);
    }
    const column = q.sort === 'value' ? 'value' : q.sort === 'seconds' ? 'seconds' : 'trial';
    const order = q.order === 'desc' ? 'DESC' : 'ASC';
    const nulls = column === 'trial' ? '' : `${column} IS NULL, `;
    const rows = this.db
      .prepare(`SELECT * FROM trials WHERE ${where.join(' AND ')} ORDER BY ${nulls}${column} ${order}, trial ASC LIMIT ? OFFSET ?`)
      .all(...args, q.limit ?? -1, q.offset ?? 0) as Row[];
    return rows.map((r) => ({
      trial: Number(r['trial']),
      status: r['status'] as StoredTrial['status'],
      ...(r['arch'] ? { arch: JSON.parse(String(r['arch'])) as Architecture } : {}),
      ...(r['objective'] !== null ? { objective: parseNumbers(String(r['objective'])) as ObjectiveValue } : {}),
      ...(num(r['value']) !== undefined ? { value: num(r['value']) } : {}),
      ...(r['metrics'] ? { metrics: parseNumbers(String(r['metrics'])) as StoredTrial['metrics'] } : {}),
      cached: r['cached'] === 1,
      ...(num(r['seconds']) !== undefined ? { seconds: num(r['seconds']) } : {}),
      ...(num(r['evaluations']) !== undefined ? { evaluations: num(r['evaluations']) } : {}),
      time: Number(r['time']),
      seq: Number(r['seq']),
      ...(r['error'] ? { error: String(r['error']) } : {}),
    }));
  }

  /** The best-so-far curve (single-objective runs): every evaluated trial in the order it was told. */
  trajectory(id: string, opts: { afterSeq?: number } = {}): TrajectoryPoint[] {
    const run = this.run(id);
    const start = (this.db.prepare(`SELECT MIN(time) AS t FROM events WHERE run_id = ?`).get(id) as { t: number | null }).t ?? run.createdAt ?? 0;
    const rows = this.db
      .prepare(
        `SELECT evaluations, trial, value, seq, time, MAX(value) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS best
         FROM trials WHERE run_id = ? AND status = 'evaluated' AND value IS NOT NULL ORDER BY seq`,
      )
      .all(id) as Row[];
    const points = rows.map((r) => ({
      evaluations: Number(r['evaluations']),
      trial: Number(r['trial']),
      value: Number(r['value']),
      best: Number(r['best']),
      elapsedMs: Number(r['time']) - start,
      seq: Number(r['seq']),
    }));
    return opts.afterSeq !== undefined ? points.filter((p) => p.seq > opts.afterSeq!) : points;
  }

  /** Runs side by side: each run, and the best-so-far of each at common evaluation counts. */
  compare(ids: readonly string[]): { runs: StoredRun[]; at: number[]; best: (number | undefined)[][] } {
    const runs = ids.map((id) => this.run(id));
    const curves = ids.map((id) => this.trajectory(id));
    const most = Math.max(0, ...curves.map((c) => (c.length ? c[c.length - 1]!.evaluations : 0)));
    // 1, 2, 5, 10, 20, 50, … below the longest run, and where each run ends.
    const marks = new Set<number>();
    for (let decade = 1; decade < most; decade *= 10) for (const m of [1, 2, 5]) if (m * decade < most) marks.add(m * decade);
    for (const c of curves) if (c.length) marks.add(c[c.length - 1]!.evaluations);
    const at = [...marks].sort((a, b) => a - b);
    const best = curves.map((c) =>
      at.map((n) => {
        // Nothing past a run's last evaluation.
        if (!c.length || n > c[c.length - 1]!.evaluations) return undefined;
        let v: number | undefined;
        for (const p of c) {
          if (p.evaluations > n) break;
          v = p.best;
        }
        return v;
      }),
    );
    return { runs, at, best };
  }

  /** Events of a run other than trials (run-started, new-best, metric, log, failed, run-finished). */
  events(id: string, opts: { types?: readonly string[]; afterSeq?: number } = {}): { seq: number; type: string; time: number; data: Row }[] {
    if (!this.has(id)) throw this.unknownRun(id);
    const rows = this.db.prepare('SELECT seq, type, time, data FROM events WHERE run_id = ? AND seq > ? ORDER BY seq').all(id, opts.afterSeq ?? -1) as Row[];
    return rows
      .filter((r) => !opts.types || opts.types.includes(String(r['type'])))
      .map((r) => ({ seq: Number(r['seq']), type: String(r['type']), time: Number(r['time']), data: parseNumbers(String(r['data'])) as Row }));
  }
}

/** JSON with the journal's encoding of non-finite numbers. */
function parseNumbers(text: string): unknown {
  return parseJournalLine(text);
}

/** Feeds journal lines of one run into the tables (inside the caller's transaction). */
class Ingest {
  private readonly insertTrial: Database.Statement;
  private readonly insertProposal: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly archOfProposal: Database.Statement;
  private readonly lastEvaluation: Database.Statement;
  private readonly run: Row;
  private readonly archs = new Map<string, string>();

  constructor(
    private readonly db: Database.Database,
    private readonly id: string,
  ) {
    this.insertTrial = db.prepare(
      `INSERT OR REPLACE INTO trials (run_id, trial, status, arch_key, arch, objective, value, metrics, cached, seconds, evaluations, time, seq, error)
       VALUES (@run, @trial, @status, @key, @arch, @objective, @value, @metrics, @cached, @seconds, @evaluations, @time, @seq, @error)`,
    );
    this.insertProposal = db.prepare('INSERT OR REPLACE INTO proposals (run_id, trial, arch_key, arch) VALUES (?, ?, ?, ?)');
    this.insertEvent = db.prepare('INSERT OR REPLACE INTO events (run_id, seq, type, time, data) VALUES (?, ?, ?, ?, ?)');
    this.archOfProposal = db.prepare('SELECT arch FROM proposals WHERE run_id = ? AND arch_key = ? LIMIT 1');
    this.lastEvaluation = db.prepare(
      `SELECT arch, objective, metrics, seconds FROM trials WHERE run_id = ? AND arch_key = ? AND cached = 0 AND status = 'evaluated' ORDER BY seq DESC LIMIT 1`,
    );
    this.run = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row;
  }

  private archText(key: string): string | undefined {
    let a = this.archs.get(key);
    if (a === undefined) {
      a = (this.archOfProposal.get(this.id, key) as { arch: string } | undefined)?.arch;
      if (a !== undefined) this.archs.set(key, a);
    }
    return a;
  }

  line(text: string): void {
    let e: Row;
    try {
      e = parseJournalLine(text) as Row;
    } catch {
      return; // a damaged line: `nasx resume` repairs journals; the store skips what it cannot read
    }
    const seq = Number(e['seq']);
    const time = Number(e['time']);
    const run = this.run;
    run['last_seq'] = Math.max(Number(run['last_seq']), seq);
    if (Number.isFinite(time)) run['updated_at'] = Math.max(Number(run['updated_at'] ?? 0), time);
    switch (e['type']) {
      case 'proposed': {
        const arch = e['arch'] as Architecture | undefined;
        const key = arch ? arch.key : String(e['ref']);
        const text = arch ? JSON.stringify(arch) : this.archText(key);
        if (arch) this.archs.set(key, text!);
        if (text) this.insertProposal.run(this.id, e['trial'], key, text);
        return;
      }
      case 'evaluated': {
        const cached = e['cached'] === true;
        let arch = e['arch'] as Architecture | undefined;
        let objective = e['objective'] as ObjectiveValue | undefined;
        let metrics = (e['estimate'] as { metrics?: Row } | undefined)?.metrics;
        let seconds = num((e['estimate'] as { cost?: Row } | undefined)?.cost?.['seconds']);
        const key = arch ? arch.key : String(e['ref']);
        if (e['ref'] !== undefined && objective === undefined) {
          const prev = this.lastEvaluation.get(this.id, key) as Row | undefined;
          if (prev) {
            arch ??= JSON.parse(String(prev['arch'])) as Architecture;
            objective = parseNumbers(String(prev['objective'])) as ObjectiveValue;
            metrics = prev['metrics'] ? (parseNumbers(String(prev['metrics'])) as Row) : undefined;
            seconds = num(prev['seconds']);
          }
        }
        const archText = arch ? JSON.stringify(arch) : this.archText(key);
        const value = typeof objective === 'number' && Number.isFinite(objective) ? objective : null;
        this.insertTrial.run({
          run: this.id,
          trial: e['trial'],
          status: 'evaluated',
          key,
          arch: archText ?? null,
          objective: objective === undefined ? null : journalText(objective),
          value,
          metrics: metrics ? journalText(metrics) : null,
          cached: cached ? 1 : 0,
          seconds: seconds ?? null,
          evaluations: num(e['evaluations']) ?? null,
          time,
          seq,
          error: null,
        });
        run['trials'] = Number(run['trials']) + 1;
        run['evaluations'] = Math.max(Number(run['evaluations']), num(e['evaluations']) ?? 0);
        if (Array.isArray(objective)) run['multi'] = 1;
        if (value !== null && (run['best_value'] === null || value > Number(run['best_value']))) {
          run['best_value'] = value;
          run['best_trial'] = e['trial'];
        }
        return;
      }
      case 'failed': {
        const arch = e['arch'] as Architecture | undefined;
        this.insertTrial.run({
          run: this.id,
          trial: e['trial'],
          status: 'failed',
          key: arch?.key ?? null,
          arch: arch ? JSON.stringify(arch) : null,
          objective: null,
          value: null,
          metrics: null,
          cached: 0,
          seconds: null,
          evaluations: null,
          time,
          seq,
          error: String(e['error'] ?? ''),
        });
        run['failures'] = Number(run['failures']) + 1;
        break;
      }
      case 'run-started': {
        const c = (e['contributions'] ?? {}) as Row;
        run['space'] = c['space'] ?? run['space'];
        run['searcher'] = c['searcher'] ?? run['searcher'];
        run['estimator'] = c['estimator'] ?? run['estimator'];
        run['seed'] = e['seed'] ?? run['seed'];
        run['objective'] = e['objective'] ?? run['objective'];
        run['budget'] = e['budget'] ? JSON.stringify(e['budget']) : run['budget'];
        run['sessions'] = Number(run['sessions']) + 1;
        run['created_at'] ??= time;
        // A new session: the run is not finished any more.
        run['finished_status'] = null;
        run['finished_at'] = null;
        run['reason'] = null;
        break;
      }
      case 'run-finished': {
        run['finished_status'] = e['status'];
        run['reason'] = e['reason'] ?? null;
        run['finished_at'] = time;
        run['elapsed_ms'] = num(e['elapsedMs']) ?? run['elapsed_ms'];
        run['evaluations'] = num(e['evaluations']) ?? run['evaluations'];
        break;
      }
      default:
        break;
    }
    this.insertEvent.run(this.id, seq, String(e['type']), Number.isFinite(time) ? time : null, text);
  }

  finish(): void {
    const r = this.run;
    this.db
      .prepare(
        `UPDATE runs SET space = ?, searcher = ?, estimator = ?, seed = ?, objective = ?, multi = ?, budget = ?, finished_status = ?, reason = ?,
         created_at = ?, updated_at = ?, finished_at = ?, evaluations = ?, trials = ?, failures = ?, best_trial = ?, best_value = ?, elapsed_ms = ?, sessions = ?, last_seq = ?
         WHERE id = ?`,
      )
      .run(
        r['space'] ?? null,
        r['searcher'] ?? null,
        r['estimator'] ?? null,
        r['seed'] ?? null,
        r['objective'] ?? null,
        r['multi'] ?? 0,
        r['budget'] ?? null,
        r['finished_status'] ?? null,
        r['reason'] ?? null,
        r['created_at'] ?? null,
        r['updated_at'] ?? null,
        r['finished_at'] ?? null,
        r['evaluations'],
        r['trials'],
        r['failures'],
        r['best_trial'] ?? null,
        r['best_value'] ?? null,
        r['elapsed_ms'] ?? null,
        r['sessions'],
        r['last_seq'],
        this.id,
      );
  }
}

/** JSON with non-finite numbers as the journal writes them. */
function journalText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? { $num: String(x) } : x));
}
