/**
 * CIFAR-100 (NAS-Bench-360, after Krizhevsky 2009): 32×32 colour images, 100 fine classes, 0-1
 * error. As NAS-Bench-360 prepares it (`backbone/data_utils/load_data.py`,
 * `load_cifar100_train_data` / `load_cifar100_test_data`, through torchvision's `CIFAR100`): the
 * python release `cifar-100-python/{train,test}` (pickles of `data` uint8 [N, 3072] and
 * `fine_labels`), the first 80 % of the training set for training and the last 20 % for
 * validation, the test set for testing; `ToTensor` then `Normalize([0.5071, 0.4867, 0.4408],
 * [0.2675, 0.2565, 0.2761])`; training augmented by `RandomCrop(32, padding=4)`,
 * `RandomHorizontalFlip()` and `Cutout(16)` after normalisation. (NAS-Bench-360's validation
 * subset shares the augmented training transform; ours is not augmented, so the validation
 * metric is deterministic.) No redistributable sample: synthetic data for tests.
 */
import * as path from 'node:path';
import { NasxError, type Rng, type TaskPredictions } from '@nasx/contracts';
import { isNumeric, loadPickle, type NdArray } from '@nasx/data';
import { argmaxRows, zeroOneError } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet } from '../common/nb360-task';

export const CIFAR100_ID = 'cifar100';
export const CIFAR100_CLASSES = 100;
export const CIFAR100_FILES = ['cifar-100-python/train', 'cifar-100-python/test'] as const;
/** NAS-Bench-360's (and the usual) CIFAR-100 channel statistics. */
export const CIFAR100_MEAN = [0.5071, 0.4867, 0.4408] as const;
export const CIFAR100_STD = [0.2675, 0.2565, 0.2761] as const;
/** Fraction of the training set held out for validation (its last 20 %). */
export const CIFAR100_VAL_SPLIT = 0.2;

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

/**
 * Writes `n` CHW uint8 images (`data`, 3072 bytes each, from image `from`) normalised as
 * `ToTensor` + `Normalize(mean, std)`: `(v / 255 − mean_c) / std_c`.
 */
export function normalizeImages(data: ArrayLike<number>, from: number, n: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const x = new Float32Array(n * PIXELS);
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean[c]!) / std[c]!;
  for (let i = 0; i < n; i++) {
    const src = (from + i) * PIXELS;
    for (let c = 0; c < 3; c++) for (let p = 0; p < PLANE; p++) x[i * PIXELS + c * PLANE + p] = table[c * 256 + data[src + c * PLANE + p]!]!;
  }
  return x;
}

/**
 * NAS-Bench-360's CIFAR-100 training transform on an image already normalised (`x`, image `i`):
 * `RandomCrop(32, padding=4)` (zero padding of the raw image: the normalised value of 0), then
 * `RandomHorizontalFlip()`, then `Cutout(16)` (a 16×16 square centred anywhere in the image,
 * clipped at the border, set to 0 in all channels). Draws crop row and column offsets, the flip,
 * then the cutout centre row and column, in that order.
 */
export function augmentCifar100(x: Float32Array, i: number, out: Float32Array, at: number, rng: Rng): void {
  const dy = rng.int(9);
  const dx = rng.int(9);
  const flip = rng.next() < 0.5;
  const cy = rng.int(SIDE);
  const cx = rng.int(SIDE);
  const [y1, y2, x1, x2] = [Math.max(0, cy - 8), Math.min(SIDE, cy + 8), Math.max(0, cx - 8), Math.min(SIDE, cx + 8)];
  const base = i * PIXELS;
  for (let c = 0; c < 3; c++) {
    const pad = -CIFAR100_MEAN[c]! / CIFAR100_STD[c]!;
    for (let y = 0; y < SIDE; y++) {
      const sy = y + dy - 4;
      for (let xo = 0; xo < SIDE; xo++) {
        const o = at + c * PLANE + y * SIDE + xo;
        if (y >= y1 && y < y2 && xo >= x1 && xo < x2) {
          out[o] = 0;
          continue;
        }
        // The flip acts on the cropped image: output column xo shows cropped column 31 − xo.
        const sx = (flip ? SIDE - 1 - xo : xo) + dx - 4;
        out[o] = sy < 0 || sy >= SIDE || sx < 0 || sx >= SIDE ? pad : x[base + c * PLANE + sy * SIDE + sx]!;
      }
    }
  }
}

