/**
 * TensorFlow.js for nasx packages. `@nasx/tensor` is the only package that imports
 * `@tensorflow/*`; estimators and other plugins use this namespace and these types instead, so
 * one copy of tfjs-core (and its engine, kernels and gradients) serves the whole process.
 *
 * Only the functional API is there: `tf.sum(x)`, not `x.sum()` (tfjs-core's CommonJS build does
 * not register the chained-op methods). Call `await initTensorBackend()` before the first op.
 *
 * @example
 * import { tf, initTensorBackend } from '@nasx/tensor';
 * await initTensorBackend();
 * const y = tf.tidy(() => tf.sum(tf.square(tf.tensor1d([1, 2, 3]))));
 */
export * as tf from '@tensorflow/tfjs-core';
/** The tfjs types nasx code most often names (also reachable as `tf.Tensor`, …). */
export type { DataType, Rank, Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, TensorContainer, Variable } from '@tensorflow/tfjs-core';
