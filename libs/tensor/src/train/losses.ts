/**
 * The losses a network is trained with, over the flat outputs `[N, D]` of `Network.forward` (logits
 * `[N, classes]`, or a dense output map flattened channel-first). Each is written as Σ over samples
 * of a per-sample loss, so micro-batches add up to the batch mean and data-parallel replicas can
 * all-reduce sums:
 * - `cross-entropy`: softmax cross-entropy against class ids `[N]` (PyTorch `CrossEntropyLoss`);
 * - `binary-cross-entropy`: sigmoid cross-entropy with logits against 0/1 targets `[N, D]`, the mean
 *   over the D outputs (PyTorch `BCEWithLogitsLoss`: multi-label FSD50K and DeepSEA, dense Cosmic);
 * - `mse` / `l1`: mean squared / absolute error over the D outputs (PSICOV's distance maps);
 * - `relative-l2`: ‖out − y‖₂ / ‖y‖₂ per sample (FNO's `LpLoss`, which NAS-Bench-360 trains Darcy flow with);
 * - `pixel-cross-entropy`: semantic segmentation, logits `[N, K·P]` (K class maps of P pixels,
 *   channel-first) against a class id per pixel `[N, P]` (as floats); a pixel labelled outside
 *   `0 … K − 1` (CamVid's void) is ignored. Per sample, the mean over its labelled pixels (PyTorch's
 *   `CrossEntropyLoss(ignore_index=…)` averages over the batch's labelled pixels instead).
 */
import { NasxError, type LossName } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';

/** The losses the trainer implements. */
export const TRAIN_LOSSES = ['cross-entropy', 'binary-cross-entropy', 'mse', 'l1', 'relative-l2', 'pixel-cross-entropy'] as const;
export type TrainLoss = (typeof TRAIN_LOSSES)[number];

/** What a loss's targets are: class ids (int32 `[N]`) or values (float32 `[N, D]`). */
export function targetKind(loss: TrainLoss): 'classes' | 'values' {
  return loss === 'cross-entropy' ? 'classes' : 'values';
}

/** `loss` checked to be one the trainer implements. */
export function trainLoss(loss: LossName | undefined): TrainLoss {
  const l = loss ?? 'cross-entropy';
  if ((TRAIN_LOSSES as readonly string[]).includes(l)) return l as TrainLoss;
  throw new NasxError('usage', `the trainer has no loss "${l}"`, {
    pkg: TENSOR_PACKAGE,
    fix: `train with one of ${TRAIN_LOSSES.join(', ')}`,
  });
}

/** Σ over the batch of softmax cross-entropy, logits `[N, K]` against class ids `[N]`. */
export function crossEntropySum(logits: tf.Tensor2D, y: tf.Tensor1D, numClasses: number, secondOrder = false): tf.Scalar {
  const onehot = tf.oneHot(y, numClasses);
  if (secondOrder) return tf.sub(tf.sum(tf.logSumExp(logits, 1)), tf.sum(tf.mul(onehot, logits)));
  return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits))));
}

/** Guards ‖y‖ in the relative ℓ2 loss against an all-zero target. */
const REL_L2_EPS = 1e-12;

/**
 * Σ over the batch of the per-sample `loss` of `out` (`[N, D]`) against `y` (class ids `[N]` for
 * cross-entropy, `[N, D]` values otherwise). Differentiable; `secondOrder` keeps it so twice.
 */
export function lossSum(loss: TrainLoss, out: tf.Tensor2D, y: tf.Tensor, numClasses: number, secondOrder = false): tf.Scalar {
  switch (loss) {
    case 'cross-entropy':
      return crossEntropySum(out, y as tf.Tensor1D, numClasses, secondOrder);
    case 'binary-cross-entropy': {
      // max(x, 0) − x·y + log(1 + e^−|x|): the stable form of BCE with logits.
      const terms = tf.add(tf.sub(tf.relu(out), tf.mul(out, y)), tf.log1p(tf.exp(tf.neg(tf.abs(out)))));
      return tf.div(tf.sum(terms), out.shape[1]);
    }
    case 'mse':
      return tf.div(tf.sum(tf.squaredDifference(out, y)), out.shape[1]);
    case 'l1':
      return tf.div(tf.sum(tf.abs(tf.sub(out, y))), out.shape[1]);
    case 'relative-l2': {
      const diff = tf.sqrt(tf.sum(tf.squaredDifference(out, y), 1));
      return tf.sum(tf.div(diff, tf.add(tf.sqrt(tf.sum(tf.square(y), 1)), REL_L2_EPS)));
    }
    case 'pixel-cross-entropy':
      return pixelCrossEntropySum(out, y as tf.Tensor2D, numClasses, secondOrder);
  }
}

/**
 * Σ over the batch of each sample's mean cross-entropy over its labelled pixels: logits `[N, K·P]`
 * channel-first, labels `[N, P]` (class ids as numbers; outside `0 … K − 1`: ignored).
 */
export function pixelCrossEntropySum(out: tf.Tensor2D, labels: tf.Tensor2D, numClasses: number, secondOrder = false): tf.Scalar {
  const [n, d] = out.shape;
  const p = d / numClasses;
  if (!Number.isInteger(p) || labels.shape[1] !== p) {
    throw new NasxError('usage', `pixel cross-entropy: outputs of ${d} values are not ${numClasses} maps of the targets' ${labels.shape[1]} pixels`, {
      pkg: TENSOR_PACKAGE,
      fix: 'give the network one output channel per class at the target resolution',
    });
  }
  return tf.tidy(() => {
    const logits = tf.transpose(tf.reshape(out, [n, numClasses, p]), [0, 2, 1]); // [N, P, K]
    const ids = tf.cast(labels, 'int32');
    const onehot = tf.reshape(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, numClasses), [n, p, numClasses]); // all zero where ignored
    const logp = secondOrder ? tf.sub(logits, tf.logSumExp(logits, 2, true)) : tf.logSoftmax(logits);
    const perPixel = tf.neg(tf.sum(tf.mul(onehot, logp), 2)); // [N, P], 0 where ignored
    const labelled = tf.sum(onehot, [1, 2]); // [N]
    return tf.sum(tf.div(tf.sum(perPixel, 1), tf.maximum(labelled, 1)));
  });
}

/** Top-1 hits of logits `[N, K]` against class ids `[N]`. */
export function correctCount(logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'));
}
