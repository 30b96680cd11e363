import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type ObjectiveValue } from '@nasx/contracts';
import { editDistance, parseJournalLine, suggest } from '@nasx/kernel';
import type Database from 'better-sqlite3';
import { JournalSync } from './journal-sync';
import { STORE_FILE, STORE_PACKAGE, damagedStoreError, isDamagedDatabase, openDatabase, removeDatabase } from './schema';
import type {
  Comparison,
  RunFilter,
  RunHead,
  RunOutcome,
  RunStatus,
  StoredEvent,
  StoredRun,
  StoredTrial,
  SyncReport,
  TrajectoryPoint,
  TrialQuery,
} from './store.types';

type Row = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** JSON text as the store keeps it (the journal's encoding of non-finite numbers) back to a value. */
function decode<T>(text: unknown): T | undefined {
  return typeof text === 'string' ? (parseJournalLine(text) as T) : undefined;
}

/** Fields of a row that are set (SQL NULL is left out, not written as `undefined`). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/**
 * The experiment store of a runs directory: a SQLite index (`<runsDir>/nasx.db`) of its runs, their
 * trials and events, fed from the run journals, which stay the source of truth. {@link sync} reads
 * what each journal gained since the last sync; {@link rebuild} reads them all again. Readers and
 * a writer (other processes too) may use one database at once (WAL mode).
 *
 * @example
 * const store = ExperimentStore.open('runs');
 * try {
 *   store.sync();
 *   for (const r of store.listRuns({ searcher: 'regularized-evolution', limit: 10 })) console.log(r.id, r.best?.value);
 * } finally {
 *   store.close();
 * }
 */
export class ExperimentStore {
  private readonly journals: JournalSync;

  private constructor(
    /** The database file. */
    readonly file: string,
    /** The runs directory it indexes (absolute). */
    readonly runsDir: string,
    private readonly db: Database.Database,
  ) {
    this.journals = new JournalSync(db, runsDir);
  }

  /**
   * Opens the store of a runs directory (`<runsDir>/nasx.db` unless `file` is given), creating it
   * when missing and emptying it when its tables are of another version (the next {@link sync}
   * fills it). Throws a NasxError when the runs directory does not exist, the file is damaged or
   * not a database (fix: `nasx store rebuild`), or SQLite's addon is not built.
   */
  static open(runsDir: string, opts: { readonly file?: string } = {}): ExperimentStore {
    const dir = path.resolve(runsDir);
    let isDir = false;
    try {
      isDir = fs.statSync(dir).isDirectory();
    } catch {
      // missing: said below
    }
    if (!isDir) {
      throw new NasxError('usage', `the runs directory ${dir} ${fs.existsSync(dir) ? 'is not a folder' : 'does not exist'}`, {
        pkg: STORE_PACKAGE,
        file: dir,
        fix: 'point --runs-dir at the folder your runs are written to (nasx run writes them to runs/ in the working directory, or to --runs-dir / runsDir: of the config)',
      });
    }
    const file = path.resolve(opts.file ?? path.join(dir, STORE_FILE));
    return new ExperimentStore(file, dir, openDatabase(file, dir));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /** Runs a query, turning SQLite's "damaged file" errors into the NasxError that says to rebuild. */
  private guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (isDamagedDatabase(e)) throw damagedStoreError(this.file, this.runsDir, e);
      throw e;
    }
  }

  /**
   * Ingests what each run's journal gained since the last sync (per run: the byte offset and a
   * fingerprint of what was read). A journal that shrank or changed is read again from the start; a
   * last line without its newline (a run killed while writing it) waits for the next sync; runs
   * whose folder is gone are removed. Also refreshes the status of unfinished runs (is their writer
   * still alive?). Returns what changed, for live views.
   */
  sync(): SyncReport {
    return this.guard(() => this.journals.sync());
  }

  /** Empties the store and reads every journal from the start; the result equals an incremental {@link sync}'s. */
  rebuild(): SyncReport {
    return this.guard(() => this.journals.rebuild());
  }

  /** Runs, newest first, narrowed by `filter`. */
  listRuns(filter: RunFilter = {}): StoredRun[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.name) {
      where.push('(instr(lower(r.id), lower(?)) > 0 OR instr(lower(r.name), lower(?)) > 0)');
      args.push(filter.name, filter.name);
    }
    for (const key of ['space', 'searcher', 'estimator', 'status'] as const) {
      if (filter[key] !== undefined) {
        where.push(`r.${key} = ?`);
        args.push(filter[key]);
      }
    }
    const sql = `${RUN_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.id DESC LIMIT ?`;
    return this.guard(() => (this.db.prepare(sql).all(...args, filter.limit ?? -1) as Row[]).map(toRun));
  }

  /**
   * The id of a run: an exact id, or a prefix only one run has (as git takes a short hash). A
   * NasxError names the closest ids otherwise.
   */
  resolve(id: string): string {
    return this.guard(() => {
      if (this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id)) return id;
      const ids = this.db.prepare('SELECT id FROM runs ORDER BY created_at DESC, id DESC').pluck().all() as string[];
      const prefixed = id ? ids.filter((x) => x.startsWith(id)) : [];
      if (prefixed.length === 1) return prefixed[0]!;
      if (prefixed.length > 1) {
        throw new NasxError(
          'usage',
          `"${id}" is the start of ${prefixed.length} run ids in ${this.runsDir}: ${prefixed.slice(0, 5).join(', ')}${prefixed.length > 5 ? ', …' : ''}`,
          {
            pkg: STORE_PACKAGE,
            fix: 'give more of the id (nasx runs lists them)',
          },
        );
      }
      // Run ids share their date and name parts: keep only the suggestions about as close as the closest.
      const close = suggest(id, ids).map((x) => ({ x, d: editDistance(id, x) }));
      const near = close.filter((c) => c.d <= close[0]!.d + 2).map((c) => c.x);
      throw new NasxError('usage', `no run "${id}" in ${this.runsDir}`, {
        pkg: STORE_PACKAGE,
        fix: near.length
          ? `did you mean ${near.join(' or ')}? (nasx runs lists the ${ids.length} run(s) there)`
          : ids.length
            ? `nasx runs lists the ${ids.length} run(s) there; the newest: ${ids.slice(0, 3).join(', ')}`
            : 'the folder holds no runs; point --runs-dir at the folder your runs are in',
      });
    });
  }

  /** One run (see {@link resolve} for the ids it takes). */
  run(id: string): StoredRun {
    const exact = this.resolve(id);
    return this.guard(() => toRun(this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(exact) as Row));
  }

  /** The integer key of a run's rows in `trials` and `events`. */
  private key(id: string): number {
    const exact = this.resolve(id);
    return this.guard(() => this.db.prepare('SELECT run FROM runs WHERE id = ?').pluck().get(exact) as number);
  }

  /** A run's told trials (evaluated and failed), in the order they were told unless `q.sort` says otherwise. */
  trials(id: string, q: TrialQuery = {}): StoredTrial[] {
    const where = ['t.run = ?'];
    const args: unknown[] = [this.key(id)];
    if (q.status) {
      where.push('t.status = ?');
      args.push(q.status);
    }
    if (q.cached !== undefined) {
      where.push('t.cached = ?');
      args.push(q.cached ? 1 : 0);
    }
    if (q.arch) {
      where.push('instr(t.arch_key, ?) > 0');
      args.push(q.arch);
    }
    if (q.afterSeq !== undefined) {
      where.push('t.seq > ?');
      args.push(q.afterSeq);
    }
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const order = {
      seq: `t.seq ${dir}`,
      trial: `t.trial ${dir}, t.seq`,
      // The order of the index by value: ties by seq, trials without a value (failed) at the low end.
      value: q.order === 'desc' ? 't.value DESC, t.seq' : 't.value, t.seq DESC',
      seconds: `COALESCE(t.seconds, s.seconds) IS NULL, COALESCE(t.seconds, s.seconds) ${dir}, t.seq`,
    }[q.sort ?? 'seq'];
    const sql = `${TRIAL_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
    return this.guard(() => (this.db.prepare(sql).all(...args, q.limit ?? -1, q.offset ?? 0) as Row[]).map(toTrial));
  }

  /**
   * The best-so-far curve of a single-objective run: one point per counted evaluation (answers
   * from the cache count nothing and cannot improve the best), in the order they were told; empty
   * for a multi-objective run. With `afterSeq`, only the points after it (the best still counts
   * every earlier one).
   */
  trajectory(id: string, opts: { readonly afterSeq?: number } = {}): TrajectoryPoint[] {
    const run = this.key(id);
    const sql = `SELECT * FROM (
        SELECT evaluations, trial, value, seq, elapsed_ms, MAX(value) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) AS best
        FROM trials INDEXED BY trials_counted WHERE run = ? AND status = 'evaluated' AND cached = 0 AND value IS NOT NULL
      ) WHERE seq > ? ORDER BY seq`;
    return this.guard(() =>
      (this.db.prepare(sql).all(run, opts.afterSeq ?? -1) as Row[]).map((r) => ({
        evaluations: Number(r['evaluations']),
        trial: Number(r['trial']),
        value: Number(r['value']),
        best: Number(r['best']),
        elapsedMs: Number(r['elapsed_ms']),
        seq: Number(r['seq']),
      })),
    );
  }

  /**
   * Runs side by side: each run, and the best objective of each after 1, 2, 5, 10, 20, 50, …
   * evaluations (below the longest run) and where each run ends; null past a run's last evaluation.
   */
  compare(ids: readonly string[]): Comparison {
    const runs = ids.map((id) => this.run(id));
    const curves = runs.map((r) => this.trajectory(r.id));
    const ends = curves.map((c) => c.at(-1)?.evaluations ?? 0);
    const most = Math.max(0, ...ends);
    const marks = new Set<number>(ends.filter((n) => n > 0));
    for (let decade = 1; decade < most; decade *= 10) for (const m of [1, 2, 5]) if (m * decade < most) marks.add(m * decade);
    const at = [...marks].sort((a, b) => a - b);
    const best = curves.map((c, k) => {
      let i = 0;
      let b: number | null = null;
      return at.map((n) => {
        if (n > ends[k]!) return null;
        while (i < c.length && c[i]!.evaluations <= n) b = c[i++]!.best;
        return b;
      });
    });
    return { runs, at, best };
  }

  /**
   * The events a run's trials do not hold (`run-started`, `new-best`, `failed`, `metric`, `log`,
   * `run-finished`), in journal order; `proposed` and `evaluated` lines are its trials.
   */
  events(id: string, opts: { readonly types?: readonly string[]; readonly afterSeq?: number; readonly limit?: number } = {}): StoredEvent[] {
    const run = this.key(id);
    const types = opts.types ?? [];
    const sql = `SELECT seq, type, time, data FROM events WHERE run = ? AND seq > ? ${types.length ? `AND type IN (${types.map(() => '?').join(', ')})` : ''} ORDER BY seq LIMIT ?`;
    return this.guard(() =>
      (this.db.prepare(sql).all(run, opts.afterSeq ?? -1, ...types, opts.limit ?? -1) as Row[]).map((r) => ({
        seq: Number(r['seq']),
        type: String(r['type']),
        time: Number(r['time']),
        data: decode<StoredEvent['data']>(r['data']) ?? {},
      })),
    );
  }

  /**
   * Every run's last ingested journal sequence number and status, newest run first: a live view
   * keeps the previous answer and asks {@link trials}, {@link trajectory} and {@link events} with
   * `afterSeq` for the runs whose `lastSeq` moved.
   */
  heads(): RunHead[] {
    return this.guard(() =>
      (this.db.prepare('SELECT id, status, last_seq, evaluations, updated_at FROM runs ORDER BY created_at DESC, id DESC').all() as Row[]).map((r) =>
        defined({
          id: String(r['id']),
          status: r['status'] as RunStatus,
          lastSeq: Number(r['last_seq']),
          evaluations: Number(r['evaluations']),
          updatedAt: num(r['updated_at']),
        }),
      ),
    );
  }
}

/** A run's row with its best trial's architecture. */
const RUN_SELECT = `SELECT r.*, COALESCE(t.arch, s.arch) AS best_arch FROM runs r
  LEFT JOIN trials t ON t.run = r.run AND t.seq = r.best_seq LEFT JOIN trials s ON s.run = t.run AND s.seq = t.source_seq`;

/** Trials, a cached answer's evaluation filled in from the trial it repeats (`source_seq`). */
const TRIAL_SELECT = `SELECT t.seq, t.trial, t.status, t.arch_key, COALESCE(t.arch, s.arch) AS arch, COALESCE(t.objective, s.objective) AS objective,
  t.value, COALESCE(t.metrics, s.metrics) AS metrics, t.cached, COALESCE(t.seconds, s.seconds) AS seconds, t.evaluations, t.elapsed_ms, t.time, t.stage, t.error
  FROM trials t LEFT JOIN trials s ON s.run = t.run AND s.seq = t.source_seq`;

function toRun(r: Row): StoredRun {
  const bestArch = decode<Architecture>(r['best_arch']);
  const budget = defined({ evaluations: num(r['budget_evaluations']), seconds: num(r['budget_seconds']) });
  return defined({
    id: String(r['id']),
    name: String(r['name']),
    configFile: r['config_file'] as string | undefined,
    space: r['space'] as string | undefined,
    searcher: r['searcher'] as string | undefined,
    estimator: r['estimator'] as string | undefined,
    task: r['task'] as string | undefined,
    seed: num(r['seed']),
    objective: r['objective'] as string | undefined,
    minimize: r['minimize'] === 1,
    multi: r['multi'] === 1,
    budget: Object.keys(budget).length ? budget : undefined,
    status: r['status'] as RunStatus,
    outcome: r['outcome'] as RunOutcome | undefined,
    reason: r['reason'] as string | undefined,
    createdAt: num(r['created_at']),
    updatedAt: num(r['updated_at']),
    finishedAt: num(r['finished_at']),
    evaluations: Number(r['evaluations']),
    cached: Number(r['cached']),
    trials: Number(r['evaluations']) + Number(r['cached']),
    failures: Number(r['failures']),
    best:
      bestArch && num(r['best_value']) !== undefined
        ? { trial: Number(r['best_trial']), value: Number(r['best_value']), key: String(r['best_key']), arch: bestArch }
        : undefined,
    elapsedMs: Number(r['elapsed_ms']),
    sessions: Number(r['sessions']),
    lastSeq: Number(r['last_seq']),
  });
}

function toTrial(r: Row): StoredTrial {
  return defined({
    trial: Number(r['trial']),
    status: r['status'] as StoredTrial['status'],
    key: r['arch_key'] as string | undefined,
    arch: decode<Architecture>(r['arch']),
    objective: decode<ObjectiveValue>(r['objective']),
    value: num(r['value']),
    metrics: decode<StoredTrial['metrics']>(r['metrics']),
    cached: r['cached'] === 1,
    seconds: num(r['seconds']),
    evaluations: num(r['evaluations']),
    elapsedMs: Number(r['elapsed_ms']),
    time: Number(r['time']),
    seq: Number(r['seq']),
    stage: r['stage'] as string | undefined,
    error: r['error'] as string | undefined,
  });
}

/** Opens the store of a runs directory: {@link ExperimentStore.open}. */
export function openStore(runsDir: string, opts: { readonly file?: string } = {}): ExperimentStore {
  return ExperimentStore.open(runsDir, opts);
}

/** Brings a store up to date with its runs directory's journals: {@link ExperimentStore.sync}. */
export function syncStore(store: ExperimentStore): SyncReport {
  return store.sync();
}

/**
 * Drops the store of a runs directory and builds it again from the journals, also when its file
 * is damaged or not a database (it is replaced). The runs are not touched.
 */
export function rebuildStore(runsDir: string, opts: { readonly file?: string } = {}): SyncReport & { readonly file: string } {
  let store: ExperimentStore;
  try {
    store = ExperimentStore.open(runsDir, opts);
  } catch (e) {
    if (!(e instanceof NasxError) || !isDamagedDatabase(e.cause)) throw e;
    removeDatabase(path.resolve(opts.file ?? path.join(runsDir, STORE_FILE)));
    store = ExperimentStore.open(runsDir, opts);
  }
  try {
    return { ...store.rebuild(), file: store.file };
  } catch (e) {
    // Damage found only while rebuilding (a corrupt page): start from an empty file.
    if (!(e instanceof NasxError) || !isDamagedDatabase(e.cause)) throw e;
    store.close();
    removeDatabase(store.file);
    store = ExperimentStore.open(runsDir, opts);
    return { ...store.rebuild(), file: store.file };
  } finally {
    store.close();
  }
}
