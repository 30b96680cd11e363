/**
 * Convolution backprop kernels built from forward convolutions, for the wasm and cpu backends.
 *
 * - tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` at all (no convolution could be trained
 *   on wasm), and its `Conv2DBackpropInput` is a plain C++ loop about 10× slower than its XNNPACK
 *   forward convolution.
 * - tfjs-backend-cpu's `Conv2DBackpropFilter` reads through `TensorBuffer.get` and takes seconds
 *   where a forward convolution of the same size takes tens of milliseconds.
 *
 * Both gradients are convolutions themselves, so they are computed with the backend's own
 * Transpose/Reverse/Pad/Slice/Conv2D kernels (kernel composition, as tfjs backends do internally);
 * results equal the native kernels to float32 rounding (`conv-backprop.kernels.spec.ts`). The
 * native kernels stay available through {@link nativeKernel} for comparisons.
 */
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
type Shape4 = [number, number, number, number];

/** What the composed kernels need of a backend object (both tfjs-backend-wasm and -cpu have it). */
interface BackendLike {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** Backends whose convolution backprop kernels nasx replaces. */
export const COMPOSED_CONV_BACKENDS = ['wasm', 'cpu'] as const;

const natives = new Map<string, tf.KernelConfig>();

/** The backend's own kernel that nasx replaced (for tests and benchmarks), if any. */
export function nativeKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return natives.get(`${kernelName}/${backendName}`);
}

/** Runs other kernels of one backend and frees the intermediates. */
class Composer {
  private readonly temps: Info[] = [];
  constructor(
    private readonly backendName: string,
    private readonly backend: BackendLike,
  ) {}

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object): Info {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (!kernel) throw new Error(`@nasx/tensor: kernel ${kernelName} is missing on backend ${this.backendName}`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap }) as Info;
    this.temps.push(out);
    return out;
  }

  /** Frees every intermediate except `result`, and returns it. */
  finish(result: Info): Info {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

function convInfo(
  xShape: Shape4,
  filterShape: Shape4,
  a: { strides: [number, number] | number; pad: tf.Conv2DAttrs['pad']; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
) {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
}

function assertNhwc(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`@nasx/tensor: ${kernelName} supports dataFormat NHWC only, got ${dataFormat}`);
}

/**
 * `Conv2DBackpropFilter` as a forward convolution. For an NHWC conv with stride s,
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[b, oh, ow, co],
 *
 * a convolution with `ci` as the batch and `b` as the channel: input `transpose(x, [3, 1, 2, 0])`
 * (`[Ci, H, W, B]`), filter `transpose(dy, [1, 2, 0, 3])` (`[OH, OW, B, Co]`), the forward stride
 * as the dilation; the `[Ci, KH, KW, Co]` result is transposed back to `[KH, KW, Ci, Co]`. Padding
 * keeps the forward conv's top/left and sets bottom/right so exactly KH×KW positions come out;
 * rows the forward conv never reads are cropped.
 */
export function conv2DBackpropFilterKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      assertNhwc(tf.Conv2DBackpropFilter, a.dataFormat);
      const x = inputs['x'] as Info;
      const dy = inputs['dy'] as Info;
      const info = convInfo(x.shape as Shape4, a.filterShape, a);
      const { top, left } = info.padInfo;
      let bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - top;
      let right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - left;
      const k = new Composer(backendName, backend as BackendLike);
      let xt = k.run(tf.Transpose, { x }, { perm: [3, 1, 2, 0] });
      if (bottom < 0 || right < 0) {
        const [ci, h, w, b] = xt.shape as Shape4;
        xt = k.run(tf.Slice, { x: xt }, { begin: [0, 0, 0, 0], size: [ci, h + Math.min(bottom, 0), w + Math.min(right, 0), b] });
        bottom = Math.max(bottom, 0);
        right = Math.max(right, 0);
      }
      const dyt = k.run(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
      const conv = k.run(
        tf.Conv2D,
        { x: xt, filter: dyt },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [info.strideHeight, info.strideWidth],
        },
      );
      return k.finish(k.run(tf.Transpose, { x: conv }, { perm: [1, 2, 0, 3] }));
    },
  };
}

