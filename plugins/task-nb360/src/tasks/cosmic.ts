/**
 * Cosmic (NAS-Bench-360, after Zhang & Bloom, deepCR, ApJ 2020): find the pixels hit by cosmic rays
 * in Hubble ACS/WFC images — dense binary prediction. As NAS-Bench-360 prepares it
 * (`backbone/model_grid_fno.py`, `data_utils/cosmic_dataset.py`): the release archives
 * `deepCR.ACS-WFC.train.tar` / `.test.tar` hold `npy_{train,test}/<filter>/<proposal>/<visit>/*.npy`
 * arrays `[3, W, H]` (image, cosmic-ray mask, ignore mask) plus a `sky.npy` per visit; only filter
 * `f435w` and the visits deepCR classes as galaxy fields (`GAL`) are used; every array is cropped
 * to `[64:192, 64:192]`; the training files' first 90 % (`int(0.9·n)`) train, the rest validate;
 * the test archive tests. Loss: sigmoid cross-entropy; metric: the ROC AUC of the hard predictions
 * `output > 0.5` over all pixels (NAS-Bench-360 thresholds the network output at 0.5), reported as
 * 1 − AUROC.
 *
 * The archives are read in place (no unpacking), a shard of arrays at a time (`ShardedSplit`).
 * Files are taken in sorted path order (NAS-Bench-360 takes `os.listdir` order, which the file
 * system decides). Not reproduced: the random sky-background augmentation (`image + sky·U(−0.9,
 * 3)`), and the ignore mask in the loss (NAS-Bench-360 multiplies logits and targets by
 * `1 − ignore`); the metric ignores it in NAS-Bench-360 too. No redistributable sample: synthetic
 * data or a generated archive for tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { decodeElements, itemSize, parseDescr, parseNpyHeader, readTarDirectory, type RowArray, type RowSource, type TarEntry } from '@nasx/data';
import { auroc } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet, type StreamedSet } from '../common/nb360-task';

export const COSMIC_ID = 'cosmic';
export const COSMIC_FILES = ['deepCR.ACS-WFC.train.tar', 'deepCR.ACS-WFC.test.tar'] as const;
export const COSMIC_SIDE = 128;
/** Where NAS-Bench-360's fixed crop starts (row and column). */
export const COSMIC_CROP_AT = 64;
export const COSMIC_FILTER = 'f435w';
/** Arrays per shard when streaming the archives: 256 crops of 128×128 (16 MB of inputs as float32). */
export const COSMIC_SHARD_ROWS = 256;
/** Fraction of the training files held out for validation (their last 10 %). */
export const COSMIC_VAL_SPLIT = 0.1;

/** The deepCR ACS/WFC visits (`<proposal>_<visit>`) of galaxy fields, the ones NAS-Bench-360 uses (deepCR's `field_type` == 'GAL'). */
export const COSMIC_GAL_FIELDS: ReadonlySet<string> = new Set(
  (
    '10760_2 10760_4 13737_2 13737_3 9490_a3 12513_2 12513_3 10182_pb 10182_pd 10584_13 10342_3 14343_1 13057_1 10260_7 10260_5 ' +
    '10407_3 13364_95 10190_28 10190_13 9490_a2 13691_11 12058_12 12058_16 12058_1 12058_6 14704_1 13804_6'
  ).split(' '),
);

const PLANE = COSMIC_SIDE * COSMIC_SIDE;

