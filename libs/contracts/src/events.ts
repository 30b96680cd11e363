import type { Architecture } from './architecture';
import type { Estimate } from './estimate';
import type { Json } from './json';

/** Fields every search event carries. */
export interface EventBase {
  /** Run id (the folder name under `runs/`). */
  readonly runId: string;
  /** Position in the run's stream, 0-based, gap-free; resumed runs continue the numbering. */
  readonly seq: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** The objective value(s) a searcher is told: larger is better. `null` for failed trials. */
export type ObjectiveValue = number | readonly number[];

/** A run began (or resumed). */
export interface RunStartedEvent extends EventBase {
  readonly type: 'run-started';
  readonly seed: number;
  readonly resumed: boolean;
  /** Ids of the selected contributions, by slot (`space`, `searcher`, `estimator`, …). */
  readonly contributions: { readonly [slot: string]: string };
  readonly objective: string;
  readonly budget: { readonly evaluations?: number; readonly seconds?: number };
  /** Compute backend, once tensor work is involved (e.g. `wasm`). */
  readonly backend?: string;
}

/** A searcher proposed an architecture; `trial` numbers proposals from 0. */
export interface ProposedEvent extends EventBase {
  readonly type: 'proposed';
  readonly trial: number;
  readonly arch: Architecture;
}

/** A trial finished and was told to the searcher. */
export interface EvaluatedEvent extends EventBase {
  readonly type: 'evaluated';
  readonly trial: number;
  readonly arch: Architecture;
  readonly estimate: Estimate;
  readonly objective: ObjectiveValue;
  /** 1-based count of evaluations that count against the budget, including this one. */
  readonly evaluations: number;
  /** The result came from an earlier trial of an equivalent architecture (same key). */
  readonly cached?: boolean;
}

/** A trial failed; the run goes on unless the failure limit is reached. */
export interface FailedEvent extends EventBase {
  readonly type: 'failed';
  readonly trial: number;
  readonly arch?: Architecture;
  readonly stage: 'ask' | 'estimate' | 'tell';
  readonly error: string;
}

/** The best objective so far improved. */
export interface NewBestEvent extends EventBase {
  readonly type: 'new-best';
  readonly trial: number;
  readonly arch: Architecture;
  readonly objective: ObjectiveValue;
  readonly estimate: Estimate;
}

/** Periodic progress: evaluations against budget, elapsed time. */
export interface ProgressEvent extends EventBase {
  readonly type: 'progress';
  readonly evaluations: number;
  readonly budget?: number;
  readonly elapsedMs: number;
  /** Phase label for methods with several (e.g. `prepare`, `search`, `epoch 3/50`). */
  readonly phase?: string;
  /** Fraction done in [0, 1] for phases without evaluations (supernet training, fitting). */
  readonly fraction?: number;
}

/**
 * What a run is busy with right now, for displays: an estimator's preparation, a searcher's long
 * `ask` (AREA ranking its initial cells), a predictor fit, a trial's training steps. Not
 * journaled (like `progress`): it says nothing a resumed run or a report needs. Plugins emit it
 * through {@link reportPhase} / {@link phaseReporter}, which rate-limit it.
 */
export interface PhaseEvent extends EventBase {
  readonly type: 'phase';
  /** What is happening, for people: `ranking cells with NASWOT`, `training trial 3`. */
  readonly label: string;
  /** Units done so far, with {@link total} when known. */
  readonly done?: number;
  readonly total?: number;
  /** What is counted: `cells`, `steps`, `epochs`. */
  readonly unit?: string;
  /** Who reports: `kernel`, or a contribution id. */
  readonly source?: string;
  /** The trial the work belongs to (an estimator's work inside a trial). */
  readonly trial?: number;
  /** The phase is over; a display drops it. */
  readonly ended?: boolean;
}

/** A named scalar over time: training curves of supernets, controllers and predictors. */
export interface MetricEvent extends EventBase {
  readonly type: 'metric';
  readonly name: string;
  readonly value: number;
  readonly step: number;
  readonly source?: string;
}

/** A log line from the kernel or a plugin. */
export interface LogEvent extends EventBase {
  readonly type: 'log';
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly source?: string;
}

/** The run ended. */
export interface RunFinishedEvent extends EventBase {
  readonly type: 'run-finished';
  readonly status: 'completed' | 'budget-exhausted' | 'failed' | 'cancelled';
  readonly reason: string;
  readonly evaluations: number;
  readonly failures: number;
  readonly elapsedMs: number;
  readonly best?: { readonly trial: number; readonly arch: Architecture; readonly objective: ObjectiveValue; readonly estimate: Estimate };
  /**
   * The searcher's own pick (`recommend()`: CTNAS's final baseline, a one-shot method's derived
   * cell), with its measurement when the run evaluated it; absent when the searcher has no
   * `recommend()` or it returned nothing. It can differ from `best`, the best measured trial.
   */
  readonly recommended?: { readonly arch: Architecture; readonly trial?: number; readonly objective?: ObjectiveValue; readonly estimate?: Estimate };
}

/** Everything that happens in a run. */
export type SearchEvent =
  RunStartedEvent | ProposedEvent | EvaluatedEvent | FailedEvent | NewBestEvent | ProgressEvent | PhaseEvent | MetricEvent | LogEvent | RunFinishedEvent;

/** The `type` tag of a search event. */
export type SearchEventType = SearchEvent['type'];

/** An event before the kernel stamps `runId`, `seq` and `time` on it. */
export type EventDraft<E extends SearchEvent = SearchEvent> = E extends SearchEvent ? Omit<E, keyof EventBase> : never;

/** Narrow a search event by its tag. */
export function isEvent<T extends SearchEventType>(event: SearchEvent, type: T): event is Extract<SearchEvent, { type: T }> {
  return event.type === type;
}

/** Where phase events go: any run or work context (an estimate's context adds its trial). */
export interface PhaseTarget {
  emit(event: EventDraft): void;
  readonly trial?: number;
}

/** Options of a phase report. */
export interface PhaseOptions {
  readonly total?: number;
  readonly unit?: string;
  /** Who reports (a contribution id). */
  readonly source?: string;
}

/**
 * Report once what the run is busy with, e.g. `reportPhase(ctx, 'fitting the GCN predictor')`.
 * For counted work use {@link phaseReporter}, which rate-limits the updates.
 */
export function reportPhase(ctx: PhaseTarget, label: string, opts: PhaseOptions & { readonly done?: number; readonly ended?: boolean } = {}): void {
  ctx.emit({
    type: 'phase',
    label,
    ...(opts.done !== undefined ? { done: opts.done } : {}),
    ...(opts.total !== undefined ? { total: opts.total } : {}),
    ...(opts.unit !== undefined ? { unit: opts.unit } : {}),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(ctx.trial !== undefined ? { trial: ctx.trial } : {}),
    ...(opts.ended ? { ended: true } : {}),
  } as EventDraft<PhaseEvent>);
}

/** A counted phase in progress: see {@link phaseReporter}. */
export interface PhaseReporter {
  /** `done` units are finished (sent at most every `minIntervalMs`, and always when `done === total`). */
  update(done: number): void;
  /** The phase is over. */
  end(): void;
}

/**
 * A counted phase: emits the start at once, then `update(done)` at most every `minIntervalMs`
 * (default 250 ms; the last unit always), so a 10,000-step loop costs a few events a second.
 *
 * @example
 * const phase = phaseReporter(ctx, 'ranking cells with NASWOT', { total: 50, unit: 'cells' });
 * for (const [i, cell] of cells.entries()) { await score(cell); phase.update(i + 1); }
 * phase.end();
 */
export function phaseReporter(ctx: PhaseTarget, label: string, opts: PhaseOptions & { readonly minIntervalMs?: number } = {}): PhaseReporter {
  const interval = opts.minIntervalMs ?? 250;
  const { minIntervalMs: _interval, ...shown } = opts;
  let last = Date.now();
  let ended = false;
  reportPhase(ctx, label, { ...shown, ...(opts.total !== undefined ? { done: 0 } : {}) });
  return {
    update(done: number): void {
      if (ended) return;
      const now = Date.now();
      if (now - last < interval && done !== opts.total) return;
      last = now;
      reportPhase(ctx, label, { ...shown, done });
    },
    end(): void {
      if (ended) return;
      ended = true;
      reportPhase(ctx, label, { ...shown, ended: true });
    },
  };
}

/** Payload type helper for plugins that attach JSON info. */
export type EventInfo = { readonly [name: string]: Json };
