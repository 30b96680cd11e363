import type { RunFinishedEvent } from '@nasx/contracts';
import type { RunState } from './run-state';

/** Why a loop driver ended; `undefined` when the run was stopped or unsubscribed. */
export type LoopEnd = { readonly status: RunFinishedEvent['status']; readonly reason: string } | undefined;

/** The end of a run stopped at the failure limit. */
export function failureLimitEnd(state: RunState, lastError: string): LoopEnd {
  return { status: 'failed', reason: `${state.failures} trials failed (limit ${state.limits.failures}); last error: ${lastError}` };
}

/** The end of a run whose evaluation budget is spent. */
export function budgetEnd(state: RunState): LoopEnd {
  return { status: 'budget-exhausted', reason: `evaluation budget of ${state.limits.evaluations} reached` };
}
