import * as path from 'node:path';
import { createRng } from '@nasx/kernel';
import nb201Plugin from '@nasx/search-space-nb201';
import { describeEstimatorContract, describePluginPackage, testDeps, testEstimateContext } from '@nasx/testing';
import plugin, { syntheticEstimator } from './index';

const nb201 = async () => {
  const def = nb201Plugin.contributions.find((c) => c.kind === 'search-space' && c.id === 'nb201');
  return (await def!.create({}, testDeps() as never)) as import('@nasx/contracts').SearchSpace;
};

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeEstimatorContract(syntheticEstimator, { deterministic: true });
describeEstimatorContract(syntheticEstimator, { deterministic: true, space: nb201 });

describe('synthetic landscape on NB201', () => {
  it('ranks a convolution-rich cell above a pooling cell above a disconnected cell', async () => {
    const space = await nb201();
    const est = await syntheticEstimator.create({ noise: 0, seed: 0 }, { ...testDeps(), space, latencyModels: [], estimators: {} });
    const score = async (s: string) => (await est.estimate(space.parse(s), testEstimateContext())).metrics['synthetic'] as number;
    const conv = await score('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|');
    const pool = await score('|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|');
    const cut = await score('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
    expect(conv).toBeGreaterThan(pool);
    expect(pool).toBeGreaterThan(cut);
  });

  it('gives a landscape with spread (not a constant) over random cells', async () => {
    const space = await nb201();
    const est = await syntheticEstimator.create({ noise: 1, seed: 0 }, { ...testDeps(), space, latencyModels: [], estimators: {} });
    const rng = createRng(1);
    const values = await Promise.all(
      Array.from({ length: 200 }, () => est.estimate(space.sample(rng), testEstimateContext()).then((e) => e.metrics['synthetic'] as number)),
    );
    const distinct = new Set(values.map((v) => v.toFixed(6))).size;
    expect(distinct).toBeGreaterThan(150);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(20);
  });
});
