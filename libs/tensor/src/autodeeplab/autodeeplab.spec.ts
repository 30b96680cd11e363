import { isNasxError } from '@nasx/contracts';
import { testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { buildNetwork, planNetwork } from '../network/builders';
import { tf } from '../tf';
import { HostSgdOptimizer } from '../train/host-sgd';
import { ADL_OPS, adlArchitecture, adlGenotypeOf, dilateFilter, type AdlGenotype } from './autodeeplab.network';
import {
  adlArchGradient,
  adlArchSize,
  adlArchWeights,
  adlEdges,
  adlLoss,
  adlWeightStep,
  buildAdlSupernet,
  decodeAdl,
  viterbiPath,
  type AdlBatch,
} from './autodeeplab.supernet';
import { stepValid as adlStepValid } from './autodeeplab.supernet';

/** A small geometry: 3×24×32 images, 5 classes per pixel. */
const IO = { inputShape: [3, 24, 32], outputShape: [5, 24, 32], numClasses: 5 } as const;
const MACRO = { filterMultiplier: 2, stemChannels: 4, asppChannels: 4, asppRate: 8 };

const GENOTYPE: AdlGenotype = {
  cell: [
    [0, 4, 1, 6],
    [1, 2, 2, 7],
  ],
  path: [1, 2, 1, 2],
};

function batchOf(n: number, seed: number): AdlBatch {
  return {
    x: tf.tensor4d(testValues(n * 3 * 24 * 32, seed), [n, 3, 24, 32]),
    // Per-pixel class ids, a few void (−1) pixels.
    y: tf.tensor2d(
      Array.from({ length: n * 24 * 32 }, (_, i) => ((i * 7 + seed) % 13 === 0 ? -1 : ((i >> 3) + seed) % 5)),
      [n, 24 * 32],
    ),
  };
}

/** An architecture row that puts (numerically) all weight on `g`: its ops on its edges, `none` elsewhere, β on its path. */
function rowFor(g: AdlGenotype, blocks: number, layers: number): tf.Tensor2D {
  const edges = adlEdges(blocks);
  const row = new Float32Array(adlArchSize(blocks, layers));
  edges.forEach(([j, i], r) => {
    const b = g.cell[j]!;
    const op = b[0] === i ? b[1] : b[2] === i ? b[3] : 0;
    row[r * 8 + op] = 1e4;
  });
  const base = edges.length * 8;
  // The path's steps; every other node of the trellis steps away from the path's next node.
  g.path.forEach((t, l) => {
    const from = l === 0 ? 0 : g.path[l - 1]!;
    for (let s = 0; s < 4; s++) {
      const d = s === from ? t - s + 1 : [1, 0, 2].find((k) => adlStepValid(l, s, k) && s + k - 1 !== t);
      if (d !== undefined && adlStepValid(l, s, d)) row[base + (l * 4 + s) * 3 + d] = 1e4;
    }
  });
  return tf.tensor2d(row, [1, row.length]);
}

beforeAll(async () => {
  await initTensorBackend('wasm');
});

describe('Auto-DeepLab: genotypes', () => {
  it('keys canonically (pair order inside a block) and checks cells and paths', () => {
    const a = adlArchitecture(GENOTYPE);
    const b = adlArchitecture({
      cell: [
        [1, 6, 0, 4],
        [2, 7, 1, 2],
      ],
      path: [1, 2, 1, 2],
    });
    expect(b.key).toBe(a.key);
    expect(a.key).toBe('adl:sep_conv_3x3~0+dil_conv_3x3~1|avg_pool_3x3~1+dil_conv_5x5~2@8-16-8-16');
    const bad: [unknown, RegExp][] = [
      [{ cell: [[0, 4, 0, 5]], path: [0] }, /reads input 0 twice/],
      [{ cell: [[0, 4, 2, 5]], path: [0] }, /input b: 2 is not an input 0..1/],
      [{ cell: [[0, 0, 1, 5]], path: [0] }, /op a: 0 is not an operation 1..7/],
      [{ cell: [[0, 4, 1, 5]], path: [2] }, /starts at level 2/],
      [{ cell: [[0, 4, 1, 5]], path: [0, 2] }, /moves from level 0 to 2 at layer 1/],
      [{ cell: [[0, 4, 1, 5]], path: [0, 4] }, /4 is not a level 0..3/],
      [{ cell: [], path: [0] }, /no blocks/],
      [{ cells: [] }, /not \{ cell, path \}/],
    ];
    for (const [g, message] of bad) {
      let err: unknown;
      try {
        adlGenotypeOf(g as never);
      } catch (e) {
        err = e;
      }
      expect(isNasxError(err) && err.kind === 'architecture' && message.test(err.message)).toBe(true);
    }
  });
});

describe('Auto-DeepLab: Viterbi over β and the cell rule', () => {
  it('Viterbi finds the most probable path of the trellis (checked against every path of 6 layers)', () => {
    const layers = 6;
    for (let seed = 1; seed <= 5; seed++) {
      const raw = tf.tensor2d(testValues(adlArchSize(1, layers), seed * 11), [1, adlArchSize(1, layers)]);
      const { alpha, beta } = adlArchWeights(tf.mul(raw, 3), 1, layers);
      const b = beta.dataSync();
      // Every path by enumeration.
      let best = -Infinity;
      let bestPath: number[] = [];
      const walk = (l: number, s: number, logp: number, path: number[]) => {
        if (l === layers) {
          if (logp > best) [best, bestPath] = [logp, path];
          return;
        }
        for (let d = 0; d < 3; d++) {
          if (!adlStepValid(l, s, d)) continue;
          walk(l + 1, s + d - 1, logp + Math.log(b[(l * 4 + s) * 3 + d]!), [...path, s + d - 1]);
        }
      };
      walk(0, 0, 0, []);
      expect(viterbiPath(b, layers)).toEqual(bestPath);
      // β sums to 1 over the steps leaving every node the trellis reaches, and is 0 off it.
      for (let l = 0; l < layers; l++) {
        for (let s = 0; s < 4; s++) {
          const row = [0, 1, 2].map((d) => b[(l * 4 + s) * 3 + d]!);
          const valid = [0, 1, 2].map((d) => adlStepValid(l, s, d));
          row.forEach((v, d) => {
            if (!valid[d]) expect(v).toBe(0);
          });
          if (valid.some(Boolean)) expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
        }
      }
      tf.dispose([raw, alpha, beta]);
    }
  });

  it('decodes a planted cell and path, `none` never chosen', () => {
    const row = rowFor(GENOTYPE, 2, 4);
    expect(decodeAdl(row, 2, 4)).toEqual(GENOTYPE);
    // All weight on none: the cell still gets two real operations per block.
    const noneRow = new Float32Array(adlArchSize(2, 4));
    adlEdges(2).forEach((_, r) => (noneRow[r * 8] = 50));
    const g = decodeAdl(tf.tensor2d(noneRow, [1, noneRow.length]), 2, 4);
    expect(g.cell.every((b) => b[1] !== 0 && b[3] !== 0)).toBe(true);
    expect(() => adlArchitecture(g)).not.toThrow();
    row.dispose();
  });
});

describe('Auto-DeepLab: networks and the supernet', () => {
  it('an atrous convolution by a zero-dilated filter equals TensorFlow.js’s dilated convolution', () => {
    const x = tf.tensor4d(testValues(2 * 9 * 11 * 3, 5), [2, 9, 11, 3]);
    const w = tf.tensor4d(testValues(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
    for (const d of [2, 3]) {
      const ours = tf.conv2d(x, dilateFilter(w, d), 1, 'same');
      const ref = tf.conv2d(x, w, 1, 'same', 'NHWC', d);
      expect(tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]).toBeLessThan(1e-5);
    }
  });

  it('builds a network of the plan’s size with dense outputs; refuses point heads and unknown macros', () => {
    const arch = adlArchitecture(GENOTYPE);
    const plan = planNetwork(arch, { ...IO, macro: MACRO });
    const net = buildNetwork(arch, { ...IO, macro: MACRO, seed: 1 });
    try {
      expect(net.paramCount).toBe(plan.paramCount);
      expect(plan.outputShape).toEqual([5, 24, 32]);
      const { x } = batchOf(2, 1);
      const y = net.forward(x, { training: false });
      expect(y.shape).toEqual([2, 5 * 24 * 32]);
      expect(Number.isFinite(tf.sum(y).dataSync()[0])).toBe(true);
    } finally {
      net.dispose();
    }
    expect(() => planNetwork(arch, { inputShape: [3, 24, 32], numClasses: 5 })).toThrow(/not a dense map/);
    expect(() => planNetwork(arch, { ...IO, macro: { channels: 4 } })).toThrow(/unknown macro setting "channels"/);
  });

  it('the relaxation with all weight on an architecture computes that architecture’s network', () => {
    const sn = buildAdlSupernet({ ...IO, macro: MACRO, blocks: 2, layers: 4, seed: 2 });
    const arch = adlArchitecture(GENOTYPE);
    const net = buildNetwork(arch, { ...IO, macro: MACRO, seed: 9 });
    const row = rowFor(GENOTYPE, 2, 4);
    try {
      const path = GENOTYPE.path;
      // The network's weights from the supernet's cells on the path; the heads of other levels silenced.
      tf.tidy(() => {
        const source = (name: string) => {
          const m = /^cells\.(\d+)\.(.*)$/.exec(name);
          if (m) {
            const l = Number(m[1]);
            return `cells.${l}.${path[l]}.${l === 0 ? 0 : path[l - 1]}.${m[2]}`;
          }
          return name.startsWith('aspp.') ? `aspp.${path[path.length - 1]}.${name.slice(5)}` : name;
        };
        for (const [n, v] of net.parameters) v.assign(sn.parameters.get(source(n))!);
        for (const [n, v] of net.buffers) v.assign(sn.buffers.get(source(n))!);
        for (const [n, v] of sn.parameters) if (/^aspp\.(\d)\.cls\./.test(n) && !n.startsWith(`aspp.${path[path.length - 1]}.`)) v.assign(tf.zerosLike(v));
      });
      const { x } = batchOf(3, 4);
      for (const training of [false, true]) {
        const a = sn.forward(x, row, { training, bnMomentum: 0 });
        const b = net.forward(x, { training });
        const scale = tf.max(tf.abs(b)).dataSync()[0]!;
        expect(scale).toBeGreaterThan(0);
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / scale).toBeLessThan(1e-4);
        tf.dispose([a, b]);
      }
    } finally {
      sn.dispose();
      net.dispose();
      row.dispose();
    }
  });

  it('weight steps lower the training loss; the architecture gradient is finite, and zero off the trellis', () => {
    const sn = buildAdlSupernet({ ...IO, macro: MACRO, blocks: 2, layers: 2, seed: 5 });
    const arch = tf.variable(tf.zeros([1, adlArchSize(2, 2)]));
    const sgd = new HostSgdOptimizer(sn.parameters, { momentum: 0.9, nesterov: false, weightDecay: 0 });
    const train = batchOf(2, 1);
    const val = batchOf(2, 2);
    try {
      const before = adlLoss(sn, arch, train, 'pixel-cross-entropy').dataSync()[0]!;
      for (let k = 0; k < 5; k++) adlWeightStep(sn, arch, train, 'pixel-cross-entropy', sgd, 0.1);
      const after = adlLoss(sn, arch, train, 'pixel-cross-entropy').dataSync()[0]!;
      expect(after).toBeLessThan(before * 0.9);
      for (const order of [1, 2] as const) {
        const g = adlArchGradient(sn, arch, train, val, 'pixel-cross-entropy', { order, xi: 0.05 });
        const v = g.grad.dataSync();
        expect(v.every(Number.isFinite)).toBe(true);
        const base = adlEdges(2).length * 8;
        let offTrellis = 0;
        let onTrellis = 0;
        for (let l = 0; l < 2; l++) {
          for (let s = 0; s < 4; s++) {
            for (let d = 0; d < 3; d++) {
              const gv = Math.abs(v[base + (l * 4 + s) * 3 + d]!);
              if (adlStepValid(l, s, d)) onTrellis = Math.max(onTrellis, gv);
              else offTrellis = Math.max(offTrellis, gv);
            }
          }
        }
        expect(offTrellis).toBe(0);
        expect(onTrellis).toBeGreaterThan(0);
        expect(Math.max(...Array.from(v.subarray(0, base), Math.abs))).toBeGreaterThan(0);
        g.grad.dispose();
      }
    } finally {
      tf.dispose([arch, train.x, train.y, val.x, val.y]);
      sn.dispose();
    }
  });

  it(`has the paper’s ${ADL_OPS.length} operations`, () => {
    expect(ADL_OPS).toEqual(['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5']);
  });
});
