import { journalJson, parseJournalLine } from '@nasx/kernel';
import type Database from 'better-sqlite3';

/** A row of the `runs` table, as the ingest updates it line by line. */
export interface RunRow {
  /** The integer key trials and events refer to (null until the row is first written). */
  run: number | null;
  id: string;
  name: string;
  config_file: string | null;
  space: string | null;
  searcher: string | null;
  estimator: string | null;
  task: string | null;
  seed: number | null;
  objective: string | null;
  minimize: number;
  multi: number;
  budget_evaluations: number | null;
  budget_seconds: number | null;
  status: string;
  outcome: string | null;
  reason: string | null;
  created_at: number | null;
  updated_at: number | null;
  finished_at: number | null;
  evaluations: number;
  cached: number;
  failures: number;
  best_seq: number | null;
  best_trial: number | null;
  best_value: number | null;
  best_key: string | null;
  elapsed_ms: number;
  finished_elapsed_ms: number | null;
  sessions: number;
  session_start: number | null;
  prior_ms: number;
  last_seq: number;
  journal_offset: number;
  journal_head: string | null;
  journal_tail: string | null;
}

/** The columns of {@link RunRow}, in table order. */
export const RUN_COLUMNS: readonly (keyof RunRow)[] = [
  'run',
  'id',
  'name',
  'config_file',
  'space',
  'searcher',
  'estimator',
  'task',
  'seed',
  'objective',
  'minimize',
  'multi',
  'budget_evaluations',
  'budget_seconds',
  'status',
  'outcome',
  'reason',
  'created_at',
  'updated_at',
  'finished_at',
  'evaluations',
  'cached',
  'failures',
  'best_seq',
  'best_trial',
  'best_value',
  'best_key',
  'elapsed_ms',
  'finished_elapsed_ms',
  'sessions',
  'session_start',
  'prior_ms',
  'last_seq',
  'journal_offset',
  'journal_head',
  'journal_tail',
];

/** The statements an ingest uses, prepared once per database. */
export interface IngestStatements {
  readonly insertTrial: Database.Statement;
  readonly insertEvent: Database.Statement;
  readonly lastEvaluation: Database.Statement;
}

