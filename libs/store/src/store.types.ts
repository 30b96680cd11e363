import type { Architecture, ObjectiveValue } from '@nasx/contracts';

/**
 * Where a run stands, from its journal and its folder's lock:
 * - `running`: no `run-finished` after its last `run-started`, and a live process holds its lock;
 * - `finished`: its last session ended `completed` or `budget-exhausted`;
 * - `failed`: its last session ended `failed` (the failure limit, an error);
 * - `interrupted`: no `run-finished` and no live writer (killed, crashed), or stopped by the user
 *   (`cancelled`); `nasx resume` continues it.
 */
export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** Every {@link RunStatus}, in the order the CLI lists them. */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'interrupted'];

/** The status a `run-finished` event gave (the last session's), when the run has one. */
export type RunOutcome = 'completed' | 'budget-exhausted' | 'failed' | 'cancelled';

/** One run as the store indexes it. */
export interface StoredRun {
  /** The run folder's name under the runs directory. */
  readonly id: string;
  /** The config's `name` (the id without its date and random suffix when the config is unreadable). */
  readonly name: string;
  /** The config file the run was started from. */
  readonly configFile?: string;
  readonly space?: string;
  readonly searcher?: string;
  readonly estimator?: string;
  readonly task?: string;
  readonly seed?: number;
  /** The objective's label: `maximize val_acc@12`, `minimize latency_ms`, `pareto(…)`. */
  readonly objective?: string;
  /**
   * The objective is one metric to minimise: objective values are that metric negated (searchers
   * maximise), so `-value` is the metric.
   */
  readonly minimize: boolean;
  /** The objective has several values (a Pareto run): no single best or trajectory. */
  readonly multi: boolean;
  readonly budget?: { readonly evaluations?: number; readonly seconds?: number };
  readonly status: RunStatus;
  /** The last `run-finished` status and reason, when the run has one. */
  readonly outcome?: RunOutcome;
  readonly reason?: string;
  /** ms since the epoch: the run folder's creation, the last event, the last `run-finished`. */
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly finishedAt?: number;
  /** Evaluations counted against the budget (answers from the cache count nothing). */
  readonly evaluations: number;
  /** Trials answered from the cache (duplicates of an earlier architecture). */
  readonly cached: number;
  /** Evaluated trials, answers from the cache included (`evaluations + cached`). */
  readonly trials: number;
  readonly failures: number;
  /**
   * The best evaluated trial (single-objective runs): the first to reach the largest objective.
   * `value` is the objective (larger is better; see {@link StoredRun.minimize}).
   */
  readonly best?: { readonly trial: number; readonly value: number; readonly key: string; readonly arch: Architecture };
  /** Search time of all sessions, ms (the time between sessions not counted). */
  readonly elapsedMs: number;
  /** Sessions: 1, plus one per `nasx resume`. */
  readonly sessions: number;
  /** The last journal sequence number ingested: a live view asks for what came after it. */
  readonly lastSeq: number;
}

/** One told trial: an `evaluated` or a `failed` journal line. */
export interface StoredTrial {
  readonly trial: number;
  readonly status: 'evaluated' | 'failed';
  readonly key?: string;
  readonly arch?: Architecture;
  readonly objective?: ObjectiveValue;
  /** The objective when it is one number (larger is better). */
  readonly value?: number;
  readonly metrics?: { readonly [name: string]: number };
  /** Answered from the cache (an earlier evaluation of the same architecture key). */
  readonly cached: boolean;
  /** What the estimate cost, seconds (its own measure of wall time). */
  readonly seconds?: number;
  /** Evaluations counted when it was told. */
  readonly evaluations?: number;
  /** Search time since the run began (all sessions) when it was told, ms. */
  readonly elapsedMs: number;
  /** ms since the epoch. */
  readonly time: number;
  /** Its journal sequence number (unique in the run; trial numbers of failed asks may repeat). */
  readonly seq: number;
  /** Failed trials: where (`ask`, `estimate`, `tell`) and why. */
  readonly stage?: string;
  readonly error?: string;
}

/** A point of a run's best-so-far curve: one per counted evaluation, in the order they were told. */
export interface TrajectoryPoint {
  readonly evaluations: number;
  readonly trial: number;
  /** This evaluation's objective (larger is better). */
  readonly value: number;
  /** The largest objective so far, this evaluation included. */
  readonly best: number;
  /** Search time since the run began (all sessions), ms. */
  readonly elapsedMs: number;
  readonly seq: number;
}

/** Which runs {@link ExperimentStore.listRuns} returns; every field narrows. */
export interface RunFilter {
  /** Part of the run id or of the config's name. */
  readonly name?: string;
  readonly space?: string;
  readonly searcher?: string;
  readonly estimator?: string;
  readonly status?: RunStatus;
  /** At most this many (newest first). */
  readonly limit?: number;
}

/** Which trials {@link ExperimentStore.trials} returns, and in which order. */
export interface TrialQuery {
  /**
   * Default `seq` (the order they were told). `value`: ties in the order they were told when
   * descending (the first to reach a value first), reversed when ascending; trials without a value
   * (failed, multi-objective) come last descending, first ascending. `seconds` puts trials without
   * one last.
   */
  readonly sort?: 'seq' | 'trial' | 'value' | 'seconds';
  /** Default `asc`. */
  readonly order?: 'asc' | 'desc';
  readonly status?: 'evaluated' | 'failed';
  /** Only answers from the cache (`true`) or only real evaluations (`false`). */
  readonly cached?: boolean;
  /** Only trials whose architecture key contains this text. */
  readonly arch?: string;
  readonly limit?: number;
  readonly offset?: number;
  /** Only trials told after this journal sequence number (live updates). */
  readonly afterSeq?: number;
}

/** Runs side by side (see {@link ExperimentStore.compare}). */
export interface Comparison {
  readonly runs: readonly StoredRun[];
  /** Evaluation counts: 1, 2, 5, 10, 20, 50, … below the longest run, and where each run ends. */
  readonly at: readonly number[];
  /** `best[k][i]`: run k's best objective after `at[i]` evaluations; null past its last evaluation. */
  readonly best: readonly (readonly (number | null)[])[];
}

/** A journal event the store keeps beside the trials (`run-started`, `new-best`, `failed`, `metric`, `log`, `run-finished`). */
export interface StoredEvent {
  readonly seq: number;
  readonly type: string;
  readonly time: number;
  /** The journal line as parsed (references are not resolved; the run id is not in it). */
  readonly data: { readonly [key: string]: unknown };
}

/** What a live view polls to see what changed: one row per run. */
export interface RunHead {
  readonly id: string;
  readonly status: RunStatus;
  readonly lastSeq: number;
  readonly evaluations: number;
  readonly updatedAt?: number;
}

/** What a {@link syncStore} did. */
export interface SyncReport {
  /** Run folders with a journal. */
  readonly runs: number;
  /** Runs whose row changed (new lines, a new status, new or re-read): what a live view refreshes. */
  readonly changed: readonly string[];
  /** Runs read from the start of their journal: new, or their journal shrank or was rewritten. */
  readonly reingested: readonly string[];
  /** Runs whose folder is gone, removed from the store. */
  readonly removed: readonly string[];
  /** Journal lines and bytes read. */
  readonly lines: number;
  readonly bytes: number;
}
