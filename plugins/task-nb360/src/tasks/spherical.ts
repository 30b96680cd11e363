/**
 * Spherical CIFAR-100 (NAS-Bench-360, after Cohen et al., Spherical CNNs, ICLR 2018): CIFAR-100
 * images projected onto the sphere from random rotations and sampled on a 60×60 grid, 3 channels,
 * 100 classes, 0-1 error. As NAS-Bench-360 prepares it (`backbone/data_utils/load_data.py`
 * `load_scifar100_data`): the release's `s2_cifar100.gz`, a gzip-compressed pickle
 * `{"train": {"images": [N, 3, 60, 60], "labels": [N]}, "test": {...}}`; images as float32 with no
 * further normalisation; the first 80 % of the training set for training (`int(0.8·N)`), the rest
 * for validation, the test set for testing. NAS-Bench-360 holds the arrays (2.6 GB as float32);
 * here the pickle is unpacked once, as it streams, with its image arrays written to nasx's cache
 * (`unpacked/` of the user cache folder; a temporary folder with `NASX_CACHE_DIR=off`), and every
 * split streams from there a shard at a time (`unpackPickle`, `ShardedSplit`): at most
 * two half-shards of images are in memory. An epoch shuffles the shards and the images within each
 * (NAS-Bench-360 shuffles the whole set). No redistributable sample: synthetic data for tests.
 */
import * as path from 'node:path';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import {
  arrayRows,
  isDiskArray,
  isNumeric,
  rowRange,
  unpackPickle,
  type DiskArray,
  type NdArray,
  type RowArray,
  type UnpackOptions,
  type UnpackedPickle,
} from '@nasx/data';
import { argmaxRows, zeroOneError } from '@nasx/stats';
import { PKG, defineNb360Task, isStreamed, type LoadContext, type LoadedData, type SampleSet, type StreamedSet } from '../common/nb360-task';

export const SPHERICAL_ID = 'spherical';
export const SPHERICAL_FILE = 's2_cifar100.gz';
export const SPHERICAL_CLASSES = 100;
export const SPHERICAL_SIDE = 60;
/** Fraction of the training set held out for validation (its last 20 %). */
export const SPHERICAL_VAL_SPLIT = 0.2;

const PER = 3 * SPHERICAL_SIDE * SPHERICAL_SIDE;

/** Images per shard when the release is streamed: 1,024 (44 MB as float32). */
export const SPHERICAL_SHARD_ROWS = 1024;

/** A split of the release: held in memory (a small pickle) or streamed from its unpacked arrays. */
export type SphericalSet = SampleSet | StreamedSet;

/**
 * The `train` and `test` parts of the release pickle, checked: images [N, 3, 60, 60] and labels
 * 0..99. The pickle is unpacked with its image arrays on disk ({@link unpackPickle}: once into
 * `unpack.dir`, then kept there), so each part streams a shard of {@link SPHERICAL_SHARD_ROWS} images at a time;
 * arrays below `unpack.minBytes` (a small file) are held.
 */
export async function readSphericalPickle(
  file: string,
  unpack: UnpackOptions = {},
): Promise<{ train: SphericalSet; test: SphericalSet; from: UnpackedPickle['from'] }> {
  const bad = (what: string) =>
    new NasxError('data', `task "${SPHERICAL_ID}": ${file} ${what}`, {
      pkg: PKG,
      contribution: SPHERICAL_ID,
      file,
      fix: `use ${SPHERICAL_FILE} of the NAS-Bench-360 release (a gzip pickle of {"train": {"images": [N, 3, 60, 60], "labels": [N]}, "test": {...}})`,
    });
  const { value: root, from } = await unpackPickle(file, unpack);
  const field = (o: unknown, k: string): unknown =>
    o instanceof Map ? o.get(k) : typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined;
  const part = async (name: 'train' | 'test'): Promise<SphericalSet> => {
    const p = field(root, name);
    if (p === undefined) throw bad(`has no "${name}" part`);
    const images = field(p, 'images') as NdArray | DiskArray | undefined;
    const labels = field(p, 'labels') as NdArray | DiskArray | undefined;
    const shape = images?.shape ?? [];
    const numeric = images !== undefined && (isDiskArray(images) || isNumeric(images));
    if (!numeric || shape.length !== 4 || shape[1] !== 3 || shape[2] !== SPHERICAL_SIDE || shape[3] !== SPHERICAL_SIDE)
      throw bad(`holds ${name}.images [${shape.join(', ')}]; expected [N, 3, ${SPHERICAL_SIDE}, ${SPHERICAL_SIDE}]`);
    const n = shape[0]!;
    const labelData = labels === undefined ? undefined : isDiskArray(labels) ? await readWhole(labels) : isNumeric(labels) ? labels.data : undefined;
    if (!labelData || labelData.length !== n) throw bad(`holds no ${name}.labels array of ${n} labels`);
    const y = Int32Array.from(labelData as ArrayLike<number>);
    y.forEach((l, i) => {
      if (!(l >= 0 && l < SPHERICAL_CLASSES) || l !== labelData[i]) throw bad(`has ${name} label ${labelData[i]} at row ${i}; labels are 0..99`);
    });
    if (isDiskArray(images)) return { size: n, shardRows: SPHERICAL_SHARD_ROWS, contents: { inputs: images.open(), targets: arrayRows(y) } };
    const data = (images as NdArray).data;
    return { size: n, x: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>), labels: y };
  };
  return { train: await part('train'), test: await part('test'), from };
}

/** All values of a (small) array left on disk. */
async function readWhole(a: DiskArray): Promise<RowArray> {
  const src = a.open();
  try {
    return await src.read(0, src.rows);
  } finally {
    src.close();
  }
}

/** The first `int((1 − 0.2)·N)` samples for training, the rest for validation (NAS-Bench-360's split). */
export function splitSpherical(all: SphericalSet): { train: SphericalSet; validation: SphericalSet } {
  const nTrain = Math.floor((1 - SPHERICAL_VAL_SPLIT) * all.size);
  if (isStreamed(all)) {
    const { inputs, targets } = all.contents;
    const range = (start: number, count: number): StreamedSet => ({
      size: count,
      shardRows: all.shardRows,
      contents: { inputs: rowRange(inputs, start, count), targets: rowRange(targets, start, count) },
    });
    return { train: range(0, nTrain), validation: range(nTrain, all.size - nTrain) };
  }
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
    const { train: all, test, from } = await readSphericalPickle(file, ctx.cacheDir !== undefined ? { dir: path.join(ctx.cacheDir, 'unpacked') } : {});
    const { train, validation } = splitSpherical(all);
    const streamed = isStreamed(train)
      ? `, streamed ${SPHERICAL_SHARD_ROWS} images at a time from the release unpacked ${from === 'cache' ? 'earlier' : 'now'} into nasx's cache`
      : '';
    return {
      source: 'full',
      description: `full release: ${train.size} training and ${validation.size} validation images (the training set's first 80 % / last 20 %), ${test.size} test images${streamed}`,
      files: [file],
      train,
      validation,
      test,
    };
  },
  synthetic: syntheticSpherical,
  score: (p: TaskPredictions) => zeroOneError(p.targets.subarray(0, p.samples), argmaxRows(p.outputs, p.samples, p.outputSize)),
});
