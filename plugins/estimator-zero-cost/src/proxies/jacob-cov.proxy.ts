import { tf } from '@nasx/tensor';
import { proxySchema } from '../common/proxy.schema';
import { rowCorrelation, symmetricEigenvalues } from '../common/linalg';
import { defineProxyEstimator, type ProxyInputs } from '../common/proxy-estimator';

/**
 * NASWOT v1 / jacob_cov (Mellor et al., arXiv 2006.04647v1; Abdelfattah et al. 2021): the
 * Jacobians J_i = ∂Σ f(x_i)/∂x_i of the untrained network, their correlation matrix Σ_J, and
 * −Σ_k (log(λ_k + ε) + 1/(λ_k + ε)) over its eigenvalues, ε = 1e-5.
 */
export function jacobianCovarianceScore({ net, batch }: ProxyInputs): number {
  const x = batch!.x;
  const [n, c, h, w] = x.shape;
  const jac = tf.tidy(() => tf.grad((xi: tf.Tensor) => tf.sum(net.forward(xi as tf.Tensor4D, { training: true })))(x));
  const data = jac.dataSync() as Float32Array;
  jac.dispose();
  const corr = rowCorrelation(data, n, c * h * w);
  const eig = symmetricEigenvalues(corr, n);
  const eps = 1e-5;
  let score = 0;
  for (const l of eig) score -= Math.log(l + eps) + 1 / (l + eps);
  return score;
}

/** The `jacob-cov` estimator contribution. */
export const jacobCovEstimator = defineProxyEstimator({
  id: 'jacob-cov',
  title: 'Jacobian covariance',
  description: 'NASWOT v1 (Mellor et al. 2020): −Σ(log(λ+k)+1/(λ+k)) over eigenvalues of the correlation of per-sample input Jacobians.',
  optionsSchema: proxySchema,
  needsData: true,
  score: jacobianCovarianceScore,
});
