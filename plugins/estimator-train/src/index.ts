/**
 * @packageDocumentation
 * `@nasx/estimator-train`: the training-based estimator. `train` trains each architecture's network
 * (built by `@nasx/tensor`) on the run's task for a small budget and reports validation accuracy,
 * the classic — and most expensive — way to estimate an architecture.
 */
import { definePlugin } from '@nasx/contracts';
import { trainEstimator } from './train/train.estimator';

export { trainEstimator, stepBudget, trainingStreams, type TrainEstimatorOptions } from './train/train.estimator';
export { limitSplit } from './train/limited-split';

export default definePlugin({ contributions: [trainEstimator] });
