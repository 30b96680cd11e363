import * as tf from '@tensorflow/tfjs-core';
import type { ConvPad, NetworkOps, TapFn, TapKind, Window } from '../network/network';

export type { ConvPad } from '../network/network';

/**
 * tfjs's padding argument for a {@link ConvPad} and a filter `[KH, KW, …]`: a number pads the axes
 * the kernel spans (a `1×k` kernel, a 1-D convolution, pads the length only, as `Conv1d`).
 */
export function convPadding(
  pad: ConvPad,
  filterShape: readonly number[],
): 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]] {
  if (typeof pad === 'string' || pad === 0) return pad;
  if (filterShape[0] === 1 && filterShape[1]! > 1)
    return [
      [0, 0],
      [0, 0],
      [pad, pad],
      [0, 0],
    ];
  return pad;
}

/** `[height, width]` of a {@link Window}. */
export function windowPair(w: Window): [number, number] {
  return typeof w === 'number' ? [w, w] : [w[0], w[1]];
}

/**
 * Training-mode batch norm over the last axis of NHWC data as one kernel (oneDNN's), registered
 * on `onednn` only (`backend/onednn.kernels.ts`; the names live here so that this file stays
 * browser-safe): inputs `x`, `gamma`, `beta`; attribute `epsilon`; outputs `y`, the batch mean and
 * the biased batch variance. `Layers.batchNorm` uses it where it is registered; elsewhere the
 * same formula runs as a dozen element-wise ops and reductions.
 */
export const BATCH_NORM_TRAINING = 'NasxBatchNormTraining';
/** Backward pass of {@link BATCH_NORM_TRAINING}: inputs `x`, `dy`, `gamma`, `mean`, `variance`; outputs dx, dγ, dβ. */
export const BATCH_NORM_TRAINING_GRAD = 'NasxBatchNormTrainingGrad';

/** Batch-norm running-statistics momentum: PyTorch's `BatchNorm2d` default, which NAS-Bench-201 used. */
export const BN_MOMENTUM = 0.1;
/** Batch-norm epsilon: PyTorch's `BatchNorm2d` default. */
export const BN_EPSILON = 1e-5;

/**
 * The functional layers a builder's forward pass is written with. Parameters are looked up by
 * name in the network's variables (`<name>.weight`, `<name>.bias`, `<name>.running_mean`, …), so a
 * builder's plan and forward share one naming scheme. Activations are NHWC.
 */
export class Layers {
  constructor(
    /** Parameters by name: a network's variables, or any tensors (a hypernetwork's predictions, differentiable). */
    private readonly params: ReadonlyMap<string, tf.Tensor>,
    /** Running statistics; looked up only where used (evaluation, or a training pass that updates them). */
    private readonly buffers: ReadonlyMap<string, tf.Variable>,
    /** Training mode (batch statistics, running-statistics updates). */
    readonly training: boolean,
    private readonly tapFn?: TapFn,
    /** Use only ops whose gradients are themselves differentiable (for second-order gradients). */
    readonly secondOrder = false,
    /**
     * Weight of the batch's statistics in the running-statistics update of a training-mode pass
     * (PyTorch's momentum, default 0.1). Recalibrating a supernet path passes 1/(k+1) on its k-th
     * batch, so the running statistics become the exact mean over the batches (PyTorch's
     * `momentum=None`); 0 leaves them untouched.
     */
    readonly bnMomentum = BN_MOMENTUM,
  ) {}

  private readonly kept: tf.Tensor[] = [];

  /** A trainable parameter by name; a missing one is a builder bug, reported as such. */
  param(name: string): tf.Tensor {
    const v = this.params.get(name);
    if (!v) throw new Error(`@nasx/tensor: parameter "${name}" is not in the network's plan (a network builder bug)`);
    return v;
  }

  private buffer(name: string): tf.Variable {
    const v = this.buffers.get(name);
    if (!v) throw new Error(`@nasx/tensor: buffer "${name}" is not in the network's plan (a network builder bug)`);
    return v;
  }

  /** Shows `t` to the tap; returns what the tap returned in its place, or `t`. */
  tap<T extends tf.Tensor>(name: string, t: T, kind: TapKind): T {
    const r: unknown = this.tapFn?.(name, t, kind);
    // Only a tensor replaces the activation (a tap written as `(n, t) => list.push(t)` returns a number).
    return r instanceof tf.Tensor ? (r as T) : t;
  }

