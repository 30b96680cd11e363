import * as path from 'node:path';
import { describeEstimatorContract, describePluginPackage, testDeps, toyEstimator } from '@nasx/testing';
import plugin, { ctnasEstimator } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);

// The contract suite calls prepare() before estimating: the comparator labels 30 toy architectures
// with the toy estimator (a named estimator of the run) and fits itself on them.
describeEstimatorContract(ctnasEstimator, {
  options: { labels: { estimator: 'truth', samples: 30 }, epochs: 3, hidden: 8, mlpHidden: 8, pairsPerEpoch: 128, referenceSize: 8, seed: 1 },
  deps: async () => ({ estimators: { truth: await toyEstimator.create({ failOn: [], delayMs: 0 }, testDeps() as never) } }),
  deterministic: true,
});
