import * as path from 'node:path';
import { isNasxError } from '@nasx/contracts';
import { describeWithSharedData } from '@nasx/testing';
import { closeness, onBackend, testValues } from '../__fixtures__/backends';
import { nb201Arch, nb201Table, opsOfArchString, readCsv } from '../__fixtures__/nb201-data';
import { initTensorBackend } from '../backend/backend';
import { buildNetwork, planNetwork } from '../network/builders';
import type { Network, TapKind } from '../network/network';
import { tf } from '../tf';
import { crossEntropy } from '../train/train';
import { NB201_CELL_OPS, nb201NetworkBuilder } from './nb201.network';

const CIFAR = { numClasses: 10, inputShape: [3, 32, 32] } as const;
/** NB201's image sizes and classes per dataset (Dong & Yang 2020, Sec. 2.2). */
const DATASETS = {
  cifar10: { numClasses: 10, inputShape: [3, 32, 32] },
  cifar100: { numClasses: 100, inputShape: [3, 32, 32] },
  'ImageNet16-120': { numClasses: 120, inputShape: [3, 16, 16] },
} as const;
/** A small skeleton (C = 4, N = 1) for fast forward/backward checks. */
const TINY = { ...CIFAR, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } } as const;

const ALL_CELLS: number[][] = Array.from({ length: 15625 }, (_, code) => Array.from({ length: 6 }, (_, e) => Math.floor(code / 5 ** e) % 5));
// NB201's best CIFAR-10 cell (index 6111, 94.37% test accuracy).
const BEST_C10 = opsOfArchString('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|');
const MIXED = opsOfArchString('|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|');

const input = (n: number, shape: readonly number[], seed: number) =>
  tf.tensor4d(testValues(n * shape.reduce((a, b) => a * b, 1), seed), [n, ...shape] as [number, number, number, number]);

