import * as path from 'node:path';
import { describePluginPackage, describeSearcherContract } from '@nasx/testing';
import plugin, { randomSearcher } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeSearcherContract(randomSearcher);
describeSearcherContract(randomSearcher, { options: { unique: true } });
