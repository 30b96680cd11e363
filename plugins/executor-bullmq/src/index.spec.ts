import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin from './index';

// The executor end to end (real redis-server, nasx worker processes, a killed worker, a Redis
// restart) is in apps/cli/src/distributed.cli.spec.ts; its options here, in bullmq/connection.spec.ts.
describePluginPackage(path.resolve(__dirname, '..'), plugin);
