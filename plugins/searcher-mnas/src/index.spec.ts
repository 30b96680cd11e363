import * as path from 'node:path';
import { describePluginPackage, describeSearcherContract } from '@nasx/testing';
import plugin, { mnasSearcher } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeSearcherContract(mnasSearcher, { options: { hidden: 16 } });
describeSearcherContract(mnasSearcher, { options: { hidden: 8, algorithm: 'reinforce', batchSize: 5, recommend: 'policy' } });
