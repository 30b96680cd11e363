import { NasxError, type Batch, type DataSplit, type LossName, type Rng } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { assertTensorBackend, TENSOR_PACKAGE, type TensorBackendInfo } from '../backend/backend';
import { findNetworkBuilder } from '../network/builders';
import type { Network, NetworkPlan } from '../network/network';
import { createDataParallelTrainer, type DataParallelTrainer } from '../parallel/data-parallel.trainer';
import { toTensors } from './batch-tensors';
import { correctCount, crossEntropySum, lossSum, targetKind, trainLoss, type TrainLoss } from './losses';

export { correctCount, crossEntropySum } from './losses';
import { learningRateAt, type LearningRateSchedule } from './lr-schedule';
import { SgdOptimizer } from './sgd.optimizer';

/** Memory a micro-batch may use on the wasm backend by default (its heap stops at 4 GiB). */
export const WASM_MEMORY_BUDGET = 1.5 * 1024 ** 3;

/** Options of {@link trainNetwork}; defaults follow NAS-Bench-201's training (`200E.config`). */
export interface TrainOptions {
  /** Passes over the training split (default 1). Ignored when `steps` is given. */
  readonly epochs?: number;
  /** Optimizer steps to run instead of whole epochs (the schedule spans exactly these). */
  readonly steps?: number;
  /** Samples per optimizer step (default 256, NB201's). A last smaller batch of an epoch is kept. */
  readonly batchSize?: number;
  /**
   * Samples per forward/backward pass; gradients of the micro-batches of a batch are summed before
   * the step (batch norm sees micro-batch statistics, as with a smaller batch in PyTorch). Default:
   * the whole batch, or as many samples as fit in `memoryBudgetBytes` when that is smaller.
   */
  readonly microBatchSize?: number;
  /** Memory one micro-batch may use (default 1.5 GiB on wasm, unlimited elsewhere), see `NetworkPlan.trainingBytesPerSample`. */
  readonly memoryBudgetBytes?: number;
  /** Initial learning rate (default 0.1). */
  readonly learningRate?: number;
  /** Final learning rate of the cosine schedule (default 0). */
  readonly minLearningRate?: number;
  /** `cosine` (default) or `constant`. */
  readonly schedule?: LearningRateSchedule;
  /** SGD momentum (default 0.9). */
  readonly momentum?: number;
  /** Nesterov momentum (default true). */
  readonly nesterov?: boolean;
  /** Weight decay (default 5e-4), applied to every parameter unless `weightDecayFilter` says no. */
  readonly weightDecay?: number;
  /** Which parameters (by name) get weight decay; default all, as NB201 (BN and biases included). */
  readonly weightDecayFilter?: (name: string) => boolean;
  /** Shuffles the training batches (each epoch draws a new order); absent: the split's fixed order. */
  readonly rng?: Rng;
  /** Stops training between micro-batches; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Receives step and epoch reports (map them to `progress`/`metric` events). */
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Report every this many steps (default 1); the last step is always reported. */
  readonly progressEvery?: number;
  /**
   * Data parallelism: replica threads (default 1, no threads). With K ≥ 2 the micro-batches of each
   * batch are dealt in order to K worker threads, each with its own backend and a copy of the
   * network; gradients are all-reduced through shared memory and every replica applies the same
   * update. The micro-batch size is then `microBatchSize`, else min(⌈batchSize / K⌉, what fits
   * the memory budget), and the result equals this trainer in one thread with that
   * `microBatchSize` up to float32 round-off (batch norm normalises with each micro-batch's
   * statistics in both; running statistics are updated micro-batch after micro-batch in both).
   * See `createDataParallelTrainer`.
   */
  readonly replicas?: number;
  /**
   * The loss (default `cross-entropy`, class ids): the task's `loss` — `binary-cross-entropy`,
   * `mse`, `l1` or `relative-l2` train against value targets (see `losses.ts`). Accuracy is then
   * not defined and reported as NaN; score such tasks with `predictNetwork` and the task's metric.
   */
  readonly loss?: LossName;
  /** Evaluate on this split after every epoch (or every `everyEpochs`) and after the last. */
  readonly validation?: { readonly split: DataSplit; readonly batchSize?: number; readonly limit?: number; readonly everyEpochs?: number };
}

/** Accuracy (%) and mean cross-entropy of a network on a split. */
export interface EvaluationResult {
  readonly loss: number;
  /** Top-1 accuracy in percent (0–100), like nasx's `val_acc`. */
  readonly accuracy: number;
  readonly samples: number;
}

