import * as path from 'node:path';

/** npm name of this package. */
export const ONEDNN_PACKAGE = '@nasx/tensor-onednn';

/** What to install for the addon to build (Debian/Ubuntu package names). */
export const ONEDNN_INSTALL_HINT = 'apt-get install libdnnl-dev g++ (then reinstall @nasx/tensor-onednn, or run `node-gyp rebuild` in its folder)';

/**
 * Geometry of an NHWC convolution, TensorFlow's conventions: dilations count from 1 (dense),
 * paddings are explicit (see `conv2dGeometry` for SAME/VALID). The filter is `[KH, KW, C/groups, OC]`
 * (depthwise: `[KH, KW, C, multiplier]` with `groups = C`, the same memory).
 */
export interface Conv2DGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly groups: number;
}

/** `c[b] = op(a[b]) · op(b[b])` with `a` `[batchA, M, K]` (`[batchA, K, M]` when transposed) and `b` `[batchB, K, N]` (`[batchB, N, K]`); a batch of 1 broadcasts. */
export interface MatMulGeometry {
  readonly batchA: number;
  readonly batchB: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** Batch norm over the last axis of `[N, H, W, C]` data. */
export interface BatchNormGeometry {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly epsilon: number;
}

/** `max`; `avg` averages over the in-bounds pixels (TensorFlow's AvgPool); `avg-include-pad` over the whole window (TensorFlow's AvgPoolGrad). */
export type PoolKind = 'max' | 'avg' | 'avg-include-pad';

/** Geometry of NHWC pooling. */
export interface Pool2DGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly windowHeight: number;
  readonly windowWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly kind: PoolKind;
}

/** The loaded library. */
export interface OnednnInfo {
  /** oneDNN's version, e.g. `2.6.3`. */
  readonly version: string;
  /** The instruction set oneDNN's JIT generates code for (`avx2`, `avx512_core`, …). */
  readonly isa: string;
  /** oneDNN's threading runtime (`openmp` on Debian). */
  readonly cpuRuntime: string;
  /** Hardware threads; oneDNN uses all of them unless `OMP_NUM_THREADS` says otherwise. */
  readonly hardwareThreads: number;
  /** Threads the calling thread's oneDNN calls use (`OMP_NUM_THREADS`, {@link OnednnKernels.setThreads}). */
  readonly threads: number;
  /** Primitives created so far (one per kernel and shape). */
  readonly cachedPrimitives: number;
}

/**
 * oneDNN kernels over caller-owned `Float32Array`s, all synchronous. Outputs are written in place;
 * every array is checked against the geometry first (a `RangeError` when too short).
 */
export interface OnednnKernels {
  /** `y = [relu](conv(x, filter) [+ bias])`; x `[N, H, W, C]`, y `[N, OH, OW, OC]`. */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, g: Conv2DGeometry, fused?: { bias?: Float32Array; relu?: boolean }): void;
  /** ∂L/∂x of {@link OnednnKernels.conv2d} into `dx` `[N, H, W, C]`. */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: Conv2DGeometry): void;
  /** ∂L/∂filter into `dw` (the filter's layout), and ∂L/∂bias into `dbias` when given. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: Conv2DGeometry, dbias?: Float32Array): void;
  /** `c = [relu](op(a) · op(b) [+ bias])`, see {@link MatMulGeometry}. */
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, g: MatMulGeometry, fused?: { bias?: Float32Array; relu?: boolean }): void;
  /** Training: normalises with the batch statistics and writes them (biased variance) into `mean`/`variance`. */
  batchNormTraining(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    g: BatchNormGeometry,
  ): void;
  /** Inference: normalises with the given statistics. */
  batchNormInference(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    y: Float32Array,
    g: BatchNormGeometry,
  ): void;
  /** Backward pass of {@link OnednnKernels.batchNormTraining} with its saved batch statistics. */
  batchNormBackward(
    x: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    grads: { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array },
    g: BatchNormGeometry,
  ): void;
  /** Max or average pooling. */
  pool2d(x: Float32Array, y: Float32Array, g: Pool2DGeometry): void;
  /** ∂L/∂x of pooling; max pooling needs `x` to find each window's maximum. */
  pool2dBackprop(x: Float32Array | null, dy: Float32Array, dx: Float32Array, g: Pool2DGeometry): void;
  /** Library version, ISA, threads. */
  info(): OnednnInfo;
  /** The oneDNN implementation chosen for each cached primitive (`jit:avx2`, `gemm:jit`, `ref:any`…). */
  implementations(): Record<string, string>;
  /** Drops the calling thread's cached primitives. */
  clearCache(): void;
  /** Threads for the calling thread's later calls (each Node worker thread has its own setting and caches). */
  setThreads(n: number): void;
}

/** Whether the addon loaded, and why not. */
export type OnednnLoad = { readonly ok: true; readonly kernels: OnednnKernels } | { readonly ok: false; readonly reason: string; readonly fix: string };

