import * as path from 'node:path';
import { isNasxError, type Batch, type DataSplit } from '@nasx/contracts';
import { closeness, testValues } from '../__fixtures__/backends';
import { nb201Arch } from '../__fixtures__/nb201-data';
import { quadrantSplit } from '../__fixtures__/splits';
import { initTensorBackend } from '../backend/backend';
import { buildNetwork } from '../network/builders';
import type { Network } from '../network/network';
import { trainNetwork, type TrainStepProgress } from '../train/train';
import { createDataParallelTrainer, type DataParallelTrainer } from './data-parallel.trainer';
import { shardOf } from './replica-protocol';

/** NB201 cell with every op kind; the tiny skeleton (C = 4, N = 1) on 3×8×8 inputs, 4 classes. */
const CELL = nb201Arch([3, 2, 1, 4, 3, 1]);
const TINY = { numClasses: 4, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } } as const;
const TWO_HEAD = path.join(__dirname, '..', '__fixtures__', 'two-head.replica-model.js');

/** Every parameter and buffer of a network, by name. */
function valuesOf(net: Network): Map<string, Float32Array> {
  return new Map([...net.parameters, ...net.buffers].map(([name, v]) => [name, v.dataSync() as Float32Array]));
}

/** Largest closeness (≤ 1: equal within abs/rel) over every named value of two networks. */
function worst(a: Map<string, Float32Array>, b: Map<string, Float32Array>, abs: number, rel: number, only?: (name: string) => boolean): number {
  let w = 0;
  for (const [name, v] of a) if (!only || only(name)) w = Math.max(w, closeness(v, b.get(name)!, abs, rel));
  return w;
}

async function train(split: DataSplit, options: { replicas?: number; microBatchSize?: number }) {
  const net = buildNetwork(CELL, { ...TINY, seed: 7 });
  const steps: TrainStepProgress[] = [];
  // 40 samples in batches of 16: two full batches and a last one of 8 (one micro-batch of 8, so
  // with two replicas the second has nothing to do in that step).
  const result = await trainNetwork(net, split, {
    steps: 5,
    batchSize: 16,
    schedule: 'constant',
    learningRate: 0.1,
    onProgress: (p) => p.kind === 'step' && steps.push(p),
    ...options,
  });
  const values = valuesOf(net);
  net.dispose();
  return { result, steps, values };
}

