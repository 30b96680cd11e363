import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NasxError, type Batch, type Json } from '@nasx/contracts';
import { TENSOR_PACKAGE, currentTensorBackend, type TensorBackendName } from '../backend/backend';
import {
  CONTROL_SLOTS,
  abortBarrier,
  replicaError,
  type FromReplica,
  type ReplicaInit,
  type ReplicaLayout,
  type ReplicaModelSpec,
  type ReplicaStepTimes,
  type SerializedReplicaError,
  type SharedRegions,
  type ToReplica,
} from './replica-protocol';

/** Options of {@link createDataParallelTrainer}. */
export interface DataParallelOptions {
  /** Replica threads (2 or more is data parallelism; 1 runs the same code in one thread). */
  readonly replicas: number;
  /** What every replica builds (the same on each, so they start identical). */
  readonly model: ReplicaModelSpec;
  /** Per-sample input shape, channels first (`[3, 32, 32]`). */
  readonly sampleShape: readonly number[];
  /** Largest batch a step will be given (sizes the shared input region). */
  readonly maxBatchSize: number;
  /** SGD of every replica (defaults: NB201's, as {@link SgdOptimizer}). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
  /** Which parameters (by name) get weight decay; default all. Evaluated here, once. */
  readonly weightDecayFilter?: (name: string) => boolean;
  /**
   * Initial parameters and buffers by name, loaded into every replica. Absent: replica 0's own
   * initial values, copied to the others (so a builder's seed decides them once).
   */
  readonly initialWeights?: ReadonlyMap<string, ArrayLike<number>>;
  /** SGD momentum buffers by parameter name to start from (a resumed schedule); absent: none. */
  readonly initialMomentum?: ReadonlyMap<string, ArrayLike<number>>;
  /** The replicas' tensor backend; default the one this thread initialised, else wasm. */
  readonly backend?: TensorBackendName;
}

/** Per-step settings of {@link DataParallelTrainer.step}. */
export interface DataParallelStep {
  readonly learningRate: number;
  /**
   * Samples per forward/backward pass (default: the batch split evenly, ⌈n / replicas⌉). The
   * batch's micro-batches are dealt to the replicas in order; gradients are summed over all.
   */
  readonly microBatchSize?: number;
  /** Passed to every replica's model `forward` unchanged (a supernet's sampled path). */
  readonly args?: Json;
}

/** The outcome of one data-parallel step. */
export interface DataParallelStepResult {
  /** Mean cross-entropy over the batch (before the update). */
  readonly loss: number;
  /** Top-1 hits in the batch, in training mode. */
  readonly correct: number;
  readonly n: number;
  /** The micro-batch size used. */
  readonly microBatchSize: number;
  /** Each replica's time split (compute, waiting for the others, reduce + update), by replica. */
  readonly replicaMs: readonly ReplicaStepTimes[];
}

/** A training job split across replica threads, coordinated from this thread. */
export interface DataParallelTrainer {
  readonly replicas: number;
  /** Names, shapes and shared-memory offsets of the parameters and buffers. */
  readonly layout: ReplicaLayout;
  /** One SGD step on `batch` (NCHW images, class ids), every replica applying the same update. */
  step(batch: Batch, options: DataParallelStep): Promise<DataParallelStepResult>;
  /** The current parameters and buffers by name (replica 0's; all replicas hold the same). */
  readWeights(): Promise<Map<string, Float32Array>>;
  /** Loads parameters and buffers by name into every replica (names not given keep their values). */
  writeWeights(values: ReadonlyMap<string, ArrayLike<number>>): Promise<void>;
  /**
   * The SGD momentum buffers by parameter name (replica 0's; all replicas hold the same), zeros for
   * parameters that have had no gradient yet, which resume identically since `μ·0 + g = g`.
   */
  readMomentum(): Promise<Map<string, Float32Array>>;
  /** Sets every replica's momentum buffers by parameter name (names not given: zeros). */
  writeMomentum(values: ReadonlyMap<string, ArrayLike<number>>): Promise<void>;
  /** Every replica's parameters and buffers, flat in layout order (to check that they agree). */
  replicaStates(): Promise<Float32Array[]>;
  /** Terminates the replica threads. Safe to call twice. */
  dispose(): Promise<void>;
}

/** The compiled replica entry: tests run this module from sources, replicas always from the build. */
function replicaEntry(): string {
  const here = path.join(__dirname, 'replica.worker.js');
  if (fs.existsSync(here)) return here;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'parallel', 'replica.worker.js');
  if (fs.existsSync(built)) return built;
  throw new NasxError('run', 'the data-parallel replica is not built (dist/parallel/replica.worker.js of @nasx/tensor is missing)', {
    pkg: TENSOR_PACKAGE,
    fix: 'build the workspace (npm run build), or train without data parallelism',
  });
}

