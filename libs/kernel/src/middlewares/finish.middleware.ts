import { isNasxError, type SearchEvent } from '@nasx/contracts';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { RunState } from '../run/run-state';

/**
 * Guarantees a run ends with exactly one `run-finished`: appends one when the loop completes
 * without it (searcher done, budget spent), and records errors as a failed run before rethrowing.
 */
export function ensureFinished(state: RunState, budget: { evaluations?: number }): MonoTypeOperatorFunction<SearchEvent> {
  return (source) =>
    new Observable<SearchEvent>((sub) =>
      source.subscribe({
        next: (e) => sub.next(e),
        error(err) {
          if (!state.finished && !(isNasxError(err) && err.isInputError)) sub.next(state.finish('failed', err instanceof Error ? err.message : String(err)));
          sub.error(err);
        },
        complete() {
          if (!state.finished) {
            const spent = budget.evaluations !== undefined && state.evaluations >= budget.evaluations;
            sub.next(
              spent
                ? state.finish('budget-exhausted', `evaluation budget of ${budget.evaluations} reached`)
                : state.finish('completed', 'the searcher finished'),
            );
          }
          sub.complete();
        },
      }),
    );
}
