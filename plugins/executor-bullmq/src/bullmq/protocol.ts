import { NasxError, isNasxError, type Architecture, type Estimate, type Fidelity, type MetricDeclaration } from '@nasx/contracts';
import type { BullmqOptions } from './bullmq.schema';

/*
 * What travels through Redis. A run (one `open`) is a session with its own job ids; the pipeline's
 * job description is stored once under `<queue>:spec:<digest>` and jobs name it by digest.
 *
 * Job names:
 * - `estimate`: a batch of trials; the worker answers each trial with an estimate or an error
 *   (an estimator's error fails that trial, not the job, so BullMQ does not retry it).
 * - `describe`: compose the pipeline and say what its estimator reports (metrics, id, whether it
 *   prepares): the run needs the metrics before its first trial.
 * - `prepare`: prepare the pipeline from the run's seed (a supernet trains here), so that errors
 *   and the time it takes belong to the run's preparation, not its first trial.
 */

/** One trial of an `estimate` job. */
export interface TrialItem {
  /** Trial number. */
  readonly t: number;
  /** The trial's seed (its rng). */
  readonly seed: number;
  readonly arch: Architecture;
  readonly fidelity?: Fidelity;
}

/** Data of every job: the session, the pipeline's digest and the run's preparation seed. */
export interface JobBase {
  readonly session: string;
  readonly digest: string;
  /** The seed preparation runs from (absent: the pipeline does not prepare, or not yet known). */
  readonly prepareSeed?: number;
}

export interface EstimateJobData extends JobBase {
  readonly items: readonly TrialItem[];
}

/** An error crossing to the run. */
export interface WireError {
  readonly message: string;
  readonly name?: string;
  readonly nasx?: { readonly kind: NasxError['kind']; readonly where: NasxError['where']; readonly fix?: string };
}

export type TrialOutcome = { readonly t: number; readonly estimate: Estimate } | { readonly t: number; readonly error: WireError };

export interface EstimateJobResult {
  readonly worker: string;
  readonly items: readonly TrialOutcome[];
}

export interface DescribeJobResult {
  readonly worker: string;
  readonly estimatorId: string;
  readonly metrics: readonly MetricDeclaration[];
  readonly prepares: boolean;
}

/** What a live worker says about itself (`<queue>:workers:<id>`, expiring unless refreshed). */
export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly queues: readonly string[];
  readonly estimators: readonly string[];
  readonly backends: readonly string[];
  readonly concurrency: number;
  readonly started: string;
}

/** The BullMQ queue of a run's jobs: the prefix, and the backend when the run needs one. */
export function queueName(options: Pick<BullmqOptions, 'queue' | 'backend'>): string {
  return options.backend ? `${options.queue}.${options.backend}` : options.queue;
}

/** Key of a pipeline's job description. */
export const specKey = (queue: string, digest: string): string => `${queue}:spec:${digest}`;
/** Key prefix of the worker records. */
export const workersKey = (queue: string): string => `${queue}:workers:`;
/** Seconds a worker record lives without a refresh (refreshed every third of it). */
export const WORKER_TTL_SECONDS = 15;
/** Seconds a job description is kept after its run last wrote it. */
export const SPEC_TTL_SECONDS = 7 * 24 * 3600;

export function toWire(e: unknown): WireError {
  if (isNasxError(e)) return { message: e.message, nasx: { kind: e.kind, where: e.where, fix: e.fix } };
  if (e instanceof Error) return { message: e.message, name: e.name };
  return { message: String(e) };
}

export function fromWire(w: WireError): Error {
  if (w.nasx) return new NasxError(w.nasx.kind, w.message, { ...w.nasx.where, fix: w.nasx.fix });
  const e = new Error(w.message);
  if (w.name && w.name !== 'Error') e.name = w.name;
  return e;
}
