import * as path from 'node:path';
import { defineTask, isNasxError, NasxError, type MetricDeclaration, type Task, type TaskDeps, withSchemaDefaults } from '@nasx/contracts';
import {
  ImageSplit,
  channelStats,
  loadOnce,
  dealParts,
  noNormalization,
  normalizationTable,
  seededIntSource,
  type IntSource,
  type Normalization,
} from '@nasx/data';
import { locateCifar10, type Cifar10Source } from './cifar10-files';
import { CIFAR10_NORMALIZATION, drawAugmentation, writeAugmented, writeNormalized } from './cifar10-transforms';
import { cifar10Schema as schema, type Cifar10Options } from './cifar10.schema';

const PKG = '@nasx/task-cifar10';
const ID = 'cifar10';
const WHERE = { pkg: PKG, contribution: ID } as const;

export type { Cifar10Options } from './cifar10.schema';

/** CIFAR-10's classes, by label. */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The `cifar10` task instance: the contract plus where the data came from and what load measured. */
export interface Cifar10Task extends Task {
  readonly splits: { readonly train: ImageSplit; readonly validation: ImageSplit; readonly test: ImageSplit };
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** The copy of CIFAR-10 read (layout, folder, files, image counts). */
  readonly source: Cifar10Source;
  /** The normalisation applied; for `train-split`, known after `load()`. */
  readonly normalization: Normalization | undefined;
  /** Whether shuffled training batches are augmented. */
  readonly augment: boolean;
  /** Milliseconds `load()` took (read, split, statistics), after `load()`. */
  readonly loadMs: number | undefined;
  /** Reads the data and draws the split, once; `batches()` awaits it by itself. */
  load(): Promise<void>;
}

/** Split sizes from the options and the image counts of the copy found, checked. */
export function cifar10SplitSizes(options: Cifar10Options, counts: { train: number; test: number }): { train: number; validation: number; test: number } {
  const used = Math.min(options.limit ?? counts.train, counts.train);
  const validation = options.validationSize ?? Math.round(options.validationFraction * used);
  const train = used - validation;
  if (validation < 1) {
    throw new NasxError('config', `the validation split would be empty (validationFraction ${options.validationFraction} of ${used} training images)`, {
      ...WHERE,
      pointer: '/options/validationFraction',
      fix: 'raise validationFraction or set validationSize',
    });
  }
  if (train < 1) {
    throw new NasxError('config', `a validation split of ${validation} leaves no training images out of ${used}`, {
      ...WHERE,
      pointer: options.validationSize !== undefined ? '/options/validationSize' : '/options/validationFraction',
      fix: `make the validation split smaller than ${used}${options.limit !== undefined ? ', or raise limit' : ''}`,
    });
  }
  return { train, validation, test: Math.min(options.testLimit ?? counts.test, counts.test) };
}

class Cifar10TaskImpl implements Cifar10Task {
  readonly id = ID;
  readonly modality = 'image' as const;
  readonly inputShape = [3, 32, 32] as const;
  readonly outputShape = [10] as const;
  readonly numClasses = 10;
  readonly classNames = CIFAR10_CLASSES;
  readonly loss = 'cross-entropy' as const;
  readonly metric: MetricDeclaration = {
    name: 'val_acc',
    direction: 'maximize',
    unit: '%',
    description: 'top-1 accuracy on the validation split (held out of the training images)',
  };
  readonly splits: { readonly train: ImageSplit; readonly validation: ImageSplit; readonly test: ImageSplit };
  readonly augment: boolean;
  normalization: Normalization | undefined;
  loadMs: number | undefined;

  constructor(
    readonly source: Cifar10Source,
    private readonly options: Cifar10Options,
    private readonly rng: IntSource,
  ) {
    const sizes = cifar10SplitSizes(options, { train: source.train.count, test: source.test.count });
    const ensure = () => this.load();
    this.splits = {
      train: new ImageSplit('train', sizes.train, this.inputShape, ensure, WHERE),
      validation: new ImageSplit('validation', sizes.validation, this.inputShape, ensure, WHERE),
      test: new ImageSplit('test', sizes.test, this.inputShape, ensure, WHERE),
    };
    this.augment = options.augment;
    if (options.normalize === 'cifar10') this.normalization = CIFAR10_NORMALIZATION;
    if (options.normalize === 'none') this.normalization = noNormalization(3);
  }

  /** Loads once; a failed load may be retried (after the user fixes the data). */
  readonly load: () => Promise<void> = loadOnce(() => this.loadNow());

  private loadNow(): void {
    const t0 = performance.now();
    const { train, validation, test } = this.splits;
    const pool = this.source.train.read(train.size + validation.size);
    const testData = this.source.test.read(test.size);
    const [trainIdx, valIdx] = dealParts(pool.labels, [train.size, validation.size], this.rng, this.options.stratify) as [Int32Array, Int32Array];
    this.normalization ??= channelStats(pool.images, 3, 1024, trainIdx);
    const table = normalizationTable(this.normalization);
    const labelsOf = (labels: Uint8Array, indices: Int32Array) => Int32Array.from(indices, (i) => labels[i]!);

    // Images stay uint8 (a quarter of the memory of floats); each batch is normalised through a table.
    const augment = this.augment;
    train.fill({
      indices: trainIdx,
      labels: labelsOf(pool.labels, trainIdx),
      write: (i, out, at, rng) =>
        augment && rng
          ? writeAugmented(pool.images, trainIdx[i]!, table, out, at, drawAugmentation(rng))
          : writeNormalized(pool.images, trainIdx[i]!, table, out, at),
    });
    validation.fill({
      indices: valIdx,
      labels: labelsOf(pool.labels, valIdx),
      write: (i, out, at) => writeNormalized(pool.images, valIdx[i]!, table, out, at),
    });
    const testIdx = Int32Array.from({ length: test.size }, (_, i) => i);
    test.fill({ indices: testIdx, labels: Int32Array.from(testData.labels), write: (i, out, at) => writeNormalized(testData.images, i, table, out, at) });
    this.loadMs = performance.now() - t0;
  }
}

/**
 * CIFAR-10 image classification (Krizhevsky 2009) read from the user's data directory: 3×32×32
 * float32 images, 10 classes, cross-entropy, judged by `val_acc` on a seeded split of the training
 * images (NB201's cifar10-valid protocol by default); the test split is the test images.
 */
export const cifar10Task = defineTask<Cifar10Options>({
  id: ID,
  title: 'CIFAR-10',
  description: 'CIFAR-10 images read from a data directory (official binary batches or the gzipped sample layout); normalised, seeded split.',
  optionsSchema: schema,
  create(rawOptions, deps: TaskDeps): Cifar10Task {
    const options = withSchemaDefaults<Cifar10Options>(schema, rawOptions);
    const dataDir = options.dataDir !== undefined ? path.resolve(deps.configDir ?? process.cwd(), options.dataDir) : deps.dataDir;
    let source: Cifar10Source;
    try {
      source = locateCifar10(dataDir);
    } catch (e) {
      // Say when the folder came from this task's option. (No relative pointer "/dataDir": the
      // kernel would read it as the config's top-level dataDir.)
      if (isNasxError(e) && options.dataDir !== undefined) {
        throw new NasxError(e.kind, `${e.message} (the task's "dataDir" option "${options.dataDir}" resolves to ${dataDir})`, {
          ...e.where,
          fix: e.fix,
          cause: e,
        });
      }
      throw e;
    }
    const rng = options.seed !== undefined ? seededIntSource(options.seed) : deps.rng.fork('split');
    return new Cifar10TaskImpl(source, options, rng);
  },
});
