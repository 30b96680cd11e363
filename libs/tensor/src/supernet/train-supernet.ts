import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Batch, type DataSplit, type Rng } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { assertTensorBackend, TENSOR_PACKAGE } from '../backend/backend';
import { createDataParallelTrainer, type DataParallelTrainer } from '../parallel/data-parallel.trainer';
import { toTensors } from '../train/batch-tensors';
import { learningRateAt, type LearningRateSchedule } from '../train/lr-schedule';
import { SgdOptimizer } from '../train/sgd.optimizer';
import { correctCount, crossEntropySum } from '../train/train';
import type { Supernet, SupernetPath } from './supernet';
import type { SupernetReplicaOptions } from './supernet.replica-model';

/**
 * Which paths a training step may sample: per decision, the allowed choices (all when absent).
 * A few-shot sub-supernet fixes the split decisions to one choice each.
 */
export type PathConstraint = readonly (readonly number[] | undefined)[];

/** A path drawn uniformly: each decision's choice uniform over its allowed choices (SPOS's sampler). */
export function sampleUniformPath(choices: readonly number[], rng: Rng, constraint?: PathConstraint): number[] {
  return choices.map((n, d) => {
    const allowed = constraint?.[d];
    return allowed ? allowed[rng.int(allowed.length)]! : rng.int(n);
  });
}

/** What one epoch of supernet training did. */
export interface SupernetEpoch {
  /** 0-based epoch index within the schedule. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss and accuracy (%) of the epoch, over the sampled paths. */
  readonly loss: number;
  readonly accuracy: number;
  readonly steps: number;
  readonly seconds: number;
}

/** Options of {@link trainSupernet}. */
export interface SupernetTrainOptions {
  /** Epochs of the whole schedule (the cosine schedule spans them all). */
  readonly epochs: number;
  /** Epochs already done (a resumed run); training continues with epoch `startEpoch`. Default 0. */
  readonly startEpoch?: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly minLearningRate?: number;
  readonly schedule?: LearningRateSchedule;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
  /**
   * The randomness of the schedule: epoch `e` draws its batch order and its paths from
   * `rng.fork('epoch-e')`, so a resumed schedule repeats what an uninterrupted one does.
   */
  readonly rng: Rng;
  /** Restricts the sampled paths (a few-shot sub-supernet). */
  readonly constraint?: PathConstraint;
  /**
   * Train on random labels (RLNAS, Zhang et al. 2021): sample `i` of the split gets the fixed label
   * `hash(seed, i) mod classes` instead of its own, the same in every epoch.
   */
  readonly randomLabels?: { readonly seed: number };
  /** Replica threads (2 or more: data parallel over the worker pool); default 1. */
  readonly replicas?: number;
  /** How the replicas build the supernet (required with replicas > 1). */
  readonly replicaModel?: SupernetReplicaOptions;
  /**
   * SGD momentum buffers by parameter name to resume with (saved by `onEpoch`'s
   * `momentum()`); with them, a resumed schedule takes the same steps as an uninterrupted one.
   */
  readonly initialMomentum?: ReadonlyMap<string, ArrayLike<number>>;
  readonly signal?: AbortSignal;
  /**
   * After each epoch, with the supernet holding the epoch's weights (save a checkpoint here);
   * `state.momentum()` reads the optimiser's momentum buffers, to save with them.
   */
  readonly onEpoch?: (epoch: SupernetEpoch, state: SupernetTrainState) => Promise<void> | void;
  /** After each step. */
  readonly onStep?: (step: number, stepsPerEpoch: number, epoch: number) => void;
}

/** The optimiser state at the end of an epoch, read on demand. */
export interface SupernetTrainState {
  /** SGD momentum buffers by parameter name (copies); see {@link SupernetTrainOptions.initialMomentum}. */
  momentum(): Promise<Map<string, Float32Array>>;
}

const imul = Math.imul;

/** The fixed random label of sample `index` (SplitMix32 of seed and index). */
export function randomLabel(seed: number, index: number, classes: number): number {
  let z = (imul(index + 1, 0x9e3779b9) ^ imul(seed | 0, 0x85ebca6b)) >>> 0;
  z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z % classes;
}

