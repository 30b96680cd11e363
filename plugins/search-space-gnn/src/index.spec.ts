import * as path from 'node:path';
import { describePluginPackage, describeSearchSpaceContract } from '@nasx/testing';
import plugin, { gnnSearchSpace } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeSearchSpaceContract(gnnSearchSpace);
describeSearchSpaceContract(gnnSearchSpace, { options: { layers: 3 } });
