import type { Architecture } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { RidgeBaseline, archsOf, heldOutSplit, rankingQuality } from '@nasx/predictors';
import { createNb101SearchSpace } from '@nasx/search-space-nb101';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { LABELLED_TABLES, describeRankingScience, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { ctnasEstimator, type CtnasEstimator } from './ctnas.estimator';

// CTNAS (Chen et al., CVPR 2021, Sec. 3.2 and Table 1) learns a comparator from a few hundred
// labelled architectures that ranks better than regressing their accuracy. Fitted with its default
// options (on NAS-Bench-201 from 200 cells, on NAS-Bench-101 from 424), the NAC must order held-out
// pairs (none of the cells isomorphic to a training cell) more often correctly than ridge
// regression on the one-hot encoding, and its estimate (mean probability of beating the reference
// set) must rank 1,000 held-out cells better than ridge.
describeRankingScience(
  'ctnas (NAC)',
  'ridge regression',
  [
    { table: LABELLED_TABLES.nb201, space: () => createNb201SearchSpace(), train: 200, test: 1000, floor: 0.6 },
    { table: LABELLED_TABLES.nb101, space: () => createNb101SearchSpace({ loadIndex: true }), train: 424, test: 1000, floor: 0.6 },
  ],
  async (space, cells, c) => {
    const { train, test } = heldOutSplit(cells, c, createRng(2024));
    const nac = (await ctnasEstimator.create(validatedOptions(ctnasEstimator.optionsSchema, { seed: 0 }), {
      ...testDeps(),
      space,
      latencyModels: [],
      estimators: {},
    })) as CtnasEstimator;
    await nac.fit(train, testEstimateContext());
    const ridge = new RidgeBaseline(space, { lambda: 1 });
    ridge.fit(train);
    const ridgeScores = ridge.predict(archsOf(test));
    // Held-out pairs: consecutive test cells (500 pairs), ties skipped.
    const first: Architecture[] = [];
    const second: Architecture[] = [];
    const truth: boolean[] = [];
    const ridgeSays: boolean[] = [];
    for (let i = 0; i + 1 < test.length; i += 2) {
      const [x, y] = [test[i]!, test[i + 1]!];
      if (x.value === y.value) continue;
      first.push(x.arch);
      second.push(y.arch);
      truth.push(x.value > y.value);
      ridgeSays.push(ridgeScores[i]! > ridgeScores[i + 1]!);
    }
    const p = nac.compareMany(first, second);
    const accuracy = (says: ArrayLike<boolean>) => truth.filter((t, k) => t === says[k]).length / truth.length;
    const nacAccuracy = accuracy(Array.from(p, (v) => v > 0.5));
    const ridgeAccuracy = accuracy(ridgeSays);

    const scores = (await nac.estimateMany(archsOf(test), testEstimateContext())).map((r) => r.metrics['ctnas'] as number);
    const nacTau = rankingQuality(scores, test).kendallTau;
    const ridgeTau = rankingQuality(ridgeScores, test).kendallTau;
    nac.dispose();
    if (process.env['PREDICTOR_DEBUG']) console.log(`ctnas pairwise ${nacAccuracy.toFixed(3)} (ridge ${ridgeAccuracy.toFixed(3)}) on ${truth.length} pairs`);
    expect(nacAccuracy).toBeGreaterThan(ridgeAccuracy);
    expect(nacAccuracy).toBeGreaterThan(0.75);
    return { ours: nacTau, baseline: ridgeTau };
  },
);
