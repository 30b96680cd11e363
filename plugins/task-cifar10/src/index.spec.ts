import * as fs from 'node:fs';
import * as path from 'node:path';
import { describePluginPackage, describeWithSharedData } from '@nasx/testing';
import { tempDir, writeSyntheticBinary, writeSyntheticSample } from './cifar10/__fixtures__/synthetic-cifar10';
import plugin, { cifar10Task } from './index';
import { describeTaskContract } from '@nasx/testing';

describePluginPackage(path.resolve(__dirname, '..'), plugin);

const binaryRoot = tempDir();
const sampleRoot = tempDir();
writeSyntheticBinary(binaryRoot);
writeSyntheticSample(sampleRoot);
afterAll(() => {
  for (const d of [binaryRoot, sampleRoot]) fs.rmSync(d, { recursive: true, force: true });
});

describeTaskContract(cifar10Task, { name: 'synthetic official binary layout', deps: () => ({ dataDir: binaryRoot }) });
describeTaskContract(cifar10Task, {
  name: 'synthetic sample layout, unstratified, train-split normalisation',
  options: { stratify: false, normalize: 'train-split' },
  deps: () => ({ dataDir: sampleRoot }),
});

describeWithSharedData('cifar10 task contract on the real sample', 'cifar10-sample', (dataDir) => {
  describeTaskContract(cifar10Task, { name: 'shared/data/cifar10-sample', deps: () => ({ dataDir }), batchSize: 64 });
});
