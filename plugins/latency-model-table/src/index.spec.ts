import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin from './index';

// The table's checks against the published data are in table/table.latency-model.spec.ts.
describePluginPackage(path.resolve(__dirname, '..'), plugin);
