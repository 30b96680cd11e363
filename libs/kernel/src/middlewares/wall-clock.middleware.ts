import type { SearchEvent } from '@nasx/contracts';
import { Observable, type MonoTypeOperatorFunction } from '../rx';
import type { RunState } from '../run/run-state';

/**
 * Wall-clock budget: when the search has run `seconds` (summed over resumed sessions) the run
 * finishes (`budget-exhausted`) and in-flight trials are cancelled.
 */
export function wallClockBudget(state: RunState, seconds: number | undefined): MonoTypeOperatorFunction<SearchEvent> {
  if (seconds === undefined) return (source) => source;
  return (source) =>
    new Observable<SearchEvent>((sub) => {
      const remaining = Math.max(0, seconds * 1000 - state.elapsedMs());
      const timer = setTimeout(() => {
        if (!state.finished) sub.next(state.finish('budget-exhausted', `wall-clock budget of ${seconds} s reached`));
        sub.complete();
      }, remaining);
      const inner = source.subscribe({
        next: (e) => sub.next(e),
        error: (err) => sub.error(err),
        complete: () => sub.complete(),
      });
      return () => {
        clearTimeout(timer);
        inner.unsubscribe();
      };
    });
}
