import { isNasxError, type Rng } from '@nasx/contracts';
import { closeness, testValues } from '../__fixtures__/backends';
import { nb201Arch } from '../__fixtures__/nb201-data';
import { arraySplit, quadrantSplit } from '../__fixtures__/splits';
import { initTensorBackend } from '../backend/backend';
import { buildNetwork } from '../network/builders';
import { tf } from '../tf';
import { nb201PathWeights } from './nb201.supernet';
import { createPathEvaluator } from './path-evaluator';
import { pathAngle, type Supernet } from './supernet';
import { buildSupernet, findSupernetBuilder } from './supernet-registry';
import { randomLabel, readSupernetWeights, sampleUniformPath, trainSupernet, writeSupernetWeights } from './train-supernet';

/** A small skeleton for fast checks: 4 channels, 1 cell per stage, 8×8 inputs, 4 classes. */
const TINY = { numClasses: 4, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } } as const;
const PATHS = [
  [3, 3, 3, 3, 3, 3],
  [2, 4, 3, 1, 0, 3],
  [1, 0, 4, 2, 3, 0],
  [0, 0, 0, 0, 0, 0],
  [4, 1, 1, 4, 2, 2],
  [3, 0, 0, 0, 0, 0],
];

/** A deterministic Rng for the trainer (mulberry32), without the kernel. */
function testRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    seed,
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    shuffle: (items) => {
      const a = [...items];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    },
    sampleIndices: (n, k) => rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, k),
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    fork: (label) => testRng((seed * 31 + [...label].reduce((h, c) => (h * 33 + c.charCodeAt(0)) >>> 0, 5381)) >>> 0),
  };
  return rng;
}

