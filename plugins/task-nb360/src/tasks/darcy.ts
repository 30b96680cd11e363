/**
 * Darcy Flow (NAS-Bench-360, after Li et al.'s Fourier Neural Operator, ICLR 2021): from the
 * coefficient field a(x) of a 2-D Darcy flow PDE predict the solution u(x) on the same grid — dense
 * regression judged by the relative ℓ2 error ‖û − u‖₂/‖u‖₂ averaged over samples (FNO's `LpLoss`).
 *
 * As NAS-Bench-360 prepares it (`backbone/model_grid_new.py`, `utils_grid.py`): the coefficient is
 * normalised per grid point by its mean and std over the training samples (FNO's
 * `UnitGaussianNormalizer`: unbiased std, ε 1e-5) and the grid coordinates are appended as two more
 * channels (`create_grid`: x along columns, y along rows, both `linspace(0, 1, s)`), so the input is
 * `[3, s, s]` = [a, x, y] and the output `[1, s, s]`. The full release subsamples FNO's 421×421
 * `piececonst_r421_N1024_smooth1.mat` by 5 to 85×85: training on its first 900 samples, validation
 * on the next 100, testing on the first 100 of `…_smooth2.mat`.
 * One difference: NAS-Bench-360 also normalises u for training and decodes the output before the
 * loss; here the network predicts u directly (u is O(1) in these data) and trains with the same
 * relative ℓ2 loss.
 *
 * Real sample: neuraloperator's small Darcy set (1,000 training fields at 16×16, 50 test fields),
 * the same problem family at a lower resolution and with its own scaling (not comparable with
 * NAS-Bench-360's numbers): training on the first 900, validation on the last 100, test the 50.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { loadMat } from '@nasx/data';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet } from '../common/nb360-task';
import { relativeL2 } from '@nasx/stats';

export const DARCY_ID = 'darcy';
/** Side of the sample's grid. */
export const DARCY_SAMPLE_SIDE = 16;
export const DARCY_SAMPLE_FILES = [
  'darcy_train_16_x_u8.bin.gz',
  'darcy_train_16_y_f32.bin.gz',
  'darcy_test_16_x_u8.bin.gz',
  'darcy_test_16_y_f32.bin.gz',
] as const;

export const DARCY_FULL_FILES = ['piececonst_r421_N1024_smooth1.mat', 'piececonst_r421_N1024_smooth2.mat'] as const;
/** FNO's and NAS-Bench-360's subsampling of the 421×421 grid: every 5th point, 85×85. */
export const DARCY_FULL_STRIDE = 5;

/**
 * The first `n` fields of one of FNO's `.mat` files (`coeff`, `sol`: N × 421 × 421 doubles), every
 * 5th grid point, read in one streamed pass (FNO's `MatReader` then `x[:n, ::r, ::r][:, :s, :s]`).
 */
export async function readDarcyMat(file: string, n: number): Promise<DarcyFields> {
  const step = { step: DARCY_FULL_STRIDE };
  const m = await loadMat(file, { variables: ['coeff', 'sol'], slices: { coeff: [{ stop: n }, step, step], sol: [{ stop: n }, step, step] }, float32: true });
  const [count, side, side2] = m.coeff!.shape as [number, number, number];
  if (count < n || side !== side2 || m.sol!.shape.join() !== m.coeff!.shape.join()) {
    throw new NasxError(
      'data',
      `task "${DARCY_ID}": ${file} holds coeff [${m.coeff!.shape.join(', ')}] and sol [${m.sol!.shape.join(', ')}]; expected at least ${n} square fields of each`,
      {
        pkg: PKG,
        contribution: DARCY_ID,
        file,
        fix: 'use the files of the release (FNO piececonst_r421_N1024_smooth1.mat / _smooth2.mat)',
      },
    );
  }
  return { n, side, a: m.coeff!.data as Float32Array, u: m.sol!.data as Float32Array };
}

/** Fields `a` (coefficients) and `u` (solutions), `n × s × s` each. */
export interface DarcyFields {
  readonly n: number;
  readonly side: number;
  readonly a: Float32Array;
  readonly u: Float32Array;
}