/**
 * `Conv2DBackpropInput` as a forward convolution:
 *
 *   dx[b, i, j, ci] = Σ_{kh, kw, co} dyd[b, i + padTop − kh, j + padLeft − kw, co] · W[kh, kw, ci, co],
 *
 * where `dyd` is `dy` dilated by the stride (s−1 zeros between entries). That is a stride-1
 * convolution of `dyd`, padded by K−1−pad at the top/left, with the spatially flipped filter whose
 * in/out channels are swapped (`[KH, KW, Co, Ci]`). Bottom/right padding makes the output exactly
 * H×W (negative padding crops).
 */
export function conv2DBackpropInputKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      assertNhwc(tf.Conv2DBackpropInput, a.dataFormat);
      const dy = inputs['dy'] as Info;
      const filter = inputs['filter'] as Info;
      const info = convInfo(a.inputShape, filter.shape as Shape4, a);
      const [kh, kw] = [info.filterHeight, info.filterWidth];
      const [sh, sw] = [info.strideHeight, info.strideWidth];
      const [b, oh, ow, co] = dy.shape as Shape4;
      const k = new Composer(backendName, backend as BackendLike);

      let dyd: Info = dy;
      if (sh > 1 || sw > 1) {
        const spread = k.run(tf.Reshape, { x: dy }, { shape: [b, oh, 1, ow, 1, co] });
        const padded = k.run(
          tf.PadV2,
          { x: spread },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ],
            constantValue: 0,
          },
        );
        dyd = k.run(tf.Reshape, { x: padded }, { shape: [b, oh * sh, ow * sw, co] });
      }
      let top = kh - 1 - info.padInfo.top;
      let left = kw - 1 - info.padInfo.left;
      let bottom = info.inHeight + info.padInfo.top - oh * sh;
      let right = info.inWidth + info.padInfo.left - ow * sw;
      if (top < 0 || left < 0 || bottom < 0 || right < 0) {
        const [, h, w] = dyd.shape as Shape4;
        const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
        const size = [b, h - begin[1]! - Math.max(-bottom, 0), w - begin[2]! - Math.max(-right, 0), co];
        dyd = k.run(tf.Slice, { x: dyd }, { begin, size });
        [top, left, bottom, right] = [Math.max(top, 0), Math.max(left, 0), Math.max(bottom, 0), Math.max(right, 0)];
      }
      const flipped = k.run(tf.Reverse, { x: filter }, { dims: [0, 1] });
      const wf = k.run(tf.Transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
      return k.finish(
        k.run(
          tf.Conv2D,
          { x: dyd, filter: wf },
          {
            strides: [1, 1],
            pad: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            dataFormat: 'NHWC',
            dilations: [1, 1],
          },
        ),
      );
    },
  };
}

/**
 * Replaces the convolution backprop kernels of the wasm and cpu backends by the composed ones
 * (keeping the natives for {@link nativeKernel}). Idempotent; {@link initTensorBackend} calls it.
 */
export function registerComposedConvKernels(): void {
  for (const backendName of COMPOSED_CONV_BACKENDS) {
    for (const make of [conv2DBackpropFilterKernel, conv2DBackpropInputKernel]) {
      const config = make(backendName);
      const current = tf.getKernel(config.kernelName, backendName);
      if (current && (current as Marked)[COMPOSED]) continue;
      if (current) {
        natives.set(`${config.kernelName}/${backendName}`, current);
        tf.unregisterKernel(config.kernelName, backendName);
      }
      tf.registerKernel(Object.assign(config, { [COMPOSED]: true }));
    }
  }
}

/** Marks nasx's kernels in tfjs's (global) registry, so a second copy of this module sees them. */
const COMPOSED = Symbol.for('nasx.tensor.composedKernel');
type Marked = tf.KernelConfig & { [COMPOSED]?: boolean };
