import { createRng } from '@nasx/kernel';
import { heldOutSplit, predictorVersusRidge, type PredictorEstimator } from '@nasx/predictors';
import { createNb101SearchSpace } from '@nasx/search-space-nb101';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { LABELLED_TABLES, describeRankingScience, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { renasEstimator, type RenasOptions } from './renas.estimator';

// Xu et al. 2021 (Sec. 4.1) learn an accurate ranking of NAS-Bench-101 from 424 labelled
// architectures (0.1 % of the space; Kendall τ 0.657). Fitted with its default options, it must
// rank 1,000 held-out cells (none isomorphic to a training cell) better than ridge regression on
// the one-hot encoding: on NAS-Bench-201 from 200 cells, on NAS-Bench-101 from 424.
// tools/bench/predictors measures 25–424 cells over several seeds.
describeRankingScience(
  'renas',
  'ridge regression',
  [
    { table: LABELLED_TABLES.nb201, space: () => createNb201SearchSpace(), train: 200, test: 1000, floor: 0.55 },
    { table: LABELLED_TABLES.nb101, space: () => createNb101SearchSpace({ loadIndex: true }), train: 424, test: 1000, floor: 0.5 },
  ],
  async (space, cells, c) => {
    const { train, test } = heldOutSplit(cells, c, createRng(2024));
    const predictor = (await renasEstimator.create(validatedOptions(renasEstimator.optionsSchema, { seed: 0 }), {
      ...testDeps(),
      space,
      latencyModels: [],
      estimators: {},
    })) as PredictorEstimator<RenasOptions>;
    const r = await predictorVersusRidge(predictor, space, train, test, testEstimateContext());
    predictor.dispose();
    return { ours: r.predictor, baseline: r.ridge };
  },
);
