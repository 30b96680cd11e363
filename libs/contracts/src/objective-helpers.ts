import { NasxError } from './errors';
import type { ObjectiveValue } from './events';
import type { ObjectiveInfo } from './objective';

/**
 * Throws a config error unless the run's objective is a scalar: for searchers that rank
 * architectures by one number. Call it in the searcher's `create()`.
 *
 * @example
 * create(options, deps) {
 *   requireScalarObjective(deps.objective, { pkg: '@nasx/searcher-random', contribution: 'random' });
 *   …
 * }
 */
export function requireScalarObjective(objective: ObjectiveInfo, where: { readonly pkg: string; readonly contribution: string }): void {
  if (objective.dimensions !== 1) {
    throw new NasxError(
      'config',
      `searcher "${where.contribution}" optimises one objective, but the objective "${objective.label}" has ${objective.dimensions} dimensions`,
      {
        ...where,
        pointer: '/objective',
        fix: 'use a single-metric, "weighted" or "mnas" objective, or pick a multi-objective searcher for "type: multi"',
      },
    );
  }
}

/**
 * A told objective as one number (a 1-vector is unwrapped), or `undefined` for a failed trial.
 * `NaN` counts as failed: it would make every comparison false and silently freeze a ranking.
 * Throws a `run` error naming `contribution` for a vector of another length.
 *
 * @example
 * for (const r of results) {
 *   const v = scalarObjective(r.objective, 'random');
 *   if (v !== undefined && v > best) best = v;
 * }
 */
export function scalarObjective(value: ObjectiveValue | null, contribution: string): number | undefined {
  if (value === null) return undefined;
  let x: number | undefined;
  if (typeof value === 'number') x = value;
  else if (value.length === 1) x = value[0];
  else throw new NasxError('run', `searcher "${contribution}" was told a ${value.length}-dimensional objective but optimises one`, { contribution });
  return x === undefined || Number.isNaN(x) ? undefined : x;
}

/**
 * The number an objective value is ranked by for "best so far": the value itself, or the first
 * component of a vector (multi-objective runs report a Pareto front elsewhere).
 */
export function rankValue(value: ObjectiveValue): number {
  return typeof value === 'number' ? value : (value[0] as number);
}
