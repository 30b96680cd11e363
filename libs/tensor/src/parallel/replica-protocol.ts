import { NasxError, isNasxError, type Json } from '@nasx/contracts';
import type { NetworkOptions } from '../network/network';
import type { Architecture } from '@nasx/contracts';

/**
 * What a replica trains: the built-in `network` model (a network from nasx's builders, rebuilt in
 * the replica from its architecture and options), or a module of the caller's that exports
 * `createReplicaModel(options)` returning a {@link ReplicaModel} (a supernet whose forward pass
 * takes the step's sampled path). Both must be JSON, because they cross to the worker threads.
 */
export type ReplicaModelSpec =
  | { readonly kind: 'network'; readonly arch: Architecture; readonly options: NetworkOptions }
  | { readonly kind: 'module'; readonly module: string; readonly options: Json };

/** The settings of SGD in every replica (`decays`: names of the parameters with weight decay). */
export interface ReplicaSgdSettings {
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
  /** Parameters that get weight decay; absent: all of them. */
  readonly decays?: readonly string[];
}

/** What a replica thread is started with. */
export interface ReplicaInit {
  readonly index: number;
  readonly replicas: number;
  /** The tensor backend of the coordinating thread, which every replica uses too. */
  readonly backend: string;
  readonly model: ReplicaModelSpec;
}

/** One parameter or buffer in the shared weight layout. */
export interface LayoutEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly offset: number;
}

/** The order of a replica's values in shared memory: parameters, then buffers (BN running statistics). */
export interface ReplicaLayout {
  readonly parameters: readonly LayoutEntry[];
  readonly buffers: readonly LayoutEntry[];
  /** Number of parameter values (the gradient's length). */
  readonly parameterValues: number;
  /** Parameter values plus buffer values. */
  readonly values: number;
  /** Momentum of the running-statistics updates (PyTorch's BN momentum, 0.1). */
  readonly bufferMomentum: number;
}

/** The shared memory of a data-parallel trainer (all `SharedArrayBuffer`s). */
export interface SharedRegions {
  /** Int32: [abort, barrier count, barrier generation, then each replica's micro-batches of the step]. */
  readonly control: SharedArrayBuffer;
  /** Float32 [values]: weights to load into, or read out of, the replicas. */
  readonly weights: SharedArrayBuffer;
  /** Float32 [replicas × values]: each replica's gradient and updated buffers of a step. */
  readonly contributions: SharedArrayBuffer;
  /** Uint8 [replicas × parameters]: 1 where the replica's step produced a gradient for the parameter. */
  readonly hasGradient: SharedArrayBuffer;
  /** Float32 [values]: the all-reduced gradient and buffers. */
  readonly reduced: SharedArrayBuffer;
  /** Float32 [maxBatch × sample values]: the step's inputs (NCHW). */
  readonly inputs: SharedArrayBuffer;
  /** Int32 [maxBatch]: the step's class ids. */
  readonly labels: SharedArrayBuffer;
}

export const CONTROL_ABORT = 0;
export const CONTROL_COUNT = 1;
export const CONTROL_GENERATION = 2;
export const CONTROL_SLOTS = 3;

/** One step's instruction; `args` go to the model's forward pass unchanged (e.g. a sampled path). */
export interface StepCommand {
  readonly type: 'step';
  readonly step: number;
  /** Samples in the shared input region. */
  readonly n: number;
  /** Samples per forward/backward pass; the batch's chunks are dealt to replicas in order. */
  readonly micro: number;
  readonly learningRate: number;
  readonly args?: Json;
}

/** Messages to a replica. */
export type ToReplica =
  | {
      readonly type: 'attach';
      readonly regions: SharedRegions;
      readonly layout: ReplicaLayout;
      readonly sgd: ReplicaSgdSettings;
      /** Per-sample input shape, channels first. */
      readonly sampleShape: readonly number[];
    }
  /** Load every replica's weights from the shared `weights` region. */
  | { readonly type: 'load' }
  /** Write this replica's weights to `weights` (`target: 'weights'`) or to its own contribution slot. */
  | { readonly type: 'publish'; readonly target: 'weights' | 'own-slot' }
  /** Write this replica's SGD momentum buffers to the parameter range of `weights` (zeros where it has none). */
  | { readonly type: 'publish-momentum' }
  /** Set every replica's SGD momentum buffers from the parameter range of `weights`. */
  | { readonly type: 'load-momentum' }
  | StepCommand;

