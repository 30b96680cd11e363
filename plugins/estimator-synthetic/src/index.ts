import { definePlugin } from '@nasx/contracts';
import { syntheticEstimator } from './synthetic/synthetic.estimator';

export { syntheticEstimator, syntheticScore, type SyntheticOptions } from './synthetic/synthetic.estimator';

export default definePlugin({ contributions: [syntheticEstimator] });
