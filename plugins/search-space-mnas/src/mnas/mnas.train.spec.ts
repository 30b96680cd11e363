import type { ContributionDefinition, Task } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import cifar10 from '@nasx/task-cifar10';
import mnist from '@nasx/task-mnist';
import { buildNetwork, initTensorBackend, planNetwork, trainNetwork } from '@nasx/tensor';
import { describeWithSharedData, optionsFor, testDeps } from '@nasx/testing';
import { createMnasSearchSpace } from './mnas.search-space';

type TaskDefinition = ContributionDefinition<'task'>;

/** Sampled MnasNet networks for a task's shapes: they build, and one SGD step on real images gives a finite loss. */
async function trainOneStep(task: Task, seed: number): Promise<{ loss: number; params: number; planned: number }> {
  const space = createMnasSearchSpace({ inputShape: [...task.inputShape], numClasses: task.numClasses! });
  const arch = space.sample(createRng(seed));
  const net = buildNetwork(arch, { inputShape: task.inputShape, numClasses: task.numClasses!, seed });
  try {
    const result = await trainNetwork(net, task.splits.train, { steps: 1, batchSize: 8, learningRate: 0.05, rng: createRng(seed) });
    const planned = planNetwork(arch, { inputShape: task.inputShape, numClasses: task.numClasses! }).paramCount;
    return { loss: result.loss, params: net.paramCount, planned };
  } finally {
    net.dispose();
  }
}

describe('sampled mnas networks train on MNIST (1×28×28)', () => {
  let task: Task;
  beforeAll(async () => {
    await initTensorBackend('wasm');
    const def = mnist.contributions[0]! as TaskDefinition;
    task = (await def.create(optionsFor(def, { limit: 100 }), testDeps() as never)) as Task;
    await task.load?.();
  });

  it.each([1, 2, 3])('seed %i: builds for the task, one step gives a finite loss near ln 10', async (seed) => {
    const { loss, params, planned } = await trainOneStep(task, seed);
    expect(params).toBe(planned);
    expect(Number.isFinite(loss)).toBe(true);
    // Untrained logits of 10 classes: cross-entropy around ln 10 ≈ 2.3 (BN keeps them in range).
    expect(loss).toBeGreaterThan(1);
    expect(loss).toBeLessThan(10);
  });
});

describeWithSharedData('sampled mnas networks train on the CIFAR-10 sample (3×32×32)', 'cifar10-sample', (dataRoot) => {
  let task: Task;
  beforeAll(async () => {
    await initTensorBackend('wasm');
    const def = cifar10.contributions[0]! as TaskDefinition;
    task = (await def.create(optionsFor(def, { limit: 100, testLimit: 10 }), testDeps(0, { dataDir: dataRoot }) as never)) as Task;
    await task.load?.();
  });

  it.each([4, 5])('seed %i: builds for the task, one step gives a finite loss', async (seed) => {
    const { loss, params, planned } = await trainOneStep(task, seed);
    expect(params).toBe(planned);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(1);
    expect(loss).toBeLessThan(10);
  });
});
