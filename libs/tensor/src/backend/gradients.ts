/**
 * Gradients for tfjs-core's CommonJS build.
 *
 * tfjs-core registers its gradient functions only from its ES-module entry
 * (`dist/register_all_gradients.js`, imported by the `@tensorflow/tfjs` bundle); the CommonJS
 * build that Node loads has none, so `tf.grad` fails with "gradient function not found" on every
 * kernel. nasx depends on tfjs-core alone, so this file registers the gradients of the kernels
 * networks, losses and zero-cost proxies use, written from the derivatives (not copied). Each one
 * is registered only when no gradient is registered for its kernel yet: with `@tensorflow/tfjs-node`
 * installed its own (tfjs) gradients stay in place. `gradients.spec.ts` checks every entry against
 * finite differences.
 *
 * No gradient here saves its kernel's *output* (`outputsToSave`): tfjs clones a saved output onto
 * the tape before the node that produced it, so a second-order gradient silently loses every path
 * through it (d²/dx² Σ exp(x)² comes out halved). Gradients that need the output recompute it
 * from the saved input instead, which keeps them differentiable again (GraSP, Hessian products).
 * Every gradient here is differentiable again except those of MaxPool, ResizeBilinear and
 * ResizeNearestNeighbor (their backward kernels have no gradient).
 *
 * One deliberate difference from tfjs: `AvgPool`'s gradient. tfjs's `AvgPoolGrad` kernel divides
 * by the full window size everywhere, but its forward `AvgPool` with padding averages over the
 * in-bounds pixels only (PyTorch's `count_include_pad=False`), so the two disagree at borders.
 * This gradient rescales `dy` by window/count first and so is the true derivative of the forward.
 */
import * as tf from '@tensorflow/tfjs-core';

type T = tf.Tensor;

/** The conv attributes the backprop kernels share with the forward convolution. */
type ConvAttrs = Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>;

/** ∂L/∂x of a convolution as the `Conv2DBackpropInput` kernel. */
function convBackpropInput(dy: T, filter: T, a: ConvAttrs, inputShape: number[]): T {
  const { strides, pad, dataFormat, dimRoundingMode } = a;
  return tf
    .engine()
    .runKernel(tf.Conv2DBackpropInput, { dy, filter }, { strides, pad, dataFormat, dimRoundingMode, inputShape } as unknown as tf.NamedAttrMap) as T;
}

/** ∂L/∂W of a convolution as the `Conv2DBackpropFilter` kernel. */
function convBackpropFilter(x: T, dy: T, a: ConvAttrs, filterShape: number[]): T {
  const { strides, pad, dataFormat, dimRoundingMode } = a;
  return tf
    .engine()
    .runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides, pad, dataFormat, dimRoundingMode, filterShape } as unknown as tf.NamedAttrMap) as T;
}

type Pads = [[number, number], [number, number], [number, number], [number, number]];
const spatialPads = (top: number, bottom: number, left: number, right: number): Pads => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

/** ∂L/∂x of a depthwise convolution (multiplier 1) from forward depthwise convolutions. */
function depthwiseBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): T {
  const [b, oh, ow, c] = dy.shape;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  let dyd: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    dyd = tf.reshape(spread, [b, oh * sh, ow * sw, c]);
  }
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.padInfo.top - oh * sh;
  const right = info.inWidth + info.padInfo.left - ow * sw;
  // Negative padding crops.
  const [, h, w] = dyd.shape;
  const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
  const size = [b, h - begin[1]! - Math.max(-bottom, 0), w - begin[2]! - Math.max(-right, 0), c];
  if (begin[1] !== 0 || begin[2] !== 0 || size[1] !== h || size[2] !== w) dyd = tf.slice(dyd, begin, size);
  const pads = spatialPads(Math.max(top, 0), Math.max(bottom, 0), Math.max(left, 0), Math.max(right, 0));
  return tf.depthwiseConv2d(dyd, tf.reverse(filter, [0, 1]), 1, pads);
}

