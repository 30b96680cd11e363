import * as path from 'node:path';
import { describePluginPackage, describeSearchSpaceContract } from '@nasx/testing';
import { Nb101Index } from './nb101/nb101.index';
import { createNb101SearchSpace } from './nb101/nb101.search-space';
import plugin, { nb101SearchSpace } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeSearchSpaceContract(nb101SearchSpace);
describeSearchSpaceContract(nb101SearchSpace, { options: { encoding: 'path', mutationRate: 2 } });

// A restricted space, enumerable by the contract suite: 300 cells of ≤ 5 vertices from a partial
// index (the full index takes 10-30 s to build; tools/bench/nb101 covers it).
const small = Nb101Index.build({ maxVertices: 5 });
const keys = Array.from({ length: 300 }, (_, i) => small.hashAt(i * 8));
describeSearchSpaceContract({ ...nb101SearchSpace, create: (options, deps) => createNb101SearchSpace(options, deps, { index: small }) }, { options: { keys } });
