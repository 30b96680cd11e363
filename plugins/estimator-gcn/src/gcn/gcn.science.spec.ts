import { createRng } from '@nasx/kernel';
import { heldOutSplit, predictorVersusRidge, type PredictorEstimator } from '@nasx/predictors';
import { createNb101SearchSpace } from '@nasx/search-space-nb101';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { LABELLED_TABLES, describeRankingScience, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { gcnEstimator, type GcnOptions } from './gcn.estimator';

// Wen et al. 2020 (Fig. 3, Table 1) show the GCN predictor ranking NAS-Bench-101 architectures far
// better than simpler regressors from a few hundred samples. Fitted with its default options, it
// must rank 1,000 held-out cells (none isomorphic to a training cell) better than ridge regression
// on the one-hot encoding: on NAS-Bench-201 from 200 cells, on NAS-Bench-101 from 424 (ReNAS's
// 0.1 %). tools/bench/predictors measures 25–424 cells over several seeds.
describeRankingScience(
  'gcn',
  'ridge regression',
  [
    { table: LABELLED_TABLES.nb201, space: () => createNb201SearchSpace(), train: 200, test: 1000, floor: 0.6 },
    { table: LABELLED_TABLES.nb101, space: () => createNb101SearchSpace({ loadIndex: true }), train: 424, test: 1000, floor: 0.65 },
  ],
  async (space, cells, c) => {
    const { train, test } = heldOutSplit(cells, c, createRng(2024));
    const predictor = (await gcnEstimator.create(validatedOptions(gcnEstimator.optionsSchema, { seed: 0 }), {
      ...testDeps(),
      space,
      latencyModels: [],
      estimators: {},
    })) as PredictorEstimator<GcnOptions>;
    const r = await predictorVersusRidge(predictor, space, train, test, testEstimateContext());
    predictor.dispose();
    return { ours: r.predictor, baseline: r.ridge };
  },
);
