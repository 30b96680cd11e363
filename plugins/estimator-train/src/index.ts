/**
 * @packageDocumentation
 * `@nasx/estimator-train`: the training-based estimator. `train` trains each architecture's network
 * (built by `@nasx/tensor`) on the run's task for a small budget and reports validation accuracy,
 * the classic — and most expensive — way to estimate an architecture; `train-graph` does the same
 * for graph neural networks on transductive graph tasks (full-batch, AGNN's parameter sharing).
 */
import { definePlugin } from '@nasx/contracts';
import { trainGraphEstimator } from './train-graph/train-graph.estimator';
import { trainEstimator } from './train/train.estimator';

export { trainEstimator, stepBudget, trainingStreams, type TrainEstimatorOptions } from './train/train.estimator';

export { homogeneous, trainGraphEstimator, type TrainGraphEstimatorOptions } from './train-graph/train-graph.estimator';
export { WeightStore } from './train-graph/weight-store';

export default definePlugin({ contributions: [trainEstimator, trainGraphEstimator] });
