import * as path from 'node:path';
import type { Architecture, SearchSpace, Task } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import mnist from '@nasx/task-mnist';
import { describeEstimatorContract, describePluginPackage, testDeps, testEstimateContext } from '@nasx/testing';
import plugin, { flopsEstimator, naswotEstimator, paramsEstimator, snipEstimator, synflowEstimator } from './index';

const space = async (): Promise<SearchSpace> => (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
// Small and fast: 200 MNIST digits, batches of 8 (the proxies' defaults are 64 and 128).
const task = async (): Promise<Task> => {
  const t = (await mnist.contributions[0]!.create({ limit: 200 }, testDeps() as never)) as Task;
  await t.load?.();
  return t;
};

describePluginPackage(path.resolve(__dirname, '..'), plugin);

describe('zero-cost estimators', () => {
  let s: SearchSpace;
  let t: Task;
  beforeAll(async () => {
    s = await space();
    t = await task();
  });
  const deps = () => ({ ...testDeps(), space: s, task: t, latencyModels: [], estimators: {} });
  const BIG = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
  const EMPTY = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

  it('report params and flops of the built network (NB201 counts for a 1-channel 28×28 input)', async () => {
    const e = await naswotEstimator.create({ batchSize: 8 }, deps());
    const r = await e.estimate(s.parse(BIG), testEstimateContext());
    expect(r.metrics['params']).toBeCloseTo((await (await paramsEstimator.create({}, deps())).estimate(s.parse(BIG), testEstimateContext())).metrics['params'] as number, 12);
    expect(r.metrics['flops']).toBeGreaterThan(0);
    expect(Number.isFinite(r.metrics['naswot'])).toBe(true);
    await e.dispose?.();
  });

  it('NASWOT ranks a cell with convolutions above the all-none cell (its codes cannot separate inputs)', async () => {
    const e = await naswotEstimator.create({ batchSize: 8 }, deps());
    const big = (await e.estimate(s.parse(BIG), testEstimateContext(1))).metrics['naswot'] as number;
    const empty = (await e.estimate(s.parse(EMPTY), testEstimateContext(1))).metrics['naswot'] as number;
    expect(big).toBeGreaterThan(empty);
    await e.dispose?.();
  });

  it('SynFlow does not look at the data and is deterministic per seed', async () => {
    const e = await synflowEstimator.create({}, deps());
    const a = await e.estimate(s.parse(BIG), testEstimateContext(3));
    const b = await e.estimate(s.parse(BIG), testEstimateContext(3));
    expect(a.metrics['synflow']).toBe(b.metrics['synflow']);
    expect(Number.isFinite(a.metrics['synflow'])).toBe(true);
  });

  it('gradient proxies give zero credit to weights no path uses (none edges), instead of failing', async () => {
    const e = await snipEstimator.create({ batchSize: 8 }, deps());
    const r = await e.estimate(s.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|'), testEstimateContext());
    expect(r.metrics['snip']).toBe(0); // node 3 gets nothing: the cell outputs zeros, no weight affects the loss through it
    await e.dispose?.();
  });

  it('refuse a run without a task, and architectures of another space', async () => {
    expect(() => naswotEstimator.create({}, { ...deps(), task: undefined })).toThrow(/has no task/);
    const e = await flopsEstimator.create({}, deps());
    await expect(e.estimate({ space: 'darts', genotype: null, key: 'x' } as Architecture, testEstimateContext())).rejects.toMatchObject({ kind: 'architecture' });
  });
});

describeEstimatorContract(paramsEstimator, { space, deterministic: true });
describeEstimatorContract(naswotEstimator, { space, options: { batchSize: 8 }, deps: async () => ({ task: await task() }), samples: 3 });