function withRandomLabels(batch: Batch, seed: number, classes: number): Batch {
  if (!batch.indices) {
    throw new NasxError('config', 'random-label training needs the task to number its samples (Batch.indices), and this task does not', {
      pkg: TENSOR_PACKAGE,
      fix: 'use a task whose batches carry sample indices (mnist, cifar10 and the tasks built on @nasx/data do)',
    });
  }
  const y = new Int32Array(batch.indices.length);
  for (let k = 0; k < y.length; k++) y[k] = randomLabel(seed, batch.indices[k]!, classes);
  return { ...batch, y: { data: y, shape: [y.length], dtype: 'int32' } };
}

/** The compiled replica module (replicas load the built JavaScript). */
function replicaModule(): string {
  const here = path.join(__dirname, 'supernet.replica-model.js');
  if (fs.existsSync(here)) return here;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'supernet', 'supernet.replica-model.js');
  if (fs.existsSync(built)) return built;
  throw new NasxError('run', 'the supernet replica module is not built (dist/supernet/supernet.replica-model.js of @nasx/tensor is missing)', {
    pkg: TENSOR_PACKAGE,
    fix: 'build the workspace (npm run build), or train with one replica',
  });
}

/** All parameters and buffers of a supernet by name, as arrays (copies). */
export function readSupernetWeights(supernet: Supernet): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of [...supernet.parameters, ...supernet.buffers]) out.set(name, Float32Array.from(v.dataSync() as Float32Array));
  return out;
}

/** Loads parameters and buffers by name into a supernet (names not given keep their values); sizes are checked. */
export function writeSupernetWeights(supernet: Supernet, values: ReadonlyMap<string, ArrayLike<number>>): void {
  for (const [name, value] of values) {
    const v = supernet.parameters.get(name) ?? supernet.buffers.get(name);
    if (!v)
      throw new NasxError('data', `supernet weights hold "${name}", which this supernet does not have`, {
        pkg: TENSOR_PACKAGE,
        fix: 'load weights saved from a supernet of the same space and skeleton',
      });
    if (value.length !== v.size) {
      throw new NasxError('data', `supernet weight "${name}" has ${value.length} values, the supernet ${v.size}`, {
        pkg: TENSOR_PACKAGE,
        fix: 'load weights saved from a supernet of the same space and skeleton',
      });
    }
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(value), v.shape, 'float32')));
  }
}

/** One single-thread SGD step of `path` on a batch; returns Σ loss, Σ correct, n. */
function pathStep(supernet: Supernet, batch: Batch, pathChoice: SupernetPath, sgd: SgdOptimizer, lr: number): { loss: number; correct: number; n: number } {
  const names = supernet.pathParameters(pathChoice);
  const varList = names.map((n) => supernet.parameters.get(n)!);
  const byVariable = new Map(names.map((n) => [supernet.parameters.get(n)!.name, n]));
  const { x, y } = toTensors(batch);
  let hits: tf.Tensor | undefined;
  try {
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const logits = supernet.forward(x, pathChoice, { training: true });
        hits = tf.keep(correctCount(logits, y));
        return tf.div(crossEntropySum(logits, y, supernet.numClasses), x.shape[0]) as tf.Scalar;
      }, varList),
    );
    const named = new Map(Object.entries(grads).map(([v, g]) => [byVariable.get(v)!, g]));
    sgd.step(named, lr);
    const loss = value.dataSync()[0]! * x.shape[0];
    const correct = hits!.dataSync()[0]!;
    tf.dispose([value, ...named.values()]);
    return { loss, correct, n: x.shape[0] };
  } finally {
    tf.dispose([x, y, hits!]);
  }
}

