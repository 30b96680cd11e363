import { NasxError, type EvaluatedEvent, type EvaluationResult, type LoopSearcher, type Proposal } from '@nasx/contracts';
import { Subscription } from '../rx';
import { budgetEnd, failureLimitEnd, type LoopEnd } from './loop-end';
import type { LoopRuntime } from './run-loop';
import type { Trial } from './trial';
import { untilAborted } from './trial-runner';

/**
 * Drives a searcher that owns its loop (`search(ctx)`): its drafts join the run's stream, and its
 * `ctx.evaluate` calls go through the same trial runner, journal and counters as ask/tell trials.
 * A resumed run answers the journaled evaluations in order without estimating them again.
 *
 * The evaluation budget: `evaluate` returns every result it measured, so the searcher sees the
 * last one; a call after the budget is spent (or the failure limit reached) ends the run and
 * rejects. The searcher may also complete on its own (it knows the budget from its deps).
 */
export function driveLoopSearcher(rt: LoopRuntime, searcher: LoopSearcher): Promise<LoopEnd> {
  const { state } = rt;
  const replayed = (rt.settings.replay ?? []).filter((e): e is EvaluatedEvent => e.type === 'evaluated');
  let replayIndex = 0;

  return new Promise<LoopEnd>((resolve, reject) => {
    let settled = false;
    // Added to once subscribed; unsubscribing first makes the later add unsubscribe at once.
    const inner = new Subscription();
    const end = (e: LoopEnd): void => {
      if (settled) return;
      settled = true;
      inner.unsubscribe();
      resolve(e);
    };
    rt.signal.addEventListener('abort', () => end(undefined), { once: true });

    const evaluate = async (p: Proposal): Promise<EvaluationResult> => {
      const { arch, fidelity, parent } = rt.checkProposal(p);
      const old = replayed[replayIndex];
      if (old && old.arch.key === arch.key) {
        replayIndex++;
        return { trial: old.trial, arch: old.arch, estimate: old.estimate, objective: old.objective };
      }
      if (settled || rt.signal.aborted) throw new NasxError('run', 'the run has ended');
      if (state.budgetSpent()) {
        end(budgetEnd(state));
        throw new NasxError('run', 'the evaluation budget is spent');
      }
      const t: Trial = { trial: state.trials, arch, fidelity, ...(parent ? { parent } : {}) };
      rt.emit({ type: 'proposed', trial: t.trial, arch });
      const run = rt.runner.run(t);
      const outcome = await untilAborted(run.outcome, rt.signal);
      if (outcome === 'aborted') throw new NasxError('run', 'the run has ended');
      rt.record(t, outcome, run.cached === true);
      if (!outcome.ok) {
        if (state.failureLimitReached()) end(failureLimitEnd(state, outcome.error));
        throw new NasxError('run', `trial ${t.trial} failed: ${outcome.error}`);
      }
      return { trial: t.trial, arch, estimate: outcome.estimate, objective: outcome.objective };
    };

    const subscription = searcher
      .search({
        ...rt.searchContext,
        rng: rt.parts.rng,
        space: rt.parts.space,
        estimator: rt.parts.estimator,
        estimators: rt.parts.estimators,
        task: rt.parts.task,
        objective: rt.parts.objective.info,
        evaluate,
      })
      .subscribe({
        next: (d) => {
          if (!settled) rt.emit(d);
        },
        error: (err: unknown) => {
          if (settled) return;
          settled = true;
          reject(err);
        },
        complete: () => end(state.budgetSpent() ? budgetEnd(state) : { status: 'completed', reason: 'the searcher finished' }),
      });
    inner.add(subscription);
  });
}