/** ∂L/∂W of a depthwise convolution (multiplier 1) as one forward depthwise convolution. */
function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): T {
  const [b, h, w, c] = x.shape;
  const [, oh, ow] = dy.shape;
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const { top, left } = info.padInfo;
  const bottom = kh + (oh - 1) * info.strideHeight - h - top;
  const right = kw + (ow - 1) * info.strideWidth - w - left;
  // (channel, batch) pairs as the channels of one image: [1, H, W, C·B]; dy likewise as the filter.
  let xt: tf.Tensor4D = tf.reshape(tf.transpose(x, [1, 2, 3, 0]), [1, h, w, c * b]);
  if (bottom < 0 || right < 0) xt = tf.slice(xt, [0, 0, 0, 0], [1, h + Math.min(bottom, 0), w + Math.min(right, 0), c * b]);
  const f = tf.reshape(tf.transpose(dy, [1, 2, 3, 0]), [oh, ow, c * b, 1]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(xt, f, 1, spatialPads(top, Math.max(bottom, 0), left, Math.max(right, 0)), 'NHWC', [info.strideHeight, info.strideWidth]);
  return tf.reshape(tf.sum(tf.reshape(out, [kh, kw, c, b]), 3), [kh, kw, c, 1]);
}

type Grads = ReturnType<tf.GradFunc>;

/** Sums `g` over the axes it was broadcast along and reshapes it to `shape`. */
function unbroadcast(g: T, shape: readonly number[]): T {
  const axes = tf.broadcast_util.getReductionAxes(shape as number[], g.shape);
  const reduced = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(reduced, shape as number[]);
}

const f32 = (x: T): T => (x.dtype === 'float32' ? x : tf.cast(x, 'float32'));

/** dy scattered back over reduced axes (`keepDims` shape), for Sum/Mean/Max/Min. */
function expandReduced(dy: T, xShape: readonly number[], axis: number | number[]): T {
  const axes = tf.util.parseAxisParam(axis, xShape as number[]);
  const shape = xShape.slice();
  for (const a of axes) shape[a] = 1;
  return tf.reshape(dy, shape);
}

function binary(kernelName: string, da: (dy: T, a: T, b: T) => T, db: (dy: T, a: T, b: T) => T): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [T, T];
      return {
        a: () => unbroadcast(da(dy as T, a, b), a.shape),
        b: () => unbroadcast(db(dy as T, a, b), b.shape),
      };
    },
  };
}

function unary(kernelName: string, dx: (dy: T, x: T) => T): tf.GradConfig {
  return { kernelName, inputsToSave: ['x'], gradFunc: (dy, saved) => ({ x: () => dx(dy as T, saved[0]!) }) };
}

/** A unary gradient written in terms of the output y = f(x), recomputed from the saved input (see above). */
function unaryFromOutput(kernelName: string, f: (x: T) => T, dx: (dy: T, y: T) => T): tf.GradConfig {
  return { kernelName, inputsToSave: ['x'], gradFunc: (dy, saved) => ({ x: () => dx(dy as T, f(saved[0]!)) }) };
}

function zeroGrad(kernelName: string): tf.GradConfig {
  return { kernelName, gradFunc: (dy) => ({ x: () => tf.zerosLike(dy as T) }) };
}

