import * as path from 'node:path';
import { describePluginPackage, describeSearchSpaceContract } from '@nasx/testing';
import plugin, { deepnetsSearchSpace } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeSearchSpaceContract(deepnetsSearchSpace);
describeSearchSpaceContract(deepnetsSearchSpace, { options: { channels: [4], layers: [1, 2], nodes: [1, 2], ops: ['conv_3x3', 'max_pool_3x3', 'se'] } });
