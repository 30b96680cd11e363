import type { Direction, MetricName } from './metrics';

/** Optimise one metric. Direction defaults to the metric's well-known direction. */
export interface SingleMetricObjective {
  readonly type?: 'metric';
  readonly metric: MetricName;
  readonly direction?: Direction;
}

/**
 * MnasNet's latency-aware reward (Tan et al., CVPR 2019, eq. 2):
 * `ACC(m) · (LAT(m) / T)^w` with `w = alpha` when `LAT ≤ T` and `w = beta` otherwise.
 * `constraint: 'soft'` (the default) is `alpha = beta = -0.07`; `constraint: 'hard'` is
 * `alpha = 0, beta = -1`. Explicit `alpha`/`beta` set the exponents directly (both ≤ 0).
 *
 * @example { type: 'mnas', accuracy: 'test_acc@200', latency: 'latency_ms', target: 10, constraint: 'hard' }
 */
export interface MnasObjective {
  readonly type: 'mnas';
  readonly accuracy: MetricName;
  readonly latency: MetricName;
  /** Target latency T, in the latency metric's unit. */
  readonly target: number;
  /** Preset exponents: `soft` (α = β = −0.07, the default) or `hard` (α = 0, β = −1). */
  readonly constraint?: MnasConstraint;
  /** Exponent when `LAT ≤ T` (≤ 0); overrides the preset's. */
  readonly alpha?: number;
  /** Exponent when `LAT > T` (≤ 0); overrides the preset's. */
  readonly beta?: number;
}

/** MnasNet's two settings of eq. 2's exponents (sec. 3): `soft` α = β = −0.07, `hard` α = 0, β = −1. */
export type MnasConstraint = 'soft' | 'hard';

/** The exponents of each {@link MnasConstraint} preset (MnasNet, Tan et al. 2019, sec. 3). */
export const MNAS_CONSTRAINTS: { readonly [K in MnasConstraint]: { readonly alpha: number; readonly beta: number } } = {
  soft: { alpha: -0.07, beta: -0.07 },
  hard: { alpha: 0, beta: -1 },
};

/** A weighted sum of metrics, each turned to "larger is better" by its direction. */
export interface WeightedObjective {
  readonly type: 'weighted';
  readonly terms: readonly { readonly metric: MetricName; readonly weight: number; readonly direction?: Direction }[];
}

/** Several metrics at once, for multi-objective searchers (Pareto fronts). */
export interface MultiObjective {
  readonly type: 'multi';
  readonly metrics: readonly { readonly metric: MetricName; readonly direction?: Direction }[];
}

/** How the kernel turns an estimate's metrics into what a searcher sees. */
export type ObjectiveSpec = SingleMetricObjective | MnasObjective | WeightedObjective | MultiObjective;

/**
 * What a searcher knows about the objective. The value it is told is always "larger is better"
 * (minimised metrics are negated), so a searcher never needs to know directions.
 */
export interface ObjectiveInfo {
  /** Human-readable description, e.g. `maximize val_acc@12`. */
  readonly label: string;
  /** 1 for scalar objectives; the vector length for multi-objective ones. */
  readonly dimensions: number;
  /** Metric names the objective reads. */
  readonly metrics: readonly MetricName[];
}
