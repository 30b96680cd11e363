import { closeness, onBackend, testValues } from '../__fixtures__/backends';
import { tf } from '../tf';
import { initTensorBackend } from './backend';
import { NASX_GRADIENTS } from './gradients';

type T = tf.Tensor;

/** One differentiable function of one input, on a small shape; `positive` keeps inputs > 0. */
interface Case {
  readonly kernel: string;
  readonly shape: number[];
  readonly f: (x: T) => T;
  readonly positive?: boolean;
  /** The gradient is not differentiable again (its backward kernel has no gradient). */
  readonly firstOrderOnly?: boolean;
}

const other = (shape: number[], seed: number) =>
  tf.tensor(
    testValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

// Each kernel with a gradient in NASX_GRADIENTS is exercised by at least one case (checked below).
const CASES: readonly Case[] = [
  { kernel: 'Add', shape: [2, 3], f: (x) => tf.add(x, other([3], 7)) },
  { kernel: 'Add', shape: [3], f: (x) => tf.add(other([2, 3], 7), x) },
  { kernel: 'Sub', shape: [2, 3], f: (x) => tf.sub(other([2, 1], 8), x) },
  { kernel: 'Multiply', shape: [2, 3], f: (x) => tf.mul(x, other([2, 3], 9)) },
  { kernel: 'Multiply', shape: [1, 3], f: (x) => tf.mul(x, x) },
  { kernel: 'RealDiv', shape: [2, 3], f: (x) => tf.div(other([2, 3], 10), x), positive: true },
  { kernel: 'RealDiv', shape: [2, 3], f: (x) => tf.div(x, tf.add(tf.abs(other([2, 3], 11)), 0.5)) },
  { kernel: 'Maximum', shape: [2, 3], f: (x) => tf.maximum(x, other([2, 3], 12)) },
  { kernel: 'Minimum', shape: [2, 3], f: (x) => tf.minimum(other([2, 3], 13), x) },
  { kernel: 'SquaredDifference', shape: [2, 3], f: (x) => tf.squaredDifference(x, other([3], 14)) },
  { kernel: 'Pow', shape: [2, 3], f: (x) => tf.pow(x, tf.scalar(2.5)), positive: true },
  { kernel: 'Pow', shape: [2, 3], f: (x) => tf.pow(tf.scalar(1.7), x) },
  { kernel: 'AddN', shape: [2, 3], f: (x) => tf.addN([x, tf.mul(x, 2), other([2, 3], 15)]) },
  { kernel: 'Neg', shape: [4], f: (x) => tf.neg(x) },
  { kernel: 'Square', shape: [4], f: (x) => tf.square(x) },
  { kernel: 'Sqrt', shape: [4], f: (x) => tf.sqrt(x), positive: true },
  { kernel: 'Rsqrt', shape: [4], f: (x) => tf.rsqrt(x), positive: true },
  { kernel: 'Reciprocal', shape: [4], f: (x) => tf.reciprocal(x), positive: true },
  { kernel: 'Exp', shape: [4], f: (x) => tf.exp(x) },
  { kernel: 'Log', shape: [4], f: (x) => tf.log(x), positive: true },
  { kernel: 'Log1p', shape: [4], f: (x) => tf.log1p(x), positive: true },
  { kernel: 'Abs', shape: [4], f: (x) => tf.abs(x) },
  { kernel: 'Relu', shape: [2, 4], f: (x) => tf.relu(x) },
  { kernel: 'Relu6', shape: [2, 4], f: (x) => tf.relu6(tf.mul(x, 8)) },
  { kernel: 'LeakyRelu', shape: [2, 4], f: (x) => tf.leakyRelu(x, 0.1) },
  { kernel: 'Prelu', shape: [2, 4], f: (x) => tf.prelu(x, tf.fill([4], 0.25)) },
  { kernel: 'Prelu', shape: [4], f: (x) => tf.prelu(other([2, 4], 16), x) },
  { kernel: 'Elu', shape: [2, 4], f: (x) => tf.elu(x) },
  { kernel: 'Sigmoid', shape: [2, 4], f: (x) => tf.sigmoid(x) },
  { kernel: 'Tanh', shape: [2, 4], f: (x) => tf.tanh(x) },
  { kernel: 'Softplus', shape: [2, 4], f: (x) => tf.softplus(x) },
  { kernel: 'ClipByValue', shape: [2, 4], f: (x) => tf.clipByValue(x, -0.4, 0.5) },
  { kernel: 'Select', shape: [2, 4], f: (x) => tf.where(tf.greater(other([2, 4], 17), 0), x, tf.mul(x, 3)) },
  ...(['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'] as const).map((kernel): Case => ({
    kernel,
    shape: [4],
    f: (x) => {
      const y = other([4], 50);
      const cmp = { Equal: tf.equal, NotEqual: tf.notEqual, Greater: tf.greater, GreaterEqual: tf.greaterEqual, Less: tf.less, LessEqual: tf.lessEqual }[
        kernel
      ];
      return tf.add(tf.cast(cmp(x, y), 'float32'), x);
    },
  })),
  { kernel: 'Step', shape: [4], f: (x) => tf.add(tf.step(x), x) },
  { kernel: 'Sign', shape: [4], f: (x) => tf.add(tf.sign(x), x) },
  { kernel: 'Floor', shape: [4], f: (x) => tf.add(tf.floor(tf.mul(x, 3)), x) },
  { kernel: 'Ceil', shape: [4], f: (x) => tf.add(tf.ceil(tf.mul(x, 3)), x) },
  { kernel: 'Round', shape: [4], f: (x) => tf.add(tf.round(tf.mul(x, 3)), x) },
  { kernel: 'ZerosLike', shape: [4], f: (x) => tf.add(tf.zerosLike(x), x) },
  { kernel: 'OnesLike', shape: [4], f: (x) => tf.mul(tf.onesLike(x), x) },
  { kernel: 'Cast', shape: [4], f: (x) => tf.cast(x, 'float32') },
  { kernel: 'Identity', shape: [4], f: (x) => tf.clone(x) },
  { kernel: 'Sum', shape: [2, 3, 2], f: (x) => tf.sum(x, [0, 2]) },
  { kernel: 'Sum', shape: [2, 3], f: (x) => tf.sum(x, 1, true) },
  { kernel: 'Mean', shape: [2, 3, 2], f: (x) => tf.mean(x, [1]) },
  { kernel: 'Max', shape: [2, 3], f: (x) => tf.max(x, 1) },
  { kernel: 'Min', shape: [2, 3], f: (x) => tf.min(x, 0, true) },
  { kernel: 'Softmax', shape: [2, 4], f: (x) => tf.softmax(x) },
  { kernel: 'Reshape', shape: [2, 3], f: (x) => tf.reshape(x, [3, 2]) },
  { kernel: 'ExpandDims', shape: [2, 3], f: (x) => tf.expandDims(x, 1) },
  { kernel: 'Transpose', shape: [2, 3, 4], f: (x) => tf.transpose(x, [2, 0, 1]) },
  { kernel: 'Concat', shape: [2, 3], f: (x) => tf.concat([x, other([2, 2], 18), tf.mul(x, 2)], 1) },
  { kernel: 'SplitV', shape: [2, 5], f: (x) => tf.mul(tf.split(x, [2, 3], 1)[1]!, other([2, 3], 19)) },
  { kernel: 'Pack', shape: [2, 3], f: (x) => tf.stack([x, tf.square(x)], 1) },
  { kernel: 'Unpack', shape: [3, 2], f: (x) => tf.mul(tf.unstack(x, 0)[1]!, 3) },
  { kernel: 'Slice', shape: [3, 4], f: (x) => tf.slice(x, [1, 1], [2, 2]) },
  {
    kernel: 'PadV2',
    shape: [2, 3],
    f: (x) =>
      tf.pad(
        x,
        [
          [1, 0],
          [0, 2],
        ],
        0.5,
      ),
  },
  { kernel: 'Tile', shape: [2, 3], f: (x) => tf.tile(x, [2, 3]) },
  { kernel: 'GatherV2', shape: [4, 3], f: (x) => tf.gather(x, tf.tensor1d([2, 0, 2, 3, 2], 'int32')) },
  { kernel: 'GatherV2', shape: [2, 4, 2], f: (x) => tf.gather(x, tf.tensor1d([3, 1, 3], 'int32'), 1) },
  // Two rows into segment 1, one dropped (id 5 ≥ 3 segments), segment 0 empty.
  { kernel: 'UnsortedSegmentSum', shape: [4, 2], f: (x) => tf.unsortedSegmentSum(x, tf.tensor1d([1, 2, 1, 5], 'int32'), 3) },
  { kernel: 'BroadcastTo', shape: [1, 3], f: (x) => tf.broadcastTo(x, [4, 3]) },
  { kernel: 'BatchMatMul', shape: [2, 3], f: (x) => tf.matMul(x, other([3, 4], 20)) },
  { kernel: 'BatchMatMul', shape: [3, 4], f: (x) => tf.matMul(other([2, 3], 21), x) },
  { kernel: 'BatchMatMul', shape: [3, 2], f: (x) => tf.matMul(x, other([4, 3], 22), true, true) },
  { kernel: 'BatchMatMul', shape: [2, 3, 4], f: (x) => tf.matMul(other([1, 2, 3], 23), x) },
  { kernel: 'Conv2D', shape: [2, 5, 5, 3], f: (x) => tf.conv2d(x as tf.Tensor4D, other([3, 3, 3, 2], 24) as tf.Tensor4D, 1, 1) },
  { kernel: 'Conv2D', shape: [2, 3, 3, 2], f: (x) => tf.conv2d(other([1, 6, 6, 3], 25) as tf.Tensor4D, x as tf.Tensor4D, 2, 'same') },
  { kernel: 'Conv2D', shape: [1, 1, 3, 2], f: (x) => tf.conv2d(other([2, 4, 4, 3], 26) as tf.Tensor4D, x as tf.Tensor4D, 1, 'valid') },
  {
    kernel: 'Conv2DBackpropInput',
    shape: [3, 3, 2, 2],
    // conv2dTranspose(dy, w) of a dy that itself depends on w: exercises both of its input gradients.
    f: (w) => tf.conv2dTranspose(tf.conv2d(other([1, 4, 4, 2], 27) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), w as tf.Tensor4D, [1, 4, 4, 2], 1, 'same'),
  },
  {
    kernel: 'Conv2DBackpropFilter',
    shape: [1, 4, 4, 2],
    // The filter gradient of conv(x, ·) as a function of x (and of dy through x).
    f: (x) => tf.grad((w: T) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))))(other([3, 3, 2, 2], 28)),
  },
  { kernel: 'DepthwiseConv2dNative', shape: [2, 5, 5, 3], f: (x) => tf.depthwiseConv2d(x as tf.Tensor4D, other([3, 3, 3, 1], 40) as tf.Tensor4D, 1, 'same') },
  { kernel: 'DepthwiseConv2dNative', shape: [1, 6, 6, 2], f: (x) => tf.depthwiseConv2d(x as tf.Tensor4D, other([5, 5, 2, 1], 41) as tf.Tensor4D, 2, 'same') },
  { kernel: 'DepthwiseConv2dNative', shape: [3, 3, 2, 1], f: (x) => tf.depthwiseConv2d(other([2, 7, 7, 2], 42) as tf.Tensor4D, x as tf.Tensor4D, 2, 'same') },
  { kernel: 'DepthwiseConv2dNative', shape: [3, 3, 2, 1], f: (x) => tf.depthwiseConv2d(other([1, 6, 5, 2], 43) as tf.Tensor4D, x as tf.Tensor4D, 2, 1) },
  { kernel: 'DepthwiseConv2dNative', shape: [1, 5, 4, 2], f: (x) => tf.depthwiseConv2d(x as tf.Tensor4D, other([3, 3, 2, 1], 44) as tf.Tensor4D, 2, 'valid') },
  { kernel: 'Reverse', shape: [2, 3, 2], f: (x) => tf.mul(tf.reverse(x, [0, 1]), other([2, 3, 2], 45)) },
  { kernel: 'AvgPool', shape: [1, 4, 4, 2], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same') },
  { kernel: 'AvgPool', shape: [1, 4, 4, 2], f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { kernel: 'AvgPool', shape: [1, 5, 5, 1], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same') },
  {
    kernel: 'AvgPoolGrad',
    shape: [1, 4, 4, 2],
    // d/dx of <∇_x Σ avgPool(x)·w(x), v>: differentiates the pool's gradient again.
    f: (x) => tf.grad((u: T) => tf.sum(tf.mul(tf.avgPool(u as tf.Tensor4D, 3, 1, 'same'), tf.square(tf.avgPool(x as tf.Tensor4D, 3, 1, 'same')))))(x),
  },
  { kernel: 'MaxPool', shape: [1, 4, 4, 2], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'same'), firstOrderOnly: true },
  { kernel: 'ResizeBilinear', shape: [1, 3, 3, 2], f: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [5, 4]), firstOrderOnly: true },
  { kernel: 'ResizeNearestNeighbor', shape: [1, 3, 3, 2], f: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 6]), firstOrderOnly: true },
  { kernel: 'LogicalAnd', shape: [4], f: (x) => tf.add(tf.cast(tf.logicalAnd(tf.greater(x, 0), tf.less(x, 0.5)), 'float32'), x) },
  { kernel: 'LogicalOr', shape: [4], f: (x) => tf.add(tf.cast(tf.logicalOr(tf.greater(x, 0.5), tf.less(x, -0.5)), 'float32'), x) },
  { kernel: 'LogicalNot', shape: [4], f: (x) => tf.add(tf.cast(tf.logicalNot(tf.greater(x, 0)), 'float32'), x) },
];

