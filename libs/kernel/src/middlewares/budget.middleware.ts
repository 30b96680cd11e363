import type { SearchEvent } from '@nasx/contracts';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { RunState } from '../run/run-state';

/**
 * Evaluation budget: after the `limit`-th counted evaluation (at the `progress` event that closes
 * its trial, so the trial's `new-best` still passes) the run finishes
 * (`budget-exhausted`) and the stream completes, which cancels anything still in flight.
 * Cached (deduplicated) answers do not count.
 */
export function evaluationBudget(state: RunState, limit: number | undefined): MonoTypeOperatorFunction<SearchEvent> {
  if (limit === undefined) return (source) => source;
  return (source) =>
    new Observable<SearchEvent>((sub) =>
      source.subscribe({
        next(e) {
          sub.next(e);
          if (e.type === 'progress' && e.evaluations >= limit && !state.finished) {
            sub.next(state.finish('budget-exhausted', `evaluation budget of ${limit} reached`));
            sub.complete();
          }
        },
        error: (err) => sub.error(err),
        complete: () => sub.complete(),
      }),
    );
}
