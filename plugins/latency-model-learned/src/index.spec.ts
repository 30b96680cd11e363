import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin from './index';

// The model's checks are in learned/learned.latency-model.spec.ts (synthetic devices) and
// learned/learned.science.spec.ts (HELP's published latencies).
describePluginPackage(path.resolve(__dirname, '..'), plugin);
