import * as path from 'node:path';
import { describePluginPackage } from '@nasx/testing';
import plugin, { mnistTask } from './index';
import { describeTaskContract } from '@nasx/testing';

describePluginPackage(path.resolve(__dirname, '..'), plugin);
describeTaskContract(mnistTask, { name: 'defaults' });
describeTaskContract(mnistTask, {
  name: '300 digits, unstratified, no test split',
  options: { limit: 300, stratify: false, testFraction: 0, normalize: 'none' },
});