interface Pending {
  resolve(m: FromReplica): void;
  reject(e: ReplicaFailure): void;
}

/** A replica's failure; `aborted`: it only stopped because another one failed. */
class ReplicaFailure extends Error {
  constructor(
    readonly error: NasxError,
    readonly aborted: boolean,
  ) {
    super(error.message);
  }
}

function positiveInteger(name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1)) {
    throw new NasxError('usage', `data-parallel option ${name} must be a positive integer, got ${v}`, { pkg: TENSOR_PACKAGE, fix: `set ${name} to 1 or more` });
  }
}

function sameLayout(a: ReplicaLayout, b: ReplicaLayout): string | undefined {
  const all = (l: ReplicaLayout) => [...l.parameters, ...l.buffers];
  const [x, y] = [all(a), all(b)];
  if (x.length !== y.length) return `${x.length} vs ${y.length} parameters and buffers`;
  for (let i = 0; i < x.length; i++) {
    if (x[i]!.name !== y[i]!.name || x[i]!.shape.join('x') !== y[i]!.shape.join('x')) {
      return `${x[i]!.name} [${x[i]!.shape.join(', ')}] vs ${y[i]!.name} [${y[i]!.shape.join(', ')}]`;
    }
  }
  return undefined;
}

/**
 * Starts `replicas` worker threads, each with its own TensorFlow.js backend (on wasm: its own
 * WebAssembly instance, so K replicas use K cores) and its own copy of the model, all loaded with
 * the same initial weights. Each {@link DataParallelTrainer.step} writes the batch to shared
 * memory and posts one small message per replica; the replicas compute the gradients of their
 * micro-batches, all-reduce them through `SharedArrayBuffer`s (a reduce-scatter in fixed replica
 * order, so every replica holds the same bits), and apply the same SGD update: they never drift.
 *
 * Equivalence: a step equals the single-thread trainer's step (`trainNetwork` with
 * `microBatchSize` = this step's micro-batch size) up to float32 round-off — the same micro-batches,
 * the same per-micro-batch batch-norm statistics, gradients summed; batch-norm running statistics
 * are folded in micro-batch order as the single thread updates them one micro-batch after another.
 * (Like PyTorch DDP without SyncBN, normalisation uses each micro-batch's own statistics.)
 *
 * @example
 * const dp = await createDataParallelTrainer({ replicas: 2, model: { kind: 'network', arch, options },
 *   sampleShape: [3, 32, 32], maxBatchSize: 64 });
 * try { for await (const b of split.batches({ batchSize: 64 })) await dp.step(b, { learningRate: 0.1 }); }
 * finally { await dp.dispose(); }
 */
