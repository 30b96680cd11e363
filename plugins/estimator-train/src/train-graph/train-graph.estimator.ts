import {
  NasxError,
  defineEstimator,
  phaseReporter,
  type Architecture,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type EstimatorDeps,
  type MetricDeclaration,
} from '@nasx/contracts';
import {
  GNN_SPACE,
  buildGnnNetwork,
  explainOutOfMemory,
  gnnGenotype,
  graphTensors,
  initTensorBackend,
  recoverWasmBackend,
  trainGraphNetwork,
  type GnnNetwork,
  type GnnParameter,
  type GraphTensors,
} from '@nasx/tensor';
import { trainGraphSchema, type TrainGraphOptions } from './train-graph.schema';
import { WeightStore } from './weight-store';

const PKG = '@nasx/estimator-train';
const ID = 'train-graph';

export type TrainGraphEstimatorOptions = TrainGraphOptions;

const METRICS: readonly MetricDeclaration[] = [
  { name: 'val_acc', direction: 'maximize', unit: '%', description: 'node classification accuracy on the validation nodes' },
  { name: 'val_loss', direction: 'minimize', description: 'mean cross-entropy on the validation nodes' },
  { name: 'test_acc', direction: 'maximize', unit: '%', description: 'accuracy on the test nodes (for reporting a retrained network; not for selection)' },
  { name: 'train_loss', direction: 'minimize', description: 'training loss (cross-entropy + L2) of the last epoch' },
  { name: 'params', direction: 'minimize', unit: 'M', description: 'trainable parameters' },
];

/**
 * AGNN's homogeneity (Zhou et al. 2019, Sec. 4.3): a child layer takes a parameter of its parent's
 * layer only when the parameter has the same shape and the two layers have the same attention and
 * activation functions; skip-connection weights are never shared.
 */
export function homogeneous(child: Architecture, parent: Architecture): (p: GnnParameter) => boolean {
  const c = gnnGenotype(child.genotype).layers;
  const q = gnnGenotype(parent.genotype).layers;
  return (p) => {
    const a = c[p.layer];
    const b = q[p.layer];
    if (!a || !b || p.name.includes('.skip')) return false;
    return a.attention === b.attention && a.activation === b.activation;
  };
}

/**
 * Trains a graph neural network of the `gnn` space on the run's transductive graph task
 * (full-batch Adam, L2, dropout, GCN's or GAT's early stopping) and reports validation accuracy,
 * with AGNN's constrained parameter sharing for derived proposals.
 */
export const trainGraphEstimator = defineEstimator<TrainGraphEstimatorOptions>({
  id: ID,
  title: 'Graph network training',
  description:
    'Trains a GNN of the gnn space on a graph task (Cora, Citeseer, Pubmed) full-batch with Adam and reports validation accuracy; shares parameters with a parent network (AGNN).',
  optionsSchema: trainGraphSchema,
  create(options, deps: EstimatorDeps): Estimator {
    const task = deps.task;
    if (!task?.graph) {
      throw new NasxError(
        'config',
        task
          ? `estimator "${ID}" trains graph neural networks on a graph, but task "${task.id}" is ${task.modality} data`
          : `estimator "${ID}" trains graph neural networks on a graph task, but the config has no task`,
        {
          pkg: PKG,
          contribution: ID,
          pointer: '/task',
          fix: 'use a graph task (cora, citeseer, pubmed) with the gnn space, or the train estimator for image and sequence tasks',
        },
      );
    }
    if (deps.space.id !== GNN_SPACE) {
      throw new NasxError('config', `estimator "${ID}" builds networks of the gnn space, but the run's space is "${deps.space.id}"`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/space',
        fix: 'use "space: gnn" with graph tasks',
      });
    }
    const graph = task.graph;
    let tensors: GraphTensors | undefined;
    const store = new WeightStore();
    return {
      id: ID,
      metrics: METRICS,
      async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
        const valid = deps.space.validate(arch);
        ctx.signal.throwIfAborted();
        await initTensorBackend();
        const started = performance.now();
        let net: GnnNetwork | undefined;
        let phase: ReturnType<typeof phaseReporter> | undefined;
        try {
          tensors ??= graphTensors(graph);
          const seed = ctx.rng.int(0x7fffffff);
          net = buildGnnNetwork(valid.genotype, { numFeatures: tensors.numFeatures, numClasses: tensors.numClasses, seed });
          let inherited: string[] = [];
          const parent = options.inherit && ctx.parent ? store.get(ctx.parent.trial, ctx.stateDir) : undefined;
          if (parent && ctx.parent) inherited = net.assign(parent.weights, homogeneous(valid, ctx.parent.arch));
          const epochs = inherited.length ? options.inheritEpochs : options.epochs;
          const reporter = phaseReporter(ctx, `training trial ${ctx.trial}`, { total: epochs, unit: 'epochs', source: ID });
          phase = reporter;
          const result = await trainGraphNetwork(net, tensors, {
            epochs,
            learningRate: options.lr,
            weightDecay: options.weightDecay,
            weightDecayScope: options.weightDecayScope,
            dropout: options.dropout,
            earlyStopping: options.earlyStopping,
            patience: options.patience,
            seed: ctx.rng.int(0x7fffffff),
            signal: ctx.signal,
            onEpoch: (r) => reporter.update(r.epoch),
          });
          if (options.inherit) store.put(ctx.trial, { genotype: valid.genotype, weights: net.weights() }, ctx.stateDir);
          const seconds = (performance.now() - started) / 1000;
          return {
            metrics: {
              val_acc: result.validation.accuracy,
              val_loss: result.validation.loss,
              test_acc: result.test.accuracy,
              train_loss: result.trainLoss,
              params: net.paramCount / 1e6,
            },
            fidelity: { epochs: result.epochs },
            cost: { seconds, epochs: result.epochs },
            info: {
              selectedEpoch: result.selectedEpoch,
              stoppedEarly: result.stoppedEarly,
              trainAcc: result.train.accuracy,
              ...(ctx.parent ? { parent: ctx.parent.trial, inherited: inherited.length } : {}),
            },
          };
        } catch (e) {
          // A network too large for the wasm backend's 4 GiB heap: a clear failure of this trial
          // (the search goes on), and a fresh module for the next one when the estimator runs
          // in-process (the graph's tensors died with the old module).
          const explained = explainOutOfMemory(e, `training ${valid.key} on ${task.id}`);
          if (await recoverWasmBackend(e)) {
            tensors?.dispose();
            tensors = undefined;
          }
          throw explained;
        } finally {
          phase?.end();
          net?.dispose();
        }
      },
      dispose() {
        tensors?.dispose();
        tensors = undefined;
      },
    };
  },
});
