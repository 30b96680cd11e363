import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin from './index';

// The searcher contract suite drives ask/tell searchers; DARTS owns its loop and is driven by the
// kernel in in-kernel.spec.ts.
describePluginPackage(path.resolve(__dirname, '..'), plugin);
