import * as path from 'node:path';
import { describePluginPackage, describeTaskContract } from '@nasx/testing';
import plugin, { citeseerTask } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
// The contract on the Planetoid release layout (a tiny graph written by tools/scripts/planetoid-fixtures.py).
describeTaskContract(citeseerTask, { name: 'release files', options: { dataDir: path.join(__dirname, '__fixtures__', 'planetoid-raw') } });