function poolInfo(
  x: T,
  a: {
    filterSize: tf.AvgPoolAttrs['filterSize'];
    strides: tf.AvgPoolAttrs['strides'];
    pad: tf.AvgPoolAttrs['pad'];
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
) {
  return tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
}

/**
 * `window / count` per output position of a padded average pool ([1, OH, OW, 1]), or `null` when
 * every window lies inside the input (no correction needed).
 */
function avgPoolCountCorrection(info: tf.backend_util.Conv2DInfo): T | null {
  const rows = validCounts(info.outHeight, info.strideHeight, info.padInfo.top, info.filterHeight, info.inHeight);
  const cols = validCounts(info.outWidth, info.strideWidth, info.padInfo.left, info.filterWidth, info.inWidth);
  const full = info.filterHeight * info.filterWidth;
  if (rows.every((r) => r === info.filterHeight) && cols.every((c) => c === info.filterWidth)) return null;
  const values = new Float32Array(info.outHeight * info.outWidth);
  for (let i = 0; i < info.outHeight; i++) for (let j = 0; j < info.outWidth; j++) values[i * info.outWidth + j] = full / (rows[i]! * cols[j]!);
  return tf.tensor4d(values, [1, info.outHeight, info.outWidth, 1]);
}

function validCounts(out: number, stride: number, pad: number, filter: number, size: number): number[] {
  const counts: number[] = [];
  for (let o = 0; o < out; o++) {
    const start = o * stride - pad;
    counts.push(Math.min(size, start + filter) - Math.max(0, start));
  }
  return counts;
}

function matMulGrads(dy: T, a: T, b: T, ta: boolean, tb: boolean): { da: T; db: T } {
  // C = op(A)·op(B); the four transpose cases of dC/dA and dC/dB.
  if (!ta && !tb) return { da: tf.matMul(dy, b, false, true), db: tf.matMul(a, dy, true, false) };
  if (!ta && tb) return { da: tf.matMul(dy, b, false, false), db: tf.matMul(dy, a, true, false) };
  if (ta && !tb) return { da: tf.matMul(b, dy, false, true), db: tf.matMul(a, dy, false, false) };
  return { da: tf.matMul(b, dy, true, true), db: tf.matMul(dy, a, true, true) };
}

/** Sums leading (batch) axes that were broadcast in a batched matmul back to `shape`. */
function unbroadcastBatch(g: T, shape: readonly number[]): T {
  if (g.rank === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  let r =
    lead > 0
      ? tf.sum(
          g,
          Array.from({ length: lead }, (_, i) => i),
        )
      : g;
  const axes: number[] = [];
  for (let i = 0; i < shape.length - 2; i++) if (shape[i] === 1 && r.shape[i] !== 1) axes.push(i);
  if (axes.length > 0) r = tf.sum(r, axes, true);
  return tf.reshape(r, shape as number[]);
}

/** The gradients nasx registers (those missing from tfjs-core's CommonJS build), one per kernel. */
export const NASX_GRADIENTS: readonly tf.GradConfig[] = [
  // ---- element-wise binary (with broadcasting) -------------------------------------------------
  binary(
    tf.Add,
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    tf.Sub,
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    tf.Multiply,
    (dy, _a, b) => tf.mul(dy, f32(b)),
    (dy, a) => tf.mul(dy, f32(a)),
  ),
  binary(
    tf.RealDiv,
    (dy, _a, b) => tf.div(dy, f32(b)),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, f32(a)), tf.square(f32(b)))),
  ),
  binary(
    tf.Maximum,
    (dy, a, b) => tf.mul(dy, f32(tf.greaterEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.less(a, b))),
  ),
  binary(
    tf.Minimum,
    (dy, a, b) => tf.mul(dy, f32(tf.lessEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.greater(a, b))),
  ),
  binary(
    tf.SquaredDifference,
    (dy, a, b) => tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(a, b))),
    (dy, a, b) => tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(b, a))),
  ),
  {
    kernelName: tf.Pow,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [T, T];
      const y = tf.pow(a, b);
      return {
        // d(a^b)/da = b·a^(b−1); d(a^b)/db = a^b·ln a (defined as 0 where a ≤ 0).
        a: () => unbroadcast(tf.mul(dy as T, tf.mul(f32(b), tf.pow(a, tf.sub(b, tf.scalar(1))))), a.shape),
        b: () => unbroadcast(tf.mul(dy as T, tf.mul(y, tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a)))), b.shape),
      };
    },
  },
  {
    kernelName: tf.AddN,
    saveAllInputs: true,
    gradFunc: (dy, saved) => {
      const grads: Grads = {};
      saved.forEach((_, i) => (grads[i] = () => tf.clone(dy as T)));
      return grads;
    },
  },
  // ---- element-wise unary -----------------------------------------------------------------------
  unary(tf.Neg, (dy) => tf.neg(dy)),
  unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(f32(x), tf.scalar(2)))),
  unary(tf.Sqrt, (dy, x) => tf.div(dy, tf.mul(tf.sqrt(f32(x)), tf.scalar(2)))),
  unary(tf.Rsqrt, (dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(f32(x), tf.scalar(1.5)), tf.scalar(2))))),
  unary(tf.Reciprocal, (dy, x) => tf.neg(tf.div(dy, tf.square(f32(x))))),
  unaryFromOutput(tf.Exp, tf.exp, (dy, y) => tf.mul(dy, y)),
  unary(tf.Log, (dy, x) => tf.div(dy, f32(x))),
  unary(tf.Log1p, (dy, x) => tf.div(dy, tf.add(f32(x), tf.scalar(1)))),
  unary(tf.Abs, (dy, x) => tf.mul(dy, tf.step(f32(x), -1))),
  unary(tf.Relu, (dy, x) => tf.mul(dy, f32(tf.step(x)))),
  unary(tf.Relu6, (dy, x) => tf.mul(dy, f32(tf.logicalAnd(tf.greater(x, 0), tf.lessEqual(x, 6))))),
  {
    kernelName: tf.LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
      const x = saved[0]!;
      return { x: () => tf.where(tf.greater(x, 0), dy as T, tf.mul(dy as T, tf.scalar(alpha))) };
    },
  },
  {
    kernelName: tf.Prelu,
    inputsToSave: ['x', 'alpha'],
    gradFunc: (dy, saved) => {
      const [x, alpha] = saved as [T, T];
      const positive = tf.greater(x, 0);
      return {
        x: () => tf.where(positive, dy as T, tf.mul(dy as T, alpha)),
        alpha: () => unbroadcast(tf.where(positive, tf.zerosLike(dy as T), tf.mul(dy as T, x)), alpha.shape),
      };
    },
  },
  {
    // d elu(x)/dx = 1 for x > 0, elu(x) + 1 otherwise (written with ops, not EluGrad, to stay differentiable).
    kernelName: tf.Elu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const x = saved[0]!;
      return { x: () => tf.where(tf.greater(x, 0), dy as T, tf.mul(dy as T, tf.add(tf.elu(x), tf.scalar(1)))) };
    },
  },
  unaryFromOutput(tf.Sigmoid, tf.sigmoid, (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)))),
  unaryFromOutput(tf.Tanh, tf.tanh, (dy, y) => tf.mul(dy, tf.sub(tf.scalar(1), tf.square(y)))),
  unary(tf.Softplus, (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  {
    kernelName: tf.ClipByValue,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const { clipValueMin, clipValueMax } = attrs as unknown as tf.ClipByValueAttrs;
      const x = saved[0]!;
      return { x: () => tf.where(tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax)), dy as T, tf.zerosLike(dy as T)) };
    },
  },
  {
    kernelName: tf.Select,
    inputsToSave: ['condition'],
    gradFunc: (dy, saved) => {
      const condition = saved[0]!;
      return {
        condition: () => tf.zerosLike(f32(condition)),
        t: () => tf.mul(dy as T, f32(condition)),
        e: () => tf.mul(dy as T, f32(tf.logicalNot(condition))),
      };
    },
  },
  // Comparisons are piecewise constant: zero gradients (reached when differentiating Max/Min/ReLU twice).
  ...[tf.Equal, tf.NotEqual, tf.Greater, tf.GreaterEqual, tf.Less, tf.LessEqual, tf.LogicalAnd, tf.LogicalOr].map((kernelName): tf.GradConfig => ({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(f32(saved[0]!)), b: () => tf.zerosLike(f32(saved[1]!)) }),
  })),
  zeroGrad(tf.LogicalNot),
  zeroGrad(tf.Step),
  zeroGrad(tf.Sign),
  zeroGrad(tf.Floor),
  zeroGrad(tf.Ceil),
  zeroGrad(tf.Round),
  zeroGrad(tf.ZerosLike),
  zeroGrad(tf.OnesLike),
  { kernelName: tf.Cast, gradFunc: (dy) => ({ x: () => tf.clone(dy as T) }) },
  { kernelName: tf.Identity, gradFunc: (dy) => ({ x: () => tf.clone(dy as T) }) },
  // ---- reductions ---------------------------------------------------------------------------------
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const { axis } = attrs as unknown as tf.SumAttrs;
      return { x: () => tf.broadcastTo(expandReduced(dy as T, x.shape, axis), x.shape) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const { axis } = attrs as unknown as tf.MeanAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
      return { x: () => tf.broadcastTo(tf.div(expandReduced(dy as T, x.shape, axis), tf.scalar(n)), x.shape) };
    },
  },
  ...(['Max', 'Min'] as const).map((name): tf.GradConfig => ({
    kernelName: name === 'Max' ? tf.Max : tf.Min,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      // Max names its axes `reductionIndices`, Min `axis`.
      const axes = name === 'Max' ? (attrs as unknown as tf.MaxAttrs).reductionIndices : (attrs as unknown as tf.MinAttrs).axis;
      const y = name === 'Max' ? tf.max(x, axes) : tf.min(x, axes);
      // Gradient flows to every element equal to the extremum (as TensorFlow does).
      return { x: () => tf.mul(expandReduced(dy as T, x.shape, axes), f32(tf.equal(x, expandReduced(y, x.shape, axes)))) };
    },
  })),
  {
    kernelName: tf.Softmax,
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const { dim } = attrs as unknown as tf.SoftmaxAttrs;
      const y = tf.softmax(saved[0]!, dim);
      const dyy = tf.mul(dy as T, y);
      return { logits: () => tf.sub(dyy, tf.mul(tf.sum(dyy, [dim], true), y)) };
    },
  },
  // ---- gather / segment sum (graph message passing) ----------------------------------------------
  {
    // y = x[..., indices, ...] along `axis`: each x slice receives the sum of the dy slices that
    // gathered it (an index gathered twice gets both).
    kernelName: tf.GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved as [T, T];
      const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
      if (batchDims) throw new Error('@nasx/tensor: the gradient of gather with batchDims is not implemented');
      const a = tf.util.parseAxisParam(axis, x.shape)[0]!;
      return {
        x: () => {
          const outer = x.shape.slice(0, a);
          const inner = x.shape.slice(a + 1);
          const n = indices.size;
          const rows = tf.reshape(dy as T, [...outer, n, ...inner]);
          // Axis 0: the rows are in place (a transpose by the identity still copies the whole x).
          if (a === 0) return tf.unsortedSegmentSum(rows, tf.reshape(indices, [n]) as tf.Tensor1D, x.shape[0]!);
          // Bring the gathered axis first, sum rows into their source index, and move it back.
          const perm = [outer.length, ...outer.map((_, i) => i), ...inner.map((_, i) => outer.length + 1 + i)];
          const summed = tf.unsortedSegmentSum(tf.transpose(rows, perm), tf.reshape(indices, [n]) as tf.Tensor1D, x.shape[a]!);
          const back = new Array<number>(perm.length);
          perm.forEach((p, i) => (back[p] = i));
          return tf.transpose(summed, back);
        },
        indices: () => tf.zerosLike(indices),
      };
    },
  },
  {
    // y[s] = Σ_{r: ids[r] = s} x[r]: each row of x receives dy of its segment (0 when dropped).
    kernelName: tf.UnsortedSegmentSum,
    inputsToSave: ['segmentIds'],
    gradFunc: (dy, saved) => {
      const ids = saved[0]! as tf.Tensor1D;
      const segments = (dy as T).shape[0]!;
      return {
        x: () => {
          // Segment ids are data (never differentiated): read them to clamp and mask the dropped ones.
          const raw = ids.dataSync();
          const safe = Int32Array.from(raw, (s) => Math.min(Math.max(s, 0), segments - 1));
          const valid = Float32Array.from(raw, (s) => (s >= 0 && s < segments ? 1 : 0));
          const gathered = tf.gather(dy as T, tf.tensor1d(safe, 'int32'));
          return tf.mul(gathered, tf.tensor(valid, [ids.size, ...new Array<number>(gathered.rank - 1).fill(1)]));
        },
        segmentIds: () => tf.zerosLike(ids),
      };
    },
  },
  // ---- shape ----------------------------------------------------------------------------------------
  { kernelName: tf.Reshape, inputsToSave: ['x'], gradFunc: (dy, saved) => ({ x: () => tf.reshape(dy as T, saved[0]!.shape) }) },
  { kernelName: tf.ExpandDims, inputsToSave: ['input'], gradFunc: (dy, saved) => ({ input: () => tf.reshape(dy as T, saved[0]!.shape) }) },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs) => {
      const { perm } = attrs as unknown as tf.TransposeAttrs;
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return { x: () => tf.transpose(dy as T, inverse) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam((attrs as unknown as tf.ConcatAttrs).axis, saved[0]!.shape)[0]!;
      const parts = tf.split(
        dy as T,
        saved.map((t) => t.shape[axis]!),
        axis,
      );
      const grads: Grads = {};
      parts.forEach((p, i) => (grads[i] = () => p));
      return grads;
    },
  },
  {
    kernelName: tf.SplitV,
    gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as T[], (attrs as unknown as tf.SplitVAttrs).axis) }),
  },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: (dy, _saved, attrs) => {
      const parts = tf.unstack(dy as T, (attrs as unknown as tf.PackAttrs).axis);
      const grads: Grads = {};
      parts.forEach((p, i) => (grads[i] = () => p));
      return grads;
    },
  },
  {
    // Slices nobody used arrive as null (the tape's rule for multi-output ops): zeros shaped like a used one.
    kernelName: tf.Unpack,
    gradFunc: (dy, _saved, attrs) => {
      // One slice: the tape passes its gradient alone, not in an array.
      const parts = Array.isArray(dy) ? (dy as (T | null)[]) : [dy];
      const used = parts.find((p): p is T => p != null)!;
      return {
        value: () =>
          tf.stack(
            parts.map((p) => p ?? tf.zerosLike(used)),
            (attrs as unknown as tf.UnpackAttrs).axis,
          ),
      };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const [b, s] = tf.slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
      return {
        x: () =>
          tf.pad(
            dy as T,
            x.shape.map((d, i) => [b[i]!, d - b[i]! - s[i]!] as [number, number]),
          ),
      };
    },
  },
  {
    kernelName: tf.PadV2,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const { paddings } = attrs as unknown as tf.PadV2Attrs;
      return {
        x: () =>
          tf.slice(
            dy as T,
            paddings.map((p) => p[0]),
            x.shape,
          ),
      };
    },
  },
  {
    kernelName: tf.Tile,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const { reps } = attrs as unknown as tf.TileAttrs;
      // out[r·s + k] = x[k] per axis: view dy as [reps0, s0, reps1, s1, …] and sum the rep axes.
      const shape = x.shape.flatMap((s, i) => [reps[i]!, s]);
      return {
        x: () =>
          tf.sum(
            tf.reshape(dy as T, shape),
            x.shape.map((_, i) => 2 * i),
          ),
      };
    },
  },
  {
    kernelName: tf.BroadcastTo,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const { inputShape } = attrs as unknown as tf.BroadCastToAttrs;
      return { x: () => tf.reshape(unbroadcast(dy as T, inputShape), saved[0]!.shape) };
    },
  },
  // ---- linear algebra, convolution, pooling -------------------------------------------------------
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [T, T];
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      return {
        a: () => unbroadcastBatch(matMulGrads(dy as T, a, b, transposeA, transposeB).da, a.shape),
        b: () => unbroadcastBatch(matMulGrads(dy as T, a, b, transposeA, transposeB).db, b.shape),
      };
    },
  },
  {
    kernelName: tf.Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { dilations, dataFormat } = attrs as unknown as tf.Conv2DAttrs;
      if (!tf.backend_util.tupleValuesAreOne(dilations)) {
        throw new Error(`@nasx/tensor: the gradient of conv2d supports dilation 1 only, got ${String(dilations)}`);
      }
      if (dataFormat !== 'NHWC') throw new Error(`@nasx/tensor: the gradient of conv2d supports NHWC only, got ${dataFormat}`);
      return {
        x: () => convBackpropInput(dy as T, filter, attrs as unknown as ConvAttrs, x.shape),
        filter: () => convBackpropFilter(x, dy as T, attrs as unknown as ConvAttrs, filter.shape),
      };
    },
  },
  {
    // Second order through a convolution (GraSP's Hessian-gradient product, double backprop).
    kernelName: tf.Conv2DBackpropInput,
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      return {
        dy: () => tf.conv2d(ddx as tf.Tensor4D, filter, strides, pad as 'same', dataFormat as 'NHWC', 1, dimRoundingMode),
        filter: () => convBackpropFilter(ddx as T, dy, attrs as unknown as ConvAttrs, filter.shape),
      };
    },
  },
  {
    // Also second order: the filter gradient of a conv whose dy depends on the weights.
    kernelName: tf.Conv2DBackpropFilter,
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      return {
        x: () => convBackpropInput(dy, ddw as T, attrs as unknown as ConvAttrs, x.shape),
        dy: () => tf.conv2d(x, ddw as tf.Tensor4D, strides, pad as 'same', dataFormat as 'NHWC', 1, dimRoundingMode),
      };
    },
  },
  {
    // Depthwise convolution (channel multiplier 1: MobileNet / MnasNet blocks). tfjs-backend-wasm has
    // no depthwise backprop kernels, so both gradients are forward depthwise convolutions:
    //   dx = depthwise(dy dilated by the stride, padded by K−1−pad, spatially flipped filter),
    //   dW[kh, kw, c] = Σ_{b, oh, ow} x[b, oh·s + kh − top, ow·s + kw − left, c] · dy[b, oh, ow, c],
    // the latter a depthwise conv over (channel, batch) pairs with dy as the filter and the stride as
    // the dilation (the same trick as Conv2DBackpropFilter in conv-backprop.kernels.ts).
    kernelName: tf.DepthwiseConv2dNative,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
      const dilations = a.dilations ?? 1;
      if (!tf.backend_util.tupleValuesAreOne(dilations)) {
        throw new Error(`@nasx/tensor: the gradient of depthwiseConv2d supports dilation 1 only, got ${String(dilations)}`);
      }
      if (filter.shape[3] !== 1) throw new Error(`@nasx/tensor: the gradient of depthwiseConv2d supports channel multiplier 1 only, got ${filter.shape[3]}`);
      const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode, true, 'channelsLast');
      return {
        x: () => depthwiseBackpropInput(dy as tf.Tensor4D, filter, info),
        filter: () => depthwiseBackpropFilter(x, dy as tf.Tensor4D, info),
      };
    },
  },
  { kernelName: tf.Reverse, gradFunc: (dy, _saved, attrs) => ({ x: () => tf.reverse(dy as T, (attrs as unknown as tf.ReverseAttrs).dims) }) },
  {
    kernelName: tf.AvgPool,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const a = attrs as unknown as tf.AvgPoolAttrs;
      return {
        x: () => {
          const correction = avgPoolCountCorrection(poolInfo(x, a));
          const scaled = correction ? tf.mul(dy as T, correction) : (dy as T);
          return tf.engine().runKernel(tf.AvgPoolGrad, { dy: scaled, input: x }, { filterSize: a.filterSize, strides: a.strides, pad: a.pad }) as T;
        },
      };
    },
  },
  {
    // Second order through an average pool: AvgPoolGrad is linear in dy with adjoint
    // window-size-normalised pooling, i.e. avgPool(·)·count/window.
    kernelName: tf.AvgPoolGrad,
    inputsToSave: ['input'],
    gradFunc: (ddx, saved, attrs) => {
      const input = saved[0]!;
      const a = attrs as unknown as tf.AvgPoolGradAttrs;
      return {
        dy: () => {
          const pooled = tf.avgPool(ddx as tf.Tensor4D, a.filterSize, a.strides, a.pad as 'same');
          const correction = avgPoolCountCorrection(poolInfo(input, a));
          return correction ? tf.div(pooled, correction) : pooled;
        },
        input: () => tf.zerosLike(input),
      };
    },
  },
  {
    kernelName: tf.MaxPool,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]! as tf.Tensor4D;
      const a = attrs as unknown as tf.MaxPoolAttrs;
      return {
        x: () =>
          tf.engine().runKernel(tf.MaxPoolGrad, { dy: dy as T, input: x, output: tf.maxPool(x, a.filterSize, a.strides, a.pad as 'same', a.dimRoundingMode) }, {
            filterSize: a.filterSize,
            strides: a.strides,
            pad: a.pad,
            dimRoundingMode: a.dimRoundingMode,
          } as unknown as tf.NamedAttrMap) as T,
      };
    },
  },
  {
    kernelName: tf.ResizeBilinear,
    inputsToSave: ['images'],
    gradFunc: (dy, saved, attrs) => ({
      images: () => tf.engine().runKernel(tf.ResizeBilinearGrad, { dy: dy as T, images: saved[0]! }, attrs) as T,
    }),
  },
  {
    kernelName: tf.ResizeNearestNeighbor,
    inputsToSave: ['images'],
    gradFunc: (dy, saved, attrs) => ({
      images: () => tf.engine().runKernel(tf.ResizeNearestNeighborGrad, { dy: dy as T, images: saved[0]! }, attrs) as T,
    }),
  },
];

/**
 * Registers the entries of {@link NASX_GRADIENTS}. Idempotent; {@link initTensorBackend} calls it.
 *
 * With `override` (the wasm and cpu backends) every entry replaces whatever is registered: a
 * bundle loaded in the same process can register tfjs-core's own gradients (tfjs-layers' CommonJS
 * build does, and `@nasx/tensor` loads it for export), and two of those are wrong for nasx's
 * networks (AvgPool's divides by the full window; output-saving ones drop second-order terms).
 * Without it (tfjs-node, whose kernels go with tfjs-core's gradients), only gaps are filled.
 */
export function registerNasxGradients(override: boolean): void {
  for (const g of NASX_GRADIENTS) {
    if (override || !tf.getGradient(g.kernelName)) tf.registerGradient(g);
  }
}
