/**
 * @packageDocumentation
 * `@nasx/task-cifar10`: the `cifar10` task, CIFAR-10 read from the user's data directory (the
 * official binary version or the gzipped sample layout) as framework-free float32 batches.
 */
import { definePlugin } from '@nasx/contracts';
import { cifar10Dataset } from './cifar10/cifar10.dataset';
import { cifar10Task } from './cifar10/cifar10.task';

export { cifar10Task, cifar10SplitSizes, CIFAR10_CLASSES, type Cifar10Options, type Cifar10Task } from './cifar10/cifar10.task';
export {
  locateCifar10,
  CIFAR10_BINARY_TRAIN_FILES,
  CIFAR10_BINARY_TEST_FILE,
  CIFAR10_SAMPLE_FILES,
  CIFAR10_SUBDIRS,
  CIFAR10_IMAGE_BYTES,
  CIFAR10_RECORD_BYTES,
  type Cifar10Images,
  type Cifar10Part,
  type Cifar10Source,
} from './cifar10/cifar10-files';
export { CIFAR10_NORMALIZATION, CROP_PADDING, drawAugmentation, writeAugmented, writeNormalized, type Augmentation } from './cifar10/cifar10-transforms';

export { cifar10Dataset, CIFAR10_ARCHIVE } from './cifar10/cifar10.dataset';
export { extractTarGz } from './cifar10/tar-gz.extract';

export default definePlugin({ contributions: [cifar10Task, cifar10Dataset] });
