import type { Architecture } from '@nasx/contracts';
import type { EvaluateFn, EvaluateMiddleware, TrialOutcome } from '../run/trial';

/**
 * Dedup: a proposal of an architecture that was already evaluated (or is being evaluated) is
 * answered from that evaluation, marked `cached`, and does not count against the budget. "The
 * same" is `keyOf` (the canonical key, or the exact genotype when a run's metrics differ within an
 * equivalence class). It sits on the evaluation path (between ask and estimate), not on the event
 * stream, because it changes what gets evaluated.
 */
export function dedup(cache: Map<string, Promise<TrialOutcome>>, keyOf: (arch: Architecture) => string = (a) => a.key): EvaluateMiddleware {
  return (next: EvaluateFn): EvaluateFn =>
    (trial) => {
      const key = keyOf(trial.arch);
      const hit = cache.get(key);
      if (hit) return { outcome: hit, cached: true };
      const run = next(trial);
      // Failures are not cached: a retry of the same architecture may succeed.
      cache.set(key, run.outcome);
      run.outcome.then(
        (o) => {
          if (!o.ok) cache.delete(key);
        },
        () => cache.delete(key),
      );
      return run;
    };
}