/** True when two arrays differ in any element. */
function differs(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** Gives every running statistic a non-trivial value (means in ±0.5, variances in [0.5, 1.5]). */
function scrambleBuffers(sn: Supernet): void {
  let k = 0;
  for (const [name, v] of sn.buffers) {
    const values = testValues(v.size, 100 + k++);
    const scaled = name.endsWith('running_var') ? values.map((x) => 1 + x / 2) : values.map((x) => x / 2);
    tf.tidy(() => v.assign(tf.tensor(scaled, v.shape)));
  }
}

describe('NB201 supernet', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('is found by space, and a space without one gets an error naming the spaces that have one', () => {
    expect(findSupernetBuilder('nb201').decisions).toEqual(['edge 1←0', 'edge 2←0', 'edge 2←1', 'edge 3←0', 'edge 3←1', 'edge 3←2']);
    try {
      findSupernetBuilder('mnas');
      throw new Error('expected an error');
    } catch (e) {
      expect(isNasxError(e)).toBe(true);
      expect((e as Error).message).toContain('search space "mnas" has no supernet builder');
      expect((e as { fix?: string }).fix).toContain('nb201');
    }
  });

  it('holds both convolutions of every edge of every search cell, non-affine cell norms, and the shared skeleton', () => {
    const sn = buildSupernet('nb201', TINY);
    try {
      // 3 search cells × 6 edges × (1×1 + 3×3 convs), C = 4, 8, 16.
      const cellConvs = [4, 8, 16].reduce((n, c) => n + 6 * (c * c + 9 * c * c), 0);
      const names = [...sn.parameters.keys()];
      expect(names.filter((n) => /layers\.\d\.\d\.op\.1\.weight$/.test(n))).toHaveLength(36);
      expect(names.some((n) => /layers\.\d\.\d\.op\.2\.weight$/.test(n))).toBe(false);
      expect(sn.buffers.has('cells.0.layers.5.3.op.2.running_var')).toBe(true);
      const skeleton = buildNetwork(nb201Arch([1, 1, 1, 1, 1, 1]), TINY).paramCount; // all-skip network: the shared parts only
      expect(sn.paramCount).toBe(skeleton + cellConvs);
      expect(sn.pathOf(nb201Arch([2, 4, 3, 1, 0, 3]))).toEqual([2, 4, 3, 1, 0, 3]);
      expect(() => sn.pathOf({ space: 'nb101', key: 'x', genotype: {} })).toThrow(/belongs to space "nb101"/);
      expect(() => sn.forward(tf.zeros([1, 3, 8, 8]) as tf.Tensor4D, [5, 0, 0, 0, 0, 0], { training: false })).toThrow(/not a path of the NB201 supernet/);
    } finally {
      sn.dispose();
    }
  });

  it('a path computes exactly the stand-alone NB201 network that inherits its weights (evaluation and training mode)', () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 7 });
    const x = tf.tensor4d(testValues(6 * 192, 3), [6, 3, 8, 8]);
    try {
      scrambleBuffers(sn);
      const weights = readSupernetWeights(sn);
      for (const p of PATHS) {
        const net = buildNetwork(nb201Arch(p), { ...TINY, seed: 99 });
        try {
          const inherited = nb201PathWeights(p, weights);
          // Every parameter and buffer of the network comes from the supernet.
          for (const [name, v] of [...net.parameters, ...net.buffers]) {
            const w = inherited.get(name);
            expect([name, w?.length]).toEqual([name, v.size]);
            tf.tidy(() => v.assign(tf.tensor(Float32Array.from(w!), v.shape)));
          }
          for (const training of [false, true]) {
            const a = tf.tidy(() => sn.forward(x, p, { training, bnMomentum: 0 }).dataSync());
            const b = tf.tidy(() => net.forward(x, { training }).dataSync());
            expect([p.join(''), training, closeness(a, b, 1e-5, 1e-4)]).toEqual([p.join(''), training, expect.any(Number)]);
            expect(closeness(a, b, 1e-5, 1e-4)).toBeLessThan(1);
          }
        } finally {
          net.dispose();
        }
      }
    } finally {
      x.dispose();
      sn.dispose();
    }
  });

  it('a training step through a path changes only that path’s parameters; the sampler keeps to its constraint', async () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 1 });
    try {
      const before = readSupernetWeights(sn);
      // Edges 2←1 and 3←1 are none: node 1 reaches the output through none edges only.
      const path = [3, 0, 0, 2, 0, 4];
      const constraint = path.map((c) => [c]);
      const history = await trainSupernet(sn, quadrantSplit(64, 5), {
        epochs: 1,
        batchSize: 32,
        learningRate: 0.1,
        rng: testRng(1),
        constraint,
        weightDecay: 5e-4,
      });
      expect(history.map((h) => h.steps)).toEqual([2]);
      const after = readSupernetWeights(sn);
      const used = new Set(sn.pathParameters(path));
      for (const name of sn.parameters.keys()) {
        const moved = differs(after.get(name)!, before.get(name)!);
        expect([name, moved]).toEqual([name, used.has(name)]);
      }
      // Node 1 (edge 1←0 conv 3×3) reaches the output only through none edges: its weights are not used.
      expect(used.has('cells.0.layers.0.3.op.1.weight')).toBe(false);
      expect(used.has('cells.0.layers.3.2.op.1.weight')).toBe(true);
      expect(used.has('cells.0.layers.5.4.op.1.weight')).toBe(false); // pooling has no weights
      const rng = testRng(3);
      const seen = new Set<string>();
      for (let i = 0; i < 400; i++) {
        const p = sampleUniformPath(sn.choices, rng, [[2], undefined, undefined, undefined, undefined, [0, 4]]);
        expect(p[0]).toBe(2);
        expect([0, 4]).toContain(p[5]);
        seen.add(`${p[1]}${p[5]}`);
      }
      expect(seen.size).toBe(10); // every allowed combination of edges 1 and 5 occurs
    } finally {
      sn.dispose();
    }
  });

  it('resuming a schedule at an epoch trains the remaining epochs with the same batches and paths', async () => {
    const data = quadrantSplit(96, 2);
    const paths: string[][] = [[], []];
    const record = (k: number) => (x: tf.Tensor4D, p: readonly number[]) => paths[k]!.push(`${x.shape[0]}:${p.join('')}`);
    const run = async (k: number, start: number) => {
      const sn = buildSupernet('nb201', { ...TINY, seed: 1 });
      const forward = sn.forward.bind(sn);
      (sn as { forward: Supernet['forward'] }).forward = (x, p, o) => {
        record(k)(x, p);
        return forward(x, p, o);
      };
      try {
        return await trainSupernet(sn, data, { epochs: 3, startEpoch: start, batchSize: 32, learningRate: 0.05, rng: testRng(9) });
      } finally {
        sn.dispose();
      }
    };
    expect((await run(0, 0)).map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect((await run(1, 2)).map((e) => e.epoch)).toEqual([2]);
    expect(paths[1]).toEqual(paths[0]!.slice(6));
  });

  it.each([1, 2])(
    'a schedule resumed from an epoch’s weights and momentum ends bit for bit where the uninterrupted one does (%i replica(s))',
    async (replicas) => {
      const data = quadrantSplit(96, 2);
      const options = {
        epochs: 3,
        batchSize: 32,
        learningRate: 0.05,
        rng: testRng(9),
        ...(replicas > 1 ? { replicas, replicaModel: { space: 'nb201', supernet: { ...TINY, seed: 1 } } } : {}),
      };
      const whole = buildSupernet('nb201', { ...TINY, seed: 1 });
      const first = buildSupernet('nb201', { ...TINY, seed: 1 });
      const resumed = buildSupernet('nb201', { ...TINY, seed: 1 });
      const cold = buildSupernet('nb201', { ...TINY, seed: 1 });
      try {
        await trainSupernet(whole, data, options);
        let saved: { weights: Map<string, Float32Array>; momentum: Map<string, Float32Array> } | undefined;
        await trainSupernet(first, data, {
          ...options,
          onEpoch: async (e, state) => {
            if (e.epoch === 0) saved = { weights: readSupernetWeights(first), momentum: await state.momentum() };
          },
        });
        expect(saved!.momentum.size).toBeGreaterThan(0);
        writeSupernetWeights(resumed, saved!.weights);
        await trainSupernet(resumed, data, { ...options, startEpoch: 1, initialMomentum: saved!.momentum });
        const expected = readSupernetWeights(whole);
        const got = readSupernetWeights(resumed);
        const mismatched = [...expected.keys()].filter((n) => differs(got.get(n)!, expected.get(n)!));
        expect(mismatched).toEqual([]);
        // Without the momentum the resumed schedule takes other steps: the check can fail.
        writeSupernetWeights(cold, saved!.weights);
        await trainSupernet(cold, data, { ...options, startEpoch: 1 });
        const coldWeights = readSupernetWeights(cold);
        expect([...expected.keys()].filter((n) => differs(coldWeights.get(n)!, expected.get(n)!)).length).toBeGreaterThan(0);
      } finally {
        for (const sn of [whole, first, resumed, cold]) sn.dispose();
      }
    },
  );

  it('random labels are fixed per sample, spread over the classes, and differ between seeds', () => {
    const classes = 10;
    const labels = Array.from({ length: 5000 }, (_, i) => randomLabel(3, i, classes));
    expect(labels).toEqual(Array.from({ length: 5000 }, (_, i) => randomLabel(3, i, classes)));
    const counts = new Array(classes).fill(0);
    for (const l of labels) counts[l]++;
    // χ² with 9 degrees of freedom: 27.9 is its 0.999 quantile.
    const chi2 = counts.reduce((s, c) => s + (c - 500) ** 2 / 500, 0);
    expect(chi2).toBeLessThan(27.9);
    const other = Array.from({ length: 5000 }, (_, i) => randomLabel(4, i, classes));
    expect(other.filter((l, i) => l === labels[i]).length).toBeLessThan(650); // ~500 agree by chance
  });

  it('random-label training uses the fixed label of each sample, and a task without sample indices is refused', async () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 1 });
    try {
      const n = 32;
      const x = testValues(n * 192, 21);
      const split = arraySplit(
        x,
        [3, 8, 8],
        Int32Array.from({ length: n }, () => 0),
      );
      const path = [3, 1, 2, 4, 3, 1];
      // Learning rate 0: the step reports the loss of the unchanged supernet on the labels it used.
      const [epoch] = await trainSupernet(sn, split, {
        epochs: 1,
        batchSize: n,
        learningRate: 0,
        rng: testRng(1),
        constraint: path.map((c) => [c]),
        randomLabels: { seed: 11 },
      });
      const labels = Int32Array.from({ length: n }, (_, i) => randomLabel(11, i, TINY.numClasses));
      const expected = tf.tidy(() => {
        const logits = sn.forward(tf.tensor4d(x, [n, 3, 8, 8]), path, { training: true, bnMomentum: 0 });
        return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), TINY.numClasses), logits).dataSync()[0]!;
      });
      expect(epoch!.loss).toBeCloseTo(expected, 4);
      expect(new Set(labels).size).toBeGreaterThan(1); // not the all-zero true labels
      const noIndices = {
        size: 8,
        async *batches() {
          yield {
            x: { data: new Float32Array(8 * 192), shape: [8, 3, 8, 8], dtype: 'float32' as const },
            y: { data: new Int32Array(8), shape: [8], dtype: 'int32' as const },
          };
        },
      };
      await expect(trainSupernet(sn, noIndices, { epochs: 1, batchSize: 8, learningRate: 0.01, rng: testRng(1), randomLabels: { seed: 1 } })).rejects.toThrow(
        /number its samples/,
      );
    } finally {
      sn.dispose();
    }
  });

  it('recalibration on one batch equals normalising that batch with its own statistics', async () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 2 });
    try {
      scrambleBuffers(sn);
      const split = quadrantSplit(50, 8);
      const path = [3, 1, 2, 4, 3, 1];
      const before = readSupernetWeights(sn);
      const recal = await createPathEvaluator({ calibration: split, calibrationBatches: 1, validation: split, batchSize: 50, rng: testRng(1) });
      const batchStats = await createPathEvaluator({ calibration: split, calibrationBatches: 0, validation: split, batchSize: 50, rng: testRng(1) });
      try {
        const a = recal.evaluate(sn, path);
        const tensors = tf.memory().numTensors;
        const b = batchStats.evaluate(sn, path);
        recal.evaluate(sn, [3, 2, 0, 4, 1, 3]);
        expect(tf.memory().numTensors).toBe(tensors); // an evaluation leaves no tensor behind
        expect(a.n).toBe(50);
        expect(a.accuracy).toBe(b.accuracy);
        // Running variance is unbiased, batch variance biased: n/(n−1) apart, so the losses agree closely but not exactly.
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(0.02);
        // The path's statistics were overwritten; another path's were not.
        const after = readSupernetWeights(sn);
        expect(differs(after.get('cells.0.layers.0.3.op.2.running_mean')!, before.get('cells.0.layers.0.3.op.2.running_mean')!)).toBe(true);
        expect(differs(after.get('cells.0.layers.0.2.op.2.running_mean')!, before.get('cells.0.layers.0.2.op.2.running_mean')!)).toBe(false);
      } finally {
        recal.dispose();
        batchStats.dispose();
      }
    } finally {
      sn.dispose();
    }
  });

  describe("RLNAS's angle", () => {
    const sn0 = () => buildSupernet('nb201', { ...TINY, seed: 5 });

    it('is 0 for unchanged weights and for a path with no connection to the output', () => {
      const sn = sn0();
      try {
        const w = readSupernetWeights(sn);
        expect(pathAngle(sn, [3, 3, 3, 3, 3, 3], w, w)).toBeCloseTo(0, 6); // acos(1 − round-off)
        expect(sn.angleVector([3, 0, 0, 0, 0, 0], w)).toBeUndefined(); // 1←0 conv, but every cell path crosses a none edge
      } finally {
        sn.dispose();
      }
    });

    it('concatenates stem, reduction blocks, the convolutions of every cell path without none (pooling as 1/9 kernels) and the head', () => {
      const sn = sn0();
      try {
        const w = readSupernetWeights(sn);
        const size = (name: string) => w.get(name)!.length;
        const head = size('stem.0.weight') + size('stem.1.weight') + size('stem.1.bias');
        const reductions = ['cells.1', 'cells.3']
          .flatMap((c) =>
            [
              'conv_a.op.1.weight',
              'conv_a.op.2.weight',
              'conv_a.op.2.bias',
              'conv_b.op.1.weight',
              'conv_b.op.2.weight',
              'conv_b.op.2.bias',
              'downsample.1.weight',
            ].map((s) => `${c}.${s}`),
          )
          .reduce((n, s) => n + size(s), 0);
        const tail = size('lastact.0.weight') + size('lastact.0.bias') + size('classifier.weight') + size('classifier.bias');
        // All skip: the cells add nothing.
        expect(sn.angleVector([1, 1, 1, 1, 1, 1], w)!.length).toBe(head + reductions + tail);
        // Only the cell path 0→3 (edge 3←0 = index 3) survives: a 3×3 conv per search cell (C = 4, 8, 16).
        expect(sn.angleVector([0, 0, 0, 3, 0, 0], w)!.length).toBe(head + reductions + tail + 9 * (16 + 64 + 256));
        // Pooling on 3←0 instead: C·9 values of 1/9 per cell.
        const pooled = sn.angleVector([0, 0, 0, 4, 0, 0], w)!;
        expect(pooled.length).toBe(head + reductions + tail + 9 * (4 + 8 + 16));
        expect(pooled[head + reductions]).toBeCloseTo(1 / 9, 7);
        // Paths 0→1→3 (edges 0 and 4) and 0→3 (edge 3): edge 0's conv 1×1 and edge 4's 3×3, plus edge 3's 1×1, per cell.
        const per = (c: number) => c * c + 9 * c * c + c * c;
        expect(sn.angleVector([2, 0, 0, 2, 3, 0], w)!.length).toBe(head + reductions + tail + per(4) + per(8) + per(16));
      } finally {
        sn.dispose();
      }
    });

    it('equals acos of the cosine between the two vectors when only one used convolution moved', () => {
      const sn = sn0();
      try {
        const initial = readSupernetWeights(sn);
        const trained = new Map(initial);
        const name = 'cells.2.layers.3.3.op.1.weight';
        trained.set(
          name,
          initial.get(name)!.map((v, i) => v + 0.3 * testValues(1, i + 1)[0]!),
        );
        const path = [0, 0, 0, 3, 0, 0];
        const a = sn.angleVector(path, initial)!;
        const b = sn.angleVector(path, trained)!;
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let i = 0; i < a.length; i++) {
          dot += a[i]! * b[i]!;
          na += a[i]! ** 2;
          nb += b[i]! ** 2;
        }
        const angle = pathAngle(sn, path, initial, trained);
        expect(angle).toBeGreaterThan(0.01);
        expect(angle).toBeCloseTo(Math.acos(dot / Math.sqrt(na * nb)), 6);
        // A path that does not use the moved weights keeps angle 0.
        expect(pathAngle(sn, [0, 0, 0, 2, 0, 0], initial, trained)).toBeCloseTo(0, 6);
      } finally {
        sn.dispose();
      }
    });
  });

  it('weights read from one supernet load into another; a wrong size or unknown name is refused', () => {
    const a = buildSupernet('nb201', { ...TINY, seed: 1 });
    const b = buildSupernet('nb201', { ...TINY, seed: 2 });
    try {
      writeSupernetWeights(b, readSupernetWeights(a));
      expect(differs(b.parameters.get('classifier.weight')!.dataSync(), a.parameters.get('classifier.weight')!.dataSync())).toBe(false);
      expect(() => writeSupernetWeights(b, new Map([['stem.0.weight', new Float32Array(3)]]))).toThrow(/has 3 values/);
      expect(() => writeSupernetWeights(b, new Map([['nope', new Float32Array(3)]]))).toThrow(/does not have/);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('trains data-parallel on 2 replicas: the same update on both, only the sampled paths moved', async () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 4 });
    try {
      const before = readSupernetWeights(sn);
      const path = [2, 0, 0, 2, 0, 0];
      await trainSupernet(
        sn,
        arraySplit(
          testValues(64 * 192, 8),
          [3, 8, 8],
          Int32Array.from({ length: 64 }, (_, i) => i % 4),
        ),
        {
          epochs: 1,
          batchSize: 32,
          learningRate: 0.1,
          rng: testRng(2),
          constraint: path.map((c) => [c]),
          replicas: 2,
          replicaModel: { space: 'nb201', supernet: sn.options },
        },
      );
      const after = readSupernetWeights(sn);
      const used = new Set(sn.pathParameters(path));
      const moved = [...sn.parameters.keys()].filter((n) => differs(after.get(n)!, before.get(n)!));
      expect(moved.sort()).toEqual([...used].sort());
    } finally {
      sn.dispose();
    }
  });
});
