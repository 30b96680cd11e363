import * as path from 'node:path';
import { describePluginPackage, describeSearcherContract } from '@nasx/testing';
import { toyComparator } from './ctnas/__fixtures__/toy.comparator';
import plugin, { ctnasSearcher } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
// The toy space has decisions(); the toy comparator knows the toy objective.
describeSearcherContract(ctnasSearcher, {
  options: { stepsPerProposal: 2, baselineInterval: 5, baselineCandidates: 3 },
  deps: { estimators: { comparator: toyComparator() } },
});
