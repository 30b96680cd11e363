import type { EvaluateFn, EvaluateMiddleware, TrialOutcome } from '../run/trial';

/**
 * Dedup by canonical key: a proposal of an architecture that was already evaluated (or is being
 * evaluated) is answered from that evaluation, marked `cached`, and does not count against the
 * budget. It sits on the evaluation path (between ask and estimate), not on the event stream,
 * because it changes what gets evaluated.
 */
export function dedup(cache: Map<string, Promise<TrialOutcome>>): EvaluateMiddleware {
  return (next: EvaluateFn): EvaluateFn =>
    (trial) => {
      const hit = cache.get(trial.arch.key);
      if (hit) return { outcome: hit, cached: true };
      const run = next(trial);
      // Failures are not cached: a retry of the same architecture may succeed.
      cache.set(trial.arch.key, run.outcome);
      run.outcome.then(
        (o) => {
          if (!o.ok) cache.delete(trial.arch.key);
        },
        () => cache.delete(trial.arch.key),
      );
      return run;
    };
}
