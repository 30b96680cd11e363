/**
 * One conformance suite for the compute backends (TF.js's habit: each kernel test written once and
 * run on every backend). Every kernel that `onednn` replaces is run on `wasm` and `onednn` over a
 * table of shapes (strides, paddings, dilations, groups, odd sizes, batch 1) and compared with
 * tfjs's reference `cpu` kernels, and `onednn` with `wasm` directly; then the gradients of a small
 * NB201 network are compared between backends and with finite differences. The `onednn` half runs
 * where the addon is built and is one visible skip elsewhere.
 */
import { closeness, describeWithOnednn, onBackend, testValues } from '../__fixtures__/backends';
import { nb201Arch, opsOfArchString } from '../__fixtures__/nb201-data';
import { buildNetwork } from '../network/builders';
import { tf } from '../tf';
import { crossEntropy } from '../train/train';
import { initTensorBackend } from './backend';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, ONEDNN_KERNELS, onednnDelegations } from './onednn.kernels';

type Backend = 'cpu' | 'wasm' | 'onednn';

// One oneDNN thread: jest runs suites on both cores already, and OpenMP's barriers stall when its
// threads are descheduled. Read when the addon loads, which happens inside the suite below.
process.env['OMP_NUM_THREADS'] ??= '1';

/** One kernel call: input shapes (filled with deterministic values) and attributes. */
interface KernelCase {
  readonly kernel: string;
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** Inputs that must be positive (variances). */
  readonly positive?: readonly string[];
  /** Backends whose own kernel is known to disagree with the reference here (documented below). */
  readonly knownWrongOn?: readonly Backend[];
  /** Backends that have no such kernel (tfjs-backend-wasm 4.22 lacks the depthwise backprops; nasx's gradient composes them). */
  readonly missingOn?: readonly Backend[];
}