describe('NB201 network builder', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  describe('parameter counts and FLOPs (closed form, no tables)', () => {
    it('the smallest and largest cells: 73,306 and 1,531,546 parameters, 7.78305 and 220.11969 MFLOPs on CIFAR-10', () => {
      const none = planNetwork(nb201Arch([0, 0, 0, 0, 0, 0]), CIFAR);
      const conv3 = planNetwork(nb201Arch([3, 3, 3, 3, 3, 3]), CIFAR);
      expect([none.paramCount, conv3.paramCount]).toEqual([73306, 1531546]);
      // NB201 counts multiply-accumulates of conv and linear layers (xautodl get_model_infos).
      expect([none.flops, conv3.flops]).toEqual([7783050, 220119690]);
    });

    it('a built network allocates exactly the planned parameters, under the reference state_dict names', () => {
      const net = buildNetwork(nb201Arch(MIXED), CIFAR);
      try {
        expect(net.paramCount).toBe(net.plan.paramCount);
        expect([...net.parameters.keys()]).toEqual(net.plan.parameters.map((p) => p.name));
        expect(net.parameters.get('cells.0.layers.1.op.1.weight')?.shape).toEqual([1, 1, 16, 16]);
        expect(net.parameters.get('cells.5.conv_a.op.1.weight')?.shape).toEqual([3, 3, 16, 32]);
        expect(net.parameters.get('cells.11.downsample.1.weight')?.shape).toEqual([1, 1, 32, 64]);
        expect(net.parameters.get('classifier.weight')?.shape).toEqual([64, 10]);
        expect(net.buffers.get('lastact.0.running_var')?.shape).toEqual([64]);
        expect(net.parameters.has('cells.0.layers.4.op.1.weight')).toBe(false); // edge 5 is none
      } finally {
        net.dispose();
      }
    });
  });

  describeWithSharedData('parameter counts equal NAS-Bench-201 params_mb (NB201 v1_1, CIFAR-10)', 'nas-bench-201', (dataDir) => {
    const rows = readCsv(nb201Table(dataDir, 'nb201_cifar10_naswot.csv.gz'));

    // PROVENANCE.md: 470 values are written with more than 6 decimals, means over trial records;
    // the other 15,155 are clean counts. One clean value, index 737's 0.171306, is such a mean too:
    // (157,306 + 185,306) / 2, the counts of two different cells. Everything else matches exactly.
    it('for all 15,155 cells with a clean table value (one of them a known two-cell mean)', () => {
      expect(rows).toHaveLength(15625);
      const clean = rows.filter((r) => (r['params_mb']!.split('.')[1] ?? '').length <= 6);
      expect(clean).toHaveLength(15155);
      const mismatches = clean.flatMap((row) => {
        const got = planNetwork(nb201Arch(opsOfArchString(row['arch_str']!)), CIFAR).paramCount;
        const want = Math.round(Number(row['params_mb']) * 1e6);
        return got === want ? [] : [{ index: row['index'], got, want }];
      });
      expect(mismatches).toEqual([{ index: '737', got: 185306, want: 171306 }]);
      const allCounts = new Set(ALL_CELLS.map((ops) => planNetwork(nb201Arch(ops), CIFAR).paramCount));
      expect(allCounts.has(2 * 171306 - 185306)).toBe(true);
    });

    it('and the allocated variables of 300 built networks match too', () => {
      const step = Math.floor(rows.length / 310);
      let checked = 0;
      for (let i = 0; i < rows.length && checked < 300; i += step) {
        if (rows[i]!['params_mb']!.length > 8 || i === 737) continue;
        const want = Math.round(Number(rows[i]!['params_mb']) * 1e6);
        const net = buildNetwork(nb201Arch(opsOfArchString(rows[i]!['arch_str']!)), CIFAR);
        expect(net.paramCount).toBe(want);
        net.dispose();
        checked++;
      }
      expect(checked).toBe(300);
    });
  });

  describeWithSharedData('parameter counts equal NASLib’s exact params on all three NB201 datasets', 'nas-bench-suite-zero', (dataDir) => {
    const rows = readCsv(path.join(dataDir, 'nas-bench-suite-zero', 'zc_nasbench201.csv.gz'));

    it.each(Object.entries(DATASETS))('%s: all sampled architectures', (dataset, task) => {
      const sample = rows.filter((r) => r['dataset'] === dataset);
      expect(sample.length).toBeGreaterThanOrEqual(724);
      const mismatches = sample.flatMap((r) => {
        const got = planNetwork(nb201Arch(opsOfArchString(r['arch_str']!)), task).paramCount;
        return got === Math.round(Number(r['params']) * 1e6) ? [] : [`${r['arch_str']}: ${got} vs ${r['params']}M`];
      });
      expect(mismatches).toEqual([]);
    });
  });

  describeWithSharedData('FLOPs follow NAS-Bench-201’s own count', 'pareto-fronts-lomonas', (dataDir) => {
    // LOMONAS's true NB201 Pareto fronts list NB201's `flops` of the front architectures.
    const fronts = readCsv(path.join(dataDir, 'pareto-fronts-lomonas', 'pareto_fronts_test.csv'));
    it.each([
      ['cifar10', DATASETS.cifar10],
      ['cifar100', DATASETS.cifar100],
      ['ImageNet16-120', DATASETS['ImageNet16-120']],
    ] as const)('every %s front point has a cell with exactly that many MFLOPs', (dataset, task) => {
      const ours = new Set(ALL_CELLS.map((ops) => (planNetwork(nb201Arch(ops), task).flops / 1e6).toFixed(5)));
      const front = fronts.filter((r) => r['benchmark'] === 'NAS-Bench-201' && r['dataset'] === dataset).map((r) => Number(r['obj2']).toFixed(5));
      expect(front.length).toBeGreaterThan(10);
      expect(front.filter((f) => !ours.has(f))).toEqual([]);
    });
  });

  describe('forward pass', () => {
    it('maps an NCHW batch to [N, classes] logits for every op, on the full skeleton', () => {
      const net = buildNetwork(nb201Arch(MIXED), CIFAR);
      try {
        const logits = tf.tidy(() => net.forward(input(2, CIFAR.inputShape, 1), { training: false }));
        expect(logits.shape).toEqual([2, 10]);
        expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
        logits.dispose();
      } finally {
        net.dispose();
      }
    });

    it.each([
      ['all none', [0, 0, 0, 0, 0, 0]],
      ['all skip', [1, 1, 1, 1, 1, 1]],
      ['a dead node (node 1 feeds only none edges)', [3, 0, 0, 1, 0, 2]],
      ['node 2 with no inputs feeding a conv', [2, 0, 0, 1, 1, 3]],
      ['the best CIFAR-10 cell', BEST_C10],
    ])('%s on a tiny skeleton', (_name, ops) => {
      const net = buildNetwork(nb201Arch(ops), TINY);
      const logits = tf.tidy(() => net.forward(input(3, TINY.inputShape, 2), { training: true }));
      expect(logits.shape).toEqual([3, 10]);
      expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
      logits.dispose();
      net.dispose();
    });

    it('a node with no live inputs is zero, so a conv on it outputs BN’s bias (as PyTorch’s Zero op gives)', () => {
      // Cell: node1 = none(0); node2 = none(0) + none(1); node3 = conv3x3(2) only: every cell outputs β.
      const net = buildNetwork(nb201Arch([0, 0, 0, 0, 0, 3]), { ...TINY, macro: { channels: 2, cellsPerStage: 1 } });
      try {
        tf.tidy(() => net.parameters.get('cells.0.layers.5.op.2.bias')!.assign(tf.tensor1d([0.5, -0.25])));
        const seen: Record<string, Float32Array> = {};
        tf.tidy(
          () =>
            void net.forward(input(2, TINY.inputShape, 3), {
              training: true,
              tap: (name, t, kind) => kind === 'cell-out' && (seen[name] = t.dataSync() as Float32Array),
            }),
        );
        expect(Array.from(seen['cells.0']!).slice(0, 4)).toEqual([0.5, -0.25, 0.5, -0.25]);
      } finally {
        net.dispose();
      }
    });

    it('rejects a batch that is not NCHW of the planned size, and a wrong genotype, with fixes', () => {
      const net = buildNetwork(nb201Arch(MIXED), TINY);
      try {
        expect(() => net.forward(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, { training: false })).toThrow(
          expect.objectContaining({ kind: 'usage', fix: expect.stringContaining('toTensors') }),
        );
      } finally {
        net.dispose();
      }
      for (const bad of [
        { space: 'nb201', genotype: { ops: [0, 1, 2] }, key: 'x' },
        { space: 'nb201', genotype: { ops: [0, 1, 2, 3, 4, 5] }, key: 'y' },
      ]) {
        let error: unknown;
        try {
          planNetwork(bad, CIFAR);
        } catch (e) {
          error = e;
        }
        expect(isNasxError(error) && error.kind === 'architecture' && /0\.\.4/.test(error.fix ?? '')).toBe(true);
      }
      expect(() => planNetwork({ space: 'darts', genotype: {}, key: 'z' }, CIFAR)).toThrow(/no network builder for search space "darts"/);
      // The builder itself needs sizes the two reductions divide; buildNetwork / planNetwork pad others inside the network.
      expect(() => nb201NetworkBuilder.plan(nb201Arch(MIXED), { numClasses: 10, inputShape: [3, 30, 30] })).toThrow(/divisible by 4/);
      expect(planNetwork(nb201Arch(MIXED), { numClasses: 10, inputShape: [3, 30, 30] }).flops).toBe(
        planNetwork(nb201Arch(MIXED), { numClasses: 10, inputShape: [3, 32, 32] }).flops,
      );
    });
  });

  describe('batch normalisation: training vs evaluation mode', () => {
    let net: Network;
    beforeEach(() => {
      net = buildNetwork(nb201Arch(MIXED), { ...TINY, seed: 3 });
    });
    afterEach(() => net.dispose());

    const lastBnOut = (training: boolean, x: tf.Tensor4D): Float32Array => {
      let out: Float32Array | undefined;
      tf.tidy(
        () => void net.forward(x, { training, tap: (name, t, kind) => name === 'lastact.1' && kind === 'relu-in' && (out = t.dataSync() as Float32Array) }),
      );
      return out!;
    };

    it('training mode normalises with batch statistics: each channel has mean β = 0 and variance γ² = 1', () => {
      const x = input(4, TINY.inputShape, 4);
      const y = lastBnOut(true, x);
      const c = 16; // 4·C channels in stage 3
      for (let ch = 0; ch < c; ch++) {
        const vals = Array.from(y).filter((_, i) => i % c === ch);
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
        expect(Math.abs(mean)).toBeLessThan(1e-5);
        expect(variance).toBeCloseTo(1, 3);
      }
      x.dispose();
    });

    it('evaluation mode uses running statistics: a sample’s logits do not depend on the rest of the batch; training mode’s do', () => {
      const x = input(4, TINY.inputShape, 5);
      const logits = (training: boolean, batch: tf.Tensor4D) => tf.tidy(() => net.forward(batch, { training }).dataSync());
      const first = tf.slice(x, [0, 0, 0, 0], [2, -1, -1, -1]);
      expect(closeness(logits(false, first), logits(false, x).slice(0, 20), 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      expect(closeness(logits(true, first), logits(true, x).slice(0, 20), 1e-3, 1e-3)).toBeGreaterThan(1);
      tf.dispose([x, first]);
    });

    it('training forward updates running mean and unbiased variance with momentum 0.1; evaluation leaves them alone', () => {
      const x = input(2, TINY.inputShape, 6);
      const stem = tf.tidy(() => tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, net.parameters.get('stem.0.weight') as tf.Tensor4D, 1, 1));
      const n = 2 * 8 * 8;
      const mean = tf.tidy(() => tf.mean(stem, [0, 1, 2]).dataSync());
      const unbiased = tf.tidy(() => tf.div(tf.sum(tf.square(tf.sub(stem, tf.mean(stem, [0, 1, 2]))), [0, 1, 2]), n - 1).dataSync());
      tf.tidy(() => void net.forward(x, { training: false }));
      expect(Array.from(net.buffers.get('stem.1.running_mean')!.dataSync())).toEqual([0, 0, 0, 0]);
      tf.tidy(() => void net.forward(x, { training: true }));
      const rm = net.buffers.get('stem.1.running_mean')!.dataSync();
      const rv = net.buffers.get('stem.1.running_var')!.dataSync();
      expect(
        closeness(
          rm,
          mean.map((m) => 0.1 * m),
          1e-6,
          1e-4,
        ),
      ).toBeLessThanOrEqual(1);
      expect(
        closeness(
          rv,
          unbiased.map((v) => 0.9 + 0.1 * v),
          1e-6,
          1e-4,
        ),
      ).toBeLessThanOrEqual(1);
      tf.dispose([x, stem]);
    });
    it('evaluation folds each ReLU-conv-BN’s normalisation into the convolution: logits equal the unfolded ops (a tap turns folding off)', () => {
      const x = input(4, TINY.inputShape, 7);
      // Non-trivial running statistics and affine parameters, so that the folding has work to do.
      for (let i = 0; i < 3; i++) tf.tidy(() => void net.forward(tf.mul(x, i + 1) as tf.Tensor4D, { training: true }));
      for (const [name, v] of net.parameters)
        if (/(op\.2|stem\.1)\.(weight|bias)$/.test(name)) v.assign(tf.tidy(() => tf.add(v, tf.randomUniform(v.shape, -0.5, 0.5, 'float32', 11))));
      const folded = tf.tidy(() => net.forward(x, { training: false }).dataSync());
      let taps = 0;
      const unfolded = tf.tidy(() => net.forward(x, { training: false, tap: () => void taps++ }).dataSync());
      expect(taps).toBeGreaterThan(0);
      expect(closeness(folded, unfolded, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
      // The two paths are different computations, not one path twice.
      const plain = tf.tidy(() => net.forward(x, { training: true }).dataSync());
      expect(closeness(folded, plain, 1e-3, 1e-3)).toBeGreaterThan(1);
      x.dispose();
    });
  });

  describe('taps (for zero-cost proxies)', () => {
    it('report every ReLU’s input and output (NASWOT’s binary codes), conv and linear outputs, cell outputs, features and logits', () => {
      const ops = BEST_C10; // 5 conv edges per cell
      const net = buildNetwork(nb201Arch(ops), { ...CIFAR, macro: { channels: 4, cellsPerStage: 2 } });
      const seen = new Map<string, { kind: TapKind; shape: number[] }[]>();
      tf.tidy(
        () =>
          void net.forward(input(2, CIFAR.inputShape, 7), {
            training: true,
            tap: (name, t, kind) => seen.set(name, [...(seen.get(name) ?? []), { kind, shape: t.shape }]),
          }),
      );
      net.dispose();
      const reluNames = [...seen].filter(([, v]) => v.some((k) => k.kind === 'relu-in')).map(([n]) => n);
      const convEdges = ops.filter((o) => NB201_CELL_OPS[o]!.startsWith('nor_conv')).length;
      // 3 stages × 2 cells × conv edges + 2 reduction blocks × 2 ReLUs + lastact
      expect(reluNames).toHaveLength(3 * 2 * convEdges + 2 * 2 + 1);
      expect(seen.get('cells.0.layers.0.op.0')).toEqual([
        { kind: 'relu-in', shape: [2, 32, 32, 4] },
        { kind: 'relu-out', shape: [2, 32, 32, 4] },
      ]);
      expect(seen.get('cells.0.layers.0.op.1')).toEqual([{ kind: 'conv-out', shape: [2, 32, 32, 4] }]);
      expect(seen.get('cells.2.conv_a.op.0')?.[0]?.shape).toEqual([2, 32, 32, 4]);
      expect(seen.get('cells.2.conv_a.op.1')).toEqual([{ kind: 'conv-out', shape: [2, 16, 16, 8] }]);
      // stem, 3 × 2 cells × conv edges, 2 reduction blocks × (conv_a, conv_b, downsample)
      expect([...seen.values()].filter((v) => v.some((k) => k.kind === 'conv-out'))).toHaveLength(1 + 3 * 2 * convEdges + 2 * 3);
      expect(seen.get('cells.7')).toEqual([{ kind: 'cell-out', shape: [2, 8, 8, 16] }]);
      expect(seen.get('global_pooling')).toEqual([{ kind: 'features', shape: [2, 16] }]);
      expect(seen.get('classifier')).toEqual([
        { kind: 'linear-out', shape: [2, 10] },
        { kind: 'logits', shape: [2, 10] },
      ]);
    });
  });

  describe('weights and memory', () => {
    it('the same seed gives the same weights; another seed different ones; PyTorch-default bounds', () => {
      const a = buildNetwork(nb201Arch(MIXED), { ...TINY, seed: 7 });
      const b = buildNetwork(nb201Arch(MIXED), { ...TINY, seed: 7 });
      const c = buildNetwork(nb201Arch(MIXED), { ...TINY, seed: 8 });
      const w = (n: Network) => Array.from(n.parameters.get('cells.0.layers.5.op.1.weight')!.dataSync());
      expect(w(a)).toEqual(w(b));
      expect(w(a)).not.toEqual(w(c));
      const bound = 1 / Math.sqrt(3 * 3 * 4);
      expect(Math.max(...w(a).map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Array.from(a.parameters.get('stem.1.weight')!.dataSync())).toEqual([1, 1, 1, 1]);
      for (const n of [a, b, c]) n.dispose();
    });

    it('dispose() frees every variable', () => {
      const before = tf.memory().numTensors;
      const net = buildNetwork(nb201Arch(BEST_C10), TINY);
      expect(tf.memory().numTensors).toBe(before + net.plan.parameters.length + net.plan.buffers.length);
      tf.tidy(() => void net.forward(input(2, TINY.inputShape, 8), { training: true }));
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => net.forward(input(1, TINY.inputShape, 1), { training: false })).toThrow(/disposed/);
    });
  });

  describe('gradients through the network', () => {
    const loss = (net: Network, secondOrder: boolean) => () =>
      tf.tidy(() => {
        const logits = net.forward(input(4, TINY.inputShape, 12), { training: true, secondOrder });
        return crossEntropy(logits, tf.tensor1d([0, 3, 5, 9], 'int32'), { secondOrder });
      });
    const flatGrads = (net: Network, secondOrder: boolean): Float32Array =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss(net, secondOrder), [...net.parameters.values()]);
        return tf.concat([...net.parameters.values()].map((v) => tf.reshape(grads[v.name]!, [-1]))).dataSync() as Float32Array;
      });

    it('the closed-form batch-norm backward pass equals autodiff through plain ops (secondOrder)', () => {
      const net = buildNetwork(nb201Arch(MIXED), { ...TINY, seed: 4 });
      try {
        expect(closeness(flatGrads(net, false), flatGrads(net, true), 1e-5, 1e-3)).toBeLessThanOrEqual(1);
      } finally {
        net.dispose();
      }
    });

    it('secondOrder supports Hessian-vector products (GraSP): uᵀHv matches finite differences of the gradient', async () => {
      await onBackend('cpu', () => {
        const net = buildNetwork(nb201Arch(MIXED), { ...TINY, seed: 5 });
        try {
          const params = [...net.parameters.values()];
          const sizes = params.map((p) => p.size);
          const total = sizes.reduce((a, b) => a + b, 0);
          const unit = (a: Float32Array) => a.map((x) => x / Math.sqrt(a.reduce((s, y) => s + y * y, 0)));
          // v moves only the classifier weights: the loss is smooth along it (no ReLU flips), so
          // finite differences are exact enough, and the mixed second derivatives with every earlier
          // layer run through the double-backward of convolutions, pooling, ReLU and batch norm.
          const offset = sizes.slice(0, [...net.parameters.keys()].indexOf('classifier.weight')).reduce((a, b) => a + b, 0);
          const v = new Float32Array(total);
          v.set(unit(testValues(net.parameters.get('classifier.weight')!.size, 40)), offset);
          const u = unit(testValues(total, 41));
          const split = (flat: Float32Array) => {
            let o = 0;
            return params.map((p, i) => tf.tensor(flat.subarray(o, (o += sizes[i]!)), p.shape));
          };
          // uᵀHv, H the Hessian of the loss in the parameters: d/dw <∇L, v>, then dotted with u.
          const uHv = tf.tidy(() => {
            const vs = split(v);
            const { grads } = tf.variableGrads(() => {
              const g = tf.variableGrads(loss(net, true), params).grads;
              return tf.addN(params.map((p, i) => tf.sum(tf.mul(g[p.name]!, vs[i]!)))) as tf.Scalar;
            }, params);
            const us = split(u);
            // A parameter absent from `grads` has no second-order connection: a zero row of H·v.
            return tf.addN(params.filter((p) => grads[p.name]).map((p) => tf.sum(tf.mul(grads[p.name]!, us[params.indexOf(p)]!)))).dataSync()[0]!;
          });
          const w0 = params.map((p) => tf.clone(p));
          const uG = (eps: number): number => {
            params.forEach((p, i) => p.assign(tf.tidy(() => tf.add(w0[i]!, tf.mul(split(v)[i]!, eps)))));
            return flatGrads(net, true).reduce((s, g, i) => s + g * u[i]!, 0);
          };
          const eps = 3e-2;
          const fd = (uG(eps) - uG(-eps)) / (2 * eps);
          tf.dispose(w0);
          expect(Math.abs(uHv - fd)).toBeLessThan(0.01 * Math.abs(fd) + 1e-5);
        } finally {
          net.dispose();
        }
      });
    });
  });

  it('wasm and cpu agree on logits and on every parameter gradient of a training step', async () => {
    const arch = nb201Arch(MIXED);
    const run = () => {
      const net = buildNetwork(arch, { ...TINY, seed: 11 });
      try {
        return tf.tidy(() => {
          const x = input(4, TINY.inputShape, 9);
          const labels = tf.oneHot(tf.tensor1d([1, 3, 5, 7], 'int32'), 10);
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, net.forward(x, { training: true })) as tf.Scalar);
          const flat = tf.concat([tf.reshape(value, [1]), ...[...net.parameters.keys()].map((k) => tf.reshape(grads[net.parameters.get(k)!.name]!, [-1]))]);
          return flat.dataSync() as Float32Array;
        });
      } finally {
        net.dispose();
      }
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(cpu.length).toBe(1 + planNetwork(arch, TINY).paramCount);
    expect(closeness(wasm, cpu, 1e-4, 1e-3)).toBeLessThanOrEqual(1);
  });
});
