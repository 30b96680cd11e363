/**
 * @packageDocumentation
 * `@nasx/estimator-ctnas`: the `ctnas` estimator, the Neural Architecture Comparator (NAC) of CTNAS
 * (Chen et al., "Contrastive Neural Architecture Search with Neural Architecture Comparators",
 * CVPR 2021): a `Predictor` and a `Comparator` (`compare(a, b)` = P(a better than b)).
 */
import { definePlugin } from '@nasx/contracts';
import { ctnasEstimator } from './ctnas/ctnas.estimator';

export { CTNAS_DEFAULTS, CTNAS_STATE_VERSION, CtnasEstimator, ctnasEstimator, type CtnasOptions, type CtnasStateFile } from './ctnas/ctnas.estimator';
export { NacNetwork, type NacArchitecture } from './ctnas/nac.network';

export default definePlugin({ contributions: [ctnasEstimator] });
