import { isNasxError, type SearchEvent } from '@nasx/contracts';
import { Observable, type MonoTypeOperatorFunction } from '../rx';
import type { RunState } from '../run/run-state';

/**
 * Guarantees a run ends with exactly one `run-finished`: appends one when the stream completes
 * without it, and records errors as a failed run before rethrowing (input mistakes are not runs:
 * they are reported as errors only).
 */
export function ensureFinished(state: RunState): MonoTypeOperatorFunction<SearchEvent> {
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
            sub.next(
              state.budgetSpent()
                ? state.finish('budget-exhausted', `evaluation budget of ${state.limits.evaluations} reached`)
                : state.finish('completed', 'the searcher finished'),
            );
          }
          sub.complete();
        },
      }),
    );
}