function gunzipFile(file: string): Buffer {
  return zlib.gunzipSync(fs.readFileSync(file));
}

/** Reads one part of the neuraloperator sample: uint8 0/1 coefficients and float32 LE solutions. */
export function readDarcySamplePart(dataDir: string, part: 'train' | 'test'): DarcyFields {
  const side = DARCY_SAMPLE_SIDE;
  const xFile = path.join(dataDir, `darcy_${part}_16_x_u8.bin.gz`);
  const yFile = path.join(dataDir, `darcy_${part}_16_y_f32.bin.gz`);
  const x = gunzipFile(xFile);
  const y = gunzipFile(yFile);
  const n = x.length / (side * side);
  if (!Number.isInteger(n) || y.length !== 4 * x.length) {
    throw new NasxError(
      'data',
      `task "${DARCY_ID}": ${xFile} (${x.length} bytes) and ${yFile} (${y.length} bytes) are not n ${side}×${side} uint8 and float32 fields`,
      {
        pkg: PKG,
        contribution: DARCY_ID,
        fix: 'replace both files with an intact copy of the sample',
      },
    );
  }
  const u = new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + y.byteLength));
  return { n, side, a: Float32Array.from(x), u };
}

/** Per-point mean and unbiased std (+ ε 1e-5) of `n` fields, FNO's `UnitGaussianNormalizer`. */
export function pointwiseStats(a: Float32Array, n: number, points: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(points);
  const std = new Float32Array(points);
  for (let p = 0; p < points; p++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += a[i * points + p]!;
    m /= n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (a[i * points + p]! - m) ** 2;
    mean[p] = m;
    std[p] = Math.sqrt(sq / Math.max(n - 1, 1)) + 1e-5;
  }
  return { mean, std };
}

/** Samples `[3, s, s]` = [normalised a, grid x, grid y] and targets `[1, s, s]` for fields `from … to − 1`. */
export function darcySamples(f: DarcyFields, from: number, to: number, stats: { mean: Float32Array; std: Float32Array }): SampleSet {
  const s = f.side;
  const points = s * s;
  const n = to - from;
  const x = new Float32Array(n * 3 * points);
  const values = new Float32Array(n * points);
  for (let i = 0; i < n; i++) {
    const src = (from + i) * points;
    const at = i * 3 * points;
    for (let p = 0; p < points; p++) {
      x[at + p] = (f.a[src + p]! - stats.mean[p]!) / stats.std[p]!;
      x[at + points + p] = s > 1 ? (p % s) / (s - 1) : 0; // x along columns
      x[at + 2 * points + p] = s > 1 ? Math.floor(p / s) / (s - 1) : 0; // y along rows
    }
    values.set(f.u.subarray(src, src + points), i * points);
  }
  return { size: n, x, values };
}

/** Train (first n − 100), validation (last 100) of `train`, and `test`, normalised with the training statistics. */
export function splitDarcy(train: DarcyFields, test: DarcyFields, validation = 100): { train: SampleSet; validation: SampleSet; test: SampleSet } {
  const nTrain = train.n - validation;
  const stats = pointwiseStats(train.a, nTrain, train.side * train.side);
  return { train: darcySamples(train, 0, nTrain, stats), validation: darcySamples(train, nTrain, train.n, stats), test: darcySamples(test, 0, test.n, stats) };
}

/**
 * Synthetic Darcy-like fields (tests only): a random piecewise-constant 0/1 coefficient (blocks of
 * 4×4) and as "solution" a smoothed (3×3 mean, 4 passes) inverse of it — a local map a network can
 * learn, with the task's shapes.
 */
