import type { Logger } from './context';
import type { Estimator } from './estimator.contract';
import type { JsonObject } from './json';
import type { Rng } from './rng';

/**
 * Everything a worker needs to compose a run's estimation pipeline (space, task, latency models,
 * estimators) for itself: the config as data and the packages it uses. Workers may run on other
 * machines, so nothing in it is a path to be opened there (`configFile` only names the file in
 * messages).
 */
export interface EstimationJob {
  /** The run's name, for workers' logs and messages. */
  readonly run: string;
  /**
   * The run's config as data, seed explicit, without `executor` and with `workers: 0` (a worker
   * evaluates in its own process).
   */
  readonly config: JsonObject;
  /** The config file on the coordinating machine, for messages. */
  readonly configFile: string;
  /** The plugin packages the pipeline's contributions come from, with their versions. */
  readonly packages: readonly { readonly name: string; readonly version: string }[];
  /** The primary estimator's id and the named ones', in order: what a worker must be able to run. */
  readonly estimators: readonly string[];
  /**
   * A digest of `config` and `packages`: equal digests compose the same pipeline, so a worker
   * composes (and prepares) once per digest.
   */
  readonly digest: string;
}

/** An estimation pipeline a worker composed from an {@link EstimationJob}. */
export interface ComposedEstimation {
  /** The primary estimator (its `prepare` is run by {@link ComposedEstimation.prepare}). */
  readonly estimator: Estimator;
  /** Whether any estimator of the pipeline has a `prepare` (else {@link ComposedEstimation.prepare} does nothing). */
  readonly prepares: boolean;
  /**
   * Prepares every estimator of the pipeline as the kernel does (named ones first), from the
   * run's seed, keeping what it trains in `stateDir` so a second preparation there reloads it.
   */
  prepare(seed: number, stateDir: string, signal: AbortSignal): Promise<void>;
  dispose(): Promise<void>;
}

/** What the executor's worker side is given by `nasx worker`. */
export interface ExecutorWorkerHost {
  /**
   * Composes the pipeline a job names (a `NasxError` when this machine lacks one of its packages
   * or its data). The caller caches by `job.digest`.
   */
  compose(job: EstimationJob): Promise<ComposedEstimation>;
  /** What this worker can run: estimator ids and tensor backends (for routing jobs). */
  readonly capabilities: { readonly estimators: readonly string[]; readonly backends: readonly string[] };
  /** The random stream of a trial seed, as the kernel makes it (so a worker's estimate equals the in-process one). */
  rng(seed: number): Rng;
  /** Where preparations keep their state on this machine (one folder per job digest below it). */
  readonly stateDir: string;
  readonly logger: Logger;
  /** Aborts when the worker is asked to stop (SIGINT, SIGTERM). */
  readonly signal: AbortSignal;
}

/** The coordinating side of an executor, created from the config's `executor:` entry. */
export interface Executor {
  /**
   * An estimator that evaluates the job's pipeline on the executor's workers. Its `prepare` has
   * every worker prepare from the run's seed (deterministic, so all hold the same state); its
   * `estimate` resolves with the worker's estimate, the same as in-process for the same trial
   * seed. Rejects with a clear error when no worker can take the job.
   */
  open(job: EstimationJob, run: { readonly logger: Logger; readonly signal: AbortSignal }): Promise<Estimator>;
  /** Releases connections; safe to call twice. */
  dispose?(): Promise<void>;
}

/** The worker side of an executor: serves jobs until `host.signal` aborts. */
export interface ExecutorWorker {
  serve(host: ExecutorWorkerHost): Promise<void>;
}