describe('data-parallel training', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('deals a batch’s micro-batches to the replicas in order', () => {
    expect([0, 1].map((k) => shardOf(16, 8, k, 2))).toEqual([[[0, 8]], [[8, 8]]]);
    expect([0, 1].map((k) => shardOf(8, 8, k, 2))).toEqual([[[0, 8]], []]);
    expect([0, 1, 2].map((k) => shardOf(10, 2, k, 3))).toEqual([
      [
        [0, 2],
        [2, 2],
      ],
      [
        [4, 2],
        [6, 2],
      ],
      [[8, 2]],
    ]);
  });

  it('2 replicas equal one thread with the batch split into the same 2 micro-batches (losses, weights, BN statistics)', async () => {
    const split = quadrantSplit(40, 11);
    const reference = await train(split, { microBatchSize: 8 });
    const parallel = await train(split, { replicas: 2 });
    expect(parallel.result.microBatchSize).toBe(8);
    expect(parallel.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    // Losses step for step (each computed before that step's update, so they carry the weights' history).
    expect(
      closeness(
        parallel.steps.map((s) => s.loss),
        reference.steps.map((s) => s.loss),
        1e-5,
        1e-4,
      ),
    ).toBeLessThanOrEqual(1);
    expect(parallel.steps.map((s) => s.accuracy)).toEqual(reference.steps.map((s) => s.accuracy));
    // Every parameter and running statistic after 5 steps, within float32 round-off.
    expect(worst(parallel.values, reference.values, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
    // The reference matters: one pass over the whole batch (full-batch BN statistics) is another
    // training, further from the parallel one than round-off (here in the running variances).
    const fullBatch = await train(split, {});
    expect(worst(parallel.values, fullBatch.values, 1e-5, 1e-4, (n) => n.endsWith('running_var'))).toBeGreaterThan(10);
  }, 60_000);

  it('keeps the replicas bit-identical, also with per-step arguments that leave parameters without a gradient', async () => {
    const dp = await createDataParallelTrainer({
      replicas: 2,
      model: { kind: 'module', module: TWO_HEAD, options: { channels: 3, classes: 4 } },
      sampleShape: [3, 8, 8],
      maxBatchSize: 16,
    });
    try {
      const batches: Batch[] = [];
      for await (const b of quadrantSplit(48, 3).batches({ batchSize: 16 })) batches.push(b);
      const before = await dp.readWeights();
      await dp.step(batches[0]!, { learningRate: 0.1, args: { head: 'a' } });
      const afterA = await dp.readWeights();
      // Head b had no gradient in that step: SGD left it alone (as PyTorch skips a None .grad).
      expect(afterA.get('b.weight')).toEqual(before.get('b.weight'));
      expect(afterA.get('a.weight')).not.toEqual(before.get('a.weight'));
      await dp.step(batches[1]!, { learningRate: 0.1, args: { head: 'b' } });
      const r = await dp.step(batches[2]!, { learningRate: 0.05, args: { head: 'a' } });
      expect(r.n).toBe(16);
      expect(r.microBatchSize).toBe(8);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.replicaMs).toHaveLength(2);
      for (const t of r.replicaMs) for (const v of [t.compute, t.wait, t.sync]) expect(v).toBeGreaterThanOrEqual(0);
      const [first, second] = await dp.replicaStates();
      expect(first!.length).toBe(dp.layout.values);
      expect(Array.from(second!)).toEqual(Array.from(first!));
    } finally {
      await dp.dispose();
    }
  }, 30_000);

  it('starts every replica from the given weights and rejects weights of another model', async () => {
    const dp = await createDataParallelTrainer({
      replicas: 2,
      model: { kind: 'module', module: TWO_HEAD, options: { channels: 3, classes: 4 } },
      sampleShape: [3, 8, 8],
      maxBatchSize: 4,
      initialWeights: new Map([['a.bias', [1, 2, 3, 4]]]),
    });
    try {
      const [first, second] = await dp.replicaStates();
      const bias = dp.layout.parameters.find((e) => e.name === 'a.bias')!;
      expect(Array.from(first!.subarray(bias.offset, bias.offset + 4))).toEqual([1, 2, 3, 4]);
      expect(Array.from(second!)).toEqual(Array.from(first!));
      await expect(dp.writeWeights(new Map([['a.bias', [1, 2]]]))).rejects.toMatchObject({ kind: 'usage', message: expect.stringContaining('2 values') });
      await expect(dp.writeWeights(new Map([['c.bias', [1]]]))).rejects.toMatchObject({ kind: 'usage' });
    } finally {
      await dp.dispose();
    }
  }, 30_000);

  it('refuses a batch that does not fit the replicas’ model with a data error naming the shapes', async () => {
    const dp = await createDataParallelTrainer({
      replicas: 2,
      model: { kind: 'module', module: TWO_HEAD, options: { channels: 3, classes: 4 } },
      sampleShape: [3, 8, 8],
      maxBatchSize: 4,
    });
    try {
      const wrong: Batch = {
        x: { data: testValues(2 * 3 * 4 * 4), shape: [2, 3, 4, 4], dtype: 'float32' },
        y: { data: Int32Array.from([0, 1]), shape: [2], dtype: 'int32' },
      };
      await expect(dp.step(wrong, { learningRate: 0.1 })).rejects.toMatchObject({
        kind: 'data',
        message: expect.stringContaining('[2, 3, 4, 4]'),
        fix: expect.stringContaining('[N, 3, 8, 8]'),
      });
      const tooMany: Batch = {
        x: { data: testValues(5 * 192), shape: [5, 3, 8, 8], dtype: 'float32' },
        y: { data: new Int32Array(5), shape: [5], dtype: 'int32' },
      };
      await expect(dp.step(tooMany, { learningRate: 0.1 })).rejects.toMatchObject({ kind: 'data', message: expect.stringContaining('5 samples') });
    } finally {
      await dp.dispose();
    }
  }, 30_000);

  it.each(['throw', 'exit'] as const)(
    'a replica that fails (%s) fails the step with a NasxError and stops every replica',
    async (how) => {
      const dp: DataParallelTrainer = await createDataParallelTrainer({
        replicas: 2,
        model: { kind: 'module', module: TWO_HEAD, options: { channels: 3, classes: 4, failAt: 2, failReplica: 1, failHow: how } },
        sampleShape: [3, 8, 8],
        maxBatchSize: 16,
      });
      try {
        const batches: Batch[] = [];
        for await (const b of quadrantSplit(32, 5).batches({ batchSize: 16 })) batches.push(b);
        await dp.step(batches[0]!, { learningRate: 0.1 });
        const failure = await dp.step(batches[1]!, { learningRate: 0.1 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isNasxError(failure)).toBe(true);
        expect(failure).toMatchObject({ kind: 'run', message: expect.stringContaining('replica 1') });
        if (how === 'throw') expect((failure as Error).message).toContain('test fault in forward pass 2');
        else expect((failure as Error).message).toContain('exited (code 3)');
        // The trainer is finished: later calls get the same error instead of hanging.
        await expect(dp.step(batches[0]!, { learningRate: 0.1 })).rejects.toBe(failure);
      } finally {
        await dp.dispose();
      }
    },
    30_000,
  );

  it('a step in flight when the trainer is disposed rejects instead of hanging', async () => {
    const dp = await createDataParallelTrainer({
      replicas: 2,
      model: { kind: 'module', module: TWO_HEAD, options: { channels: 3, classes: 4 } },
      sampleShape: [3, 8, 8],
      maxBatchSize: 16,
    });
    const batch: Batch = {
      x: { data: testValues(16 * 192), shape: [16, 3, 8, 8], dtype: 'float32' },
      y: { data: new Int32Array(16), shape: [16], dtype: 'int32' },
    };
    const step = dp.step(batch, { learningRate: 0.1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await dp.dispose();
    expect(await step).toMatchObject({ kind: 'usage', message: expect.stringContaining('disposed') });
    await expect(dp.step(batch, { learningRate: 0.1 })).rejects.toMatchObject({ kind: 'usage' });
  }, 30_000);

  it('says when a replica model module cannot be loaded', async () => {
    await expect(
      createDataParallelTrainer({
        replicas: 2,
        model: { kind: 'module', module: path.join(__dirname, 'missing.js'), options: {} },
        sampleShape: [3, 8, 8],
        maxBatchSize: 4,
      }),
    ).rejects.toMatchObject({ kind: 'usage', message: expect.stringContaining('could not be loaded'), fix: expect.stringContaining('createReplicaModel') });
  }, 30_000);
});
