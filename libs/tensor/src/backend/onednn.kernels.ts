/**
 * The `onednn` backend: tfjs-backend-wasm with its heavy kernels replaced by oneDNN's
 * (`@nasx/tensor-onednn`, multi-threaded AVX2/AVX-512 JIT code).
 *
 * Why a backend of its own rather than replacing kernels of `wasm` in place: `NASX_BACKEND=wasm`
 * stays the plain wasm engine (the conformance suite compares the two in one process), and
 * `tf.getBackend()` says which engine ran. The backend object itself is the wasm backend's
 * instance, registered a second time under the name `onednn`, with every wasm kernel registered
 * for it too: tensors live on the wasm heap and are shared, so switching between `wasm` and
 * `onednn` moves no data. (A second wasm module would not work: tfjs-backend-wasm keeps its
 * compiled functions in module-level variables that the last initialised module overwrites.)
 *
 * The replaced kernels read and write the wasm heap in place: a `Float32Array` view at each
 * tensor's offset, taken after every output is allocated (an allocation can grow the memory and
 * detach older views) and used synchronously. A shape the native code cannot take (NCHW, a
 * batch broadcast oneDNN cannot express) is computed by the wasm kernel and counted in
 * {@link onednnDelegations}, so a profile shows it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DGeometry, OnednnKernels, PoolKind } from '@nasx/tensor-onednn';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../nn/layers';

export { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD };

type Info = tf.TensorInfo;

/** What the kernels need of tfjs-backend-wasm's `BackendWasm`. */
interface WasmBackendLike extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): Info;
  typedArrayFromHeap(info: Info): tf.backend_util.TypedArray;
  incRef(dataId: tf.DataId): void;
}

/** tfjs's name of the backend. */
export const ONEDNN_TF_BACKEND = 'onednn';

/** The kernels oneDNN computes on the `onednn` backend (every other kernel is wasm's). */
export const ONEDNN_KERNELS = [
  tf.Conv2D,
  tf.Conv2DBackpropInput,
  tf.Conv2DBackpropFilter,
  tf.DepthwiseConv2dNative,
  tf.DepthwiseConv2dNativeBackpropInput,
  tf.DepthwiseConv2dNativeBackpropFilter,
  tf.FusedConv2D,
  tf.FusedDepthwiseConv2D,
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.MaxPool,
  tf.MaxPoolGrad,
  tf.AvgPool,
  tf.AvgPoolGrad,
  tf.FusedBatchNorm,
] as const;

const delegations = new Map<string, number>();

/** How often each replaced kernel handed a call to wasm's own kernel (shapes oneDNN cannot take). */
export function onednnDelegations(): ReadonlyMap<string, number> {
  return delegations;
}

let registered: OnednnKernels | undefined;
/** The wasm backend instance the `onednn` backend currently is. */
let registeredWasm: tf.KernelBackend | undefined;

/**
 * Registers the `onednn` backend (the already initialised `wasm` backend under a second name)
 * with wasm's kernels and oneDNN's replacements. Idempotent.
 */
export function registerOnednnBackend(native: OnednnKernels, wasm: tf.KernelBackend): void {
  if (registered) {
    // A fresh wasm module after the old one aborted (recoverWasmBackend): the kernels stay
    // registered by name; only the backend instance behind the name changes.
    if (registeredWasm === wasm) return;
    registeredWasm = wasm;
    tf.registerBackend(ONEDNN_TF_BACKEND, () => wasm, 1);
    return;
  }
  registered = native;
  registeredWasm = wasm;
  tf.registerBackend(ONEDNN_TF_BACKEND, () => wasm, 1);
  const own = new Set<string>([...ONEDNN_KERNELS, tf.Identity]);
  for (const k of tf.getKernelsForBackend('wasm')) {
    if (!own.has(k.kernelName)) tf.registerKernel({ ...k, backendName: ONEDNN_TF_BACKEND });
  }
  for (const k of onednnKernelConfigs(native)) tf.registerKernel(k);
  tf.registerKernel({ kernelName: tf.Identity, backendName: ONEDNN_TF_BACKEND, kernelFunc: sharedIdentity });
}

/**
 * `tf.clone` (the Identity kernel) sharing its input's buffer, as tfjs's cpu and webgl backends do
 * and as wasm's own Reshape does: one more reference to the same heap block, freed with the last
 * tensor that uses it. wasm's Identity copies the buffer, and the engine clones every input and
 * output a kernel saves for the backward pass, so under `tf.grads` the copies were the largest
 * single cost: 16 % of the CPU time of the gradient-based zero-cost proxies on NB201 networks
 * (grad-norm, profiled), more than any oneDNN convolution kernel. Sharing is safe because no
 * kernel writes into an existing tensor: oneDNN's and wasm's kernels write only the outputs they
 * allocate. (Strings are not on the heap: wasm's kernel handles them.)
 */
