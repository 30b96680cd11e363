/**
 * @packageDocumentation
 * `@nasx/estimator-zero-cost`: training-free estimators. NASWOT (Mellor et al., ICML 2021) and the
 * zero-cost proxies of Abdelfattah et al. (ICLR 2021): synflow, snip, grad-norm, jacob-cov, fisher,
 * grasp,
 * params and flops. One contribution per proxy; they share the network building, the fixed
 * mini-batch and the reporting (src/common).
 */
import { definePlugin } from '@nasx/contracts';
import { sizeSchema } from './common/size.schema';
import { defineSizeEstimator } from './common/proxy-estimator';
import { naswotEstimator } from './naswot/naswot.estimator';
import { fisherEstimator, gradNormEstimator, graspEstimator, snipEstimator, synflowEstimator } from './proxies/gradient.proxies';
import { jacobCovEstimator } from './proxies/jacob-cov.proxy';

export const paramsEstimator = defineSizeEstimator(
  'params',
  'Parameter count',
  'Trainable parameters (millions) of the built network, as a zero-cost proxy (larger ranks higher).',
  sizeSchema,
);
export const flopsEstimator = defineSizeEstimator(
  'flops',
  'FLOPs',
  'Multiply-accumulates per sample (millions) of the built network, as a zero-cost proxy (larger ranks higher).',
  sizeSchema,
);

export { naswotEstimator, naswotScore, addLayerToKernel, type NaswotOptions } from './naswot/naswot.estimator';
export {
  fisherEstimator,
  gradNormEstimator,
  graspEstimator,
  snipEstimator,
  synflowEstimator,
  fisherScore,
  snipScore,
  gradNormScore,
  graspScore,
  synflowScore,
} from './proxies/gradient.proxies';
export { jacobCovEstimator, jacobianCovarianceScore } from './proxies/jacob-cov.proxy';
export { defineProxyEstimator, prunableWeights, type ProxyDefinition, type ProxyInputs, type ProxyOptions, type SizeOptions } from './common/proxy-estimator';
export { spearman, kendallTau, ranks } from '@nasx/stats';

export default definePlugin({
  contributions: [
    naswotEstimator,
    synflowEstimator,
    snipEstimator,
    gradNormEstimator,
    jacobCovEstimator,
    fisherEstimator,
    graspEstimator,
    paramsEstimator,
    flopsEstimator,
  ],
});