export function syntheticDarcy(ctx: LoadContext): LoadedData {
  const s = DARCY_SAMPLE_SIDE;
  const points = s * s;
  const make = (n: number): DarcyFields => {
    const a = new Float32Array(n * points);
    const u = new Float32Array(n * points);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < points; p++) {
        const block = Math.floor(Math.floor(p / s) / 4) * 4 + Math.floor((p % s) / 4);
        a[i * points + p] = (block * 7 + i * 13 + ctx.rng.int(3)) % 2;
      }
      let v = Float32Array.from(a.subarray(i * points, (i + 1) * points), (c) => 1 / (1 + c));
      for (let pass = 0; pass < 4; pass++) {
        const next = new Float32Array(points);
        for (let r = 0; r < s; r++)
          for (let c = 0; c < s; c++) {
            let sum = 0;
            let cnt = 0;
            for (let dr = -1; dr <= 1; dr++)
              for (let dc = -1; dc <= 1; dc++) {
                const rr = r + dr;
                const cc = c + dc;
                if (rr >= 0 && rr < s && cc >= 0 && cc < s) {
                  sum += v[rr * s + cc]!;
                  cnt++;
                }
              }
            next[r * s + c] = sum / cnt;
          }
        v = next;
      }
      u.set(v, i * points);
    }
    return { n, side: s, a, u };
  };
  const n = ctx.options.syntheticSize;
  const v = Math.ceil(n / 4);
  return { source: 'synthetic', description: 'SYNTHETIC Darcy-like fields (tests only)', files: [], ...splitDarcy(make(n + v), make(v), v) };
}

export const darcyTask = defineNb360Task({
  id: DARCY_ID,
  title: 'Darcy Flow (NAS-Bench-360)',
  description: 'Solve a 2-D Darcy flow PDE: coefficient field (+ grid) → solution field, dense regression, relative ℓ2 error.',
  modality: 'dense-prediction',
  inputShape: [3, DARCY_SAMPLE_SIDE, DARCY_SAMPLE_SIDE],
  outputShape: [1, DARCY_SAMPLE_SIDE, DARCY_SAMPLE_SIDE],
  numClasses: 1,
  loss: 'relative-l2',
  metric: { name: 'val_rel_l2', direction: 'minimize', description: 'relative ℓ2 error ‖û − u‖/‖u‖, averaged over the validation fields' },
  paper: {
    metric: 'relative ℓ2',
    wrn: { mean: 0.073, std: 0.001 },
    denseNas: { mean: 0.1, std: 0.01 },
    dartsGaea: { mean: 0.026, std: 0.001 },
    expert: { mean: 0.0065, note: 'FNO, from the repository draft table (docs/index.md)' },
    caveat: 'the sample is neuraloperator’s 16×16 Darcy set, not NAS-Bench-360’s 85×85 fields: not comparable',
  },
  files: { full: [...DARCY_FULL_FILES], sample: [...DARCY_SAMPLE_FILES] },
  download:
    'FNO’s Darcy data (piececonst_r421_N1024_smooth1.mat and _smooth2.mat, linked from https://nb360.ml.cmu.edu and https://github.com/neuraloperator/neuraloperator)',
  async loadFull(ctx) {
    const [trainFile, testFile] = [path.join(ctx.dataDir, DARCY_FULL_FILES[0]), path.join(ctx.dataDir, DARCY_FULL_FILES[1])];
    const train = await readDarcyMat(trainFile, 1000);
    const test = await readDarcyMat(testFile, 100);
    return {
      source: 'full',
      description: `full release: FNO's Darcy fields subsampled by ${DARCY_FULL_STRIDE} to ${train.side}×${train.side} (900 train, 100 validation from smooth1, 100 test from smooth2)`,
      files: [trainFile, testFile],
      inputShape: [3, train.side, train.side],
      outputShape: [1, train.side, train.side],
      ...splitDarcy(train, test),
    };
  },
  loadSample(ctx) {
    const train = readDarcySamplePart(ctx.dataDir, 'train');
    const test = readDarcySamplePart(ctx.dataDir, 'test');
    return {
      source: 'sample',
      description: `real sample: neuraloperator's small Darcy set (${train.n} + ${test.n} fields at 16×16)`,
      files: DARCY_SAMPLE_FILES.map((f) => path.join(ctx.dataDir, f)),
      ...splitDarcy(train, test),
    };
  },
  synthetic: syntheticDarcy,
  score: (p: TaskPredictions) =>
    relativeL2(p.outputs.subarray(0, p.samples * p.outputSize), p.targets.subarray(0, p.samples * p.outputSize), p.samples, p.outputSize),
});