  /** Bias-free convolution with `<name>.weight` (`[KH, KW, Cin, Cout]`). */
  conv(name: string, x: tf.Tensor4D, stride: number, pad: ConvPad): tf.Tensor4D {
    // A number is PyTorch's symmetric padding (tfjs's 'same' pads bottom/right first at stride 2).
    const filter = this.param(`${name}.weight`) as tf.Tensor4D;
    const y = tf.conv2d(x, filter, stride, convPadding(pad, filter.shape));
    return this.tapFn ? this.tap(name, y, 'conv-out') : y;
  }

  /**
   * `batchNorm(bnName, conv(convName, x, …))`. In evaluation without a tap, the normalisation is
   * folded into the convolution (W·γ/√(σ²+ε) per output channel, bias β − μ·γ/√(σ²+ε)): one
   * convolution with a bias and no pass over the activation for the normalisation, the usual
   * inference-time folding. Equal to the two ops up to float round-off.
   */
  convBatchNorm(convName: string, bnName: string, x: tf.Tensor4D, stride: number, pad: ConvPad, depthwise = false): tf.Tensor4D {
    if (this.training || this.tapFn) {
      const y = depthwise ? this.depthwiseConv(convName, x, stride, pad) : this.conv(convName, x, stride, pad);
      return this.batchNorm(bnName, y);
    }
    const scale = tf.mul(this.param(`${bnName}.weight`), tf.rsqrt(tf.add(this.buffer(`${bnName}.running_var`), BN_EPSILON)));
    const weight = this.param(`${convName}.weight`);
    // [KH, KW, Cin, Cout] scales its last axis; a depthwise [KH, KW, C, 1] its third.
    const filter = tf.mul(weight, depthwise ? tf.reshape(scale, [1, 1, -1, 1]) : scale) as tf.Tensor4D;
    const bias = tf.sub(this.param(`${bnName}.bias`), tf.mul(this.buffer(`${bnName}.running_mean`), scale));
    const padding = convPadding(pad, weight.shape);
    if (!depthwise) return tf.fused.conv2d({ x, filter, strides: stride, pad: padding, bias });
    // tfjs's depthwise convolution takes no explicit padding: pad first.
    return Array.isArray(padding)
      ? tf.fused.depthwiseConv2d({ x: tf.pad(x, padding), filter, strides: stride, pad: 'valid', bias })
      : tf.fused.depthwiseConv2d({ x, filter, strides: stride, pad: padding, bias });
  }

  /** Bias-free depthwise convolution (channel multiplier 1) with `<name>.weight` (`[KH, KW, C, 1]`). */
  depthwiseConv(name: string, x: tf.Tensor4D, stride: number, pad: ConvPad): tf.Tensor4D {
    const filter = this.param(`${name}.weight`) as tf.Tensor4D;
    const padding = convPadding(pad, filter.shape);
    // tfjs's depthwise convolution takes no explicit padding: pad first.
    const y = Array.isArray(padding) ? tf.depthwiseConv2d(tf.pad(x, padding), filter, stride, 'valid') : tf.depthwiseConv2d(x, filter, stride, padding);
    return this.tapFn ? this.tap(name, y, 'conv-out') : y;
  }

  /** Squeeze-and-excitation with `<name>.reduce` and `<name>.expand` (1×1 convs with bias), see `NetworkOps.squeezeExcite`. */
  squeezeExcite(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const pooled = tf.mean(x, [1, 2], true) as tf.Tensor4D;
    const pointwise = (n: string, t: tf.Tensor4D) =>
      tf.add(tf.conv2d(t, this.param(`${n}.weight`) as tf.Tensor4D, 1, 'valid'), this.param(`${n}.bias`)) as tf.Tensor4D;
    const gate = tf.sigmoid(pointwise(`${name}.expand`, this.relu(`${name}.relu`, pointwise(`${name}.reduce`, pooled))));
    return tf.mul(x, gate);
  }

