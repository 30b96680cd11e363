import * as path from 'node:path';
import { describePluginPackage, describeTaskContract, describeWithSharedData } from '@nasx/testing';
import plugin, { camvidTask } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);

describeWithSharedData('camvid task contract on the real sample', 'camvid-small', (dataDir) => {
  // Without augmentation (a shuffled epoch then holds exactly the samples of a fixed one), on a
  // 40-image training subset: the checks are per sample, and every image is 3 × 90 × 120.
  describeTaskContract(camvidTask, {
    name: 'shared/data/camvid-small',
    options: { augment: false, limit: 40, validationSize: 50 },
    deps: () => ({ dataDir }),
    batchSize: 16,
  });
});