/** A report after an optimizer step. */
export interface TrainStepProgress {
  readonly kind: 'step';
  /** Steps done (1-based). */
  readonly step: number;
  readonly totalSteps: number;
  /** Epoch of this step (0-based). */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean cross-entropy of this step's batch. */
  readonly loss: number;
  /** Accuracy (%) of this step's batch, in training mode. */
  readonly accuracy: number;
  /** Learning rate used for this step. */
  readonly learningRate: number;
  /** Training samples processed so far. */
  readonly samples: number;
  /** Seconds since training started. */
  readonly seconds: number;
}

/** A report at the end of an epoch. */
export interface TrainEpochProgress {
  readonly kind: 'epoch';
  /** The epoch that ended (0-based). */
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly totalSteps: number;
  /** Mean training loss and accuracy (%) over the epoch's samples. */
  readonly loss: number;
  readonly accuracy: number;
  readonly seconds: number;
  /** Validation result when evaluated after this epoch. */
  readonly validation?: EvaluationResult;
}

/** What {@link TrainOptions.onProgress} receives. */
export type TrainProgress = TrainStepProgress | TrainEpochProgress;

/** The outcome of {@link trainNetwork}. */
export interface TrainResult {
  readonly steps: number;
  /** Epochs started (the last may be partial when `steps` is given). */
  readonly epochs: number;
  readonly samples: number;
  readonly seconds: number;
  /** Mean training loss and accuracy (%) of the last epoch. */
  readonly loss: number;
  readonly accuracy: number;
  /** Last validation result, if a validation split was given. */
  readonly validation?: EvaluationResult;
  /** The micro-batch size used. */
  readonly microBatchSize: number;
  /** One entry per epoch. */
  readonly history: readonly TrainEpochProgress[];
}

function usage(problem: string, fix: string): NasxError {
  return new NasxError('usage', problem, { pkg: TENSOR_PACKAGE, fix });
}

function positiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1))
    throw usage(`training option ${name} must be a positive integer, got ${v}`, `set ${name} to 1 or more`);
}

/**
 * Samples per forward/backward pass: `requested`, else the whole batch or what fits in the memory
 * budget (wasm: {@link WASM_MEMORY_BUDGET}) by the plan's `trainingBytesPerSample`.
 */
export function microBatchSizeFor(
  plan: NetworkPlan,
  batchSize: number,
  backend: TensorBackendInfo,
  options: Pick<TrainOptions, 'microBatchSize' | 'memoryBudgetBytes'> = {},
): number {
  if (options.microBatchSize !== undefined) return Math.min(options.microBatchSize, batchSize);
  const budget = options.memoryBudgetBytes ?? (backend.memoryLimitBytes !== undefined ? WASM_MEMORY_BUDGET : Infinity);
  return Math.max(1, Math.min(batchSize, Math.floor(budget / plan.trainingBytesPerSample)));
}

/** Reads scalars after a step: one sync point per step (cheap on wasm/cpu). */
async function sum(ts: readonly tf.Tensor[]): Promise<number> {
  let total = 0;
  for (const t of ts) total += (await t.data())[0]!;
  return total;
}

/**
 * Mean cross-entropy of logits `[N, K]` against int32 class ids `[N]` (PyTorch's
 * `CrossEntropyLoss()`), differentiable. tfjs's `logSoftmax` has a custom gradient that is not
 * differentiable again, so pass `secondOrder: true` (log-sum-exp form) when taking second
 * derivatives (GraSP); also set it on the forward pass.
 */
export function crossEntropy(logits: tf.Tensor2D, y: tf.Tensor1D, options: { readonly secondOrder?: boolean } = {}): tf.Scalar {
  return tf.tidy(() => tf.div(crossEntropySum(logits, y, logits.shape[1], options.secondOrder), logits.shape[0]));
}

/** Chunks [start, size) of a batch of n samples. */
function chunks(n: number, micro: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += micro) out.push([start, Math.min(micro, n - start)]);
  return out;
}

function slice<T extends tf.Tensor>(t: T, start: number, size: number): T {
  if (start === 0 && size === t.shape[0]) return t;
  return tf.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1).map(() => -1)]) as T;
}