type F = Float32Array;
interface Addon {
  convForward(x: F, w: F, b: F | null, y: F, p: number[], relu: boolean): void;
  convBackwardData(dy: F, w: F, dx: F, p: number[]): void;
  convBackwardWeights(x: F, dy: F, dw: F, db: F | null, p: number[]): void;
  matmul(a: F, b: F, bias: F | null, c: F, p: number[], relu: boolean): void;
  batchNormForward(x: F, g: F, b: F, mean: F, variance: F, y: F, p: number[], eps: number, training: boolean): void;
  batchNormBackward(x: F, dy: F, g: F, mean: F, variance: F, dx: F, dg: F, db: F, p: number[], eps: number): void;
  poolForward(x: F, y: F, p: number[]): void;
  poolBackward(x: F | null, dy: F, dx: F, p: number[]): void;
  info(): OnednnInfo;
  implementations(): Record<string, string>;
  clearCache(): void;
  setThreads(n: number): void;
}

const convParams = (g: Conv2DGeometry): number[] => [
  g.batch,
  g.inHeight,
  g.inWidth,
  g.inChannels,
  g.outChannels,
  g.filterHeight,
  g.filterWidth,
  g.outHeight,
  g.outWidth,
  g.strideHeight,
  g.strideWidth,
  g.dilationHeight - 1, // oneDNN counts dilation from 0
  g.dilationWidth - 1,
  g.padTop,
  g.padBottom,
  g.padLeft,
  g.padRight,
  g.groups,
];
const POOL_KIND: Record<PoolKind, number> = { max: 0, avg: 1, 'avg-include-pad': 2 };
const poolParams = (g: Pool2DGeometry): number[] => [
  g.batch,
  g.inHeight,
  g.inWidth,
  g.channels,
  g.outHeight,
  g.outWidth,
  g.windowHeight,
  g.windowWidth,
  g.strideHeight,
  g.strideWidth,
  g.padTop,
  g.padBottom,
  g.padLeft,
  g.padRight,
  POOL_KIND[g.kind],
];
const bnParams = (g: BatchNormGeometry): number[] => [g.batch, g.height, g.width, g.channels];

function wrap(a: Addon): OnednnKernels {
  return {
    conv2d: (x, w, y, g, fused) => a.convForward(x, w, fused?.bias ?? null, y, convParams(g), fused?.relu ?? false),
    conv2dBackpropInput: (dy, w, dx, g) => a.convBackwardData(dy, w, dx, convParams(g)),
    conv2dBackpropFilter: (x, dy, dw, g, dbias) => a.convBackwardWeights(x, dy, dw, dbias ?? null, convParams(g)),
    matMul: (x, w, c, g, fused) =>
      a.matmul(x, w, fused?.bias ?? null, c, [g.batchA, g.batchB, g.m, g.k, g.n, g.transposeA ? 1 : 0, g.transposeB ? 1 : 0], fused?.relu ?? false),
    batchNormTraining: (x, gamma, beta, y, mean, variance, g) => a.batchNormForward(x, gamma, beta, mean, variance, y, bnParams(g), g.epsilon, true),
    batchNormInference: (x, gamma, beta, mean, variance, y, g) => a.batchNormForward(x, gamma, beta, mean, variance, y, bnParams(g), g.epsilon, false),
    batchNormBackward: (x, dy, gamma, mean, variance, d, g) =>
      a.batchNormBackward(x, dy, gamma, mean, variance, d.dx, d.dgamma, d.dbeta, bnParams(g), g.epsilon),
    pool2d: (x, y, g) => a.poolForward(x, y, poolParams(g)),
    pool2dBackprop: (x, dy, dx, g) => a.poolBackward(x, dy, dx, poolParams(g)),
    info: () => a.info(),
    implementations: () => a.implementations(),
    clearCache: () => a.clearCache(),
    setThreads: (n) => a.setThreads(n),
  };
}

let loaded: OnednnLoad | undefined;

/**
 * Loads the native addon once. Never throws: `{ ok: false, reason, fix }` when it was not built
 * (no `libdnnl-dev` or compiler at install time) or does not load (the library was removed).
 */
export function loadOnednn(): OnednnLoad {
  if (loaded) return loaded;
  // dist/ or src/ sit beside build/; a variable keeps bundlers from resolving the optional binary.
  const file = path.join(__dirname, '..', 'build', 'Release', 'nasx_onednn.node');
  // OpenMP's worker threads spin between parallel regions by default. nasx runs element-wise wasm
  // code between oneDNN calls, and on a busy machine the spinning workers take the cores the
  // others need: a 3×3 convolution measured 83 ms spinning vs 2 ms sleeping under load 12 on 2 cores.
  // Must be set before libgomp loads; a user's own setting wins.
  process.env['OMP_WAIT_POLICY'] ??= 'passive';
  // The addon reads the convolution layout from this variable; a value it does not know would
  // silently mean NHWC, so the addon is not used at all and the reason says why.
  const layout = process.env['NASX_ONEDNN_LAYOUT'];
  if (layout !== undefined && layout !== '' && layout !== 'nhwc' && layout !== 'blocked') {
    loaded = {
      ok: false,
      reason: `NASX_ONEDNN_LAYOUT is "${layout}", which is neither "nhwc" (the default) nor "blocked"`,
      fix: 'unset NASX_ONEDNN_LAYOUT, or set it to nhwc or blocked',
    };
    return loaded;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native addon is loaded with require
    const addon = require(file) as Addon;
    loaded = { ok: true, kernels: wrap(addon) };
  } catch (e) {
    const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND';
    loaded = {
      ok: false,
      reason: missing
        ? `${ONEDNN_PACKAGE} is installed but its native addon was not built`
        : `${ONEDNN_PACKAGE}'s native addon failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      fix: ONEDNN_INSTALL_HINT,
    };
  }
  return loaded;
}
