import type { SearchEvent } from '@nasx/contracts';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { RunState } from '../run/run-state';

/** Stops a run (`failed`) once `limit` trials have failed; `0` never stops for failures. */
export function failureLimit(state: RunState, limit: number): MonoTypeOperatorFunction<SearchEvent> {
  if (!limit) return (source) => source;
  return (source) =>
    new Observable<SearchEvent>((sub) =>
      source.subscribe({
        next(e) {
          sub.next(e);
          if (e.type === 'failed' && state.failures >= limit && !state.finished) {
            sub.next(state.finish('failed', `${state.failures} trials failed (limit ${limit}); last error: ${e.error}`));
            sub.complete();
          }
        },
        error: (err) => sub.error(err),
        complete: () => sub.complete(),
      }),
    );
}
