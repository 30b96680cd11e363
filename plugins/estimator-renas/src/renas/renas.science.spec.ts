import * as path from 'node:path';
import type { LabelledArchitecture } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { heldOutSplit, predictorVersusRidge, type PredictorEstimator } from '@nasx/predictors';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { describeWithSharedData, readLabelledArchitectures, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { renasEstimator, type RenasOptions } from './renas.estimator';

// Xu et al. 2021 (Sec. 4.1) learn an accurate ranking of NAS-Bench-101 from 424 labelled
// architectures (0.1 % of the space). Here, on NAS-Bench-201: fitted with its default options on 200
// cells labelled with their CIFAR-10 test accuracy (200 epochs), it must rank 1,000 held-out cells
// (none isomorphic to a training cell) better than ridge regression on the one-hot encoding.
// tools/bench/predictors measures it for 25–424 cells and 3 seeds.
describeWithSharedData('renas ranks NAS-Bench-201 cells better than ridge regression (CIFAR-10, 200 training cells)', 'nas-bench-201', (dataDir) => {
  const space = createNb201SearchSpace();
  let train: LabelledArchitecture[];
  let test: LabelledArchitecture[];

  beforeAll(() => {
    const cells = readLabelledArchitectures(path.join(dataDir, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz'), (t) => space.parse(t), { arch: 'arch_str', value: 'cifar10_test_acc' });
    ({ train, test } = heldOutSplit(cells, { train: 200, test: 1000 }, createRng(2024)));
  });

  it('Kendall τ on 1,000 held-out cells: renas > ridge (and > 0.55)', async () => {
    const predictor = (await renasEstimator.create(validatedOptions(renasEstimator.optionsSchema, { seed: 0 }), { ...testDeps(), space, latencyModels: [], estimators: {} })) as PredictorEstimator<RenasOptions>;
    const { predictor: ours, ridge: baseline } = await predictorVersusRidge(predictor, space, train, test, testEstimateContext());
    predictor.dispose();
    if (process.env['PREDICTOR_DEBUG']) console.log(`renas τ ${ours.toFixed(3)}, ridge τ ${baseline.toFixed(3)}`);
    expect(ours).toBeGreaterThan(baseline);
    expect(ours).toBeGreaterThan(0.55);
  });
});
