import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin from './index';

// The model's checks on the published tables and on synthetic ones are in lut/lut.latency-model.spec.ts.
describePluginPackage(path.resolve(__dirname, '..'), plugin);
