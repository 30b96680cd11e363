import type { Direction, MetricName } from './metrics';

/** Optimise one metric. Direction defaults to the metric's well-known direction. */
export interface SingleMetricObjective {
  readonly type?: 'metric';
  readonly metric: MetricName;
  readonly direction?: Direction;
}

/**
 * MnasNet's soft latency constraint (Tan et al., CVPR 2019, eq. 2):
 * `ACC(m) · (LAT(m) / T)^w` with `w = alpha` when `LAT ≤ T` and `w = beta` otherwise.
 * `alpha = beta = -0.07` gives the paper's soft constraint; `alpha = 0, beta = -1` the hard one.
 */
export interface MnasObjective {
  readonly type: 'mnas';
  readonly accuracy: MetricName;
  readonly latency: MetricName;
  /** Target latency T, in the latency metric's unit. */
  readonly target: number;
  readonly alpha?: number;
  readonly beta?: number;
}

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
