import {
  MNAS_CONSTRAINTS,
  NasxError,
  metricDirection,
  rankValue,
  type Direction,
  type Estimate,
  type MetricDeclaration,
  type MnasObjective,
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

/** Where an objective came from, for error messages: the config file and the line of a JSON pointer in it. */
export interface ObjectiveSource {
  readonly file?: string;
  readonly lineOf?: (pointer: string) => number | undefined;
}

/**
 * The exponents α, β of MnasNet's reward ACC·(LAT/T)^w (Tan et al. 2019, eq. 2) for an `mnas`
 * objective: the `constraint` preset (soft α = β = −0.07, the default; hard α = 0, β = −1), or
 * explicit `alpha`/`beta`. Refuses, as config errors: a target that is not a positive number, an
 * exponent above 0 (it would reward being slower), and an explicit exponent that contradicts the
 * preset given with it.
 */
export function mnasExponents(s: MnasObjective, source: ObjectiveSource = {}): { alpha: number; beta: number } {
  const fail = (key: string, message: string, fix: string): NasxError =>
    new NasxError('config', `objective (type mnas): ${message}`, {
      file: source.file,
      line: source.lineOf?.(`/objective/${key}`),
      pointer: `/objective/${key}`,
      fix,
    });
  if (typeof s.target !== 'number' || !Number.isFinite(s.target) || s.target <= 0) {
    throw fail(
      'target',
      `the target latency T must be a positive number, got ${JSON.stringify(s.target)}`,
      "set target to the latency budget in the latency metric's unit, e.g. target: 10 (ms)",
    );
  }
  const preset = s.constraint === undefined ? undefined : MNAS_CONSTRAINTS[s.constraint];
  if (s.constraint !== undefined && !preset) {
    throw fail('constraint', `unknown constraint ${JSON.stringify(s.constraint)}`, 'use "soft" (α = β = -0.07) or "hard" (α = 0, β = -1)');
  }
  const out = { alpha: s.alpha ?? preset?.alpha ?? MNAS_CONSTRAINTS.soft.alpha, beta: s.beta ?? preset?.beta ?? MNAS_CONSTRAINTS.soft.beta };
  for (const key of ['alpha', 'beta'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(key, `${key} must be a number, got ${JSON.stringify(v)}`, `set ${key} to a number ≤ 0`);
    if (preset && v !== preset[key]) {
      throw fail(
        key,
        `constraint "${s.constraint}" sets ${key} = ${preset[key]}, but ${key} is also given as ${v}`,
        `give either the preset (constraint: ${s.constraint}, i.e. alpha ${preset.alpha}, beta ${preset.beta}) or explicit alpha and beta, not both`,
      );
    }
    if (v > 0) {
      const side = key === 'alpha' ? 'under' : 'over';
      throw fail(
        key,
        `${key} = ${v} is above 0, so the reward would grow with latency ${side} the target (a slower architecture would score higher)`,
        `use ${key} ≤ 0, e.g. constraint: soft (α = β = -0.07) or constraint: hard (α = 0, β = -1)`,
      );
    }
  }
  return out;
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
    const { alpha, beta } = mnasExponents(s, { file: where.file, lineOf: () => where.line });
    check(s.accuracy);
    check(s.latency);
    const preset = s.constraint ? `${s.constraint}, ` : '';
    // MnasNet, Tan et al. 2019, eq. 2: ACC(m) × [LAT(m)/T]^w, w = α if LAT ≤ T else β.
    return {
      info: {
        label: `maximize ${s.accuracy}·(${s.latency}/${s.target})^w (MnasNet, ${preset}α=${alpha}, β=${beta})`,
        dimensions: 1,
        metrics: [s.accuracy, s.latency],
      },
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