  /**
   * `BatchNorm2d` over the channel (last) axis. Training: normalise with the batch mean and biased
   * variance, then update the running mean and the running *unbiased* variance with momentum 0.1
   * (PyTorch's rule). Evaluation: normalise with the running statistics.
   *
   * In training the normalisation is one custom-gradient op whose backward pass is the closed form
   * dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy (Ioffe & Szegedy 2015,
   * Sec. 3) — two reductions and a handful of element-wise ops instead of autodiff through a dozen,
   * which roughly halves batch norm's share of a training step. That backward pass treats x̂ and
   * σ as constants when differentiated again, so `secondOrder` switches to plain ops.
   */
  batchNorm(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const gamma = this.param(`${name}.weight`);
    const beta = this.param(`${name}.bias`);
    if (!this.training) {
      const runningMean = this.buffer(`${name}.running_mean`);
      const runningVar = this.buffer(`${name}.running_var`);
      // One FusedBatchNorm kernel (one pass over x; oneDNN's on `onednn`) instead of a multiply and an add.
      return tf.batchNorm(x, runningMean as tf.Tensor1D, runningVar as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, BN_EPSILON);
    }
    let mean: tf.Tensor1D;
    let variance: tf.Tensor1D;
    let y: tf.Tensor4D;
    if (this.secondOrder) {
      mean = tf.mean(x, [0, 1, 2]);
      const centered = tf.sub(x, mean);
      variance = tf.mean(tf.square(centered), [0, 1, 2]);
      y = tf.add(tf.mul(centered, tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)))), beta) as tf.Tensor4D;
    } else {
      const stats: { mean?: tf.Tensor1D; variance?: tf.Tensor1D } = {};
      y = batchNormTraining(stats)(x, gamma, beta) as tf.Tensor4D;
      // The custom op's forward runs in its own tidy; it kept these two for the update below.
      mean = stats.mean!;
      variance = stats.variance!;
      this.kept.push(mean, variance);
    }
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    const m = this.bnMomentum;
    if (m !== 0) {
      const runningMean = this.buffer(`${name}.running_mean`);
      const runningVar = this.buffer(`${name}.running_var`);
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - m), tf.mul(mean, m)));
      runningVar.assign(tf.add(tf.mul(runningVar, 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))));
    }
    return y;
  }

  /** Frees tensors kept across custom ops during the forward pass (the network calls it). */
  release(): void {
    tf.dispose(this.kept);
    this.kept.length = 0;
  }

  /** ReLU, tapped before (`relu-in`) and after (`relu-out`). */
  relu<R extends tf.Rank>(name: string, x: tf.Tensor<R>): tf.Tensor<R> {
    this.tap(name, x, 'relu-in');
    const y = tf.relu(x);
    this.tap(name, y, 'relu-out');
    return y;
  }

  /** Per-position linear layer over `[N, H, W, C]` → channel-first `[N, K·H·W]` (see `NetworkOps.pixelLinear`). */
  pixelLinear(name: string, x: tf.Tensor4D): tf.Tensor2D {
    const [n, h, w, c] = x.shape;
    const weight = this.param(`${name}.weight`) as tf.Tensor2D;
    const flat = tf.add(tf.matMul(tf.reshape(x, [n * h * w, c]), weight), this.param(`${name}.bias`));
    const y = tf.reshape(tf.transpose(tf.reshape(flat, [n, h, w, weight.shape[1]]), [0, 3, 1, 2]), [n, -1]) as tf.Tensor2D;
    return this.tapFn ? this.tap(name, y, 'linear-out') : y;
  }

  /** Fully connected layer `x·W + b` with `<name>.weight` (`[in, out]`) and `<name>.bias`. */
  linear(name: string, x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.add(tf.matMul(x, this.param(`${name}.weight`) as tf.Tensor2D), this.param(`${name}.bias`)) as tf.Tensor2D;
    return this.tapFn ? this.tap(name, y, 'linear-out') : y;
  }
}

/**
 * {@link NetworkOps} over tensors: a network description run eagerly with `L`'s variables, taps
 * and training mode. Its ops are the ones NB201's forward always used (`tf.avgPool`, `tf.addN`,
 * `tf.zerosLike`, `tf.mean`; an `addN` of two terms is the `tf.add` of the reduction block), so
 * describing a network through it changes no number.
 */