export async function createDataParallelTrainer(options: DataParallelOptions): Promise<DataParallelTrainer> {
  positiveInteger('replicas', options.replicas);
  positiveInteger('maxBatchSize', options.maxBatchSize);
  const K = options.replicas;
  const backend = options.backend ?? currentTensorBackend()?.name ?? 'wasm';
  const entry = replicaEntry();
  const sampleShape = [...options.sampleShape];
  const sampleValues = sampleShape.reduce((a, b) => a * b, 1);
  const queues: Pending[][] = Array.from({ length: K }, () => []);
  const workers: Worker[] = [];
  const controlRegion = new SharedArrayBuffer(4 * (CONTROL_SLOTS + K));
  const control = new Int32Array(controlRegion);
  let broken: NasxError | undefined;
  let disposed = false;
  const layouts: Promise<ReplicaLayout>[] = [];

  const fail = (index: number, error: NasxError, aborted: boolean): void => {
    broken ??= aborted ? undefined : error;
    abortBarrier(control);
    const waiting = queues[index]!.splice(0);
    for (const p of waiting) p.reject(new ReplicaFailure(error, aborted));
  };
  const crash = (index: number, error: NasxError): void => {
    broken ??= error;
    abortBarrier(control);
    for (let k = 0; k < K; k++) {
      const waiting = queues[k]!.splice(0);
      for (const p of waiting) p.reject(new ReplicaFailure(error, k !== index));
    }
  };

  for (let index = 0; index < K; index++) {
    const init: ReplicaInit = { index, replicas: K, backend, model: options.model };
    const worker = new Worker(entry, { workerData: init });
    workers.push(worker);
    layouts.push(
      new Promise<ReplicaLayout>((resolve, reject) => {
        queues[index]!.push({
          resolve: (m) => (m.type === 'layout' ? resolve(m.layout) : reject(new Error(`unexpected ${m.type}`))),
          reject: (e) => reject(e),
        });
      }),
    );
    worker.on('message', (m: FromReplica) => {
      if (disposed) return;
      if (m.type === 'error') {
        fail(index, replicaError(index, m.error as SerializedReplicaError), m.aborted);
        return;
      }
      queues[index]!.shift()?.resolve(m);
    });
    worker.on('error', (e) => {
      if (!disposed) crash(index, replicaError(index, { message: e instanceof Error ? e.message : String(e) }));
    });
    worker.on('exit', (code) => {
      if (!disposed) crash(index, replicaError(index, { message: `its thread exited (code ${code})` }));
    });
  }

  const terminate = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    abortBarrier(control);
    // A call still waiting (dispose() during a step) settles instead of hanging.
    const gone = new NasxError('usage', 'the data-parallel trainer was disposed during the call', {
      pkg: TENSOR_PACKAGE,
      fix: 'await each step before disposing',
    });
    for (const q of queues) for (const p of q.splice(0)) p.reject(new ReplicaFailure(broken ?? gone, false));
    await Promise.all(workers.map((w) => w.terminate()));
  };

  /** Sends a command to the replicas and waits for every answer; the first real failure wins. */
  const command = async (to: readonly number[], make: (k: number) => ToReplica): Promise<FromReplica[]> => {
    if (broken) throw broken;
    if (disposed) throw new NasxError('usage', 'the data-parallel trainer was disposed', { pkg: TENSOR_PACKAGE, fix: 'create a new one' });
    const answers = to.map(
      (k) =>
        new Promise<FromReplica>((resolve, reject) => {
          queues[k]!.push({ resolve, reject });
          workers[k]!.postMessage(make(k));
        }),
    );
    const settled = await Promise.allSettled(answers);
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (failures.length) {
      const cause = failures.find((f) => f instanceof ReplicaFailure && !f.aborted) ?? failures[0];
      const error = cause instanceof ReplicaFailure ? cause.error : (cause as Error);
      broken ??= error instanceof NasxError ? error : replicaError(0, { message: String(error) });
      await terminate();
      throw broken;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<FromReplica>).value);
  };

  let layout: ReplicaLayout;
  try {
    const all = await Promise.all(layouts);
    layout = all[0]!;
    for (let k = 1; k < K; k++) {
      const diff = sameLayout(layout, all[k]!);
      if (diff) {
        throw new NasxError('run', `data-parallel replicas built different models (replica 0 vs ${k}: ${diff})`, {
          pkg: TENSOR_PACKAGE,
          fix: 'the replica model must be built deterministically from its options (same names, shapes and order on every replica)',
        });
      }
    }
  } catch (e) {
    await terminate();
    throw e instanceof ReplicaFailure ? e.error : e;
  }

  const V = layout.values;
  const regions: SharedRegions = {
    control: controlRegion,
    weights: new SharedArrayBuffer(4 * V),
    contributions: new SharedArrayBuffer(4 * V * K),
    hasGradient: new SharedArrayBuffer(layout.parameters.length * K),
    reduced: new SharedArrayBuffer(4 * V),
    inputs: new SharedArrayBuffer(4 * options.maxBatchSize * sampleValues),
    labels: new SharedArrayBuffer(4 * options.maxBatchSize),
  };
  const weights = new Float32Array(regions.weights);
  const contributions = new Float32Array(regions.contributions);
  const inputs = new Float32Array(regions.inputs);
  const labels = new Int32Array(regions.labels);
  const everyone = Array.from({ length: K }, (_, k) => k);
  const filter = options.weightDecayFilter;
  const decays = filter ? layout.parameters.map((e) => e.name).filter((n) => filter(n)) : undefined;
  const byName = new Map([...layout.parameters, ...layout.buffers].map((e) => [e.name, e]));

  const byParameter = new Map(layout.parameters.map((e) => [e.name, e]));
  const writeMomentum = async (values: ReadonlyMap<string, ArrayLike<number>>): Promise<void> => {
    weights.fill(0, 0, layout.parameterValues);
    for (const [name, v] of values) {
      const e = byParameter.get(name);
      if (!e || v.length !== e.size) {
        throw new NasxError(
          'usage',
          `data-parallel momentum: "${name}" ${e ? `has ${v.length} values, the parameter ${e.size}` : 'is not a parameter of the replicas’ model'}`,
          {
            pkg: TENSOR_PACKAGE,
            fix: 'give momentum buffers saved from the same model',
          },
        );
      }
      weights.set(v, e.offset);
    }
    await command(everyone, () => ({ type: 'load-momentum' }));
  };

  const writeWeights = async (values: ReadonlyMap<string, ArrayLike<number>>): Promise<void> => {
    await command([0], () => ({ type: 'publish', target: 'weights' }));
    for (const [name, v] of values) {
      const e = byName.get(name);
      if (!e) {
        throw new NasxError('usage', `data-parallel weights: "${name}" is not a parameter or buffer of the replicas' model`, {
          pkg: TENSOR_PACKAGE,
          fix: `give values for names of the model (${[...byName.keys()].slice(0, 3).join(', ')}, …)`,
        });
      }
      if (v.length !== e.size) {
        throw new NasxError('usage', `data-parallel weights: "${name}" has ${v.length} values, the model's has ${e.size} ([${e.shape.join(', ')}])`, {
          pkg: TENSOR_PACKAGE,
          fix: 'give weights of the same architecture and skeleton as the replicas’ model',
        });
      }
      weights.set(v, e.offset);
    }
    await command(everyone, () => ({ type: 'load' }));
  };

  try {
    await command(everyone, () => ({
      type: 'attach',
      regions,
      layout,
      sgd: { momentum: options.momentum, nesterov: options.nesterov, weightDecay: options.weightDecay, ...(decays ? { decays } : {}) },
      sampleShape,
    }));
    // Replica 0's initial values (or the caller's) become everyone's: identical from the first step.
    await writeWeights(options.initialWeights ?? new Map());
    if (options.initialMomentum) await writeMomentum(options.initialMomentum);
  } catch (e) {
    await terminate();
    throw e;
  }

  let steps = 0;
  return {
    replicas: K,
    layout,
    async step(batch: Batch, step: DataParallelStep): Promise<DataParallelStepResult> {
      const n = checkBatch(batch, sampleShape, options.maxBatchSize);
      const micro = step.microBatchSize ?? Math.ceil(n / K);
      positiveInteger('microBatchSize', micro);
      if (!(Number.isFinite(step.learningRate) && step.learningRate >= 0)) {
        throw new NasxError('usage', `data-parallel step: learningRate must be a non-negative number, got ${step.learningRate}`, {
          pkg: TENSOR_PACKAGE,
          fix: 'use e.g. 0.1',
        });
      }
      inputs.set(batch.x.data, 0);
      labels.set(batch.y.data, 0);
      const index = ++steps;
      const answers = await command(everyone, () => ({
        type: 'step',
        step: index,
        n,
        micro: Math.min(micro, n),
        learningRate: step.learningRate,
        ...(step.args !== undefined ? { args: step.args } : {}),
      }));
      let loss = 0;
      let correct = 0;
      const replicaMs: ReplicaStepTimes[] = [];
      for (const a of answers) {
        if (a.type !== 'stepped') continue;
        loss += a.loss;
        correct += a.correct;
        replicaMs.push(a.ms);
      }
      return { loss, correct, n, microBatchSize: Math.min(micro, n), replicaMs };
    },
    async readWeights(): Promise<Map<string, Float32Array>> {
      await command([0], () => ({ type: 'publish', target: 'weights' }));
      return new Map([...layout.parameters, ...layout.buffers].map((e) => [e.name, weights.slice(e.offset, e.offset + e.size)]));
    },
    writeWeights,
    async readMomentum(): Promise<Map<string, Float32Array>> {
      await command([0], () => ({ type: 'publish-momentum' }));
      return new Map(layout.parameters.map((e) => [e.name, weights.slice(e.offset, e.offset + e.size)]));
    },
    writeMomentum,
    async replicaStates(): Promise<Float32Array[]> {
      await command(everyone, () => ({ type: 'publish', target: 'own-slot' }));
      return everyone.map((k) => contributions.slice(k * V, (k + 1) * V));
    },
    dispose: terminate,
  };
}