/** Messages from a replica. */
export type FromReplica =
  | { readonly type: 'layout'; readonly layout: ReplicaLayout }
  | { readonly type: 'done'; readonly what: 'attach' | 'load' | 'publish' | 'publish-momentum' | 'load-momentum' }
  /** `loss`: Σ cross-entropy of its shard / n; `correct`: top-1 hits; `samples`: its shard's size. */
  | {
      readonly type: 'stepped';
      readonly step: number;
      readonly loss: number;
      readonly correct: number;
      readonly samples: number;
      readonly ms: ReplicaStepTimes;
    }
  | { readonly type: 'error'; readonly error: SerializedReplicaError; readonly aborted: boolean };

/** Where a replica's step time went, in ms. */
export interface ReplicaStepTimes {
  /** Forward and backward passes of its micro-batches, gradients written to shared memory. */
  readonly compute: number;
  /** Waiting at the first barrier for the slower replicas. */
  readonly wait: number;
  /** Its share of the reduction, the second barrier, and the SGD update. */
  readonly sync: number;
}

/** An error crossing the thread boundary (a `NasxError` stays one). */
export interface SerializedReplicaError {
  readonly message: string;
  readonly nasx?: { readonly kind: NasxError['kind']; readonly where: NasxError['where']; readonly fix?: string };
}

export function serializeReplicaError(e: unknown): SerializedReplicaError {
  if (isNasxError(e)) return { message: e.message, nasx: { kind: e.kind, where: e.where, fix: e.fix } };
  return { message: e instanceof Error ? e.message : String(e) };
}

/** Thrown inside a replica that stops waiting because another one failed (not the cause itself). */
export class ReplicaAborted extends Error {
  constructor() {
    super('the data-parallel step was aborted (another replica failed)');
    this.name = 'ReplicaAborted';
  }
}

/**
 * Waits until all `parties` replicas reached the barrier (a generation-counting barrier over
 * `Atomics`). Waits in slices so that an abort (a replica failed, the coordinator gave up) wakes
 * every waiter, which then throws {@link ReplicaAborted} instead of waiting forever.
 */
export function barrier(control: Int32Array, parties: number): void {
  const generation = Atomics.load(control, CONTROL_GENERATION);
  if (Atomics.load(control, CONTROL_ABORT) !== 0) throw new ReplicaAborted();
  if (Atomics.add(control, CONTROL_COUNT, 1) === parties - 1) {
    Atomics.store(control, CONTROL_COUNT, 0);
    Atomics.add(control, CONTROL_GENERATION, 1);
    Atomics.notify(control, CONTROL_GENERATION);
    return;
  }
  while (Atomics.load(control, CONTROL_GENERATION) === generation) {
    if (Atomics.load(control, CONTROL_ABORT) !== 0) throw new ReplicaAborted();
    Atomics.wait(control, CONTROL_GENERATION, generation, 100);
  }
}

/** Sets the abort flag and wakes every replica waiting at a barrier. */
export function abortBarrier(control: Int32Array): void {
  Atomics.store(control, CONTROL_ABORT, 1);
  Atomics.add(control, CONTROL_GENERATION, 0);
  Atomics.notify(control, CONTROL_GENERATION);
}

/** The micro-batches `[start, size)` of a batch of `n` samples. */
export function microBatches(n: number, micro: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += micro) out.push([start, Math.min(micro, n - start)]);
  return out;
}

/**
 * The micro-batches replica `index` of `replicas` computes: the batch's micro-batches dealt out in
 * order, ⌈chunks / replicas⌉ consecutive ones each (the last replicas may get none).
 */
export function shardOf(n: number, micro: number, index: number, replicas: number): [number, number][] {
  const all = microBatches(n, micro);
  const per = Math.ceil(all.length / replicas);
  return all.slice(index * per, (index + 1) * per);
}

/** The replica's error as the coordinator reports it. */
export function replicaError(index: number, e: SerializedReplicaError): NasxError {
  if (e.nasx) return new NasxError(e.nasx.kind, `data-parallel replica ${index}: ${e.message}`, { ...e.nasx.where, fix: e.nasx.fix });
  return new NasxError('run', `data-parallel replica ${index} failed: ${e.message}`, {
    pkg: '@nasx/tensor',
    fix: 'the step was stopped on every replica; retry with fewer replicas (dataParallel) or without data parallelism to see whether the failure is in the network itself',
  });
}