/** The arrays of `part` in an archive that NAS-Bench-360 uses: filter f435w, galaxy fields, not sky.npy; sorted by path. */
export function cosmicMembers(entries: readonly TarEntry[], part: 'train' | 'test'): TarEntry[] {
  const re = new RegExp(`(?:^|/)npy_${part}/${COSMIC_FILTER}/([^/]+)/([^/]+)/([^/]+\\.npy)$`);
  return entries
    .filter((e) => {
      const m = re.exec(e.name);
      return m !== null && m[3] !== 'sky.npy' && COSMIC_GAL_FIELDS.has(`${m[1]}_${m[2]}`);
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Rows of plane `plane` (0 image, 1 cosmic-ray mask) of each member, cropped to
 * `[64:192, 64:192]`: only the crop's 128 rows are read from the archive.
 */
export function cosmicPlaneSource(file: string, members: readonly TarEntry[], plane: 0 | 1): RowSource & { maxReadBytes: number } {
  const fd = fs.openSync(file, 'r');
  const headers = new Map<number, { offset: number; dtype: ReturnType<typeof parseDescr>; w: number; h: number; planes: number }>();
  const wrong = (m: TarEntry, what: string) =>
    new NasxError('data', `task "${COSMIC_ID}": ${file} member ${m.name} ${what}`, {
      pkg: PKG,
      contribution: COSMIC_ID,
      file,
      fix: 'use the deepCR ACS-WFC archives of the NAS-Bench-360 release: each array [3, W, H] (image, mask, ignore) with W, H ≥ 192',
    });
  const headerOf = (i: number) => {
    const known = headers.get(i);
    if (known) return known;
    const m = members[i]!;
    const head = Buffer.alloc(Math.min(m.size, 4096));
    fs.readSync(fd, head, 0, head.length, m.offset);
    const h = parseNpyHeader(head, `${file}:${m.name}`);
    const [planes, w, hh] = h.shape;
    if (h.shape.length !== 3 || planes! < 2 || w! < COSMIC_CROP_AT + COSMIC_SIDE || hh! < COSMIC_CROP_AT + COSMIC_SIDE || h.fortranOrder)
      throw wrong(
        m,
        `holds [${h.shape.join(', ')}]${h.fortranOrder ? ' in Fortran order' : ''}; expected [2 or 3, W, H] in C order with W, H ≥ ${COSMIC_CROP_AT + COSMIC_SIDE}`,
      );
    const entry = { offset: m.offset + h.dataOffset, dtype: parseDescr(h.descr, `${file}:${m.name}`), w: w!, h: hh!, planes: planes! };
    headers.set(i, entry);
    return entry;
  };
  const source = {
    rows: members.length,
    rowLength: PLANE,
    maxReadBytes: 0,
    async read(start: number, count: number): Promise<RowArray> {
      const out = new Float32Array(count * PLANE);
      for (let k = 0; k < count; k++) {
        const { offset, dtype, w, h } = headerOf(start + k);
        const size = itemSize(dtype.dtype);
        const bytes = Buffer.allocUnsafe(COSMIC_SIDE * h * size);
        source.maxReadBytes = Math.max(source.maxReadBytes, bytes.length);
        const at = offset + (plane * w * h + COSMIC_CROP_AT * h) * size;
        const got = await new Promise<number>((resolve, reject) => fs.read(fd, bytes, 0, bytes.length, at, (e, n) => (e ? reject(e) : resolve(n))));
        if (got !== bytes.length) throw wrong(members[start + k]!, 'is truncated');
        const values = decodeElements(bytes, dtype.dtype, dtype.little, COSMIC_SIDE * h);
        for (let r = 0; r < COSMIC_SIDE; r++)
          for (let c = 0; c < COSMIC_SIDE; c++) out[k * PLANE + r * COSMIC_SIDE + c] = Number(values[r * h + COSMIC_CROP_AT + c]);
      }
      return out;
    },
  };
  return source;
}

/** One split of members, streamed: inputs the image crop, targets the cosmic-ray mask crop. */
function streamed(file: string, members: readonly TarEntry[]): StreamedSet {
  return {
    size: members.length,
    shardRows: COSMIC_SHARD_ROWS,
    contents: { inputs: cosmicPlaneSource(file, members, 0), targets: cosmicPlaneSource(file, members, 1) },
  };
}

/** Synthetic sky images (tests only): smooth background and stars, plus sharp cosmic-ray streaks that the mask marks. */
export function syntheticCosmic(ctx: LoadContext): LoadedData {
  const s = COSMIC_SIDE;
  const make = (n: number): SampleSet => {
    const x = new Float32Array(n * PLANE);
    const values = new Float32Array(n * PLANE);
    for (let i = 0; i < n; i++) {
      const base = i * PLANE;
      for (let p = 0; p < PLANE; p++) x[base + p] = 10 + 2 * Math.sin(p / 900 + i) + ctx.rng.int(100) / 50;
      for (let star = 0; star < 3; star++) {
        const [cy, cx] = [ctx.rng.int(s), ctx.rng.int(s)];
        for (let dy = -3; dy <= 3; dy++)
          for (let dx = -3; dx <= 3; dx++) {
            const [y, xx] = [cy + dy, cx + dx];
            if (y >= 0 && y < s && xx >= 0 && xx < s) x[base + y * s + xx] = x[base + y * s + xx]! + 30 * Math.exp(-(dy * dy + dx * dx) / 4);
          }
      }
      for (let ray = 0; ray < 4; ray++) {
        let [y, xx] = [ctx.rng.int(s), ctx.rng.int(s)];
        const [sy, sx] = [ctx.rng.int(3) - 1, ctx.rng.int(3) - 1 || 1];
        for (let step = 0; step < 6 + ctx.rng.int(10) && y >= 0 && y < s && xx >= 0 && xx < s; step++, y += sy, xx += sx) {
          x[base + y * s + xx] = x[base + y * s + xx]! + 60;
          values[base + y * s + xx] = 1;
        }
      }
    }
    return { size: n, x, values };
  };
  const n = ctx.options.syntheticSize;
  return {
    source: 'synthetic',
    description: 'SYNTHETIC sky images with cosmic-ray streaks (tests only)',
    files: [],
    train: make(n),
    validation: make(Math.ceil(n / 4)),
    test: make(Math.ceil(n / 4)),
  };
}

export const cosmicTask = defineNb360Task({
  id: COSMIC_ID,
  title: 'Cosmic (NAS-Bench-360)',
  description:
    'Mark the pixels hit by cosmic rays in Hubble ACS/WFC images (deepCR): 128×128 crops, dense binary prediction, 1 − AUROC of the thresholded masks; the archives are streamed without unpacking.',
  modality: 'dense-prediction',
  inputShape: [1, COSMIC_SIDE, COSMIC_SIDE],
  outputShape: [1, COSMIC_SIDE, COSMIC_SIDE],
  numClasses: 1,
  loss: 'binary-cross-entropy',
  metric: {
    name: 'val_auroc',
    direction: 'maximize',
    description: 'ROC AUC over all pixels of the predicted masks (network output > 0.5), as NAS-Bench-360 scores Cosmic',
  },
  paper: {
    metric: '1 − AUROC (×100, as the results table prints it)',
    wrn: { mean: 51.76, std: 2.09 },
    denseNas: { mean: 79.52, std: 2.2 },
    dartsGaea: { mean: 31.15, std: 3.48 },
    caveat: 'the table prints Cosmic in percent-like units; our value is 100 × (1 − AUROC) of the thresholded masks',
  },
  files: { full: [...COSMIC_FILES] },
  download: 'the NAS-Bench-360 Cosmic release (deepCR.ACS-WFC.train.tar and deepCR.ACS-WFC.test.tar: https://pde-xd.s3.amazonaws.com/cosmic/)',
  loadFull(ctx) {
    const [trainFile, testFile] = COSMIC_FILES.map((f) => path.join(ctx.dataDir, f)) as [string, string];
    const trainAll = cosmicMembers(readTarDirectory(trainFile), 'train');
    const test = cosmicMembers(readTarDirectory(testFile), 'test');
    for (const [file, members, part] of [
      [trainFile, trainAll, 'train'],
      [testFile, test, 'test'],
    ] as const) {
      if (members.length < (part === 'train' ? 2 : 1))
        throw new NasxError('data', `task "${COSMIC_ID}": ${file} holds no npy_${part}/${COSMIC_FILTER}/<proposal>/<visit>/*.npy arrays of galaxy fields`, {
          pkg: PKG,
          contribution: COSMIC_ID,
          file,
          fix: 'use the deepCR ACS-WFC archives of the NAS-Bench-360 release, not unpacked or repacked',
        });
    }
    const n = trainAll.length;
    const nTrain = Math.max(1, Math.floor(n * (1 - COSMIC_VAL_SPLIT)));
    const train = trainAll.slice(0, nTrain);
    const validation = trainAll.slice(Math.min(n - 1, nTrain));
    return {
      source: 'full',
      description: `full release: ${train.length} training and ${validation.length} validation arrays (f435w, galaxy fields; first 90 % / last 10 %), ${test.length} test arrays, cropped to 128×128 and streamed from the archives`,
      files: [trainFile, testFile],
      train: streamed(trainFile, train),
      validation: streamed(trainFile, validation),
      test: streamed(testFile, test),
    };
  },
  synthetic: syntheticCosmic,
  paperForm: (auc) => 100 * (1 - auc),
  score: (p: TaskPredictions) =>
    auroc(p.targets.subarray(0, p.samples * p.outputSize), p.outputs.subarray(0, p.samples * p.outputSize), p.samples, p.outputSize, {
      average: 'pooled',
      threshold: 0.5,
    }),
});
