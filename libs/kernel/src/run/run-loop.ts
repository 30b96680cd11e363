import {
  NasxError,
  isLoopSearcher,
  proposalParts,
  reportPhase,
  type Architecture,
  type Estimator,
  type EvaluatedEvent,
  type EventDraft,
  type FailedEvent,
  type LatencyModel,
  type Logger,
  type NewBestEvent,
  type ProgressEvent,
  type Proposal,
  type Rng,
  type RunContext,
  type SearchEvent,
  type Searcher,
  type SearchSpace,
  type Task,
  type TrialResult,
} from '@nasx/contracts';
import { Observable } from '../rx';
import type { DedupMode } from '../config/resolved-config';
import type { Objective } from '../objective/objective';
import { driveAskTell } from './ask-tell.driver';
import { driveLoopSearcher } from './loop-searcher.driver';
import type { RunState } from './run-state';
import type { Trial, TrialOutcome } from './trial';
export type { LoopEnd } from './loop-end';
import { TrialRunner } from './trial-runner';

export { errorText } from './trial-runner';

/** A searcher call slower than this is shown as a phase. */
export const SLOW_CALL_MS = 300;

/** Everything the loop drives; built by the composition root. */
export interface LoopParts {
  readonly space: SearchSpace;
  readonly task?: Task;
  readonly estimator: Estimator;
  readonly estimators: { readonly [name: string]: Estimator };
  /** Latency models with the metric each reports (and `energyMetric` when the model knows energy). */
  readonly latencyModels: readonly { readonly model: LatencyModel; readonly device: string; readonly metric: string; readonly energyMetric?: string }[];
  /** Auxiliary estimators whose metrics are added to every estimate (the primary's win on a clash). */
  readonly reporters: readonly Estimator[];
  readonly searcher: Searcher;
  readonly objective: Objective;
  readonly rng: Rng;
  readonly stateDir?: string;
}

/** Loop settings from the config (the evaluation and failure limits live in {@link RunState}). */
export interface LoopSettings {
  readonly concurrency: number;
  readonly dedup: DedupMode;
  /** Per-trial time limit in seconds. */
  readonly trialSeconds?: number;
  /** Journal of an interrupted run to replay into the searcher before continuing. */
  readonly replay?: readonly SearchEvent[];
  /** Set by `stop()`: finish gracefully (status `cancelled`). */
  readonly stopSignal: AbortSignal;
}

/**
 * What both drivers share: the event sink (stamps, counts, emits), the trial runner, the context
 * handed to searchers, and the recording of finished trials. Built once per run by {@link runLoop}.
 */
export interface LoopRuntime {
  readonly parts: LoopParts;
  readonly settings: LoopSettings;
  readonly state: RunState;
  /** Aborted when the run stops (user, budget, unsubscription): every trial and searcher call sees it. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly runner: TrialRunner;
  /** The context of the searcher's `ask`/`tell` calls. */
  readonly searchContext: RunContext;
  emit(draft: EventDraft): void;
  /**
   * Run a searcher call; when it takes longer than {@link SLOW_CALL_MS} and reports no phase of its
   * own, a `phase` event names it (`searcher regularized-evolution: ask`) until it returns. Fast
   * calls (a table-lookup run's thousands of asks) emit nothing.
   */
  phased<T>(label: string, call: () => Promise<T> | T): Promise<T>;
  /** Emit a finished trial's events; returns what the searcher is told. */
  record(t: Trial, outcome: TrialOutcome, cached: boolean): TrialResult;
  /** The proposal's architecture, refused when it belongs to another space. */
  checkProposal(p: Proposal): { arch: Architecture; fidelity?: Trial['fidelity']; parent?: Trial['parent'] };
}

