import {
  NasxError,
  isNasxError,
  isLoopSearcher,
  proposalParts,
  type Architecture,
  type AskTellSearcher,
  type EstimateContext,
  type Estimator,
  type EvaluatedEvent,
  type EvaluationResult,
  type EventDraft,
  type FailedEvent,
  type LatencyModel,
  type Logger,
  type NewBestEvent,
  type ProgressEvent,
  type ProposedEvent,
  type Proposal,
  type Rng,
  type SearchEvent,
  type Searcher,
  type SearchSpace,
  type Task,
  type TrialResult,
} from '@nasx/contracts';
import { Observable } from 'rxjs';
import { dedup } from '../middlewares/dedup.middleware';
import type { Objective } from '../objective/objective';
import type { RunState } from './run-state';
import type { EvaluateFn, Trial, TrialOutcome, TrialRun } from './trial';

/** Everything the loop drives; built by the composition root. */
export interface LoopParts {
  readonly space: SearchSpace;
  readonly task?: Task;
  readonly estimator: Estimator;
  readonly estimators: { readonly [name: string]: Estimator };
  readonly latencyModels: readonly { readonly model: LatencyModel; readonly device: string; readonly metric: string }[];
  /** Auxiliary estimators whose metrics are added to every estimate (the primary's win on a clash). */
  readonly reporters: readonly Estimator[];
  readonly searcher: Searcher;
  readonly objective: Objective;
  readonly rng: Rng;
  readonly stateDir?: string;
}

/** Loop settings from the config. */
export interface LoopSettings {
  readonly concurrency: number;
  readonly dedup: boolean;
  readonly budget: { readonly evaluations?: number };
  /** Journal of an interrupted run to replay into the searcher before continuing. */
  readonly replay?: readonly SearchEvent[];
  /** Set by `stop()`: finish gracefully (status `cancelled`). */
  readonly stopSignal: AbortSignal;
}

/** Trials in a row that neither failed nor were answered from the cache before the loop gives up. */
const MAX_TRIALS_WITHOUT_PROGRESS = 10_000;
const MAX_CONSECUTIVE_ASK_FAILURES = 100;

/** Text of an unknown thrown value, without a stack. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * The run loop as a cold observable of stamped events (no `run-finished`: the middlewares add it).
 *
 * Ask/tell searchers are driven with up to `concurrency` trials in flight, and results are told in
 * proposal order. That makes the sequence of ask/tell calls independent of timing, so a run is
 * reproducible from its seed at any concurrency and a journal can be replayed into a fresh searcher
 * to resume exactly where the run stopped.
 */