export function ingestStatements(db: Database.Database): IngestStatements {
  return {
    insertTrial: db.prepare(
      `INSERT OR REPLACE INTO trials (run, seq, trial, status, arch_key, arch, objective, value, metrics, cached, source_seq, seconds, evaluations, elapsed_ms, time, stage, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertEvent: db.prepare('INSERT OR REPLACE INTO events (run, seq, type, time, data) VALUES (?, ?, ?, ?, ?)'),
    // SQLite would rather walk the whole run backwards by seq than use the index (no statistics).
    lastEvaluation: db.prepare(
      `SELECT seq, value FROM trials INDEXED BY trials_counted_by_key WHERE run = ? AND arch_key = ? AND cached = 0 AND status = 'evaluated' ORDER BY seq DESC LIMIT 1`,
    ),
  };
}

/** What a cached `evaluated` line refers to: the last uncached evaluation of its architecture key. */
interface Evaluation {
  readonly seq: number;
  readonly value: number | null;
}

type Line = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A number SQLite can hold as REAL (NaN cannot: it is stored as NULL). */
function real(v: unknown): number | null {
  return typeof v === 'number' && !Number.isNaN(v) ? v : null;
}

/** Search time of a run at `time`: its earlier sessions plus the current one up to `time`, ms. */
function searchTime(r: RunRow, time: number): number {
  return r.session_start === null ? 0 : r.prior_ms + Math.max(0, time - r.session_start);
}

/**
 * Feeds the journal lines of one run into the tables (inside the caller's transaction), keeping the
 * run's row up to date in memory; the caller writes the row. Lines are decoded as
 * `readJournal` decodes them (non-finite numbers, references to earlier lines: see the format at
 * the top of the kernel's `journal.ts`); `proposed` lines say nothing the trials do not, and are
 * skipped; a line that cannot be read is counted in {@link JournalIngest.damaged} and skipped, as
 * `nasx report` skips it.
 */
export class JournalIngest {
  /** Per architecture key, its last uncached evaluation in this batch. */
  private readonly evaluations = new Map<string, Evaluation>();
  /** Lines that were not events, or referred to nothing. */
  damaged = 0;

  constructor(
    private readonly st: IngestStatements,
    readonly row: RunRow,
  ) {}

  /** One journal line (without its newline). */
  line(text: string): void {
    let e: Line;
    try {
      e = parseJournalLine(text) as Line;
    } catch {
      this.damaged++;
      return;
    }
    const seq = num(e?.['seq']);
    const type = str(e?.['type']);
    if (seq === undefined || type === undefined) {
      this.damaged++;
      return;
    }
    const row = this.row;
    const time = num(e['time']) ?? row.updated_at ?? 0;
    const previous = row.updated_at;
    row.last_seq = Math.max(row.last_seq, seq);
    row.updated_at = Math.max(previous ?? time, time);
    switch (type) {
      case 'proposed':
        return;
      case 'evaluated':
        this.evaluated(e, seq, time);
        return;
      case 'failed':
        this.failed(e, seq, time);
        break;
      case 'run-started':
        this.started(e, time, previous);
        break;
      case 'run-finished':
        row.outcome = str(e['status']) ?? 'failed';
        row.reason = str(e['reason']) ?? null;
        row.finished_at = time;
        row.finished_elapsed_ms = num(e['elapsedMs']) ?? null;
        break;
      default:
        break;
    }
    this.st.insertEvent.run(row.run, seq, type, time, text);
  }

  /** Search time since the run began: earlier sessions plus this one so far. */
  private elapsed(time: number): number {
    return searchTime(this.row, time);
  }

  /** Brings the row's search time up to its last line (call after the last line of a batch). */
  finish(): void {
    const r = this.row;
    r.elapsed_ms = r.outcome !== null && r.finished_elapsed_ms !== null ? Math.max(0, r.finished_elapsed_ms) : searchTime(r, r.updated_at ?? 0);
  }

  private started(e: Line, time: number, previous: number | null): void {
    const r = this.row;
    // The time between a session's last event and the next session's start is not search time.
    if (r.sessions > 0 && r.session_start !== null && previous !== null) r.prior_ms += Math.max(0, previous - r.session_start);
    r.session_start = time;
    r.sessions++;
    r.created_at ??= time;
    const c = (e['contributions'] ?? {}) as Record<string, unknown>;
    r.space = str(c['space']) ?? r.space;
    r.searcher = str(c['searcher']) ?? r.searcher;
    r.estimator = str(c['estimator']) ?? r.estimator;
    r.task = str(c['task']) ?? r.task;
    r.seed = num(e['seed']) ?? r.seed;
    const objective = str(e['objective']);
    if (objective !== undefined) {
      r.objective = objective;
      r.minimize = /^minimize \S+$/.test(objective) ? 1 : 0;
      if (objective.startsWith('pareto(')) r.multi = 1;
    }
    const budget = (e['budget'] ?? {}) as Record<string, unknown>;
    r.budget_evaluations = num(budget['evaluations']) ?? null;
    r.budget_seconds = num(budget['seconds']) ?? null;
    // A new session: the run is not finished any more.
    r.outcome = null;
    r.reason = null;
    r.finished_at = null;
    r.finished_elapsed_ms = null;
  }

  private evaluated(e: Line, seq: number, time: number): void {
    const r = this.row;
    const run = r.run;
    const cached = e['cached'] === true;
    const ref = str(e['ref']);
    const trial = num(e['trial']) ?? -1;
    const counted = num(e['evaluations']) ?? null;
    let key: string;
    let value: number | null;
    if (ref !== undefined && e['objective'] === undefined) {
      // A cached answer written as a reference to the last uncached evaluation of its key: the row
      // keeps the reference (source_seq) and its architecture only when it differs.
      key = ref;
      const source = this.evaluations.get(key) ?? (this.st.lastEvaluation.get(run, key) as Evaluation | undefined);
      if (!source) {
        this.damaged++;
        return;
      }
      value = source.value;
      const arch = e['arch'] === undefined ? null : journalJson(e['arch']);
      this.st.insertTrial.run(run, seq, trial, 'evaluated', key, arch, null, value, null, 1, source.seq, null, counted, this.elapsed(time), time, null, null);
    } else {
      const arch = e['arch'] as { key?: unknown } | undefined;
      key = str(arch?.key) ?? '';
      const objective = e['objective'];
      const estimate = (e['estimate'] ?? {}) as { metrics?: unknown; cost?: { seconds?: unknown } };
      const archText = arch === undefined ? null : journalJson(arch);
      value = real(objective);
      this.st.insertTrial.run(
        run,
        seq,
        trial,
        'evaluated',
        key,
        archText,
        objective === undefined ? null : journalJson(objective),
        value,
        estimate.metrics === undefined ? null : journalJson(estimate.metrics),
        cached ? 1 : 0,
        null,
        real(estimate.cost?.seconds),
        counted,
        this.elapsed(time),
        time,
        null,
        null,
      );
      if (Array.isArray(objective)) r.multi = 1;
      if (!cached) this.evaluations.set(key, { seq, value });
    }
    if (cached) r.cached++;
    if (counted !== null) r.evaluations = Math.max(r.evaluations, counted);
    // The first trial to reach the largest objective, as `nasx report` picks it.
    if (value !== null && (r.best_value === null || value > r.best_value)) {
      r.best_value = value;
      r.best_seq = seq;
      r.best_trial = trial;
      r.best_key = key;
    }
  }

  private failed(e: Line, seq: number, time: number): void {
    const r = this.row;
    const arch = e['arch'] as { key?: unknown } | undefined;
    this.st.insertTrial.run(
      r.run,
      seq,
      num(e['trial']) ?? -1,
      'failed',
      str(arch?.key) ?? null,
      arch === undefined ? null : journalJson(arch),
      null,
      null,
      null,
      0,
      null,
      null,
      null,
      this.elapsed(time),
      time,
      str(e['stage']) ?? null,
      str(e['error']) ?? '',
    );
    r.failures++;
  }
}