/** Samples in a batch, after checking it fits the replicas (shape, dtype, size). */
function checkBatch(batch: Batch, sampleShape: readonly number[], maxBatch: number): number {
  const { x, y } = batch;
  const n = x.shape[0] ?? 0;
  const bad = (problem: string): NasxError =>
    new NasxError('data', `data-parallel step: ${problem}`, {
      pkg: TENSOR_PACKAGE,
      fix: `give batches of at most ${maxBatch} samples shaped [N, ${sampleShape.join(', ')}] with [N] class ids (the task's inputShape and the trainer's maxBatchSize)`,
    });
  if (batch.mask) throw bad('masked batches are not image classification batches');
  if (x.shape.length !== sampleShape.length + 1 || x.shape.slice(1).some((d, i) => d !== sampleShape[i])) {
    throw bad(`x has shape [${x.shape.join(', ')}], the replicas' model takes [N, ${sampleShape.join(', ')}]`);
  }
  if (n < 1 || n > maxBatch) throw bad(`the batch has ${n} samples, the trainer was made for 1 to ${maxBatch}`);
  if (x.data.length !== n * sampleShape.reduce((a, b) => a * b, 1)) throw bad(`x holds ${x.data.length} values for shape [${x.shape.join(', ')}]`);
  if (y.data.length !== n) throw bad(`y has ${y.data.length} class ids for ${n} inputs`);
  return n;
}
