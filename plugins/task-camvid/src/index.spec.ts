import * as path from 'node:path';
import { describePluginPackage, describeTaskContract, describeWithSharedData } from '@nasx/testing';
import plugin, { camvidTask } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);

describeWithSharedData('camvid task contract on the real sample', 'camvid-small', (dataDir) => {
  // Without augmentation: a shuffled epoch then holds exactly the samples of a fixed one.
  describeTaskContract(camvidTask, { name: 'shared/data/camvid-small', options: { augment: false }, deps: () => ({ dataDir }), batchSize: 16 });
});