/** One optimizer step over one batch (micro-batched); returns the batch's Σ loss / n, Σ correct, n. */
async function trainStep(
  net: Network,
  batch: Batch,
  micro: number,
  sgd: SgdOptimizer,
  lr: number,
  signal: AbortSignal | undefined,
  loss: TrainLoss,
): Promise<{ loss: number; correct: number; n: number }> {
  const varList = [...net.parameters.values()];
  const byVariable = new Map([...net.parameters].map(([name, v]) => [v.name, name]));
  const { x, y } = toTensors(batch, targetKind(loss));
  const n = x.shape[0];
  const accumulated = new Map<string, tf.Tensor>();
  const losses: tf.Tensor[] = [];
  const corrects: tf.Tensor[] = [];
  try {
    for (const [start, size] of chunks(n, micro)) {
      signal?.throwIfAborted();
      const { value, grads } = tf.tidy(() => {
        const xs = slice(x, start, size);
        const ys = slice(y, start, size);
        return tf.variableGrads(() => {
          const out = net.forward(xs, { training: true });
          if (loss === 'cross-entropy') corrects.push(tf.keep(correctCount(out, ys as tf.Tensor1D)));
          // Σ over the micro-batch / n: summed over micro-batches it is the batch mean.
          return tf.div(lossSum(loss, out, ys, net.plan.numClasses), n) as tf.Scalar;
        }, varList);
      });
      losses.push(value);
      for (const [variableName, g] of Object.entries(grads)) {
        const name = byVariable.get(variableName)!;
        const previous = accumulated.get(name);
        if (previous) {
          accumulated.set(name, tf.add(previous, g));
          previous.dispose();
          g.dispose();
        } else {
          accumulated.set(name, g);
        }
      }
    }
    sgd.step(accumulated, lr);
    return { loss: await sum(losses), correct: loss === 'cross-entropy' ? await sum(corrects) : NaN, n };
  } finally {
    tf.dispose([x, y, ...losses, ...corrects, ...accumulated.values()]);
  }
}

/**
 * Trains a network on a split with SGD (Nesterov momentum 0.9, weight decay 5e-4 on all
 * parameters), a cosine learning-rate schedule from 0.1 and cross-entropy, as NAS-Bench-201 trained
 * its networks (Dong & Yang 2020, Sec. 2.3; xautodl `procedures/optimizers.py`), micro-batching
 * with gradient accumulation where memory requires it. Deterministic for a given network seed,
 * `rng` seed and backend. Every tensor it creates is freed before it returns (also on errors).
 *
 * @example
 * const result = await trainNetwork(net, task.splits.train, {
 *   epochs: 12, batchSize: 256, rng: ctx.rng.fork('train'), signal: ctx.signal,
 *   onProgress: (p) => p.kind === 'epoch' && ctx.emit({ type: 'metric', name: 'train_loss', value: p.loss, step: p.epoch }),
 * });
 */
export async function trainNetwork(net: Network, data: DataSplit, options: TrainOptions = {}): Promise<TrainResult> {
  const backend = assertTensorBackend('training');
  for (const k of ['epochs', 'steps', 'batchSize', 'microBatchSize', 'progressEvery', 'replicas'] as const) positiveInt(k, options[k]);
  const batchSize = options.batchSize ?? 256;
  const perEpoch = Math.ceil(data.size / batchSize);
  if (perEpoch === 0)
    throw new NasxError('data', 'the training split is empty', { pkg: TENSOR_PACKAGE, fix: 'check the task’s data directory and split sizes' });
  const totalSteps = options.steps ?? (options.epochs ?? 1) * perEpoch;
  const epochs = Math.ceil(totalSteps / perEpoch);
  const baseLr = options.learningRate ?? 0.1;
  if (!(baseLr >= 0 && Number.isFinite(baseLr))) throw usage(`learningRate must be a non-negative number, got ${baseLr}`, 'use e.g. 0.1');
  const schedule = options.schedule ?? 'cosine';
  const loss = trainLoss(options.loss);
  const micro = microBatchSizeFor(net.plan, batchSize, backend, options);
  const every = options.progressEvery ?? 1;
  const sgd = new SgdOptimizer(net.parameters, {
    momentum: options.momentum,
    nesterov: options.nesterov,
    weightDecay: options.weightDecay,
    decays: options.weightDecayFilter,
  });
  const replicas = options.replicas ?? 1;
  const dp = replicas > 1 ? await startReplicas(net, replicas, batchSize, options) : undefined;
  /** Samples per pass: with replicas, no more than an even share of a full batch (so a smaller last batch is cut as in one thread). */
  const dpMicro = options.microBatchSize ?? Math.min(micro, Math.ceil(batchSize / replicas));
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const history: TrainEpochProgress[] = [];
  let step = 0;
  let samples = 0;
  let validation: EvaluationResult | undefined;
  try {
    for (let epoch = 0; epoch < epochs && step < totalSteps; epoch++) {
      let lossTotal = 0;
      let correct = 0;
      let seen = 0;
      for await (const batch of data.batches({ batchSize, rng: options.rng, dropLast: false })) {
        if (step >= totalSteps) break;
        options.signal?.throwIfAborted();
        const learningRate = learningRateAt(schedule, step, totalSteps, baseLr, options.minLearningRate ?? 0);
        const r = dp
          ? await dp.step(batch, { learningRate, microBatchSize: dpMicro })
          : await trainStep(net, batch, micro, sgd, learningRate, options.signal, loss);
        step++;
        samples += r.n;
        seen += r.n;
        lossTotal += r.loss * r.n;
        correct += r.correct;
        if (options.onProgress && (step % every === 0 || step === totalSteps)) {
          options.onProgress({
            kind: 'step',
            step,
            totalSteps,
            epoch,
            epochs,
            loss: r.loss,
            accuracy: (100 * r.correct) / r.n,
            learningRate,
            samples,
            seconds: seconds(),
          });
        }
      }
      const v = options.validation;
      const last = epoch === epochs - 1 || step >= totalSteps;
      if (v && (last || (epoch + 1) % (v.everyEpochs ?? 1) === 0)) {
        if (dp) await copyWeights(dp, net);
        validation = await evaluateNetwork(net, v.split, {
          batchSize: v.batchSize ?? batchSize,
          limit: v.limit,
          signal: options.signal,
          microBatchSize: micro,
          loss,
        });
      }
      const report: TrainEpochProgress = {
        kind: 'epoch',
        epoch,
        epochs,
        step,
        totalSteps,
        loss: seen ? lossTotal / seen : NaN,
        accuracy: seen ? (100 * correct) / seen : NaN,
        seconds: seconds(),
        ...(v && validation ? { validation } : {}),
      };
      history.push(report);
      options.onProgress?.(report);
    }
    if (dp) await copyWeights(dp, net);
  } finally {
    sgd.dispose();
    await dp?.dispose();
  }
  const lastEpoch = history[history.length - 1];
  return {
    steps: step,
    epochs: history.length,
    samples,
    seconds: seconds(),
    loss: lastEpoch?.loss ?? NaN,
    accuracy: lastEpoch?.accuracy ?? NaN,
    ...(validation ? { validation } : {}),
    microBatchSize: dp ? dpMicro : micro,
    history,
  };
}

