import {
  NasxError,
  isNasxError,
  defineEstimator,
  phaseReporter,
  type Architecture,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type EstimatorDeps,
  type Fidelity,
  type MetricDeclaration,
  type Rng,
} from '@nasx/contracts';
import { TRAIN_LOSSES, buildNetwork, evaluateNetwork, initTensorBackend, planNetwork, predictNetwork, trainNetwork, type TrainLoss } from '@nasx/tensor';
import { subsetSplit } from '@nasx/data';
import { trainSchema, type TrainOptions } from './train.schema';

const PKG = '@nasx/estimator-train';
const ID = 'train';

/** Options of the `train` estimator (derived from train.schema.json; the kernel fills its defaults). */
export type TrainEstimatorOptions = TrainOptions;

const METRICS: readonly MetricDeclaration[] = [
  { name: 'val_acc', direction: 'maximize', unit: '%', description: 'top-1 accuracy on the validation split after the training budget' },
  { name: 'val_loss', direction: 'minimize', description: 'mean cross-entropy on the validation split' },
  { name: 'train_loss', direction: 'minimize', description: 'mean training cross-entropy of the last epoch' },
  { name: 'params', direction: 'minimize', unit: 'M', description: 'trainable parameters of the trained network' },
  { name: 'flops', direction: 'minimize', unit: 'M', description: 'multiply-accumulates per sample of the trained network' },
];

/**
 * The metrics reported for `task`: a task judged by its own `score` (NAS-Bench-360's F1, mAP,
 * AUROC, relative ℓ2, …) reports that metric under its name, its loss as `val_loss`/`train_loss`,
 * and `val_acc` only when it is a classification task.
 */
function metricsFor(task: { readonly loss: string; readonly metric: MetricDeclaration; score?: unknown }): readonly MetricDeclaration[] {
  if (!task.score) return METRICS;
  const loss = task.loss;
  return [
    { ...task.metric, description: task.metric.description ?? `${task.metric.name} on the validation split` },
    ...METRICS.filter((m) => m.name !== 'val_acc' || loss === 'cross-entropy').map((m) =>
      m.name === 'val_loss' || m.name === 'train_loss' ? { ...m, description: (m.description ?? m.name).replace('cross-entropy', loss) } : m,
    ),
  ];
}

/**
 * Optimiser steps of one estimate: `epochs` (the requested fidelity's, else the option's, else 1
 * when `steps` is not set either) passes over the training data, capped by `steps`.
 */
export function stepBudget(options: Pick<TrainEstimatorOptions, 'epochs' | 'steps'>, fidelity: Fidelity | undefined, stepsPerEpoch: number): number {
  const maxSteps = fidelity?.steps ?? options.steps;
  const epochs = fidelity?.epochs ?? options.epochs ?? (maxSteps === undefined ? 1 : undefined);
  const fromEpochs = epochs === undefined ? Infinity : Math.max(1, Math.round(epochs * stepsPerEpoch));
  return Math.min(fromEpochs, maxSteps ?? Infinity);
}

/**
 * The random streams of one estimate, from its context's RNG: the seed of the network's initial
 * weights and the data order. `nasx export --train` takes them from the same trial stream to
 * retrain a trial's network as the run did.
 */
export function trainingStreams(rng: Rng): { networkSeed: number; order: Rng } {
  return { networkSeed: rng.int(0x7fffffff), order: rng.fork('train-order') };
}

/**
 * Short training as an estimator: builds the architecture's network (seeded per trial), trains it
 * with NAS-Bench-201's recipe (Dong & Yang, ICLR 2020, Sec. 2.3: SGD, Nesterov 0.9, weight decay
 * 5e-4, cosine from 0.1) for a small budget, and reports validation accuracy. Low fidelity comes
 * from fewer epochs/steps, data subsets and a smaller skeleton (`macro`).
 */
