import { NasxError, type ObjectiveInfo, type ObjectiveValue } from '@nasx/contracts';

/** Throws a config error unless the run's objective is a scalar (this searcher ranks by one number). */
export function requireSingleObjective(objective: ObjectiveInfo, where: { pkg: string; contribution: string }): void {
  if (objective.dimensions !== 1) {
    throw new NasxError('config', `searcher "${where.contribution}" optimises one objective, but the objective "${objective.label}" has ${objective.dimensions} dimensions`, {
      ...where,
      pointer: '/objective',
      fix: 'use a single-metric, "weighted" or "mnas" objective, or pick a multi-objective searcher for "type: multi"',
    });
  }
}

/**
 * The told objective as one number, or `undefined` for a failed trial. `NaN` counts as failed: it
 * would make every comparison false and silently freeze a ranking.
 */
export function scalarObjective(value: ObjectiveValue | null, contribution: string): number | undefined {
  if (value === null) return undefined;
  let x: number | undefined;
  if (typeof value === 'number') x = value;
  else if (value.length === 1) x = value[0];
  else throw new NasxError('run', `searcher "${contribution}" was told a ${value.length}-dimensional objective but optimises one`, { contribution });
  return x === undefined || Number.isNaN(x) ? undefined : x;
}