export function runLoop(parts: LoopParts, settings: LoopSettings, state: RunState, logger: { drain(): EventDraft[]; logger: Logger }): Observable<SearchEvent> {
  return new Observable<SearchEvent>((sub) => {
    const abort = new AbortController();
    const onStop = (): void => abort.abort();
    settings.stopSignal.addEventListener('abort', onStop);

    const emit = (draft: EventDraft): void => {
      if (sub.closed) return;
      for (const pending of logger.drain()) sub.next(state.stamp(pending));
      const e = state.stamp(draft);
      state.observe(e);
      sub.next(e);
    };

    const ctxFor = (trial: number): EstimateContext => ({
      runId: state.runId,
      trial,
      rng: parts.rng.fork(`trial-${trial}`),
      signal: abort.signal,
      logger: logger.logger,
      emit,
      stateDir: parts.stateDir,
    });

    const estimateOnce: EvaluateFn = (t: Trial): TrialRun => ({
      outcome: (async (): Promise<TrialOutcome> => {
        try {
          const estimate = await parts.estimator.estimate(t.arch, t.fidelity ? { ...ctxFor(t.trial), fidelity: t.fidelity } : ctxFor(t.trial));
          let full = estimate;
          if (parts.latencyModels.length || parts.reporters.length) {
            const metrics: Record<string, number> = { ...estimate.metrics };
            for (const r of parts.reporters) for (const [k, v] of Object.entries((await r.estimate(t.arch, ctxFor(t.trial))).metrics)) if (!(k in metrics)) metrics[k] = v;
            for (const l of parts.latencyModels) metrics[l.metric] = await l.model.predict(t.arch, l.device);
            full = { ...estimate, metrics };
          }
          return { ok: true, estimate: full, objective: parts.objective.value(full) };
        } catch (e) {
          return { ok: false, error: errorText(e) };
        }
      })(),
    });
    const cache = new Map<string, Promise<TrialOutcome>>();
    const evaluate: EvaluateFn = settings.dedup ? dedup(cache)(estimateOnce) : estimateOnce;

    /** Emit the events of a finished trial; returns what the searcher is told. */
    const record = (t: Trial, outcome: TrialOutcome, cached: boolean): TrialResult => {
      if (!outcome.ok) {
        emit({ type: 'failed', trial: t.trial, arch: t.arch, stage: 'estimate', error: outcome.error } as EventDraft<FailedEvent>);
        return { trial: t.trial, arch: t.arch, objective: null, error: outcome.error, fidelity: t.fidelity };
      }
      const evaluations = cached ? state.evaluations : state.evaluations + 1;
      const ev = { type: 'evaluated', trial: t.trial, arch: t.arch, estimate: outcome.estimate, objective: outcome.objective, evaluations, ...(cached ? { cached: true } : {}) } as EventDraft<EvaluatedEvent>;
      const before = state.best;
      emit(ev);
      if (state.best !== before && state.best) {
        emit({ type: 'new-best', trial: t.trial, arch: t.arch, objective: outcome.objective, estimate: outcome.estimate } as EventDraft<NewBestEvent>);
      }
      emit({ type: 'progress', evaluations: state.evaluations, budget: settings.budget.evaluations, elapsedMs: state.elapsedMs() } as EventDraft<ProgressEvent>);
      return { trial: t.trial, arch: t.arch, objective: outcome.objective, fidelity: t.fidelity };
    };

    const checkArch = (p: Proposal): { arch: Architecture; fidelity?: Trial['fidelity'] } => {
      const { arch, fidelity } = proposalParts(p);
      if (arch.space !== parts.space.id) {
        throw new NasxError('architecture', `the searcher proposed an architecture of space "${arch.space}" in a run over "${parts.space.id}"`, {
          fix: 'use a searcher and space that match',
        });
      }
      return { arch, fidelity };
    };

    const searcher = parts.searcher;

    const driveAskTell = async (s: AskTellSearcher): Promise<void> => {
      // 1. Replay the journal of an interrupted run: the same ask/tell sequence, no estimates.
      const pending = new Map<number, Trial>();
      const replay = settings.replay ?? [];
      for (const e of replay) {
        if (e.type === 'proposed') {
          const [p] = await s.ask(1);
          if (!p || proposalParts(p).arch.key !== e.arch.key) {
            throw new NasxError('run', `cannot resume: replaying trial ${e.trial}, the searcher proposed ${p ? proposalParts(p).arch.key : 'nothing'} where the journal has ${e.arch.key}`, {
              fix: 'the searcher is not deterministic under replay (same seed + same ask/tell sequence must give the same proposals); start a new run',
            });
          }
          const { arch, fidelity } = proposalParts(p);
          pending.set(e.trial, { trial: e.trial, arch, fidelity });
        } else if (e.type === 'evaluated' || (e.type === 'failed' && e.stage === 'estimate')) {
          const t = pending.get(e.trial);
          if (!t) continue;
          pending.delete(e.trial);
          if (e.type === 'evaluated') {
            cache.set(e.arch.key, Promise.resolve({ ok: true, estimate: e.estimate, objective: e.objective }));
            await s.tell([{ trial: e.trial, arch: t.arch, objective: e.objective, fidelity: t.fidelity }]);
          } else await s.tell([{ trial: e.trial, arch: t.arch, objective: null, error: e.error, fidelity: t.fidelity }]);
        }
      }

      // 2. Trials proposed but not finished when the run stopped are evaluated first, in order.
      const queue: { t: Trial; run: TrialRun }[] = [...pending.values()]
        .sort((a, b) => a.trial - b.trial)
        .map((t) => ({ t, run: evaluate(t) }));
      let counted = queue.filter((q) => !q.run.cached).length;
      let sinceProgress = 0;
      let askFailures = 0;
      let exhausted = false;

      const canAsk = (): boolean =>
        !abort.signal.aborted &&
        !exhausted &&
        !(s.done?.() ?? false) &&
        (settings.budget.evaluations === undefined || state.evaluations + counted < settings.budget.evaluations);

      for (;;) {
        while (queue.length < settings.concurrency && canAsk()) {
          let proposals: Proposal[];
          try {
            proposals = await s.ask(1);
            askFailures = 0;
          } catch (e) {
            if (isNasxError(e) && e.isInputError) throw e;
            emit({ type: 'failed', trial: state.trials, stage: 'ask', error: errorText(e) } as EventDraft<FailedEvent>);
            if (++askFailures >= MAX_CONSECUTIVE_ASK_FAILURES) throw new NasxError('run', `the searcher failed ${askFailures} times in a row: ${errorText(e)}`);
            continue;
          }
          if (proposals.length === 0) {
            if (queue.length === 0) exhausted = true;
            break;
          }
          const { arch, fidelity } = checkArch(proposals[0] as Proposal);
          const t: Trial = { trial: state.trials, arch, fidelity };
          emit({ type: 'proposed', trial: t.trial, arch } as EventDraft<ProposedEvent>);
          const run = evaluate(t);
          if (!run.cached) counted++;
          queue.push({ t, run });
        }
        const head = queue.shift();
        if (!head) break;
        const outcome = await head.run.outcome;
        if (abort.signal.aborted || sub.closed) return;
        if (!head.run.cached) counted--;
        sinceProgress = head.run.cached || !outcome.ok ? sinceProgress + 1 : 0;
        const result = record(head.t, outcome, head.run.cached === true);
        if (sub.closed) return;
        try {
          await s.tell([result]);
        } catch (e) {
          if (isNasxError(e) && e.isInputError) throw e;
          emit({ type: 'failed', trial: head.t.trial, arch: head.t.arch, stage: 'tell', error: errorText(e) } as EventDraft<FailedEvent>);
        }
        if (sinceProgress >= MAX_TRIALS_WITHOUT_PROGRESS) {
          emit({ type: 'log', level: 'warn', message: `${sinceProgress} trials in a row were failures or already evaluated architectures; the searcher is stuck, stopping`, source: 'kernel' });
          exhausted = true;
        }
      }
    };

    const driveLoopSearcher = (): Promise<void> => {
      if (!isLoopSearcher(searcher)) throw new Error('unreachable');
      const replayed = (settings.replay ?? []).filter((e): e is EvaluatedEvent => e.type === 'evaluated');
      let replayIndex = 0;
      return new Promise<void>((resolve, reject) => {
        const inner = searcher
          .search({
            runId: state.runId,
            rng: parts.rng,
            signal: abort.signal,
            logger: logger.logger,
            emit,
            stateDir: parts.stateDir,
            space: parts.space,
            estimator: parts.estimator,
            estimators: parts.estimators,
            task: parts.task,
            objective: parts.objective.info,
            evaluate: async (p: Proposal): Promise<EvaluationResult> => {
              const { arch, fidelity } = checkArch(p);
              const old = replayed[replayIndex];
              if (old && old.arch.key === arch.key) {
                replayIndex++;
                return { trial: old.trial, arch: old.arch, estimate: old.estimate, objective: old.objective };
              }
              if (settings.budget.evaluations !== undefined && state.evaluations >= settings.budget.evaluations) {
                throw new NasxError('run', 'the evaluation budget is spent');
              }
              const t: Trial = { trial: state.trials, arch, fidelity };
              emit({ type: 'proposed', trial: t.trial, arch } as EventDraft<ProposedEvent>);
              const run = evaluate(t);
              const outcome = await run.outcome;
              record(t, outcome, run.cached === true);
              if (!outcome.ok) throw new NasxError('run', `trial ${t.trial} failed: ${outcome.error}`);
              return { trial: t.trial, arch, estimate: outcome.estimate, objective: outcome.objective };
            },
          })
          .subscribe({ next: (d) => emit(d), error: reject, complete: resolve });
        abort.signal.addEventListener('abort', () => {
          inner.unsubscribe();
          resolve();
        });
      });
    };

    (isLoopSearcher(searcher) ? driveLoopSearcher() : driveAskTell(searcher)).then(
      () => {
        for (const pending of logger.drain()) if (!sub.closed) sub.next(state.stamp(pending));
        if (settings.stopSignal.aborted && !state.finished && !sub.closed) sub.next(state.finish('cancelled', 'stopped by the user'));
        sub.complete();
      },
      (err: unknown) => sub.error(err),
    );

    return () => {
      settings.stopSignal.removeEventListener('abort', onStop);
      abort.abort();
    };
  });
}
