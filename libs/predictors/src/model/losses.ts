import { tf } from '@nasx/tensor';
import { matMul } from './nn';
import type { PredictorLoss } from './predictor-model';

/** Mean squared error between scores `[B]` and targets `[B]`. */
export function mseLoss(scores: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.squaredDifference(scores, targets));
}

/**
 * Mean absolute error between scores `[B]` and targets `[B]`: regression to the conditional
 * median, which a few outlying labels (a measurement taken while the machine was busy) cannot pull.
 */
export function l1Loss(scores: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(scores, targets)));
}

/**
 * `sign(y_i − y_j)` for every ordered pair (row-major B×B, 0 on ties and the diagonal) and the
 * number of non-zero entries. Computed once per batch in JavaScript: it has no gradient.
 */
export function pairSigns(targets: ArrayLike<number>): { signs: Float32Array; pairs: number } {
  const n = targets.length;
  const signs = new Float32Array(n * n);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = targets[i]! - targets[j]!;
      if (d === 0) continue;
      signs[i * n + j] = d > 0 ? 1 : -1;
      pairs++;
    }
  }
  return { signs, pairs };
}

/**
 * The pairwise ranking loss of ReNAS (Xu et al., CVPR 2021, Sec. 3.3, the relativistic loss of
 * Eq. 5–6 in its pairwise form; the equation numbers are not checked against the paper's text, the
 * authors' released `pair_loss` is): for every ordered pair with y_i ≠ y_j, φ(sign(y_i − y_j)·(s_i − s_j)), averaged over those pairs, so a pair is
 * penalised when the better architecture's score is not clearly above the worse one's.
 * `logistic`: φ(z) = log(1 + e^(−z)), the form the authors' released code trains with
 * (`pair_loss`); `hinge`: φ(z) = max(0, 1 − z). Ties add nothing (the authors' code adds the
 * constant log 2 for them, which changes no gradient).
 *
 * @param signs from {@link pairSigns} (B×B)
 */
export function pairwiseRankingLoss(scores: tf.Tensor1D, signs: tf.Tensor2D, pairs: number, form: 'logistic' | 'hinge' = 'logistic'): tf.Scalar {
  if (pairs === 0) return tf.mul(tf.sum(scores), 0) as tf.Scalar;
  const n = scores.shape[0];
  // d[i, j] = s_i − s_j
  const d = tf.sub(tf.reshape(scores, [n, 1]), tf.reshape(scores, [1, n]));
  const z = tf.mul(d, signs);
  const phi = form === 'logistic' ? tf.softplus(tf.neg(z)) : tf.relu(tf.sub(1, z));
  // Ties and the diagonal have sign 0: mask them out (φ(0) is not 0). The masked sum is a dot
  // product: a Sum's gradient broadcasts with Tile, which is slow on wasm for B×B (9 ms at 424).
  const weights = tf.reshape(tf.div(tf.abs(signs), pairs), [n * n, 1]) as tf.Tensor2D;
  return tf.reshape(matMul(tf.reshape(phi, [1, n * n]) as tf.Tensor2D, weights), []) as tf.Scalar;
}

/** True for the losses that only see the order of the targets. */
export function isRankingLoss(loss: PredictorLoss): boolean {
  return loss === 'pairwise-logistic' || loss === 'pairwise-hinge';
}
