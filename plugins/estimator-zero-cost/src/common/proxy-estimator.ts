import {
  NasxError,
  defineEstimator,
  type Architecture,
  type ContributionDefinition,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type EstimatorDeps,
  type JsonSchema,
  type MetricDeclaration,
  type Shape,
} from '@nasx/contracts';
import { subsetSplit } from '@nasx/data';
import { buildNetwork, initTensorBackend, planNetwork, tf, toTensors, type ClassificationTensors, type Network } from '@nasx/tensor';

import type { ProxyOptions } from './proxy.schema';
import type { SizeOptions } from './size.schema';

export type { ProxyOptions } from './proxy.schema';
export type { SizeOptions } from './size.schema';

const PKG = '@nasx/estimator-zero-cost';

/** What a proxy's score function gets: a freshly initialised network and one fixed mini-batch. */
export interface ProxyInputs {
  readonly net: Network;
  /** The mini-batch (absent for data-free proxies). */
  readonly batch?: ClassificationTensors;
  readonly numClasses: number;
  readonly inputShape: Shape;
}

/** A zero-cost proxy: how it scores one network. */
export interface ProxyDefinition<O extends ProxyOptions> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly optionsSchema: JsonSchema;
  /** Uses the task's data (all but synflow). */
  readonly needsData: boolean;
  /** Score of one network (larger ranks higher). May be async (reads tensors). */
  score(inputs: ProxyInputs, options: O): number | Promise<number>;
}

/** Conv and linear weights: the "prunable" parameters the proxies of Abdelfattah et al. 2021 sum over. */
export function prunableWeights(net: Network): tf.Variable[] {
  const roles = new Map(net.plan.parameters.map((p) => [p.name, p.role]));
  return [...net.parameters.entries()].filter(([name]) => roles.get(name) === 'conv-weight' || roles.get(name) === 'linear-weight').map(([, v]) => v);
}

function metricsOf(id: string): MetricDeclaration[] {
  return [
    { name: id, direction: 'maximize', description: `${id} zero-cost score (larger ranks higher)` },
    { name: 'params', direction: 'minimize', unit: 'M', description: 'trainable parameters' },
    { name: 'flops', direction: 'minimize', unit: 'M', description: 'multiply-accumulates per sample' },
  ];
}

/** The task facts a proxy needs, with a clear error when the run has no suitable task. */
export function imageTaskOf(id: string, deps: EstimatorDeps): { numClasses: number; inputShape: Shape } {
  const task = deps.task;
  if (!task) {
    throw new NasxError('config', `estimator "${id}" scores networks on data, but the config has no task`, {
      pkg: PKG,
      contribution: id,
      pointer: '/task',
      fix: 'add a task, e.g. "task: cifar10" (with NASX_DATA) or "task: mnist"',
    });
  }
  if (task.numClasses === undefined || task.inputShape.length !== 3) {
    throw new NasxError(
      'config',
      `estimator "${id}" needs an image classification task, but "${task.id}" is ${task.modality} with input shape [${task.inputShape.join(', ')}]`,
      {
        pkg: PKG,
        contribution: id,
        pointer: '/task',
        fix: 'use an image classification task such as cifar10 or mnist',
      },
    );
  }
  return { numClasses: task.numClasses, inputShape: task.inputShape };
}

/**
 * Defines an estimator contribution from a proxy: builds the architecture's network with a seed
 * derived from the trial, scores it on one fixed mini-batch (the same for every architecture, as
 * NASLib and the NASWOT code do), and frees it. Reports the score, params and flops.
 */
export function defineProxyEstimator<O extends ProxyOptions>(p: ProxyDefinition<O>): ContributionDefinition<'estimator', O> {
  return defineEstimator<O>({
    id: p.id,
    title: p.title,
    description: p.description,
    optionsSchema: p.optionsSchema,
    create(options, deps): Estimator {
      const { numClasses, inputShape } = imageTaskOf(p.id, deps);
      let batch: Promise<ClassificationTensors | undefined> | undefined;
      const firstBatch = async (): Promise<ClassificationTensors | undefined> => {
        if (!p.needsData) return undefined;
        const split = deps.task!.splits.train;
        const size = options.batchSize;
        if (split.size < size) {
          throw new NasxError('config', `estimator "${p.id}" wants a batch of ${size} but the task's training split has ${split.size} examples`, {
            pkg: PKG,
            contribution: p.id,
            pointer: '/options/batchSize',
            fix: `lower batchSize to at most ${split.size}`,
          });
        }
        // A fixed, uniformly drawn batch: not the split's first samples, which a class-ordered
        // split (the embedded MNIST's) fills with one digit.
        for await (const b of subsetSplit(split, size).batches({ batchSize: size, limit: 1, dropLast: true })) return toTensors(b);
        throw new NasxError('data', `the task's training split delivered no batch`, { pkg: PKG, contribution: p.id });
      };
      return {
        id: p.id,
        metrics: metricsOf(p.id),
        async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
          if (arch.space !== deps.space.id) {
            throw new NasxError('architecture', `estimator "${p.id}" was given an architecture of space "${arch.space}" in a run over "${deps.space.id}"`, {
              pkg: PKG,
              contribution: p.id,
              fix: 'score architectures of the configured space',
            });
          }
          await initTensorBackend();
          batch ??= firstBatch();
          const data = await batch;
          const started = performance.now();
          const net = buildNetwork(arch, { numClasses, inputShape, seed: ctx.rng.int(0x7fffffff), init: options.init });
          try {
            const score = await p.score({ net, batch: data, numClasses, inputShape }, options);
            return {
              metrics: { [p.id]: score, params: net.paramCount / 1e6, flops: net.flops / 1e6 },
              fidelity: { kind: 'zero-cost' },
              cost: { seconds: (performance.now() - started) / 1000 },
            };
          } finally {
            net.dispose();
          }
        },
        async dispose() {
          const data = await batch?.catch(() => undefined);
          if (data) tf.dispose([data.x, data.y]);
        },
      };
    },
  });
}

/** `params` or `flops` from the network plan: no tensors, microseconds. */
export function defineSizeEstimator(
  id: 'params' | 'flops',
  title: string,
  description: string,
  optionsSchema: JsonSchema,
): ContributionDefinition<'estimator', SizeOptions> {
  return defineEstimator<SizeOptions>({
    id,
    title,
    description,
    optionsSchema,
    create(options, deps): Estimator {
      const numClasses = options.numClasses ?? deps.task?.numClasses ?? 10;
      const inputShape = options.inputShape ?? deps.task?.inputShape ?? [3, 32, 32];
      return {
        id,
        metrics: [{ name: id, direction: 'maximize', unit: 'M', description: `${id} as a zero-cost proxy (larger ranks higher)` }],
        async estimate(arch) {
          if (arch.space !== deps.space.id) {
            throw new NasxError('architecture', `estimator "${id}" was given an architecture of space "${arch.space}" in a run over "${deps.space.id}"`, {
              pkg: PKG,
              contribution: id,
              fix: 'score architectures of the configured space',
            });
          }
          const plan = planNetwork(arch, { numClasses, inputShape });
          return { metrics: { [id]: (id === 'params' ? plan.paramCount : plan.flops) / 1e6 }, fidelity: { kind: 'zero-cost' }, cost: { seconds: 0 } };
        },
      };
    },
  });
}