export const trainEstimator = defineEstimator<TrainEstimatorOptions>({
  id: ID,
  title: 'Short training',
  description: 'Trains the architecture on the task for a budget of epochs or steps and reports validation accuracy.',
  optionsSchema: trainSchema,
  create(options, deps: EstimatorDeps): Estimator {
    const task = deps.task;
    if (!task) {
      throw new NasxError('config', `estimator "${ID}" trains networks on data, but the config has no task`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/task',
        fix: 'add a task, e.g. "task: mnist" or "task: cifar10" (with NASX_DATA)',
      });
    }
    const trainable = (TRAIN_LOSSES as readonly string[]).includes(task.loss);
    if (task.numClasses === undefined || (task.inputShape.length !== 3 && task.inputShape.length !== 2) || !trainable || task.graph) {
      throw new NasxError(
        'config',
        `estimator "${ID}" trains networks on images [C, H, W] or sequences [C, L] with ${TRAIN_LOSSES.join(', ')}, but task "${task.id}" is ${task.modality} with input shape [${task.inputShape.join(', ')}] and loss ${task.loss}`,
        {
          pkg: PKG,
          contribution: ID,
          pointer: '/task',
          fix: task.graph
            ? 'graph tasks train graph neural networks: use "space: gnn" with "estimator: train-graph"'
            : 'use an image or sequence task (mnist, cifar10, the NAS-Bench-360 tasks); segmentation tasks have their own searchers',
        },
      );
    }
    const numClasses = task.numClasses;
    const inputShape = task.inputShape;
    const outputShape = task.outputShape;
    const loss = task.loss as TrainLoss;
    const metrics = metricsFor(task);
    const batchSize = options.batchSize;
    const train = subsetSplit(task.splits.train, options.trainLimit);
    const validation = subsetSplit(task.splits.validation, options.valLimit);
    const macro = options.macro && Object.keys(options.macro).length ? (options.macro as { [name: string]: number }) : undefined;
    if (macro) {
      // Skeleton settings are the space's network builder's to check: ask it about one architecture
      // now, so a setting it does not take stops the run before it starts instead of failing every trial.
      try {
        planNetwork(deps.space.sample(deps.rng.fork('macro-check')), { numClasses, inputShape, outputShape, macro });
      } catch (e) {
        if (isNasxError(e) && /macro/.test(e.message)) {
          throw new NasxError('config', `estimator "${ID}": ${e.message}`, {
            pkg: PKG,
            contribution: ID,
            pointer: '/estimator/options/macro',
            fix: e.fix ?? 'remove the setting',
          });
        }
      }
    }

    return {
      id: ID,
      metrics,
      async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
        if (arch.space !== deps.space.id) {
          throw new NasxError('architecture', `estimator "${ID}" was given an architecture of space "${arch.space}" in a run over "${deps.space.id}"`, {
            pkg: PKG,
            contribution: ID,
            fix: 'estimate architectures of the configured space',
          });
        }
        ctx.signal.throwIfAborted();
        await initTensorBackend();
        await task.load?.();
        const started = performance.now();
        const stepsPerEpoch = Math.ceil(train.size / batchSize);
        const steps = stepBudget(options, ctx.fidelity, stepsPerEpoch);
        const streams = trainingStreams(ctx.rng);
        const net = buildNetwork(arch, { numClasses, inputShape, outputShape, seed: streams.networkSeed, init: options.init, ...(macro ? { macro } : {}) });
        const phase = phaseReporter(ctx, `training trial ${ctx.trial}`, { total: steps, unit: 'steps', source: ID });
        try {
          const result = await trainNetwork(net, train, {
            steps,
            batchSize,
            microBatchSize: options.microBatch,
            ...(options.dataParallel > 1 ? { replicas: options.dataParallel } : {}),
            learningRate: options.lr,
            minLearningRate: options.minLr,
            schedule: options.schedule,
            momentum: options.momentum,
            nesterov: options.nesterov,
            weightDecay: options.weightDecay,
            rng: streams.order,
            signal: ctx.signal,
            loss,
            // Steps go to a rate-limited phase (`training trial 3 40/60 steps`), the loss to one
            // train_loss metric per epoch (per-step metrics would be too chatty for a run's stream).
            onProgress: (p) => {
              if (p.kind === 'epoch') ctx.emit({ type: 'metric', name: 'train_loss', value: p.loss, step: p.epoch + 1, source: `${ID}#${ctx.trial}` });
              else phase.update(p.step);
            },
          });
          const evalOptions = { batchSize: options.evalBatchSize, microBatchSize: result.microBatchSize, signal: ctx.signal, loss };
          const val = await evaluateNetwork(net, validation, evalOptions);
          const scored = task.score ? { [task.metric.name]: task.score(await predictNetwork(net, validation, evalOptions)) } : {};
          const epochs = result.steps / stepsPerEpoch;
          const seconds = (performance.now() - started) / 1000;
          const dataFraction = train.size / task.splits.train.size;
          return {
            metrics: {
              ...scored,
              ...(loss === 'cross-entropy' ? { val_acc: val.accuracy } : {}),
              val_loss: val.loss,
              train_loss: result.loss,
              params: net.paramCount / 1e6,
              flops: net.flops / 1e6,
            },
            fidelity: { epochs, steps: result.steps, ...(dataFraction < 1 ? { dataFraction } : {}) },
            cost: { seconds, epochs },
            info: {
              trainSamples: result.samples,
              valSamples: val.samples,
              trainAcc: result.accuracy,
              microBatch: result.microBatchSize,
              ...(options.dataParallel > 1 ? { dataParallel: options.dataParallel } : {}),
            },
          };
        } finally {
          phase.end();
          net.dispose();
        }
      },
    };
  },
});
