import type { SearchSpace, Task } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import mnist from '@nasx/task-mnist';
import { optionsFor, testDeps, testEstimateContext } from '@nasx/testing';
import { initTensorBackend, tf, wasmHeapBytes } from '@nasx/tensor';
import { naswotEstimator } from './naswot.estimator';

// Memory of NASWOT v1 (the input-Jacobian score) over repeated estimates, watched where a worker
// thread dies of it: the wasm heap, which tf.memory() does not see.
describe('NASWOT v1 memory', () => {
  let space: SearchSpace;
  let task: Task;
  beforeAll(async () => {
    await initTensorBackend('wasm');
    space = (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
    task = (await mnist.contributions[0]!.create({ limit: 200 }, testDeps() as never)) as Task;
    await task.load?.();
  });

  it('keeps the wasm heap at the high-water mark of one pass over the cells: later passes add nothing', async () => {
    const e = await naswotEstimator.create(optionsFor(naswotEstimator, { version: 'v1', batchSize: 8 }), {
      ...testDeps(),
      space,
      task,
      latencyModels: [],
      estimators: {},
    });
    const cells = [
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
      '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|',
      '|skip_connect~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|',
    ].map((c) => space.parse(c));
    const pass = async (trial: number): Promise<void> => {
      for (const [i, arch] of cells.entries()) await e.estimate(arch, testEstimateContext(trial * cells.length + i));
    };
    await pass(0);
    await pass(1); // the allocator settles on its layout for these shapes
    const tensors = tf.memory().numTensors;
    const heap = wasmHeapBytes() as number;
    expect(heap).toBeGreaterThan(0);
    for (let p = 2; p < 5; p++) await pass(p);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmHeapBytes()).toBe(heap);
    await e.dispose?.();
  }, 300_000);

  it('refuses a network whose full-batch Jacobian cannot fit in the wasm heap, with the fix, before allocating it', async () => {
    // All-3×3-conv cell on 28×28 MNIST: ~34 MiB per sample, ~4.3 GiB at 128. Measured on CIFAR-10, a
    // network estimated this large either aborts the module or leaves its heap at the 4 GiB ceiling,
    // where the thread's next estimate aborts it.
    const e = await naswotEstimator.create(optionsFor(naswotEstimator, { version: 'v1', batchSize: 128 }), {
      ...testDeps(),
      space,
      task,
      latencyModels: [],
      estimators: {},
    });
    const big = space.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|');
    const before = wasmHeapBytes() as number;
    await expect(e.estimate(big, testEstimateContext(0))).rejects.toMatchObject({
      name: 'NasxError',
      kind: 'config',
      message: expect.stringMatching(/NASWOT v1 needs about 4\.\d GiB of tensor memory .* at batchSize 128, more than the wasm backend's 4\.0 GiB heap/),
      fix: expect.stringMatching(/lower estimator\.options\.batchSize to 1[0-2]\d or less/),
    });
    expect(wasmHeapBytes()).toBeLessThan(before + 256 * 1024 ** 2); // the batch itself, not the network's peak
    // The thread is still usable: the same cell scores at a batch that fits.
    const small = await naswotEstimator.create(optionsFor(naswotEstimator, { version: 'v1', batchSize: 8 }), {
      ...testDeps(),
      space,
      task,
      latencyModels: [],
      estimators: {},
    });
    expect(Number.isFinite((await small.estimate(big, testEstimateContext(1))).metrics['naswot'])).toBe(true);
    await e.dispose?.();
    await small.dispose?.();
  }, 300_000);
});