/** Replica threads holding copies of `net` (its current weights), with the trainer's SGD settings. */
async function startReplicas(net: Network, replicas: number, batchSize: number, options: TrainOptions): Promise<DataParallelTrainer> {
  if (trainLoss(options.loss) !== 'cross-entropy') {
    throw usage(
      `data-parallel training (replicas ${replicas}) trains with cross-entropy on class ids only, not with the loss "${options.loss}"`,
      'train this task with replicas: 1 (the default); the worker-thread pool still runs several trainings side by side',
    );
  }
  try {
    findNetworkBuilder(net.arch.space);
  } catch {
    throw usage(
      `data-parallel training rebuilds the network in each replica thread with nasx's built-in builders, which have none for space "${net.arch.space}"`,
      'train without replicas, or use createDataParallelTrainer with a replica model module for this space',
    );
  }
  const { numClasses, inputShape, outputShape, seed, init, macro } = net.options;
  const initialWeights = new Map<string, Float32Array>();
  for (const [name, v] of [...net.parameters, ...net.buffers]) initialWeights.set(name, v.dataSync() as Float32Array);
  return createDataParallelTrainer({
    replicas,
    model: {
      kind: 'network',
      arch: net.arch,
      options: { numClasses, inputShape, ...(outputShape ? { outputShape } : {}), seed, init, ...(macro ? { macro } : {}) },
    },
    sampleShape: net.plan.inputShape,
    maxBatchSize: batchSize,
    momentum: options.momentum,
    nesterov: options.nesterov,
    weightDecay: options.weightDecay,
    weightDecayFilter: options.weightDecayFilter,
    initialWeights,
  });
}