/** Kernels with jumps or kinks: finite differences take a smaller step to stay on one piece. */
const PIECEWISE = ['Floor', 'Ceil', 'Round', 'Step', 'Sign', 'Max', 'Min', 'Maximum', 'Minimum', 'MaxPool', 'ClipByValue'];

/** Analytic gradient of L(x) = Σ f(x)·w (fixed random w) at x. */
function analytic(c: Case, x0: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(x0, c.shape);
    const g = tf.grad((v: T) => {
      const y = c.f(v);
      return tf.sum(tf.mul(y, other(y.shape, 99)));
    })(x);
    return g.dataSync() as Float32Array;
  });
}

/** Central finite differences of the same L, in float64 around float32 evaluations. */
function numeric(c: Case, x0: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(x0.length);
  const L = (v: Float32Array): number =>
    tf.tidy(() => {
      const y = c.f(tf.tensor(v, c.shape));
      return tf.sum(tf.mul(y, other(y.shape, 99))).dataSync()[0]!;
    });
  for (let i = 0; i < x0.length; i++) {
    const plus = Float32Array.from(x0);
    const minus = Float32Array.from(x0);
    plus[i] = x0[i]! + eps;
    minus[i] = x0[i]! - eps;
    out[i] = (L(plus) - L(minus)) / (2 * eps);
  }
  return out;
}

