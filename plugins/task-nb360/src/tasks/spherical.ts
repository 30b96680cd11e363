/**
 * Spherical CIFAR-100 (NAS-Bench-360, after Cohen et al., Spherical CNNs, ICLR 2018): CIFAR-100
 * images projected onto the sphere from random rotations and sampled on a 60×60 grid, 3 channels,
 * 100 classes, 0-1 error. As NAS-Bench-360 prepares it (`backbone/data_utils/load_data.py`
 * `load_scifar100_data`): the release's `s2_cifar100.gz`, a gzip-compressed pickle
 * `{"train": {"images": [N, 3, 60, 60], "labels": [N]}, "test": {...}}`; images as float32 with no
 * further normalisation; the first 80 % of the training set for training (`int(0.8·N)`), the rest
 * for validation, the test set for testing. The pickle is decompressed as it streams (the file is
 * never held whole), but its arrays are, as NAS-Bench-360 holds them. No redistributable sample:
 * synthetic data for tests.
 */
import * as path from 'node:path';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { isNumeric, loadPickle, type NdArray } from '@nasx/data';
import { argmaxRows, zeroOneError } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet } from '../common/nb360-task';

export const SPHERICAL_ID = 'spherical';
export const SPHERICAL_FILE = 's2_cifar100.gz';
export const SPHERICAL_CLASSES = 100;
export const SPHERICAL_SIDE = 60;
/** Fraction of the training set held out for validation (its last 20 %). */
export const SPHERICAL_VAL_SPLIT = 0.2;

const PER = 3 * SPHERICAL_SIDE * SPHERICAL_SIDE;

/** The `train` and `test` parts of the release pickle, checked: images [N, 3, 60, 60] and labels 0..99. */
export async function readSphericalPickle(file: string): Promise<{ train: SampleSet; test: SampleSet }> {
  const bad = (what: string) =>
    new NasxError('data', `task "${SPHERICAL_ID}": ${file} ${what}`, {
      pkg: PKG,
      contribution: SPHERICAL_ID,
      file,
      fix: `use ${SPHERICAL_FILE} of the NAS-Bench-360 release (a gzip pickle of {"train": {"images": [N, 3, 60, 60], "labels": [N]}, "test": {...}})`,
    });
  const root = await loadPickle(file);
  const field = (o: unknown, k: string): unknown =>
    o instanceof Map ? o.get(k) : typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined;
  const part = (name: 'train' | 'test'): SampleSet => {
    const p = field(root, name);
    if (p === undefined) throw bad(`has no "${name}" part`);
    const images = field(p, 'images') as NdArray | undefined;
    const labels = field(p, 'labels') as NdArray | undefined;
    const shape = images?.shape ?? [];
    if (!images || !isNumeric(images) || shape.length !== 4 || shape[1] !== 3 || shape[2] !== SPHERICAL_SIDE || shape[3] !== SPHERICAL_SIDE)
      throw bad(`holds ${name}.images [${shape.join(', ')}]; expected [N, 3, ${SPHERICAL_SIDE}, ${SPHERICAL_SIDE}]`);
    const n = shape[0]!;
    if (!labels || !isNumeric(labels) || labels.data.length !== n) throw bad(`holds no ${name}.labels array of ${n} labels`);
    const y = Int32Array.from(labels.data as ArrayLike<number>);
    y.forEach((l, i) => {
      if (!(l >= 0 && l < SPHERICAL_CLASSES) || l !== labels.data[i]) throw bad(`has ${name} label ${labels.data[i]} at row ${i}; labels are 0..99`);
    });
    return { size: n, x: images.data instanceof Float32Array ? images.data : Float32Array.from(images.data), labels: y };
  };
  return { train: part('train'), test: part('test') };
}

