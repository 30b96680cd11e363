/**
 * @packageDocumentation
 * `@nasx/estimator-renas`: the `renas` estimator, the relativistic performance predictor of Xu et
 * al. ("ReNAS: Relativistic Evaluation of Neural Architecture Search", CVPR 2021) on any space's
 * `ArchGraph`.
 */
import { definePlugin } from '@nasx/contracts';
import { renasEstimator } from './renas/renas.estimator';

export { RENAS_DEFAULTS, renasEstimator, renasModel, type RenasOptions } from './renas/renas.estimator';
export { createRenasNetwork, type RenasArchitecture } from './renas/renas.network';

export default definePlugin({ contributions: [renasEstimator] });