/** The replicas' parameters and buffers into `net` (for evaluation, and at the end of training). */
async function copyWeights(dp: DataParallelTrainer, net: Network): Promise<void> {
  const values = await dp.readWeights();
  for (const [name, data] of values) {
    const v = net.parameters.get(name) ?? net.buffers.get(name);
    if (!v) continue;
    const t = tf.tensor(data, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}

/** Options of {@link evaluateNetwork} and {@link predictNetwork}. */
export interface EvaluateOptions {
  /** Samples per batch read from the split (default 256). */
  readonly batchSize?: number;
  /** Samples per forward pass (default: as {@link microBatchSizeFor} decides). */
  readonly microBatchSize?: number;
  /** Stop after this many batches. */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /** The loss to report (default `cross-entropy`), as in {@link TrainOptions.loss}. */
  readonly loss?: LossName;
}

/**
 * Mean loss and accuracy (%) on a split, in evaluation mode (running BN statistics). Accuracy is
 * NaN for losses other than cross-entropy (score those with {@link predictNetwork}).
 */
export async function evaluateNetwork(net: Network, data: DataSplit, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const loss = trainLoss(options.loss);
  let total = 0;
  let correct = 0;
  let samples = 0;
  await forEachOutput(
    net,
    data,
    options,
    targetKind(loss),
    (out, y) => [lossSum(loss, out, y, net.plan.numClasses), ...(loss === 'cross-entropy' ? [correctCount(out, y as tf.Tensor1D)] : [])],
    async (parts, n) => {
      total += await sum(parts.filter((_, i) => i % 2 === 0));
      if (loss === 'cross-entropy') correct += await sum(parts.filter((_, i) => i % 2 === 1));
      samples += n;
    },
  );
  return { loss: samples ? total / samples : NaN, accuracy: samples && loss === 'cross-entropy' ? (100 * correct) / samples : NaN, samples };
}

/** A network's outputs on a split, with the targets, for scoring by a task metric. */
export interface Predictions {
  /** `[samples, outputs]` row-major: `Network.forward`'s flat outputs (logits; no softmax or sigmoid). */
  readonly outputs: Float32Array;
  /** Per-sample output count (`prod(outputShape)`). */
  readonly outputSize: number;
  /** Targets as the split delivered them, flattened: class ids, or values `[samples, outputSize]`. */
  readonly targets: Float32Array | Int32Array;
  readonly samples: number;
}

/**
 * Runs `net` in evaluation mode over a split and returns its raw outputs and the targets, so a
 * task metric (macro F1, mAP, AUROC, relative ℓ2, MAE₈ in `@nasx/stats`) can score them.
 * `targets` says how the split's `y` is read (`classes`: int32 ids, default; `values`: float32).
 */
export async function predictNetwork(
  net: Network,
  data: DataSplit,
  options: EvaluateOptions & { readonly targets?: 'classes' | 'values' } = {},
): Promise<Predictions> {
  const kind = options.targets ?? targetKind(trainLoss(options.loss));
  const outputSize = net.plan.outputShape.reduce((a, b) => a * b, 1);
  const outs: Float32Array[] = [];
  const ys: (Float32Array | Int32Array)[] = [];
  let samples = 0;
  await forEachOutput(
    net,
    data,
    options,
    kind,
    (out, y) => [out, tf.clone(y)],
    async (parts, n) => {
      for (let i = 0; i < parts.length; i += 2) {
        outs.push((await parts[i]!.data()) as Float32Array);
        ys.push((await parts[i + 1]!.data()) as Float32Array | Int32Array);
      }
      samples += n;
    },
  );
  const concat = <A extends Float32Array | Int32Array>(arrays: A[], make: (n: number) => A): A => {
    const all = make(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      all.set(a, at);
      at += a.length;
    }
    return all;
  };
  return {
    outputs: concat(outs, (n) => new Float32Array(n)),
    outputSize,
    targets: kind === 'classes' ? concat(ys as Int32Array[], (n) => new Int32Array(n)) : concat(ys as Float32Array[], (n) => new Float32Array(n)),
    samples,
  };
}

/** Evaluation-mode passes over a split, micro-batched: `perChunk` makes tensors, `perBatch` reads them (then they are freed). */
async function forEachOutput(
  net: Network,
  data: DataSplit,
  options: EvaluateOptions,
  targets: 'classes' | 'values',
  perChunk: (out: tf.Tensor2D, y: tf.Tensor) => tf.Tensor[],
  perBatch: (parts: tf.Tensor[], n: number) => Promise<void>,
): Promise<void> {
  const backend = assertTensorBackend('evaluation');
  positiveInt('batchSize', options.batchSize);
  positiveInt('microBatchSize', options.microBatchSize);
  const batchSize = options.batchSize ?? 256;
  const micro = microBatchSizeFor(net.plan, batchSize, backend, options);
  for await (const batch of data.batches({ batchSize, limit: options.limit })) {
    options.signal?.throwIfAborted();
    const { x, y } = toTensors(batch, targets);
    const parts: tf.Tensor[] = [];
    try {
      for (const [start, size] of chunks(x.shape[0], micro)) {
        parts.push(...tf.tidy(() => perChunk(net.forward(slice(x, start, size), { training: false }), slice(y, start, size))));
      }
      await perBatch(parts, x.shape[0]);
    } finally {
      tf.dispose([x, y, ...parts]);
    }
  }
}
