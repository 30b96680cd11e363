import * as path from 'node:path';
import { createToySpace, describePluginPackage, describeSearcherContract } from '@nasx/testing';
import plugin, { predictorGuidedSearcher } from './index';
import { toyPredictor } from './predictor-guided/__fixtures__/toy.predictor';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
// The contract suite creates its own toy space; the predictor only needs one with the same encoding.
describeSearcherContract(predictorGuidedSearcher, { deps: { estimators: { predictor: toyPredictor(createToySpace()) } } });
describeSearcherContract(predictorGuidedSearcher, {
  options: { initial: 5, pool: 'mutate', batch: 3, refitEvery: 2, candidates: 30 },
  deps: { estimators: { predictor: toyPredictor(createToySpace()) } },
});
describeSearcherContract(predictorGuidedSearcher, {
  options: { pool: 'sample', batch: 1, refitEvery: 1 },
  deps: { estimators: { predictor: toyPredictor(createToySpace()) } },
});