/**
 * Trains a supernet by single-path sampling (Guo et al., "Single Path One-Shot Neural
 * Architecture Search with Uniform Sampling", ECCV 2020): each step draws one path uniformly
 * (within `constraint` for a few-shot sub-supernet) and takes an SGD step on that path's weights
 * only; with `randomLabels`, on RLNAS's fixed random labels. The learning rate follows `schedule`
 * over all `epochs`; `startEpoch` resumes a schedule. With `replicas` > 1 the steps run
 * data-parallel on worker threads (the same path on every replica), and the supernet is updated
 * from them after every epoch. The supernet holds the trained weights when it returns.
 *
 * A resumed schedule (`startEpoch`, weights loaded into the supernet, `initialMomentum`) takes the
 * same steps, bit for bit, as the uninterrupted one.
 */
export async function trainSupernet(supernet: Supernet, data: DataSplit, options: SupernetTrainOptions): Promise<SupernetEpoch[]> {
  assertTensorBackend('supernet training');
  const start = options.startEpoch ?? 0;
  const perEpoch = Math.ceil(data.size / options.batchSize);
  if (perEpoch === 0)
    throw new NasxError('data', 'the training split is empty', { pkg: TENSOR_PACKAGE, fix: 'check the task’s data directory and split sizes' });
  const totalSteps = options.epochs * perEpoch;
  const schedule = options.schedule ?? 'cosine';
  const replicas = options.replicas ?? 1;
  const sgdSettings = { momentum: options.momentum ?? 0.9, nesterov: options.nesterov ?? true, weightDecay: options.weightDecay ?? 5e-4 };
  let dp: DataParallelTrainer | undefined;
  let sgd: SgdOptimizer | undefined;
  const history: SupernetEpoch[] = [];
  try {
    if (replicas > 1) {
      if (!options.replicaModel)
        throw new NasxError('usage', 'data-parallel supernet training needs replicaModel', {
          pkg: TENSOR_PACKAGE,
          fix: 'pass replicaModel: { space, supernet options }',
        });
      dp = await createDataParallelTrainer({
        replicas,
        model: { kind: 'module', module: replicaModule(), options: options.replicaModel as never },
        sampleShape: [...supernet.options.inputShape],
        maxBatchSize: options.batchSize,
        ...sgdSettings,
        initialWeights: readSupernetWeights(supernet),
        ...(options.initialMomentum ? { initialMomentum: options.initialMomentum } : {}),
      });
    } else {
      sgd = new SgdOptimizer(supernet.parameters, sgdSettings);
      if (options.initialMomentum) sgd.loadMomentumBuffers(options.initialMomentum);
    }
    const state: SupernetTrainState = { momentum: async () => (dp ? dp.readMomentum() : sgd!.momentumBuffers()) };
    for (let epoch = start; epoch < options.epochs; epoch++) {
      const t0 = performance.now();
      const rng = options.rng.fork(`epoch-${epoch}`);
      const order = rng.fork('order');
      const paths = rng.fork('paths');
      let loss = 0;
      let correct = 0;
      let seen = 0;
      let i = 0;
      for await (const raw of data.batches({ batchSize: options.batchSize, rng: order })) {
        options.signal?.throwIfAborted();
        const batch = options.randomLabels ? withRandomLabels(raw, options.randomLabels.seed, supernet.numClasses) : raw;
        const choice = sampleUniformPath(supernet.choices, paths, options.constraint);
        const lr = learningRateAt(schedule, epoch * perEpoch + i, totalSteps, options.learningRate, options.minLearningRate ?? 0);
        if (dp) {
          const r = await dp.step(batch, { learningRate: lr, args: { path: choice } });
          loss += r.loss * r.n;
          correct += r.correct;
          seen += r.n;
        } else {
          const r = pathStep(supernet, batch, choice, sgd!, lr);
          loss += r.loss;
          correct += r.correct;
          seen += r.n;
          // Let timers and aborts through between steps.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        i++;
        options.onStep?.(i, perEpoch, epoch);
      }
      if (dp) writeSupernetWeights(supernet, await dp.readWeights());
      const record: SupernetEpoch = {
        epoch,
        epochs: options.epochs,
        loss: loss / Math.max(seen, 1),
        accuracy: (100 * correct) / Math.max(seen, 1),
        steps: i,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(record);
      await options.onEpoch?.(record, state);
    }
    return history;
  } finally {
    sgd?.dispose();
    await dp?.dispose();
  }
}
