import * as path from 'node:path';
import type { LabelledArchitecture } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { heldOutSplit, predictorVersusRidge, type PredictorEstimator } from '@nasx/predictors';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { describeWithSharedData, readLabelledArchitectures, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { gcnEstimator, type GcnOptions } from './gcn.estimator';

// Wen et al. 2020 (Fig. 3, Table 1) show the GCN predictor ranking NAS-Bench-101 architectures far
// better than simpler regressors from a few hundred samples. Here, on NAS-Bench-201: fitted with
// its default options on 200 cells labelled with their CIFAR-10 test accuracy (200 epochs), it must
// rank 1,000 held-out cells (none isomorphic to a training cell) better than ridge regression on the
// one-hot encoding. tools/bench/predictors measures it for 25–424 cells and 3 seeds.
describeWithSharedData('gcn ranks NAS-Bench-201 cells better than ridge regression (CIFAR-10, 200 training cells)', 'nas-bench-201', (dataDir) => {
  const space = createNb201SearchSpace();
  let train: LabelledArchitecture[];
  let test: LabelledArchitecture[];

  beforeAll(() => {
    const cells = readLabelledArchitectures(path.join(dataDir, 'nas-bench-201', 'nb201_test_acc_200ep_nats.csv.gz'), (t) => space.parse(t), { arch: 'arch_str', value: 'cifar10_test_acc' });
    ({ train, test } = heldOutSplit(cells, { train: 200, test: 1000 }, createRng(2024)));
  });

  it('Kendall τ on 1,000 held-out cells: gcn > ridge (and > 0.6)', async () => {
    const predictor = (await gcnEstimator.create(validatedOptions(gcnEstimator.optionsSchema, { seed: 0 }), { ...testDeps(), space, latencyModels: [], estimators: {} })) as PredictorEstimator<GcnOptions>;
    const { predictor: ours, ridge: baseline } = await predictorVersusRidge(predictor, space, train, test, testEstimateContext());
    predictor.dispose();
    if (process.env['PREDICTOR_DEBUG']) console.log(`gcn τ ${ours.toFixed(3)}, ridge τ ${baseline.toFixed(3)}`);
    expect(ours).toBeGreaterThan(baseline);
    expect(ours).toBeGreaterThan(0.6);
  });
});
