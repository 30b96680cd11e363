/**
 * `@nasx/tensor-onednn`: oneDNN's CPU kernels (convolution, matrix product, batch norm, pooling)
 * for nasx, over plain `Float32Array`s. Nothing here imports TensorFlow.js: `@nasx/tensor` passes
 * views of the wasm heap, so the native code reads and writes tensors in place.
 *
 * The addon is optional: it is built at install time when `libdnnl-dev` and a C++ compiler are
 * present. {@link loadOnednn} says why it is not available otherwise.
 */
export {
  loadOnednn,
  ONEDNN_PACKAGE,
  ONEDNN_INSTALL_HINT,
  type OnednnLoad,
  type OnednnKernels,
  type OnednnInfo,
  type Conv2DGeometry,
  type MatMulGeometry,
  type BatchNormGeometry,
  type Pool2DGeometry,
  type PoolKind,
} from './onednn';
export { conv2dGeometry, pool2dGeometry, type Padding } from './geometry';
