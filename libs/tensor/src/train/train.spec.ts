import { isNasxError, type Batch } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { describeWithSharedData } from '@nasx/testing';
import { testValues } from '../__fixtures__/backends';
import { nb201Arch } from '../__fixtures__/nb201-data';
import { arraySplit, cifar10SampleSplit, quadrantSplit } from '../__fixtures__/splits';
import { initTensorBackend } from '../backend/backend';
import { buildNetwork } from '../network/builders';
import type { Network } from '../network/network';
import { tf } from '../tf';
import { toTensors } from './batch-tensors';
import { learningRateAt } from './lr-schedule';
import { SgdOptimizer } from './sgd.optimizer';
import { evaluateNetwork, microBatchSizeFor, trainNetwork, type TrainProgress } from './train';

/** NB201 cell with every op kind; the tiny skeleton (C = 4, N = 1) on 3×8×8 inputs, 4 classes. */
const CELL = nb201Arch([3, 2, 1, 4, 3, 1]);
const TINY = { numClasses: 4, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } } as const;

describe('training', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  describe('toTensors (Batch → tensors)', () => {
    it('keeps float32 NCHW data, casts uint8 images and labels, and checks shapes', () => {
      const batch: Batch = {
        x: { data: Uint8Array.from([0, 255, 7, 8]), shape: [2, 1, 1, 2], dtype: 'uint8' },
        y: { data: Uint8Array.from([3, 1]), shape: [2, 1], dtype: 'uint8' },
      };
      const { x, y } = toTensors(batch);
      expect([x.dtype, x.shape, Array.from(x.dataSync())]).toEqual(['float32', [2, 1, 1, 2], [0, 255, 7, 8]]);
      expect([y.dtype, y.shape, Array.from(y.dataSync())]).toEqual(['int32', [2], [3, 1]]);
      tf.dispose([x, y]);
      const bad: Batch = { x: { data: new Float32Array(6), shape: [2, 3], dtype: 'float32' }, y: batch.y };
      expect(() => toTensors(bad)).toThrow(expect.objectContaining({ kind: 'data', fix: expect.stringContaining('[N, C, H, W]') }));
    });
  });

  describe('SGD and schedule', () => {
    it('follows torch.optim.SGD (Nesterov, weight decay, momentum buffer starting at the first gradient)', () => {
      const w = tf.variable(tf.scalar(1));
      const sgd = new SgdOptimizer(new Map([['w', w]]), { momentum: 0.9, nesterov: true, weightDecay: 0.1 });
      const g = tf.scalar(0.5);
      sgd.step(new Map([['w', g]]), 0.1);
      // g' = 0.5 + 0.1·1 = 0.6; b = 0.6; d = 0.6 + 0.9·0.6 = 1.14; w = 1 − 0.114
      expect(w.dataSync()[0]).toBeCloseTo(0.886, 6);
      sgd.step(new Map([['w', g]]), 0.1);
      // g' = 0.5886; b = 0.54 + 0.5886 = 1.1286; d = 0.5886 + 1.01574 = 1.60434; w = 0.886 − 0.160434
      expect(w.dataSync()[0]).toBeCloseTo(0.725566, 6);
      sgd.dispose();
      tf.dispose([w, g]);
    });

    it('cosine learning rate goes from the base to the minimum over the steps (NB201: per iteration)', () => {
      expect([0, 50, 100].map((s) => learningRateAt('cosine', s, 100, 0.1))).toEqual([0.1, expect.closeTo(0.05, 12), 0]);
      expect(learningRateAt('cosine', 25, 100, 0.1, 0.02)).toBeCloseTo(0.02 + (0.08 * (1 + Math.SQRT1_2)) / 2, 12);
      expect(learningRateAt('constant', 60, 100, 0.1)).toBe(0.1);
    });
  });

  describe('trainNetwork', () => {
    let net: Network;
    beforeEach(() => {
      net = buildNetwork(CELL, { ...TINY, seed: 1 });
    });
    afterEach(() => net.dispose());

    it('learns a small synthetic problem well above chance in a few dozen steps', async () => {
      const before = await evaluateNetwork(net, quadrantSplit(128, 2), { batchSize: 64 });
      const steps: TrainProgress[] = [];
      const result = await trainNetwork(net, quadrantSplit(256, 1), {
        epochs: 5,
        batchSize: 32,
        learningRate: 0.05,
        rng: createRng(3),
        validation: { split: quadrantSplit(128, 2), batchSize: 64 },
        onProgress: (p) => steps.push(p),
      });
      expect(result).toMatchObject({ steps: 40, epochs: 5, samples: 1280 });
      expect(steps.filter((p) => p.kind === 'step')).toHaveLength(40);
      expect(steps.filter((p) => p.kind === 'epoch').map((p) => p.epoch)).toEqual([0, 1, 2, 3, 4]);
      // Chance is 25%; an untrained network is near it.
      expect(before.accuracy).toBeLessThan(50);
      expect(result.validation!.accuracy).toBeGreaterThan(80);
      expect(result.validation!.loss).toBeLessThan(before.loss);
    });

    it('leaks no tensors: the live tensor count is the same after N and after 2N steps, and back to the start after training', async () => {
      const start = tf.memory().numTensors;
      const counts = new Map<number, number>();
      await trainNetwork(net, quadrantSplit(64, 4), {
        steps: 12,
        batchSize: 16,
        microBatchSize: 8,
        rng: createRng(5),
        onProgress: (p) => p.kind === 'step' && counts.set(p.step, tf.memory().numTensors),
      });
      expect(counts.get(6)).toBe(counts.get(12));
      expect(counts.get(3)).toBe(counts.get(6));
      expect(tf.memory().numTensors).toBe(start);
      await trainNetwork(net, quadrantSplit(64, 4), { steps: 24, batchSize: 16 });
      expect(tf.memory().numTensors).toBe(start);
    });

    it('keeps live tensors and their bytes the same from epoch to epoch when it evaluates after every epoch (the 10-epoch memory run of vs-torch.bench.cjs)', async () => {
      const start = tf.memory();
      const perEpoch: { tensors: number; bytes: number }[] = [];
      await trainNetwork(net, quadrantSplit(48, 4), {
        epochs: 4,
        batchSize: 16,
        rng: createRng(2),
        validation: { split: quadrantSplit(32, 5), batchSize: 16 },
        onProgress: (p) => p.kind === 'epoch' && perEpoch.push({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes }),
      });
      expect(perEpoch).toHaveLength(4);
      // The momentum buffers are the only tensors training adds, one per parameter, from the first step on.
      expect(perEpoch[0]!.tensors).toBe(start.numTensors + net.parameters.size);
      expect(new Set(perEpoch.map((e) => `${e.tensors}/${e.bytes}`)).size).toBe(1);
      expect(tf.memory().numTensors).toBe(start.numTensors);
      expect(tf.memory().numBytes).toBe(start.numBytes);
      await evaluateNetwork(net, quadrantSplit(32, 5), { batchSize: 16 });
      expect(tf.memory().numTensors).toBe(start.numTensors);
    });

    it('is reproducible: the same network seed and shuffling seed give the same losses', async () => {
      const losses = async (): Promise<number[]> => {
        const n = buildNetwork(CELL, { ...TINY, seed: 9 });
        const out: number[] = [];
        await trainNetwork(n, quadrantSplit(64, 6), { steps: 6, batchSize: 16, rng: createRng(7), onProgress: (p) => p.kind === 'step' && out.push(p.loss) });
        n.dispose();
        return out;
      };
      const a = await losses();
      expect(await losses()).toEqual(a);
      expect(new Set(a).size).toBeGreaterThan(1);
    });

    it('micro-batches accumulate to the full-batch gradient (a batch of duplicates has equal micro-batch BN statistics)', async () => {
      const one = testValues(2 * 192, 8);
      const x = new Float32Array(4 * 192);
      x.set(one, 0);
      x.set(one, 2 * 192);
      const split = arraySplit(x, [3, 8, 8], Int32Array.from([0, 2, 0, 2]));
      const after = async (microBatchSize: number): Promise<Float32Array> => {
        const n = buildNetwork(CELL, { ...TINY, seed: 2 });
        await trainNetwork(n, split, { steps: 1, batchSize: 4, microBatchSize });
        const flat = tf.tidy(() => tf.concat([...n.parameters.values()].map((v) => tf.reshape(v, [-1]))).dataSync() as Float32Array);
        n.dispose();
        return flat;
      };
      const whole = await after(4);
      const halves = await after(2);
      const initial = tf.tidy(() => tf.concat([...net.parameters.values()].map((v) => tf.reshape(v, [-1]))).dataSync());
      expect(whole).not.toEqual(initial);
      let worst = 0;
      for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - halves[i]!));
      expect(worst).toBeLessThan(1e-5);
    });

    it('stops when the signal is aborted, rejecting with its reason and leaving no tensors behind', async () => {
      const start = tf.memory().numTensors;
      const controller = new AbortController();
      const seen: number[] = [];
      const run = trainNetwork(net, quadrantSplit(64, 4), {
        epochs: 10,
        batchSize: 8,
        microBatchSize: 4,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.kind !== 'step') return;
          seen.push(p.step);
          if (p.step === 3) controller.abort(new Error('stop requested'));
        },
      });
      await expect(run).rejects.toThrow('stop requested');
      expect(seen).toEqual([1, 2, 3]);
      expect(tf.memory().numTensors).toBe(start);
    });

    it('validates its options with fixes', async () => {
      const error = await trainNetwork(net, quadrantSplit(8, 1), { batchSize: 0 }).catch((e: unknown) => e);
      expect(isNasxError(error) && error.kind === 'usage').toBe(true);
      const empty = await trainNetwork(net, arraySplit(new Float32Array(0), [3, 8, 8], new Int32Array(0))).catch((e: unknown) => e);
      expect(isNasxError(empty) && empty.kind === 'data').toBe(true);
    });
  });

  it('sizes micro-batches from the plan’s memory estimate and the wasm memory budget', () => {
    const full = buildNetwork(nb201Arch([3, 3, 3, 3, 3, 3]), { numClasses: 10, inputShape: [3, 32, 32] });
    try {
      const wasm = { name: 'wasm', tfBackend: 'wasm', source: 'auto', skipped: [] } as const;
      const perSample = full.plan.trainingBytesPerSample;
      expect(microBatchSizeFor(full.plan, 256, wasm, { memoryBudgetBytes: 10 * perSample })).toBe(10);
      expect(microBatchSizeFor(full.plan, 256, wasm, { microBatchSize: 32 })).toBe(32);
      expect(microBatchSizeFor(full.plan, 256, { ...wasm, name: 'cpu', tfBackend: 'cpu' })).toBe(256);
      expect(microBatchSizeFor(full.plan, 256, wasm)).toBeGreaterThanOrEqual(16);
    } finally {
      full.dispose();
    }
  });

  describeWithSharedData('on real data', 'cifar10-sample', (dataDir) => {
    it('a small NB201 network trained 48 steps on 256 CIFAR-10 images beats chance (10%) on them and on 500 test images', async () => {
      // Images averaged to 16×16 (ImageNet16-120's size) to keep the test fast.
      const train = cifar10SampleSplit(dataDir, 'train', 256, 16);
      const test = cifar10SampleSplit(dataDir, 'test', 500, 16);
      const net = buildNetwork(nb201Arch([3, 3, 1, 1, 3, 3]), { numClasses: 10, inputShape: [3, 16, 16], seed: 0, macro: { channels: 8, cellsPerStage: 1 } });
      try {
        const result = await trainNetwork(net, train, { epochs: 6, batchSize: 32, learningRate: 0.05, rng: createRng(1) });
        expect(result.steps).toBe(48);
        expect((await evaluateNetwork(net, train, { batchSize: 128 })).accuracy).toBeGreaterThan(30); // measured 44.5
        expect((await evaluateNetwork(net, test, { batchSize: 250 })).accuracy).toBeGreaterThan(18); // measured 28.2
      } finally {
        net.dispose();
      }
    });
  });
});
