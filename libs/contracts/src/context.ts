import type { EventDraft } from './events';
import type { Rng } from './rng';

/** Log sink handed to plugins; lines become `log` events of the run. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What every call of the kernel into a plugin during a run receives: cancellation and a way to
 * report. Searchers get it in `ask`/`tell`, so long work there (AREA's initial ranking, an RL
 * controller's update, a predictor fit) stops when the run is stopped.
 */
export interface RunContext {
  readonly runId: string;
  /** Aborted when the run stops (Ctrl-C, a budget, an error) or, for a trial, when it times out. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /**
   * Report events into the run's stream: metrics, logs, and what long work is doing (use
   * `phaseReporter(ctx, 'ranking 50 cells', { total: 50, unit: 'cells' })`, shown on the CLI's
   * progress line).
   */
  emit(event: EventDraft): void;
  /**
   * A directory this contribution may write state to (supernet weights, fitted predictors) so a
   * resumed run does not redo its preparation. Absent for runs without a run folder.
   */
  readonly stateDir?: string;
}

/**
 * What every plugin call that does work receives: cancellation, randomness, a way to report.
 * Emitted drafts are stamped with run id, sequence and time by the kernel.
 */
export interface WorkContext extends RunContext {
  readonly rng: Rng;
}