function sharedIdentity(args: Parameters<tf.KernelFunc>[0]): Info {
  const x = args.inputs['x'] as Info;
  if (x.dtype === 'string') return tf.getKernel(tf.Identity, 'wasm')!.kernelFunc(args) as Info;
  (args.backend as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function delegate(kernelName: string, args: Parameters<tf.KernelFunc>[0]): Info | Info[] {
  delegations.set(kernelName, (delegations.get(kernelName) ?? 0) + 1);
  const k = tf.getKernel(kernelName, 'wasm');
  if (!k) throw new Error(`@nasx/tensor: wasm has no ${kernelName} kernel to compute a shape oneDNN does not take`);
  return k.kernelFunc(args) as Info | Info[];
}

const nhwc = (dataFormat: string | undefined) => dataFormat === undefined || dataFormat === 'NHWC' || dataFormat === 'channelsLast';

function geometry(info: tf.backend_util.Conv2DInfo, depthwise: boolean): Conv2DGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
    groups: depthwise ? info.inChannels : 1,
  };
}

type Shape4 = [number, number, number, number];
interface ConvAttrsLike {
  strides: [number, number] | number;
  pad: tf.Conv2DAttrs['pad'];
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrsLike, depthwise: boolean) {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** Activations oneDNN fuses into a convolution or matrix product; others run as wasm kernels after it. */
function fusedActivation(backend: WasmBackendLike, y: Info, activation: string | undefined, extra: { prelu?: Info; alpha?: number }): Info {
  if (!activation || activation === 'linear' || activation === 'relu') return y;
  const kernelName =
    activation === 'relu6'
      ? tf.Relu6
      : activation === 'elu'
        ? tf.Elu
        : activation === 'sigmoid'
          ? tf.Sigmoid
          : activation === 'leakyrelu'
            ? tf.LeakyRelu
            : activation === 'prelu'
              ? tf.Prelu
              : undefined;
  if (!kernelName) throw new Error(`@nasx/tensor: unknown fused activation "${activation}"`);
  const k = tf.getKernel(kernelName, 'wasm')!;
  const inputs: tf.NamedTensorInfoMap = activation === 'prelu' ? { x: y, alpha: extra.prelu! } : { x: y };
  const out = k.kernelFunc({ inputs, backend, attrs: { alpha: extra.alpha ?? 0.2 } }) as Info;
  backend.disposeData(y.dataId);
  return out;
}

function poolKind(kernelName: string): PoolKind {
  return kernelName === tf.MaxPool || kernelName === tf.MaxPoolGrad ? 'max' : kernelName === tf.AvgPool ? 'avg' : 'avg-include-pad';
}

/** The oneDNN kernel configs of the `onednn` backend. */
export function onednnKernelConfigs(native: OnednnKernels): tf.KernelConfig[] {
  const heap = (b: WasmBackendLike, t: Info) => b.typedArrayFromHeap(t) as Float32Array;

  const convForward =
    (kernelName: string, depthwise: boolean, fused: boolean): tf.KernelFunc =>
    (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as WasmBackendLike;
      const a = attrs as unknown as ConvAttrsLike & { activation?: string; leakyreluAlpha?: number };
      const { x, filter, bias, preluActivationWeights } = inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
      if (!nhwc(a.dataFormat) || x.dtype !== 'float32') return delegate(kernelName, args);
      const info = convInfo(x.shape, filter.shape, a, depthwise);
      if (bias && bias.shape.reduce((p, d) => p * d, 1) !== info.outChannels) return delegate(kernelName, args);
      const g = geometry(info, depthwise);
      const y = backend.makeOutput([...info.outShape], 'float32');
      native.conv2d(heap(backend, x), heap(backend, filter), heap(backend, y), g, {
        bias: bias ? heap(backend, bias) : undefined,
        relu: fused && a.activation === 'relu',
      });
      return fused ? fusedActivation(backend, y, a.activation, { prelu: preluActivationWeights, alpha: a.leakyreluAlpha }) : y;
    };

  const convBackpropInput =
    (kernelName: string, depthwise: boolean): tf.KernelFunc =>
    (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as WasmBackendLike;
      const a = attrs as unknown as ConvAttrsLike & { inputShape: number[] };
      const { dy, filter } = inputs as { dy: Info; filter: Info };
      if (!nhwc(a.dataFormat)) return delegate(kernelName, args);
      const info = convInfo(a.inputShape, filter.shape, a, depthwise);
      const dx = backend.makeOutput([...a.inputShape], 'float32');
      native.conv2dBackpropInput(heap(backend, dy), heap(backend, filter), heap(backend, dx), geometry(info, depthwise));
      return dx;
    };

  const convBackpropFilter =
    (kernelName: string, depthwise: boolean): tf.KernelFunc =>
    (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as WasmBackendLike;
      const a = attrs as unknown as ConvAttrsLike & { filterShape: number[] };
      const { x, dy } = inputs as { x: Info; dy: Info };
      if (!nhwc(a.dataFormat)) return delegate(kernelName, args);
      const info = convInfo(x.shape, a.filterShape, a, depthwise);
      const dw = backend.makeOutput([...a.filterShape], 'float32');
      native.conv2dBackpropFilter(heap(backend, x), heap(backend, dy), heap(backend, dw), geometry(info, depthwise));
      return dw;
    };

  const matMul =
    (kernelName: string, fused: boolean): tf.KernelFunc =>
    (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as WasmBackendLike;
      const a = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
      const { a: A, b: B, bias, preluActivationWeights } = inputs as { a: Info; b: Info; bias?: Info; preluActivationWeights?: Info };
      const ra = A.shape.length;
      const rb = B.shape.length;
      const batchA = A.shape.slice(0, -2);
      const batchB = B.shape.slice(0, -2);
      const sizeA = batchA.reduce((p, d) => p * d, 1);
      const sizeB = batchB.reduce((p, d) => p * d, 1);
      const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
      if (A.dtype !== 'float32' || ra < 2 || rb < 2 || !(sameBatch || sizeA === 1 || sizeB === 1)) return delegate(kernelName, args);
      const m = a.transposeA ? A.shape[ra - 1]! : A.shape[ra - 2]!;
      const k = a.transposeA ? A.shape[ra - 2]! : A.shape[ra - 1]!;
      const n = a.transposeB ? B.shape[rb - 2]! : B.shape[rb - 1]!;
      const biasSize = bias ? bias.shape.reduce((p, d) => p * d, 1) : n;
      if (biasSize !== n) return delegate(kernelName, args);
      const outBatch = sizeA >= sizeB ? batchA : batchB;
      const c = backend.makeOutput([...outBatch, m, n], 'float32');
      const biasView = bias ? heap(backend, bias) : undefined;
      native.matMul(
        heap(backend, A),
        heap(backend, B),
        heap(backend, c),
        { batchA: sizeA, batchB: sizeB, m, k, n, transposeA: a.transposeA, transposeB: a.transposeB },
        { bias: biasView, relu: fused && a.activation === 'relu' },
      );
      return fused ? fusedActivation(backend, c, a.activation, { prelu: preluActivationWeights, alpha: a.leakyreluAlpha }) : c;
    };

  const poolForward =
    (kernelName: string): tf.KernelFunc =>
    (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as WasmBackendLike;
      const a = attrs as unknown as tf.AvgPoolAttrs;
      const { x } = inputs as { x: Info };
      const info = tf.backend_util.computePool2DInfo(x.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const y = backend.makeOutput([...info.outShape], 'float32');
      native.pool2d(heap(backend, x), heap(backend, y), poolGeometry(info, poolKind(kernelName)));
      return y;
    };

  const poolBackward =
    (kernelName: string): tf.KernelFunc =>
    (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as WasmBackendLike;
      const a = attrs as unknown as tf.AvgPoolGradAttrs & { dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      const { dy, input } = inputs as { dy: Info; input: Info };
      const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const dx = backend.makeOutput([...input.shape], 'float32');
      const kind = poolKind(kernelName);
      native.pool2dBackprop(kind === 'max' ? heap(backend, input) : null, heap(backend, dy), heap(backend, dx), poolGeometry(info, kind));
      return dx;
    };

  const batchNorm: tf.KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as WasmBackendLike;
    const { x, mean, variance, offset, scale } = inputs as { x: Info; mean: Info; variance: Info; offset?: Info; scale?: Info };
    const c = x.shape[x.shape.length - 1]!;
    const perChannel = (t: Info | undefined) => !t || t.shape.reduce((p, d) => p * d, 1) === c;
    if (x.shape.length !== 4 || ![mean, variance, offset, scale].every(perChannel)) return delegate(tf.FusedBatchNorm, args);
    const eps = (attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;
    const y = backend.makeOutput([...x.shape], 'float32');
    const ones = scale ? undefined : backend.makeOutput([c], 'float32');
    const zeros = offset ? undefined : backend.makeOutput([c], 'float32');
    if (ones) heap(backend, ones).fill(1);
    if (zeros) heap(backend, zeros).fill(0);
    const [n, h, w] = x.shape as Shape4;
    native.batchNormInference(
      heap(backend, x),
      heap(backend, scale ?? ones!),
      heap(backend, offset ?? zeros!),
      heap(backend, mean),
      heap(backend, variance),
      heap(backend, y),
      { batch: n, height: h, width: w, channels: c, epsilon: eps },
    );
    if (ones) backend.disposeData(ones.dataId);
    if (zeros) backend.disposeData(zeros.dataId);
    return y;
  };

  const bnGeometry = (x: Info, epsilon: number) => {
    const [batch, height, width, channels] = x.shape as Shape4;
    return { batch, height, width, channels, epsilon };
  };
  const batchNormTraining: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x, gamma, beta } = args.inputs as { x: Info; gamma: Info; beta: Info };
    const { epsilon } = args.attrs as unknown as { epsilon: number };
    if (x.shape.length !== 4) throw new Error(`@nasx/tensor: ${BATCH_NORM_TRAINING} takes NHWC (rank 4) data, got shape [${x.shape.join(', ')}]`);
    const c = x.shape[3]!;
    const y = backend.makeOutput([...x.shape], 'float32');
    const mean = backend.makeOutput([c], 'float32');
    const variance = backend.makeOutput([c], 'float32');
    native.batchNormTraining(
      heap(backend, x),
      heap(backend, gamma),
      heap(backend, beta),
      heap(backend, y),
      heap(backend, mean),
      heap(backend, variance),
      bnGeometry(x, epsilon),
    );
    return [y, mean, variance];
  };
  const batchNormTrainingGrad: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x, dy, gamma, mean, variance } = args.inputs as { x: Info; dy: Info; gamma: Info; mean: Info; variance: Info };
    const { epsilon } = args.attrs as unknown as { epsilon: number };
    const c = x.shape[3]!;
    const dx = backend.makeOutput([...x.shape], 'float32');
    const dgamma = backend.makeOutput([c], 'float32');
    const dbeta = backend.makeOutput([c], 'float32');
    native.batchNormBackward(
      heap(backend, x),
      heap(backend, dy),
      heap(backend, gamma),
      heap(backend, mean),
      heap(backend, variance),
      { dx: heap(backend, dx), dgamma: heap(backend, dgamma), dbeta: heap(backend, dbeta) },
      bnGeometry(x, epsilon),
    );
    return [dx, dgamma, dbeta];
  };

  const configs: [string, tf.KernelFunc][] = [
    [BATCH_NORM_TRAINING, batchNormTraining],
    [BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad],
    [tf.Conv2D, convForward(tf.Conv2D, false, false)],
    [tf.FusedConv2D, convForward(tf.FusedConv2D, false, true)],
    [tf.DepthwiseConv2dNative, convForward(tf.DepthwiseConv2dNative, true, false)],
    [tf.FusedDepthwiseConv2D, convForward(tf.FusedDepthwiseConv2D, true, true)],
    [tf.Conv2DBackpropInput, convBackpropInput(tf.Conv2DBackpropInput, false)],
    [tf.DepthwiseConv2dNativeBackpropInput, convBackpropInput(tf.DepthwiseConv2dNativeBackpropInput, true)],
    [tf.Conv2DBackpropFilter, convBackpropFilter(tf.Conv2DBackpropFilter, false)],
    [tf.DepthwiseConv2dNativeBackpropFilter, convBackpropFilter(tf.DepthwiseConv2dNativeBackpropFilter, true)],
    [tf.BatchMatMul, matMul(tf.BatchMatMul, false)],
    [tf._FusedMatMul, matMul(tf._FusedMatMul, true)],
    [tf.MaxPool, poolForward(tf.MaxPool)],
    [tf.AvgPool, poolForward(tf.AvgPool)],
    [tf.MaxPoolGrad, poolBackward(tf.MaxPoolGrad)],
    [tf.AvgPoolGrad, poolBackward(tf.AvgPoolGrad)],
    [tf.FusedBatchNorm, batchNorm],
  ];
  return configs.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: ONEDNN_TF_BACKEND, kernelFunc }));
}

function poolGeometry(info: tf.backend_util.Conv2DInfo, kind: PoolKind) {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    windowHeight: info.filterHeight,
    windowWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
    kind,
  };
}
