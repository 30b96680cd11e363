import type { InjectionToken } from 'tsyringe';
import type { Architecture } from './architecture';
import type { WorkContext } from './context';
import type { Estimate, Fidelity } from './estimate';
import type { MetricDeclaration } from './metrics';

/** Per-call context of {@link Estimator.estimate}. */
export interface EstimateContext extends WorkContext {
  /** Trial number this estimate is for (seeds per-trial randomness reproducibly). */
  readonly trial: number;
  /** A fidelity requested by a multi-fidelity searcher (Hyperband, successive halving). */
  readonly fidelity?: Fidelity;
  /**
   * The evaluated architecture this one was derived from, when the searcher says so
   * ({@link DerivedProposal}): an estimator that shares parameters between related networks
   * (AGNN) may start from the weights it trained for that trial.
   */
  readonly parent?: { readonly trial: number; readonly arch: Architecture };
}

/** One architecture with a known value, for fitting predictors (ReNAS, GCN, CTNAS). */
export interface LabelledArchitecture {
  readonly arch: Architecture;
  /** Target value, larger is better (any estimator's output can be a label). */
  readonly value: number;
}

/**
 * How good is an architecture: tabular lookup, short training, a zero-cost proxy, a predictor, a
 * supernet, a hypernetwork. One required method; the others are capabilities.
 */
export interface Estimator {
  /** Contribution id. */
  readonly id: string;
  /** Metrics it reports; the first is its primary metric (the default objective). */
  readonly metrics: readonly MetricDeclaration[];
  /**
   * True when every estimate is a lookup (a benchmark table), not a computation: scoring every
   * architecture of an enumerable space is then cheap, and reports show the exact Pareto front.
   */
  readonly tabulated?: boolean;
  /**
   * The architectures it can answer for, when that is a known part of the space (a score table of
   * some cells): a searcher that must only ask about those (AREA drawing its proxy-ranked samples
   * from a table) draws from this list. Absent: any architecture of the space.
   */
  domain?(): readonly Architecture[];
  /** Estimate one architecture. Throwing marks the trial failed; the run goes on. */
  estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate>;
  /** Estimate several at once (batched lookups, batched predictor inference). */
  estimateMany?(archs: readonly Architecture[], ctx: EstimateContext): Promise<Estimate[]>;
  /**
   * One-time preparation before any estimate: train a supernet (RLNAS, few-shot NAS), fit a
   * predictor, load tables. Should persist to `ctx.stateDir` and reload from it on resume.
   */
  prepare?(ctx: WorkContext): Promise<void>;
  /** Release workers, tensors, file handles. */
  dispose?(): Promise<void> | void;
}

/** An estimator that learns from labelled architectures (ReNAS, GCN, CTNAS's comparator). */
export interface Predictor extends Estimator {
  /** Minimum training set size it accepts; fewer fails with a clear error. */
  readonly minTrainingSize: number;
  /** Fit (or refit) on labelled architectures of one space. */
  fit(data: readonly LabelledArchitecture[], ctx: WorkContext): Promise<void>;
}

/** A model that compares two architectures (CTNAS's Neural Architecture Comparator). */
export interface Comparator {
  /** Probability that `a` is better than `b`. */
  compare(a: Architecture, b: Architecture): Promise<number>;
}

/** True if an estimator can be fitted. */
export function isPredictor(e: Estimator): e is Predictor {
  return typeof (e as Partial<Predictor>).fit === 'function';
}

/** True if an estimator can compare pairs. */
export function isComparator(e: object): e is Comparator {
  return typeof (e as Partial<Comparator>).compare === 'function';
}

/** Injection token of the run's primary {@link Estimator}. */
export const Estimator: InjectionToken<Estimator> = Symbol.for('nasx.Estimator');