type Pad = 'same' | 'valid' | number | number[][];
const CONVS: readonly { x: number[]; f: number[]; s: number | [number, number]; pad: Pad; d?: number }[] = [
  { x: [4, 8, 8, 3], f: [3, 3, 3, 5], s: 1, pad: 'same' },
  { x: [2, 8, 8, 4], f: [3, 3, 4, 6], s: 2, pad: 'same' },
  { x: [2, 8, 8, 4], f: [3, 3, 4, 6], s: 2, pad: 1 },
  { x: [3, 7, 9, 2], f: [3, 3, 2, 4], s: 2, pad: 'same' },
  { x: [2, 9, 9, 2], f: [3, 3, 2, 3], s: 2, pad: 'valid' },
  { x: [2, 10, 10, 2], f: [3, 3, 2, 3], s: [3, 2], pad: 'valid' },
  { x: [5, 6, 6, 8], f: [1, 1, 8, 4], s: 1, pad: 'valid' },
  {
    x: [1, 5, 7, 3],
    f: [2, 3, 3, 2],
    s: 1,
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
  { x: [1, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same', d: 2 },
  { x: [1, 1, 1, 7], f: [1, 1, 7, 3], s: 1, pad: 'valid' },
];
const DEPTHWISE: readonly { x: number[]; f: number[]; s: number; pad: Pad; d?: number }[] = [
  { x: [2, 8, 8, 4], f: [3, 3, 4, 1], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: 2, pad: 'same' },
  { x: [1, 7, 7, 3], f: [5, 5, 3, 2], s: 2, pad: 'valid' },
  { x: [1, 9, 9, 2], f: [3, 3, 2, 1], s: 1, pad: 'same', d: 2 },
];
/** `wasmGradWrong`: tfjs-backend-wasm 4.22's MaxPoolGrad disagrees with the cpu reference (and with oneDNN) there. */
const POOLS: readonly { x: number[]; f: number; s: number; pad: 'same' | 'valid' | number; wasmGradWrong: boolean }[] = [
  { x: [2, 8, 8, 3], f: 3, s: 1, pad: 'same', wasmGradWrong: true },
  { x: [2, 9, 9, 2], f: 3, s: 2, pad: 'same', wasmGradWrong: true },
  { x: [1, 8, 8, 2], f: 2, s: 2, pad: 'valid', wasmGradWrong: true },
  { x: [1, 7, 5, 3], f: 3, s: 2, pad: 'valid', wasmGradWrong: false },
  { x: [3, 6, 6, 1], f: 3, s: 1, pad: 1, wasmGradWrong: true },
];

const outShape = (c: (typeof CONVS)[number], depthwise: boolean) =>
  tf.backend_util.computeConv2DInfo(
    c.x as [number, number, number, number],
    c.f as [number, number, number, number],
    c.s,
    c.d ?? 1,
    c.pad as 'same',
    undefined,
    depthwise,
  ).outShape;
const poolOut = (c: (typeof POOLS)[number]) =>
  tf.backend_util.computePool2DInfo(c.x as [number, number, number, number], c.f, c.s, 1, c.pad as 'same').outShape;

const CASES: KernelCase[] = [
  ...CONVS.flatMap((c): KernelCase[] => {
    const a = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: c.d ?? 1 };
    const grads = (c.d ?? 1) === 1; // tfjs's conv backprop kernels take no dilation
    return [
      { kernel: tf.Conv2D, inputs: { x: c.x, filter: c.f }, attrs: a },
      { kernel: tf.FusedConv2D, inputs: { x: c.x, filter: c.f, bias: [c.f[3]!] }, attrs: { ...a, activation: 'relu' } },
      { kernel: tf.FusedConv2D, inputs: { x: c.x, filter: c.f, bias: [c.f[3]!] }, attrs: { ...a, activation: 'relu6' } },
      ...(grads
        ? [
            { kernel: tf.Conv2DBackpropInput, inputs: { dy: outShape(c, false), filter: c.f }, attrs: { ...a, inputShape: c.x } },
            { kernel: tf.Conv2DBackpropFilter, inputs: { x: c.x, dy: outShape(c, false) }, attrs: { ...a, filterShape: c.f } },
          ]
        : []),
    ];
  }),
  ...DEPTHWISE.flatMap((c): KernelCase[] => {
    const a = { strides: c.s, pad: c.pad, dilations: c.d ?? 1, dataFormat: 'NHWC' };
    return [
      { kernel: tf.DepthwiseConv2dNative, inputs: { x: c.x, filter: c.f }, attrs: a },
      { kernel: tf.FusedDepthwiseConv2D, inputs: { x: c.x, filter: c.f, bias: [c.f[2]! * c.f[3]!] }, attrs: { ...a, activation: 'relu' } },
      ...((c.d ?? 1) === 1
        ? [
            {
              kernel: tf.DepthwiseConv2dNativeBackpropInput,
              inputs: { dy: outShape(c, true), filter: c.f },
              attrs: { ...a, inputShape: c.x },
              missingOn: ['wasm' as const],
            },
            {
              kernel: tf.DepthwiseConv2dNativeBackpropFilter,
              inputs: { x: c.x, dy: outShape(c, true) },
              attrs: { ...a, filterShape: c.f },
              missingOn: ['wasm' as const],
            },
          ]
        : []),
    ];
  }),
  ...[
    // Rank 3, as tfjs's matMul ops reshape their operands before they reach the kernels. The last
    // flag: tfjs-backend-wasm 4.22's _FusedMatMul disagrees with the cpu reference (and with
    // relu(matMul + bias) on wasm itself) for transposed operands and batches > 1.
    [[1, 7, 5], [1, 5, 3], false, false, false],
    [[1, 5, 7], [1, 5, 3], true, false, true],
    [[1, 7, 5], [1, 3, 5], false, true, true],
    [[1, 5, 7], [1, 3, 5], true, true, true],
    [[1, 1, 9], [1, 9, 1], false, false, false],
    [[4, 3, 5], [4, 5, 2], false, false, true],
    [[4, 5, 3], [1, 2, 5], true, true, true],
    [[1, 3, 5], [4, 5, 2], false, false, false],
  ].flatMap(([a, b, ta, tb, wasmFusedWrong]): KernelCase[] => [
    { kernel: tf.BatchMatMul, inputs: { a: a as number[], b: b as number[] }, attrs: { transposeA: ta, transposeB: tb } },
    {
      kernel: tf._FusedMatMul,
      inputs: { a: a as number[], b: b as number[], bias: [(b as number[]).at(tb ? -2 : -1)!] },
      attrs: { transposeA: ta, transposeB: tb, activation: 'relu' },
      knownWrongOn: wasmFusedWrong ? ['wasm'] : [],
    },
  ]),
  ...POOLS.flatMap((c): KernelCase[] => {
    const a = { filterSize: c.f, strides: c.s, pad: c.pad };
    return [
      { kernel: tf.MaxPool, inputs: { x: c.x }, attrs: a },
      { kernel: tf.AvgPool, inputs: { x: c.x }, attrs: a },
      { kernel: tf.MaxPoolGrad, inputs: { dy: poolOut(c), input: c.x, output: poolOut(c) }, attrs: a, knownWrongOn: c.wasmGradWrong ? ['wasm'] : [] },
      { kernel: tf.AvgPoolGrad, inputs: { dy: poolOut(c), input: c.x }, attrs: a },
    ];
  }),
  ...[
    [2, 4, 4, 3],
    [1, 3, 5, 8],
  ].map((x): KernelCase => ({
    kernel: tf.FusedBatchNorm,
    inputs: { x, mean: [x[3]!], variance: [x[3]!], offset: [x[3]!], scale: [x[3]!] },
    attrs: { varianceEpsilon: 1e-3 },
    positive: ['variance'],
  })),
];

/** Inputs of a case as tensors on the current backend; MaxPoolGrad's `output` is the real max pool of `input`. */
function inputsOf(c: KernelCase, seed: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  let i = 0;
  for (const [name, shape] of Object.entries(c.inputs)) {
    const values = testValues(
      shape.reduce((a, b) => a * b, 1),
      seed + 17 * i++,
    );
    out[name] = tf.tensor(c.positive?.includes(name) ? values.map((v) => 0.5 + Math.abs(v)) : values, [...shape]);
  }
  if (c.kernel === tf.MaxPoolGrad) {
    const a = c.attrs as { filterSize: number; strides: number; pad: 'same' };
    out['output'] = tf.maxPool(out['input'] as tf.Tensor4D, a.filterSize, a.strides, a.pad);
  }
  return out;
}

function runCase(c: KernelCase): Float32Array {
  return tf.tidy(() => {
    const r = tf.engine().runKernel(c.kernel, inputsOf(c, 3), c.attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(r) ? r[0]! : r).dataSync() as Float32Array;
  });
}

const label = (c: KernelCase) =>
  `${c.kernel} ${Object.entries(c.inputs)
    .map(([k, s]) => `${k} ${s.join('×')}`)
    .join(', ')} ${JSON.stringify(c.attrs)}`;

beforeAll(async () => {
  await initTensorBackend('wasm');
});

describe('kernel conformance', () => {
  const reference = new Map<KernelCase, Float32Array>();
  beforeAll(async () => {
    await onBackend('cpu', () => {
      for (const c of CASES) reference.set(c, runCase(c));
    });
  });

  it('covers every kernel the onednn backend replaces', () => {
    const covered = new Set(CASES.map((c) => c.kernel));
    expect(ONEDNN_KERNELS.filter((k) => !covered.has(k))).toEqual([]);
  });

  describe('wasm', () => {
    it.each(CASES.map((c) => [label(c), c] as const))('%s equals the cpu reference', async (_name, c) => {
      if (c.missingOn?.includes('wasm')) {
        expect(tf.getKernel(c.kernel, 'wasm')).toBeUndefined();
        return;
      }
      const got = await onBackend('wasm', () => runCase(c));
      const worst = closeness(got, reference.get(c)!, 1e-4, 1e-4);
      // A known deviation is asserted too, so the table is corrected when tfjs fixes it.
      if (c.knownWrongOn?.includes('wasm')) expect(worst).toBeGreaterThan(1);
      else expect(worst).toBeLessThanOrEqual(1);
    });
  });

  describeWithOnednn('onednn', () => {
    beforeAll(async () => {
      await initTensorBackend('onednn');
      await initTensorBackend('wasm');
    });

    it.each(CASES.map((c) => [label(c), c] as const))('%s equals the cpu reference and wasm', async (_name, c) => {
      const before = new Map(onednnDelegations());
      const got = await onBackend('onednn', () => runCase(c));
      // Ran natively: no shape in the table is handed back to wasm.
      expect(onednnDelegations().get(c.kernel) ?? 0).toBe(before.get(c.kernel) ?? 0);
      expect(closeness(got, reference.get(c)!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      if (!c.knownWrongOn?.includes('wasm') && !c.missingOn?.includes('wasm')) {
        const wasm = await onBackend('wasm', () => runCase(c));
        expect(closeness(got, wasm, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      }
    });

    it('the training batch-norm kernels equal the closed form (Ioffe & Szegedy 2015, Alg. 1 and Sec. 3)', async () => {
      const [n, h, w, ch] = [3, 4, 5, 6];
      const eps = 1e-5;
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(testValues(n * h * w * ch, 5), [n, h, w, ch]);
          const gamma = tf.tensor1d(testValues(ch, 6));
          const beta = tf.tensor1d(testValues(ch, 7));
          const dy = tf.tensor4d(testValues(n * h * w * ch, 8), [n, h, w, ch]);
          const attrs = { epsilon: eps } as unknown as tf.NamedAttrMap;
          const fwd = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma, beta }, attrs) as tf.Tensor[];
          const bwd = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { x, dy, gamma, mean: fwd[1]!, variance: fwd[2]! }, attrs) as tf.Tensor[];
          // The same quantities from plain ops (autodiff of the normalisation).
          const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
            const mean = tf.mean(xx, [0, 1, 2]);
            const variance = tf.mean(tf.square(tf.sub(xx, mean)), [0, 1, 2]);
            return tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, eps))), g), b);
          };
          const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xx, g, b), dy)))([x, gamma, beta]);
          const mean = tf.mean(x, [0, 1, 2]);
          const variance = tf.mean(tf.square(tf.sub(x, mean)), [0, 1, 2]);
          return [
            [fwd[0]!, f(x, gamma, beta)],
            [fwd[1]!, mean],
            [fwd[2]!, variance],
            [bwd[0]!, grads[0]!],
            [bwd[1]!, grads[1]!],
            [bwd[2]!, grads[2]!],
          ].map(([a, b]) => [a!.dataSync() as Float32Array, b!.dataSync() as Float32Array] as const);
        });
      for (const [got, want] of await onBackend('onednn', run)) expect(closeness(got, want, 1e-4, 1e-3)).toBeLessThanOrEqual(1);
    });

    describe('gradients of a small NB201 network', () => {
      const TINY = { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 }, seed: 13 } as const;
      const BEST = nb201Arch(opsOfArchString('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'));
      const MIXED = nb201Arch(opsOfArchString('|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|'));
      const labels = [0, 3, 5, 9];

      /** Loss and flat parameter gradient of one training-mode forward/backward pass. */
      const lossAndGrad = (arch: typeof BEST, shift?: { dir: Float32Array; eps: number }) => {
        const net = buildNetwork(arch, TINY);
        try {
          const params = [...net.parameters.values()];
          if (shift) {
            let o = 0;
            for (const p of params) {
              const d = tf.tensor(shift.dir.subarray(o, (o += p.size)), p.shape);
              p.assign(tf.tidy(() => tf.add(p, tf.mul(d, shift.eps))));
              d.dispose();
            }
          }
          return tf.tidy(() => {
            const x = tf.tensor4d(testValues(4 * 3 * 8 * 8, 21), [4, 8, 8, 3]);
            const { value, grads } = tf.variableGrads(
              () => crossEntropy(net.forward(tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D, { training: true }), tf.tensor1d(labels, 'int32')),
              params,
            );
            const flat = tf.concat(params.map((p) => tf.reshape(grads[p.name]!, [-1]))).dataSync() as Float32Array;
            return { loss: value.dataSync()[0]!, grad: flat };
          });
        } finally {
          net.dispose();
        }
      };

      it.each([
        ['best CIFAR-10 cell', BEST],
        ['mixed cell', MIXED],
      ])('%s: onednn gradients equal wasm (which equals cpu, see nb201.network.spec.ts) and finite differences of the loss', async (_name, arch) => {
        const wasm = await onBackend('wasm', () => lossAndGrad(arch));
        const onednn = await onBackend('onednn', () => lossAndGrad(arch));
        expect(Math.abs(onednn.loss - wasm.loss)).toBeLessThan(1e-4);
        expect(closeness(onednn.grad, wasm.grad, 1e-4, 1e-3)).toBeLessThanOrEqual(1);
        // Directional derivative along wasm's gradient (large, so float32 differences resolve it)
        // and along a random direction, against central differences of onednn's own loss.
        const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, y) => s + y * y, 0));
        for (const raw of [wasm.grad, testValues(wasm.grad.length, 33)]) {
          const dir = raw.map((v) => v / norm(raw));
          const eps = 1e-3;
          const fd = await onBackend('onednn', () => (lossAndGrad(arch, { dir, eps }).loss - lossAndGrad(arch, { dir, eps: -eps }).loss) / (2 * eps));
          const analytic = onednn.grad.reduce((s, g, i) => s + g * dir[i]!, 0);
          expect(Math.abs(fd - analytic)).toBeLessThan(0.02 * Math.abs(analytic) + 2e-3);
        }
      });
    });
  });
});
