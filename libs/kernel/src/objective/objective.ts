import {
  NasxError,
  metricDirection,
  rankValue,
  type Direction,
  type Estimate,
  type MetricDeclaration,
  type ObjectiveInfo,
  type ObjectiveSpec,
  type ObjectiveValue,
} from '@nasx/contracts';

/** A compiled objective: what searchers are told, computed from an estimate's metrics. */
export interface Objective {
  readonly info: ObjectiveInfo;
  /** Larger is better; throws when a metric is missing from the estimate. */
  value(estimate: Estimate): ObjectiveValue;
  /** Ranks two values (scalar, or the first component of vectors) — for "best so far". */
  better(a: ObjectiveValue, b: ObjectiveValue): boolean;
}

function directionOf(metric: string, declared: readonly MetricDeclaration[], explicit?: Direction): Direction {
  return explicit ?? declared.find((m) => m.name === metric)?.direction ?? metricDirection(metric) ?? 'maximize';
}

function read(estimate: Estimate, metric: string): number {
  const v = estimate.metrics[metric];
  // A NaN objective fails its trial (see checkObjective in run/trial-runner.ts).
  if (typeof v === 'number' && Number.isNaN(v)) throw new NasxError('run', `the objective metric "${metric}" is NaN; a NaN objective fails the trial`);
  if (typeof v !== 'number')
    throw new NasxError('run', `the estimate has no value for metric "${metric}" (it has ${Object.keys(estimate.metrics).join(', ') || 'none'})`, {
      fix: 'set objective to a metric the estimator reports',
    });
  return v;
}

/**
 * Compile an objective spec against the metrics the run reports. The default objective is the
 * primary (first) metric of the estimator. Unknown metrics fail before the run starts.
 */
export function createObjective(
  spec: ObjectiveSpec | undefined,
  available: readonly MetricDeclaration[],
  where: { file?: string; line?: number } = {},
): Objective {
  const names = available.map((m) => m.name);
  const check = (metric: string): void => {
    if (!names.includes(metric))
      throw new NasxError('config', `objective metric "${metric}" is not reported by this pipeline`, {
        ...where,
        pointer: '/objective',
        fix: `use one of ${names.map((n) => `"${n}"`).join(', ')} (or add an estimator/latency model that reports it)`,
      });
  };
  const sign = (d: Direction): number => (d === 'maximize' ? 1 : -1);
  const s: ObjectiveSpec = spec ?? { metric: available[0]?.name ?? 'score' };
  const better = (a: ObjectiveValue, b: ObjectiveValue): boolean => rankValue(a) > rankValue(b);

  if (s.type === undefined || s.type === 'metric') {
    check(s.metric);
    const d = directionOf(s.metric, available, s.direction);
    return { info: { label: `${d} ${s.metric}`, dimensions: 1, metrics: [s.metric] }, value: (e) => sign(d) * read(e, s.metric), better };
  }
  if (s.type === 'mnas') {
    check(s.accuracy);
    check(s.latency);
    const alpha = s.alpha ?? -0.07;
    const beta = s.beta ?? -0.07;
    // MnasNet, Tan et al. 2019, eq. 2: ACC(m) × [LAT(m)/T]^w, w = α if LAT ≤ T else β.
    return {
      info: { label: `maximize ${s.accuracy}·(${s.latency}/${s.target})^w (MnasNet, α=${alpha}, β=${beta})`, dimensions: 1, metrics: [s.accuracy, s.latency] },
      value: (e) => {
        const acc = read(e, s.accuracy);
        const lat = read(e, s.latency);
        return acc * Math.pow(lat / s.target, lat <= s.target ? alpha : beta);
      },
      better,
    };
  }
  if (s.type === 'weighted') {
    s.terms.forEach((t) => check(t.metric));
    const terms = s.terms.map((t) => ({ ...t, d: directionOf(t.metric, available, t.direction) }));
    return {
      info: {
        label: `maximize ${terms.map((t) => `${t.weight}·${t.d === 'minimize' ? '−' : ''}${t.metric}`).join(' + ')}`,
        dimensions: 1,
        metrics: terms.map((t) => t.metric),
      },
      value: (e) => terms.reduce((acc, t) => acc + t.weight * sign(t.d) * read(e, t.metric), 0),
      better,
    };
  }
  if (s.type !== 'multi')
    throw new NasxError('config', `unknown objective type "${(s as { type: string }).type}"`, {
      ...where,
      pointer: '/objective',
      fix: 'use metric, mnas, weighted or multi',
    });
  s.metrics.forEach((m) => check(m.metric));
  const ms = s.metrics.map((m) => ({ metric: m.metric, d: directionOf(m.metric, available, m.direction) }));
  return {
    info: { label: paretoLabel(ms.map((m) => ({ metric: m.metric, direction: m.d }))), dimensions: ms.length, metrics: ms.map((m) => m.metric) },
    value: (e) => ms.map((m) => sign(m.d) * read(e, m.metric)),
    better,
  };
}

/** One objective of a multi-objective run: the metric and its real direction. */
export interface ParetoObjective {
  readonly metric: string;
  readonly direction: Direction;
}

/** The label of a `multi` objective, as journaled in `run-started`: `pareto(maximize test_acc@200, minimize latency_ms)`. */
export function paretoLabel(objectives: readonly ParetoObjective[]): string {
  return `pareto(${objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')})`;
}

/**
 * The objectives of a `multi` objective's label ({@link paretoLabel}), or `undefined` for any
 * other objective: what a report needs to show a front's values with their real signs, from the
 * journal alone.
 */
export function parseParetoLabel(label: string | undefined): ParetoObjective[] | undefined {
  const m = label === undefined ? null : /^pareto\((.*)\)$/.exec(label);
  if (!m) return undefined;
  const parts = (m[1] as string).split(', ').map((p) => /^(maximize|minimize) (\S+)$/.exec(p));
  if (parts.length < 2 || parts.some((p) => !p)) return undefined;
  return parts.map((p) => ({ metric: (p as RegExpExecArray)[2] as string, direction: (p as RegExpExecArray)[1] as Direction }));
}