export function eagerOps(L: Layers): NetworkOps<tf.Tensor> {
  return {
    conv: (name, x, stride, pad) => L.conv(name, x as tf.Tensor4D, stride, pad),
    batchNorm: (name, x) => L.batchNorm(name, x as tf.Tensor4D),
    convBatchNorm: (convName, bnName, x, stride, pad, depthwise) => L.convBatchNorm(convName, bnName, x as tf.Tensor4D, stride, pad, depthwise),
    relu: (name, x) => L.relu(name, x),
    linear: (name, x) => L.linear(name, x as tf.Tensor2D),
    avgPool: (_name, x, size, stride, pad) => tf.avgPool(x as tf.Tensor4D, windowPair(size), windowPair(stride), pad),
    maxPool: (_name, x, size, stride, pad) => tf.maxPool(x as tf.Tensor4D, windowPair(size), windowPair(stride), pad),
    concat: (_name, terms) => (terms.length === 1 ? terms[0]! : tf.concat(terms as tf.Tensor[], -1)),
    truncate: (_name, x, channels) => tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, channels]),
    sum: (_name, terms, like, channels) =>
      terms.length === 0
        ? channels === undefined || channels === like.shape[3]
          ? tf.zerosLike(like)
          : tf.zeros([...like.shape.slice(0, 3), channels])
        : terms.length === 1
          ? terms[0]!
          : tf.addN(terms as tf.Tensor[]),
    globalAvgPool: (_name, x) => tf.mean(x, [1, 2]),
    tap: (name, x, kind) => L.tap(name, x, kind),
    depthwiseConv: (name, x, stride, pad) => L.depthwiseConv(name, x as tf.Tensor4D, stride, pad),
    activation: (_name, x, kind) => (kind === 'relu6' ? tf.relu6(x) : kind === 'sigmoid' ? tf.sigmoid(x) : tf.mul(x, tf.sigmoid(x))),
    squeezeExcite: (name, x) => L.squeezeExcite(name, x as tf.Tensor4D),
    pixelLinear: (name, x) => L.pixelLinear(name, x as tf.Tensor4D),
  };
}

/**
 * The training-mode normalisation `γ·(x − μ)/√(σ² + ε) + β` over axes [0, 1, 2] as one op with the
 * closed-form gradient; writes the batch mean and variance (kept) into `stats`.
 */
function batchNormTraining(stats: { mean?: tf.Tensor1D; variance?: tf.Tensor1D }) {
  if (tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend())) return nativeBatchNormTraining(stats);
  return tf.customGrad((x, gamma, beta, save) => {
    const mean = tf.mean(x as tf.Tensor4D, [0, 1, 2]) as tf.Tensor1D;
    const centered = tf.sub(x as tf.Tensor4D, mean);
    const variance = tf.mean(tf.square(centered), [0, 1, 2]) as tf.Tensor1D;
    const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON));
    const xHat = tf.mul(centered, invStd);
    stats.mean = tf.keep(mean);
    stats.variance = tf.keep(variance);
    (save as tf.GradSaveFunc)([xHat, invStd, gamma as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xHat, gamma as tf.Tensor), beta as tf.Tensor),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xh, inv, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const d = dy as tf.Tensor4D;
        const dyXHat = tf.mul(d, xh);
        const dx = tf.mul(tf.sub(tf.sub(d, tf.mean(d, [0, 1, 2])), tf.mul(xh, tf.mean(dyXHat, [0, 1, 2]))), tf.mul(g, inv));
        return [dx, tf.sum(dyXHat, [0, 1, 2]), tf.sum(d, [0, 1, 2])];
      },
    };
  });
}

/** {@link batchNormTraining} as one native kernel each way, where the backend has them (`onednn`). */
function nativeBatchNormTraining(stats: { mean?: tf.Tensor1D; variance?: tf.Tensor1D }) {
  const attrs = { epsilon: BN_EPSILON } as unknown as tf.NamedAttrMap;
  return tf.customGrad((x, gamma, beta, save) => {
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma, beta } as tf.NamedTensorMap, attrs) as tf.Tensor[];
    stats.mean = tf.keep(mean as tf.Tensor1D);
    stats.variance = tf.keep(variance as tf.Tensor1D);
    (save as tf.GradSaveFunc)([x as tf.Tensor, gamma as tf.Tensor, mean!, variance!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, g, m, v] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { x: sx, dy: dy as tf.Tensor, gamma: g, mean: m, variance: v }, attrs) as tf.Tensor[];
      },
    };
  });
}
