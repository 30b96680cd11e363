import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { conv2dGeometry, loadOnednn, pool2dGeometry, type Conv2DGeometry } from './index';

const PKG = path.resolve(__dirname, '..');

describe('install script', () => {
  it('never fails the install: without a compiler it prints one line saying what to install and exits 0', () => {
    const r = spawnSync(process.execPath, [path.join(PKG, 'scripts', 'install.cjs')], { cwd: PKG, env: { PATH: '' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@nasx\/tensor-onednn: .*apt-get install libdnnl-dev g\+\+/);
  });
});

describe('geometry', () => {
  it("TensorFlow's SAME pads the odd pixel bottom/right and gives ⌈in / stride⌉ outputs", () => {
    const g = conv2dGeometry([2, 8, 8, 3], [3, 3, 3, 4], { strides: 2, padding: 'same' });
    expect(g).toMatchObject({ outHeight: 4, outWidth: 4, padTop: 0, padBottom: 1, padLeft: 0, padRight: 1, outChannels: 4, groups: 1 });
    expect(conv2dGeometry([1, 9, 9, 3], [3, 3, 3, 4], { padding: 'same', dilations: 2 })).toMatchObject({ outHeight: 9, padTop: 2, padBottom: 2 });
  });

  it('VALID and explicit paddings, depthwise as groups = channels', () => {
    expect(conv2dGeometry([1, 7, 5, 2], [3, 3, 2, 6], { strides: [2, 1], padding: 'valid' })).toMatchObject({ outHeight: 3, outWidth: 3 });
    expect(conv2dGeometry([1, 5, 7, 3], [2, 3, 3, 2], { padding: [1, 0, 2, 1] })).toMatchObject({ outHeight: 5, outWidth: 8 });
    expect(conv2dGeometry([1, 6, 6, 4], [3, 3, 4, 2], { padding: 'same', depthwise: true })).toMatchObject({ groups: 4, outChannels: 8 });
    expect(pool2dGeometry([1, 9, 9, 2], { window: 3, strides: 2, padding: 'same', kind: 'avg' })).toMatchObject({ outHeight: 5, padTop: 1, padBottom: 1 });
  });

  it('rejects a filter that does not fit the channels, and a window larger than the input', () => {
    expect(() => conv2dGeometry([1, 6, 6, 4], [3, 3, 3, 2], { padding: 'same' })).toThrow(/does not fit 4 input channels/);
    expect(() => conv2dGeometry([1, 2, 2, 1], [3, 3, 1, 1], { padding: 'valid' })).toThrow(/does not fit the 2×2 input/);
    expect(() => conv2dGeometry([1, 0, 2, 1], [1, 1, 1, 1], { padding: 'valid' })).toThrow(/positive integers/);
  });
});

/** Direct convolution by definition, for checking the native one. */
function convByDefinition(x: Float32Array, w: Float32Array, g: Conv2DGeometry): Float32Array {
  const y = new Float32Array(g.batch * g.outHeight * g.outWidth * g.outChannels);
  const cinG = g.inChannels / g.groups;
  const coutG = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++)
    for (let oh = 0; oh < g.outHeight; oh++)
      for (let ow = 0; ow < g.outWidth; ow++)
        for (let o = 0; o < g.outChannels; o++) {
          const grp = Math.floor(o / coutG);
          let acc = 0;
          for (let kh = 0; kh < g.filterHeight; kh++)
            for (let kw = 0; kw < g.filterWidth; kw++) {
              const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
              const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
              if (ih < 0 || iw < 0 || ih >= g.inHeight || iw >= g.inWidth) continue;
              for (let c = 0; c < cinG; c++) {
                // TensorFlow's filter layout [KH, KW, C/groups, OC] (depthwise [KH, KW, C, M] is the same memory).
                acc +=
                  x[((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + grp * cinG + c]! * w[((kh * g.filterWidth + kw) * cinG + c) * g.outChannels + o]!;
              }
            }
          y[((n * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + o] = acc;
        }
  return y;
}

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 1.618));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

const loaded = loadOnednn();
(loaded.ok ? describe : describe.skip)(
  loaded.ok ? 'native kernels' : `native kernels: not built here (${loaded.reason}); ${loaded.ok ? '' : loaded.fix}`,
  () => {
    const k = loaded.ok ? loaded.kernels : undefined!;

    it.each([
      ['3×3 stride 2 SAME', [2, 7, 7, 3], [3, 3, 3, 5], { strides: 2, padding: 'same' as const }],
      ['dilated', [1, 9, 9, 2], [3, 3, 2, 3], { padding: 'same' as const, dilations: 2 }],
      ['depthwise ×2', [2, 6, 6, 3], [3, 3, 3, 2], { padding: 'valid' as const, depthwise: true }],
      ['explicit pads, batch 1', [1, 5, 4, 2], [2, 3, 2, 4], { padding: [1, 0, 2, 1] as const }],
    ])('conv2d %s equals the definition; bias + relu fused', (_n, xs, fs, o) => {
      const g = conv2dGeometry(xs as [number, number, number, number], fs as [number, number, number, number], o);
      const x = values(
        xs.reduce((a, b) => a * b),
        1,
      );
      const w = values(
        fs.reduce((a, b) => a * b),
        2,
      );
      const y = new Float32Array(g.batch * g.outHeight * g.outWidth * g.outChannels);
      k.conv2d(x, w, y, g);
      const want = convByDefinition(x, w, g);
      expect(maxDiff(y, want)).toBeLessThan(1e-4);
      const bias = values(g.outChannels, 3);
      k.conv2d(x, w, y, g, { bias, relu: true });
      expect(
        maxDiff(
          y,
          want.map((v, i) => Math.max(0, v + bias[i % g.outChannels]!)),
        ),
      ).toBeLessThan(1e-4);
    });

    it('backward passes are the adjoints of the forward convolution: <conv(x), dy> = <x, dX(dy)> = <w, dW(x, dy)>', () => {
      const g = conv2dGeometry([2, 7, 6, 3], [3, 3, 3, 4], { strides: 2, padding: 'same' });
      const x = values(2 * 7 * 6 * 3, 4);
      const w = values(3 * 3 * 3 * 4, 5);
      const dy = values(g.batch * g.outHeight * g.outWidth * g.outChannels, 6);
      const y = new Float32Array(dy.length);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      k.conv2d(x, w, y, g);
      k.conv2dBackpropInput(dy, w, dx, g);
      k.conv2dBackpropFilter(x, dy, dw, g);
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
      expect(dot(x, dx)).toBeCloseTo(dot(y, dy), 3);
      expect(dot(w, dw)).toBeCloseTo(dot(y, dy), 3);
    });

    it('matMul with transposes and a broadcast batch; arrays too short are an error, not a crash', () => {
      const a = values(2 * 3 * 4, 7); // [2, 3, 4]
      const b = values(5 * 4, 8); // [1, 5, 4], transposed
      const c = new Float32Array(2 * 3 * 5);
      k.matMul(a, b, c, { batchA: 2, batchB: 1, m: 3, k: 4, n: 5, transposeA: false, transposeB: true });
      for (let bi = 0; bi < 2; bi++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 5; j++) {
            let s = 0;
            for (let q = 0; q < 4; q++) s += a[(bi * 3 + i) * 4 + q]! * b[j * 4 + q]!;
            expect(c[(bi * 3 + i) * 5 + j]).toBeCloseTo(s, 5);
          }
      expect(() => k.matMul(a, b, new Float32Array(3), { batchA: 2, batchB: 1, m: 3, k: 4, n: 5, transposeA: false, transposeB: true })).toThrow(
        /c has 3 elements, needs 30/,
      );
      expect(k.info().version).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it("setThreads sets the calling thread's oneDNN threads", () => {
      const before = k.info().threads;
      try {
        k.setThreads(1);
        expect(k.info().threads).toBe(1);
        expect(() => k.setThreads(0)).toThrow(/at least 1/);
      } finally {
        k.setThreads(before);
      }
    });
  },
);
