import {
  NasxError,
  isNasxError,
  proposalParts,
  type AskTellSearcher,
  type EventDraft,
  type FailedEvent,
  type Proposal,
  type TrialResult,
} from '@nasx/contracts';
import { budgetEnd, failureLimitEnd, type LoopEnd } from './loop-end';
import type { LoopRuntime } from './run-loop';
import type { Trial, TrialRun } from './trial';
import { errorText, untilAborted } from './trial-runner';

/** Trials in a row that neither failed nor were answered from the cache before the loop gives up. */
const MAX_TRIALS_WITHOUT_PROGRESS = 10_000;
const MAX_CONSECUTIVE_ASK_FAILURES = 100;

interface InFlight {
  readonly t: Trial;
  readonly run: TrialRun;
}

/**
 * Step 1 of a resumed run: replay the journal into a fresh searcher — the same ask/tell sequence,
 * no estimates — and seed the dedup cache. Returns the trials proposed but not finished.
 */
async function replayJournal(rt: LoopRuntime, s: AskTellSearcher): Promise<Map<number, Trial>> {
  const pending = new Map<number, Trial>();
  for (const e of rt.settings.replay ?? []) {
    rt.signal.throwIfAborted();
    if (e.type === 'proposed') {
      const [p] = await s.ask(1, rt.searchContext);
      if (!p || proposalParts(p).arch.key !== e.arch.key) {
        throw new NasxError(
          'run',
          `cannot resume: replaying trial ${e.trial}, the searcher proposed ${p ? proposalParts(p).arch.key : 'nothing'} where the journal has ${e.arch.key}`,
          {
            fix: 'the searcher is not deterministic under replay (same seed + same ask/tell sequence must give the same proposals); start a new run',
          },
        );
      }
      const { arch, fidelity } = proposalParts(p);
      pending.set(e.trial, { trial: e.trial, arch, fidelity });
    } else if (e.type === 'evaluated' || (e.type === 'failed' && e.stage === 'estimate')) {
      const t = pending.get(e.trial);
      if (!t) continue;
      pending.delete(e.trial);
      if (e.type === 'evaluated') {
        rt.runner.remember(t.arch, e.estimate, e.objective);
        await s.tell([{ trial: e.trial, arch: t.arch, objective: e.objective, fidelity: t.fidelity }], rt.searchContext);
      } else await s.tell([{ trial: e.trial, arch: t.arch, objective: null, error: e.error, fidelity: t.fidelity }], rt.searchContext);
    }
  }
  return pending;
}

/** Ask for one proposal; a failure is a `failed` event (stage `ask`), an input mistake stops the run. */
async function askOne(rt: LoopRuntime, s: AskTellSearcher): Promise<Proposal[] | Error> {
  try {
    return await rt.phased(`searcher ${s.id}: ask`, () => s.ask(1, rt.searchContext));
  } catch (e) {
    if (isNasxError(e) && e.isInputError) throw e;
    if (rt.signal.aborted) return [];
    rt.emit({ type: 'failed', trial: rt.state.trials, stage: 'ask', error: errorText(e) } as EventDraft<FailedEvent>);
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Tell one result; a failure is a `failed` event (stage `tell`), an input mistake stops the run. */
async function tellOne(rt: LoopRuntime, s: AskTellSearcher, t: Trial, result: TrialResult): Promise<string | undefined> {
  try {
    await rt.phased(`searcher ${s.id}: tell trial ${t.trial}`, () => s.tell([result], rt.searchContext));
    return undefined;
  } catch (e) {
    if (isNasxError(e) && e.isInputError) throw e;
    rt.emit({ type: 'failed', trial: t.trial, arch: t.arch, stage: 'tell', error: errorText(e) } as EventDraft<FailedEvent>);
    return errorText(e);
  }
}

/**
 * Drives an ask/tell searcher: replay (resume), then the trials left in flight, then ask while
 * fewer than `concurrency` trials are in flight and the budget admits the ones in flight, and tell
 * each result in proposal order. The loop ends after the last result is told: budget spent, failure
 * limit, the searcher done or out of proposals, or the run stopped.
 */
export async function driveAskTell(rt: LoopRuntime, s: AskTellSearcher): Promise<LoopEnd> {
  const { state } = rt;
  const pending = await replayJournal(rt, s);

  // Trials proposed but not finished when the run stopped are evaluated first, in order.
  const queue: InFlight[] = [...pending.values()].sort((a, b) => a.trial - b.trial).map((t) => ({ t, run: rt.runner.run(t) }));
  /** Trials in flight that will count against the evaluation budget. */
  let counted = queue.filter((q) => !q.run.cached).length;
  let sinceProgress = 0;
  let askFailures = 0;
  let end: LoopEnd;

  const canAsk = (): boolean => !rt.signal.aborted && end === undefined && !(s.done?.() ?? false) && state.evaluationsLeft() > counted;

  for (;;) {
    while (queue.length < rt.settings.concurrency && canAsk()) {
      const asked = await askOne(rt, s);
      if (asked instanceof Error) {
        if (state.failureLimitReached()) end = failureLimitEnd(state, errorText(asked));
        else if (++askFailures >= MAX_CONSECUTIVE_ASK_FAILURES)
          throw new NasxError('run', `the searcher failed ${askFailures} times in a row: ${errorText(asked)}`);
        continue;
      }
      askFailures = 0;
      const [proposal] = asked;
      if (!proposal) {
        if (queue.length === 0) end = { status: 'completed', reason: 'the searcher has nothing more to propose' };
        break;
      }
      const { arch, fidelity, parent } = rt.checkProposal(proposal);
      const t: Trial = { trial: state.trials, arch, fidelity, ...(parent ? { parent } : {}) };
      rt.emit({ type: 'proposed', trial: t.trial, arch });
      const run = rt.runner.run(t);
      if (!run.cached) counted++;
      queue.push({ t, run });
    }
    const head = queue.shift();
    if (!head) break;
    const outcome = await untilAborted(head.run.outcome, rt.signal);
    if (outcome === 'aborted') return undefined;
    if (!head.run.cached) counted--;
    sinceProgress = head.run.cached || !outcome.ok ? sinceProgress + 1 : 0;
    const result = rt.record(head.t, outcome, head.run.cached === true);
    const tellError = await tellOne(rt, s, head.t, result);
    if (end === undefined && state.failureLimitReached()) {
      // Stop at once: trials still in flight are cancelled (the run ends failed).
      return failureLimitEnd(state, tellError ?? (outcome.ok ? 'a tell failed' : outcome.error));
    }
    if (sinceProgress >= MAX_TRIALS_WITHOUT_PROGRESS && end === undefined) {
      rt.emit({
        type: 'log',
        level: 'warn',
        message: `${sinceProgress} trials in a row were failures or already evaluated architectures; the searcher is stuck, stopping`,
        source: 'kernel',
      });
      end = { status: 'completed', reason: `the searcher is stuck: ${sinceProgress} trials in a row were failures or already evaluated architectures` };
    }
  }
  if (rt.signal.aborted) return undefined;
  if (end) return end;
  if (state.budgetSpent()) return budgetEnd(state);
  return { status: 'completed', reason: 'the searcher finished' };
}
