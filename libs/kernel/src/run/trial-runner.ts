import {
  exactArchKey,
  type Architecture,
  type EstimateContext,
  type Estimate,
  type EventDraft,
  type Logger,
  type ObjectiveValue,
  type Rng,
} from '@nasx/contracts';
import { createRng } from '../rng/rng';
import type { DedupMode } from '../config/resolved-config';
import { dedup } from '../middlewares/dedup.middleware';
import type { LoopParts } from './run-loop';
import type { EvaluateFn, Trial, TrialOutcome, TrialRun } from './trial';

/** Text of an unknown thrown value, without a stack. */
/** Label of the run RNG's stream that every trial's stream forks from (the composition root forks it). */
export const TRIALS_STREAM = 'trials';

/** Label of trial `trial`'s stream under {@link TRIALS_STREAM}. */
const trialLabel = (trial: number): string => `trial-${trial}`;

/**
 * The RNG a trial's estimates get as `ctx.rng` in a run of seed `runSeed`, in-process or in a worker.
 * Estimators seed from it, so a tool can redo a trial's randomness (`nasx export --train` retrains
 * a trial's network from the same initial weights and data order).
 */
export function trialRng(runSeed: number, trial: number): Rng {
  return createRng(runSeed).fork(TRIALS_STREAM).fork(trialLabel(trial));
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * The rule for objectives that are not finite numbers. NaN (in any component) says nothing about
 * the architecture: the trial fails, with the metrics in the message. ±Infinity is a value: it
 * ranks first or last (synflow's -Infinity for a cell whose every path is cut is its worst score),
 * and the journal stores it exactly.
 */
export function checkObjective(value: ObjectiveValue, estimate: Estimate): string | undefined {
  const parts = typeof value === 'number' ? [value] : value;
  if (parts.some((v) => Number.isNaN(v))) {
    const metrics = Object.entries(estimate.metrics)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return `the objective is NaN (metrics: ${metrics || 'none'}); a NaN objective fails the trial`;
  }
  return undefined;
}

/**
 * The value of `work`, or `'aborted'` as soon as the signal aborts, whichever comes first; the
 * abort listener is removed when `work` settles (one per trial would otherwise pile up on the run's
 * signal).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | 'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise<T | 'aborted'>((resolve, reject) => {
    const onAbort = (): void => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** What the trial runner needs from the run. */
export interface TrialRunnerSettings {
  readonly runId: string;
  readonly dedup: DedupMode;
  /** Per-trial time limit in seconds (`budget.trialSeconds`). */
  readonly trialSeconds?: number;
  /** The run's cancellation: aborts every trial in flight. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  emit(draft: EventDraft): void;
}

/**
 * Evaluates trials: the primary estimate, then the report estimators' and latency models' metrics,
 * then the objective; with dedup (by canonical key or exact genotype) in front, and a per-trial deadline. A trial never
 * throws: its outcome says ok or why not.
 */
export class TrialRunner {
  private readonly cache = new Map<string, Promise<TrialOutcome>>();
  private readonly evaluateFn: EvaluateFn;

  constructor(
    private readonly parts: LoopParts,
    private readonly settings: TrialRunnerSettings,
  ) {
    const once: EvaluateFn = (t) => ({ outcome: this.estimate(t) });
    this.evaluateFn = settings.dedup === 'off' ? once : dedup(this.cache, this.keyOf)(once);
  }

  /** The identity of an evaluation under the run's dedup mode. */
  readonly keyOf = (arch: Architecture): string => (this.settings.dedup === 'exact' ? exactArchKey(arch) : arch.key);

  /** Start evaluating a trial (or answer it from the cache). */
  run(t: Trial): TrialRun {
    return this.evaluateFn(t);
  }

  /** Seed the cache with a journaled evaluation (resume), so a duplicate is answered as before. */
  remember(arch: Architecture, estimate: Estimate, objective: ObjectiveValue): void {
    this.cache.set(this.keyOf(arch), Promise.resolve({ ok: true, estimate, objective }));
  }

  /** The context of one trial's estimates: its own RNG stream, the run's signal plus its deadline. */
  contextFor(trial: number, signal: AbortSignal): EstimateContext {
    return {
      runId: this.settings.runId,
      trial,
      rng: this.parts.rng.fork(trialLabel(trial)),
      signal,
      logger: this.settings.logger,
      emit: this.settings.emit,
      stateDir: this.parts.stateDir,
    };
  }

  private async estimate(t: Trial): Promise<TrialOutcome> {
    const seconds = this.settings.trialSeconds;
    const deadline = seconds === undefined ? undefined : AbortSignal.timeout(Math.round(seconds * 1000));
    const signal = deadline ? AbortSignal.any([this.settings.signal, deadline]) : this.settings.signal;
    // An estimator that ignores its signal must not hold the run: the trial ends when the signal
    // does, and whatever the estimator returns later is dropped.
    const ended = await untilAborted(this.measure(t, signal), signal);
    if (ended !== 'aborted') return ended;
    if (deadline?.aborted && !this.settings.signal.aborted) {
      return { ok: false, error: `timed out after ${seconds} s (budget.trialSeconds); the trial was cancelled` };
    }
    return { ok: false, error: 'cancelled: the run stopped' };
  }

  private async measure(t: Trial, signal: AbortSignal): Promise<TrialOutcome> {
    const { parts } = this;
    try {
      const ctx = this.contextFor(t.trial, signal);
      const estimate = await parts.estimator.estimate(t.arch, {
        ...ctx,
        ...(t.fidelity ? { fidelity: t.fidelity } : {}),
        ...(t.parent ? { parent: t.parent } : {}),
      });
      let full = estimate;
      if (parts.latencyModels.length || parts.reporters.length) {
        const metrics: Record<string, number> = { ...estimate.metrics };
        for (const r of parts.reporters) {
          for (const [k, v] of Object.entries((await r.estimate(t.arch, this.contextFor(t.trial, signal))).metrics)) if (!(k in metrics)) metrics[k] = v;
        }
        for (const l of parts.latencyModels) {
          metrics[l.metric] = await l.model.predict(t.arch, l.device);
          if (l.energyMetric && l.model.energy) metrics[l.energyMetric] = await l.model.energy(t.arch, l.device);
        }
        full = { ...estimate, metrics };
      }
      const objective = parts.objective.value(full);
      const invalid = checkObjective(objective, full);
      if (invalid) return { ok: false, error: invalid };
      return { ok: true, estimate: full, objective };
    } catch (e) {
      return { ok: false, error: errorText(e) };
    }
  }
}