function createRuntime(
  parts: LoopParts,
  settings: LoopSettings,
  state: RunState,
  log: { drain(): EventDraft[]; logger: Logger },
  signal: AbortSignal,
  emitTo: (e: SearchEvent) => void,
): LoopRuntime {
  let phases = 0;
  const emit = (draft: EventDraft): void => {
    // Phases of trials in flight (training steps) say nothing about the searcher's call.
    if (draft.type === 'phase' && draft.trial === undefined) phases++;
    for (const pending of log.drain()) emitTo(state.stamp(pending));
    const e = state.stamp(draft);
    state.observe(e);
    emitTo(e);
  };
  const runner = new TrialRunner(parts, { runId: state.runId, dedup: settings.dedup, trialSeconds: settings.trialSeconds, signal, logger: log.logger, emit });

  const record = (t: Trial, outcome: TrialOutcome, cached: boolean): TrialResult => {
    if (!outcome.ok) {
      emit({ type: 'failed', trial: t.trial, arch: t.arch, stage: 'estimate', error: outcome.error } as EventDraft<FailedEvent>);
      return { trial: t.trial, arch: t.arch, objective: null, error: outcome.error, fidelity: t.fidelity };
    }
    const evaluations = cached ? state.evaluations : state.evaluations + 1;
    const best = state.best;
    emit({
      type: 'evaluated',
      trial: t.trial,
      arch: t.arch,
      estimate: outcome.estimate,
      objective: outcome.objective,
      evaluations,
      ...(cached ? { cached: true } : {}),
    } as EventDraft<EvaluatedEvent>);
    if (state.best !== best && state.best) {
      emit({ type: 'new-best', trial: t.trial, arch: t.arch, objective: outcome.objective, estimate: outcome.estimate } as EventDraft<NewBestEvent>);
    }
    const budget = state.limits.evaluations;
    emit({ type: 'progress', evaluations: state.evaluations, budget, elapsedMs: state.elapsedMs() } as EventDraft<ProgressEvent>);
    return { trial: t.trial, arch: t.arch, objective: outcome.objective, fidelity: t.fidelity };
  };

  const checkProposal = (p: Proposal): { arch: Architecture; fidelity?: Trial['fidelity']; parent?: Trial['parent'] } => {
    const { arch, fidelity, parent } = proposalParts(p);
    if (arch.space !== parts.space.id) {
      throw new NasxError('architecture', `the searcher proposed an architecture of space "${arch.space}" in a run over "${parts.space.id}"`, {
        fix: 'use a searcher and space that match',
      });
    }
    return { arch, fidelity, ...(parent ? { parent } : {}) };
  };

  const phased = async <T>(label: string, call: () => Promise<T> | T): Promise<T> => {
    const before = phases;
    let shown = false;
    const timer = setTimeout(() => {
      if (phases !== before) return;
      shown = true;
      reportPhase({ emit }, label, { source: 'kernel' });
    }, SLOW_CALL_MS);
    try {
      return await call();
    } finally {
      clearTimeout(timer);
      if (shown) reportPhase({ emit }, label, { source: 'kernel', ended: true });
    }
  };

  return {
    parts,
    settings,
    state,
    phased,
    signal,
    logger: log.logger,
    runner,
    searchContext: { runId: state.runId, signal, logger: log.logger, emit, stateDir: parts.stateDir },
    emit,
    record,
    checkProposal,
  };
}

/**
 * The run loop as a cold observable of stamped events, ending with its `run-finished` when it ends
 * for its own reasons (budget, failure limit, searcher done, stopped); the middlewares add the
 * wall-clock budget and the journal.
 *
 * Ask/tell searchers are driven with up to `concurrency` trials in flight, and results are told in
 * proposal order. That makes the sequence of ask/tell calls independent of timing, so a run is
 * reproducible from its seed at any concurrency and a journal can be replayed into a fresh searcher
 * to resume exactly where the run stopped. Every result is told before the run finishes, so the
 * searcher's `recommend()` has seen them all.
 */
export function runLoop(parts: LoopParts, settings: LoopSettings, state: RunState, log: { drain(): EventDraft[]; logger: Logger }): Observable<SearchEvent> {
  return new Observable<SearchEvent>((sub) => {
    const abort = new AbortController();
    const onStop = (): void => abort.abort(new NasxError('run', 'the run was stopped'));
    if (settings.stopSignal.aborted) onStop();
    else settings.stopSignal.addEventListener('abort', onStop, { once: true });

    const rt = createRuntime(parts, settings, state, log, abort.signal, (e) => {
      if (!sub.closed) sub.next(e);
    });
    const drive = isLoopSearcher(parts.searcher) ? driveLoopSearcher(rt, parts.searcher) : driveAskTell(rt, parts.searcher);
    drive.then(
      (end) => {
        if (sub.closed) return;
        for (const pending of log.drain()) sub.next(state.stamp(pending));
        if (!state.finished) {
          if (end) sub.next(state.finish(end.status, end.reason));
          else if (settings.stopSignal.aborted) sub.next(state.finish('cancelled', 'stopped by the user'));
        }
        sub.complete();
      },
      (err: unknown) => sub.error(err),
    );

    return () => {
      settings.stopSignal.removeEventListener('abort', onStop);
      abort.abort(new NasxError('run', 'the run ended'));
    };
  });
}
