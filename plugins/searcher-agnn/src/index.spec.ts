import * as path from 'node:path';
import { createGnnSearchSpace } from '@nasx/search-space-gnn';
import { describePluginPackage, describeSearcherContract } from '@nasx/testing';
import plugin, { agnnSearcher } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
const space = createGnnSearchSpace();
// A toy objective on the gnn space: the number of layer-1 choices equal to the first choice.
describeSearcherContract(agnnSearcher, { space: () => space, objective: (_key, arch) => space.toDecisions(arch).filter((v) => v === 0).length });