/** One python-release file (`cifar-100-python/train` or `test`): uint8 images [N, 3072] and fine labels. */
export async function readCifar100Pickle(file: string): Promise<{ images: NdArray; labels: Int32Array }> {
  const bad = (what: string) =>
    new NasxError('data', `task "${CIFAR100_ID}": ${file} ${what}`, {
      pkg: PKG,
      contribution: CIFAR100_ID,
      file,
      fix: 'use the python version of CIFAR-100 (cifar-100-python.tar.gz, unpacked: cifar-100-python/train and cifar-100-python/test)',
    });
  const d = (await loadPickle(file)) as Record<string, unknown> | Map<unknown, unknown>;
  const get = (k: string): unknown => (d instanceof Map ? d.get(k) : typeof d === 'object' && d !== null ? d[k] : undefined);
  const images = get('data') as NdArray | undefined;
  const fine = get('fine_labels');
  if (!images || !('shape' in images) || !isNumeric(images) || images.shape.length !== 2 || images.shape[1] !== PIXELS)
    throw bad(`has no "data" array of [N, ${PIXELS}] pixels`);
  const n = images.shape[0]!;
  if (!Array.isArray(fine) || fine.length !== n) throw bad(`has no "fine_labels" list of ${n} labels`);
  const labels = Int32Array.from(fine as number[]);
  labels.forEach((l, i) => {
    if (!(l >= 0 && l < CIFAR100_CLASSES) || l !== (fine as number[])[i])
      throw bad(`has fine label ${String((fine as unknown[])[i])} at row ${i}; labels are 0..99`);
  });
  return { images, labels };
}

/** Synthetic images (tests only): each class a colour and a stripe frequency, plus noise. */
export function syntheticCifar100(ctx: LoadContext): LoadedData {
  const make = (n: number): SampleSet => {
    const raw = new Uint8Array(n * PIXELS);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % CIFAR100_CLASSES;
      labels[i] = k;
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < PLANE; p++) {
          const stripe = Math.floor(p / SIDE / (1 + (k % 10))) % 2;
          raw[i * PIXELS + c * PLANE + p] = Math.min(255, 40 * (Math.floor(k / 10) % 4) * (c === k % 3 ? 1 : 0.3) + 100 * stripe + ctx.rng.int(40));
        }
    }
    return { size: n, x: normalizeImages(raw, 0, n, CIFAR100_MEAN, CIFAR100_STD), labels };
  };
  const n = ctx.options.syntheticSize;
  return {
    source: 'synthetic',
    description: 'SYNTHETIC CIFAR-100-like images (tests only)',
    files: [],
    train: make(n),
    validation: make(Math.ceil(n / 4)),
    test: make(Math.ceil(n / 4)),
  };
}

export const cifar100Task = defineNb360Task({
  id: CIFAR100_ID,
  title: 'CIFAR-100 (NAS-Bench-360)',
  description:
    'Classify 32×32 colour images into 100 classes (CIFAR-100); NAS-Bench-360’s 80/20 split of the training set, crop/flip/cutout augmentation, 0-1 error.',
  modality: 'image',
  inputShape: [3, SIDE, SIDE],
  outputShape: [CIFAR100_CLASSES],
  numClasses: CIFAR100_CLASSES,
  loss: 'cross-entropy',
  metric: { name: 'val_error', direction: 'minimize', unit: '%', description: '0-1 error on the validation split' },
  paper: {
    metric: '0-1 error (%)',
    wrn: { mean: 23.35, std: 0.05 },
    denseNas: { mean: 25.98, std: 0.38 },
    dartsGaea: { mean: 24.02, std: 1.92 },
    expert: { mean: 17.17, note: 'accuracy 82.83 % in the repository draft table (docs/index.md), as error' },
  },
  files: { full: [...CIFAR100_FILES] },
  download: 'the python version of CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz, unpacked into the data directory)',
  async loadFull(ctx) {
    const [trainFile, testFile] = CIFAR100_FILES.map((f) => path.join(ctx.dataDir, f)) as [string, string];
    const all = await readCifar100Pickle(trainFile);
    const test = await readCifar100Pickle(testFile);
    const n = all.labels.length;
    const nTrain = Math.floor((1 - CIFAR100_VAL_SPLIT) * n);
    const px = all.images.data as ArrayLike<number>;
    return {
      source: 'full',
      description: `full release: ${nTrain} training and ${n - nTrain} validation images (the training set's first 80 % / last 20 %), ${test.labels.length} test images`,
      files: [trainFile, testFile],
      train: { size: nTrain, x: normalizeImages(px, 0, nTrain, CIFAR100_MEAN, CIFAR100_STD), labels: all.labels.slice(0, nTrain) },
      validation: { size: n - nTrain, x: normalizeImages(px, nTrain, n - nTrain, CIFAR100_MEAN, CIFAR100_STD), labels: all.labels.slice(nTrain) },
      test: {
        size: test.labels.length,
        x: normalizeImages(test.images.data as ArrayLike<number>, 0, test.labels.length, CIFAR100_MEAN, CIFAR100_STD),
        labels: test.labels,
      },
    };
  },
  synthetic: syntheticCifar100,
  augment: augmentCifar100,
  score: (p: TaskPredictions) => zeroOneError(p.targets.subarray(0, p.samples), argmaxRows(p.outputs, p.samples, p.outputSize)),
});
