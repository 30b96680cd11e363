import * as path from 'node:path';
import { describePluginPackage, describeSearcherContract } from '@nasx/testing';
import plugin, { regularizedEvolutionSearcher } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeSearcherContract(regularizedEvolutionSearcher, { options: { population: 10, sampleSize: 3 } });
describeSearcherContract(regularizedEvolutionSearcher, { options: { population: 4, sampleSize: 4, tournamentReplacement: false } });