function inputOf(c: Case, seed: number): Float32Array {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const v = testValues(n, seed);
  // Keep away from kinks (0 for relu/abs/step, the clip bounds, rounding edges) so differences are clean.
  for (let i = 0; i < n; i++) {
    let s = v[i]!;
    if (c.positive) s = 0.3 + Math.abs(s);
    else if (Math.abs(s) < 0.08) s += 0.2;
    v[i] = s;
  }
  return v;
}

describe('gradients registered by @nasx/tensor', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('covers every registered kernel with at least one finite-difference case', () => {
    const tested = new Set(CASES.map((c) => c.kernel));
    expect(NASX_GRADIENTS.map((g) => g.kernelName).filter((k) => !tested.has(k))).toEqual([]);
  });

  it.each(CASES.map((c, i) => [`${c.kernel} #${i}`, c] as const))('%s matches central differences (cpu)', async (_name, c) => {
    await onBackend('cpu', () => {
      const x0 = inputOf(c, 5);
      // Piecewise-constant ops (floor, round, step, …) are tested away from their jumps: a small step.
      const eps = PIECEWISE.includes(c.kernel) ? 1e-3 : 1e-2;
      const g = analytic(c, x0);
      const n = numeric(c, x0, eps);
      expect(closeness(g, n, 3e-3, 3e-2)).toBeLessThanOrEqual(1);
    });
  });

  it.each(CASES.filter((c) => !c.firstOrderOnly).map((c, i) => [`${c.kernel} #${i}`, c] as const))(
    '%s is differentiable again: Hessian-vector product matches differences of gradients',
    async (_name, c) => {
      await onBackend('cpu', () => {
        const x0 = inputOf(c, 7);
        const v = testValues(x0.length, 8);
        const w = (y: T) => other(y.shape, 99);
        const L = (x: T): T => {
          const y = c.f(x);
          return tf.sum(tf.mul(y, w(y)));
        };
        const grad = (x: Float32Array) => tf.tidy(() => tf.grad(L)(tf.tensor(x, c.shape)).dataSync() as Float32Array);
        // H·v = ∇_x <∇_x L, v>
        let hv: Float32Array;
        try {
          hv = tf.tidy(
            () =>
              tf
                .grad((x: T) => tf.sum(tf.mul(tf.grad(L)(x), tf.tensor(v, c.shape))))(tf.tensor(x0, c.shape))
                .dataSync() as Float32Array,
          );
        } catch (e) {
          // L is linear (or piecewise linear) in x: its gradient does not depend on x, H = 0.
          if (!/Cannot compute gradient of y=f\(x\)/.test(String(e))) throw e;
          hv = new Float32Array(x0.length);
        }
        const eps = PIECEWISE.includes(c.kernel) ? 1e-3 : 1e-2;
        const gp = grad(x0.map((a, i) => a + eps * v[i]!));
        const gm = grad(x0.map((a, i) => a - eps * v[i]!));
        expect(
          closeness(
            hv,
            gp.map((a, i) => (a - gm[i]!) / (2 * eps)),
            5e-3,
            3e-2,
          ),
        ).toBeLessThanOrEqual(1);
      });
    },
  );

  it.each(CASES.map((c, i) => [`${c.kernel} #${i}`, c] as const))('%s on wasm equals cpu', async (_name, c) => {
    const x0 = inputOf(c, 6);
    const onCpu = await onBackend('cpu', () => analytic(c, x0));
    const onWasm = await onBackend('wasm', () => analytic(c, x0));
    expect(closeness(onWasm, onCpu, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
  });

  it('AvgPool with padding: gradient is the derivative of the count-excluding forward (not tfjs AvgPoolGrad alone)', async () => {
    // A 3×3 average over a 4×4 ones input, padding 1: the corner input is in 4 windows of sizes
    // 4, 6, 6, 9 → d(Σ y)/dx = 1/4 + 1/6 + 1/6 + 1/9 (tfjs's AvgPoolGrad alone gives 4/9).
    const g = tf.tidy(() =>
      tf
        .grad((x: T) => tf.sum(tf.avgPool(x as tf.Tensor4D, 3, 1, 'same')))(tf.ones([1, 4, 4, 1]))
        .dataSync(),
    );
    expect(g[0]).toBeCloseTo(1 / 4 + 2 / 6 + 1 / 9, 6);
    // Input (1, 1): row windows of 2, 3, 3 valid rows, the same for columns → (1/2 + 1/3 + 1/3)².
    expect(g[5]).toBeCloseTo((7 / 6) ** 2, 6);
  });

  it('second-order gradients through a convolution (a Hessian-vector product) match finite differences', async () => {
    await onBackend('cpu', () => {
      const x = other([1, 5, 5, 2], 30) as tf.Tensor4D;
      const v = other([3, 3, 2, 2], 31);
      // h(w) = <∇_w L(w), v> with L = Σ relu(conv(x, w))²; ∇h = H·v.
      const h = (w: T): T => {
        const gw = tf.grad((u: T) => tf.sum(tf.square(tf.conv2d(x, u as tf.Tensor4D, 1, 'same'))))(w);
        return tf.sum(tf.mul(gw, v));
      };
      const w0 = testValues(36, 32);
      const hv = tf.tidy(() =>
        tf
          .grad(h)(tf.tensor(w0, [3, 3, 2, 2]))
          .dataSync(),
      );
      const fd = new Float64Array(36);
      for (let i = 0; i < 36; i++) {
        const p = Float32Array.from(w0);
        const m = Float32Array.from(w0);
        p[i]! += 1e-2;
        m[i]! -= 1e-2;
        const hp = tf.tidy(() => h(tf.tensor(p, [3, 3, 2, 2])).dataSync()[0]!);
        const hm = tf.tidy(() => h(tf.tensor(m, [3, 3, 2, 2])).dataSync()[0]!);
        fd[i] = (hp - hm) / 2e-2;
      }
      expect(closeness(hv, fd, 1e-2, 2e-2)).toBeLessThanOrEqual(1);
    });
  });
});
