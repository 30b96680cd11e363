/**
 * @packageDocumentation
 * `@nasx/estimator-gcn`: the `gcn` estimator, the GCN performance predictor of Wen et al.
 * ("Neural Predictor for Neural Architecture Search", ECCV 2020) on any space's `ArchGraph`.
 */
import { definePlugin } from '@nasx/contracts';
import { gcnEstimator } from './gcn/gcn.estimator';

export { GCN_DEFAULTS, gcnEstimator, gcnModel, type GcnOptions } from './gcn/gcn.estimator';
export { createGcnNetwork, type GcnArchitecture } from './gcn/gcn.network';

export default definePlugin({ contributions: [gcnEstimator] });