/** The first `int((1 − 0.2)·N)` samples for training, the rest for validation (NAS-Bench-360's split). */
export function splitSpherical(all: SampleSet): { train: SampleSet; validation: SampleSet } {
  const nTrain = Math.floor((1 - SPHERICAL_VAL_SPLIT) * all.size);
  return {
    train: { size: nTrain, x: all.x.subarray(0, nTrain * PER), labels: all.labels!.subarray(0, nTrain) },
    validation: { size: all.size - nTrain, x: all.x.subarray(nTrain * PER), labels: all.labels!.subarray(nTrain) },
  };
}

/**
 * Synthetic spherical images (tests only): each class a smooth pattern of its own frequencies on
 * the (latitude, longitude) grid, rotated in longitude by a random shift per image, plus noise —
 * the label survives the rotation, as on the sphere.
 */
export function syntheticSpherical(ctx: LoadContext): LoadedData {
  const s = SPHERICAL_SIDE;
  const make = (n: number): SampleSet => {
    const x = new Float32Array(n * PER);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % SPHERICAL_CLASSES;
      labels[i] = k;
      const shift = ctx.rng.int(s);
      for (let c = 0; c < 3; c++)
        for (let r = 0; r < s; r++)
          for (let q = 0; q < s; q++) {
            const lon = (2 * Math.PI * ((q + shift) % s)) / s;
            const lat = (Math.PI * r) / s;
            x[i * PER + c * s * s + r * s + q] =
              Math.sin((1 + (k % 5)) * lat + c) * Math.cos((1 + (Math.floor(k / 5) % 4)) * lon) * (1 + (Math.floor(k / 20) % 5) / 4) +
              0.1 * (ctx.rng.int(1000) / 1000);
          }
    }
    return { size: n, x, labels };
  };
  const n = ctx.options.syntheticSize;
  return {
    source: 'synthetic',
    description: 'SYNTHETIC spherical-image-like data (tests only)',
    files: [],
    train: make(n),
    validation: make(Math.ceil(n / 4)),
    test: make(Math.ceil(n / 4)),
  };
}

export const sphericalTask = defineNb360Task({
  id: SPHERICAL_ID,
  title: 'Spherical CIFAR-100 (NAS-Bench-360)',
  description: 'Classify CIFAR-100 images projected onto the sphere (3 × 60 × 60 grid), 100 classes, 0-1 error.',
  modality: 'image',
  inputShape: [3, SPHERICAL_SIDE, SPHERICAL_SIDE],
  outputShape: [SPHERICAL_CLASSES],
  numClasses: SPHERICAL_CLASSES,
  loss: 'cross-entropy',
  metric: { name: 'val_error', direction: 'minimize', unit: '%', description: '0-1 error on the validation split' },
  paper: {
    metric: '0-1 error (%)',
    wrn: { mean: 85.77, std: 0.71 },
    denseNas: { mean: 72.99, std: 0.95 },
    dartsGaea: { mean: 48.23, std: 2.87 },
    expert: { mean: 64.42, note: 'S2CNN, accuracy 35.58 % in the repository draft table (docs/index.md), as error' },
  },
  files: { full: [SPHERICAL_FILE] },
  download: `the NAS-Bench-360 Spherical release (${SPHERICAL_FILE}: https://pde-xd.s3.amazonaws.com/spherical/${SPHERICAL_FILE})`,
  async loadFull(ctx) {
    const file = path.join(ctx.dataDir, SPHERICAL_FILE);
    const { train: all, test } = await readSphericalPickle(file);
    const { train, validation } = splitSpherical(all);
    return {
      source: 'full',
      description: `full release: ${train.size} training and ${validation.size} validation images (the training set's first 80 % / last 20 %), ${test.size} test images`,
      files: [file],
      train,
      validation,
      test,
    };
  },
  synthetic: syntheticSpherical,
  score: (p: TaskPredictions) => zeroOneError(p.targets.subarray(0, p.samples), argmaxRows(p.outputs, p.samples, p.outputSize)),
});
