import { closeness, onBackend, testValues } from '../__fixtures__/backends';
import { tf } from '../tf';
import { initTensorBackend } from './backend';
import { nativeKernel } from './conv-backprop.kernels';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Shape4 = [number, number, number, number];

/** Convolution settings: input NHWC, filter HWIO, stride, padding (the NB201 ones and odd cases). */
const CASES: readonly { x: Shape4; f: Shape4; stride: number; pad: Pad }[] = [
  { x: [4, 8, 8, 3], f: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { x: [3, 8, 8, 4], f: [3, 3, 4, 4], stride: 1, pad: 1 },
  { x: [2, 8, 8, 4], f: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { x: [2, 8, 8, 4], f: [3, 3, 4, 6], stride: 2, pad: 1 },
  { x: [3, 7, 9, 2], f: [3, 3, 2, 4], stride: 2, pad: 'same' },
  { x: [2, 9, 9, 2], f: [3, 3, 2, 3], stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 2], f: [3, 3, 2, 3], stride: 3, pad: 'valid' },
  { x: [5, 6, 6, 8], f: [1, 1, 8, 4], stride: 1, pad: 'valid' },
  { x: [2, 6, 6, 3], f: [1, 1, 3, 4], stride: 2, pad: 'same' },
  {
    x: [1, 5, 7, 3],
    f: [2, 3, 3, 2],
    stride: 1,
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
  {
    x: [1, 6, 6, 2],
    f: [3, 3, 2, 2],
    stride: 1,
    pad: [
      [0, 0],
      [3, 0],
      [0, 3],
      [0, 0],
    ],
  },
];
const NAME = (c: (typeof CASES)[number]) => `x ${c.x.join('×')}, filter ${c.f.join('×')}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`;

interface Problem {
  readonly x: tf.Tensor4D;
  readonly dy: tf.Tensor4D;
  readonly w: tf.Tensor4D;
  readonly attrs: tf.NamedAttrMap;
}

function problem(c: (typeof CASES)[number], seed: number): Problem {
  const x = tf.tensor4d(
    testValues(
      c.x.reduce((a, b) => a * b, 1),
      seed,
    ),
    c.x,
  );
  const w = tf.tensor4d(
    testValues(
      c.f.reduce((a, b) => a * b, 1),
      seed + 2,
    ),
    c.f,
  );
  const probe = tf.conv2d(x, w, c.stride, c.pad);
  const dy = tf.tensor4d(testValues(probe.size, seed + 1), probe.shape as Shape4);
  probe.dispose();
  return { x, dy, w, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f, inputShape: c.x } as unknown as tf.NamedAttrMap };
}

const inputsOf = (kernel: string, p: Problem): tf.NamedTensorMap => (kernel === 'Conv2DBackpropFilter' ? { x: p.x, dy: p.dy } : { dy: p.dy, filter: p.w });

/** The registered (composed) kernel, through the engine. */
function composed(kernel: string, c: (typeof CASES)[number]): Float32Array {
  return tf.tidy(() => {
    const p = problem(c, 11);
    const out = tf.engine().runKernel(kernel, inputsOf(kernel, p), p.attrs) as tf.Tensor;
    expect(out.shape).toEqual(kernel === 'Conv2DBackpropFilter' ? c.f : c.x);
    return out.dataSync() as Float32Array;
  });
}

/** The backend's own kernel that nasx replaced, called directly. */
function native(kernel: string, backendName: string, c: (typeof CASES)[number]): Float32Array {
  const config = nativeKernel(kernel, backendName);
  if (!config) throw new Error(`no native ${kernel} on ${backendName}`);
  return tf.tidy(() => {
    const p = problem(c, 11);
    const backend = tf.backend();
    const info = config.kernelFunc({ inputs: inputsOf(kernel, p), backend, attrs: p.attrs }) as tf.TensorInfo;
    const values = Float32Array.from(backend.readSync(info.dataId) as Float32Array);
    backend.disposeData(info.dataId);
    return values;
  });
}

describe('convolution backprop kernels composed from forward convolutions', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('replace wasm and cpu kernels; wasm has no native Conv2DBackpropFilter to keep', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(nativeKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(nativeKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
    expect(nativeKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
    expect(nativeKernel('Conv2DBackpropInput', 'cpu')).toBeDefined();
  });

  describe.each(['Conv2DBackpropFilter', 'Conv2DBackpropInput'])('%s', (kernel) => {
    it.each(CASES.map((c) => [NAME(c), c] as const))('wasm (composed) equals the native cpu kernel on random data: %s', async (_n, c) => {
      const reference = await onBackend('cpu', () => native(kernel, 'cpu', c));
      const wasm = await onBackend('wasm', () => composed(kernel, c));
      expect(closeness(wasm, reference, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    });

    it.each(CASES.map((c) => [NAME(c), c] as const))('cpu (composed) equals the native cpu kernel: %s', async (_n, c) => {
      const reference = await onBackend('cpu', () => native(kernel, 'cpu', c));
      const cpu = await onBackend('cpu', () => composed(kernel, c));
      expect(closeness(cpu, reference, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    });
  });

  it('Conv2DBackpropInput (composed) equals wasm’s own native kernel', async () => {
    await onBackend('wasm', () => {
      for (const c of CASES) expect(closeness(composed('Conv2DBackpropInput', c), native('Conv2DBackpropInput', 'wasm', c), 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    });
  });

  it('leave no tensors or backend buffers behind', async () => {
    await onBackend('wasm', () => {
      const run = () => {
        composed('Conv2DBackpropFilter', CASES[4]!);
        composed('Conv2DBackpropInput', CASES[4]!);
      };
      run();
      const before = tf.memory();
      for (let i = 0; i < 3; i++) run();
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numDataBuffers).toBe(before.numDataBuffers);
    });
  });
});
