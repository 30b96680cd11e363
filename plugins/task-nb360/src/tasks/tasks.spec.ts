import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { CommonDeps } from '@nasx/contracts';
import { catchNasxErrorAsync, describeWithSharedData, testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type LoadedData, type Nb360Options, type Nb360Task, type SampleSet } from '../common/nb360-task';
import { darcyTask, pointwiseStats } from './darcy';
import { ECG_STRIDES, ecgTask, meanClassF1, recordVotes, slideAndCut, windowStarts, zScore } from './ecg';
import { SATELLITE_PADDED, satelliteTask } from './satellite';

const SAMPLES = 'nas-bench-360-samples';

async function create(task: { create: (o: never, d: never) => unknown }, options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await task.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}

/** The three splits of data read into memory (the samples are small). */
function inMemory(data: LoadedData): { train: SampleSet; validation: SampleSet; test: SampleSet } {
  const sets = [data.train, data.validation, data.test].map((s) => {
    if (isStreamed(s)) throw new Error('expected an in-memory split');
    return s;
  });
  return { train: sets[0]!, validation: sets[1]!, test: sets[2]! };
}

async function firstBatch(task: Nb360Task, split: 'train' | 'validation' | 'test', batchSize = 8) {
  for await (const b of task.splits[split].batches({ batchSize })) return b;
  throw new Error('empty split');
}

describe('NAS-Bench-360 tasks: windowing, votes and metrics by hand', () => {
  it('ECG windows start at range(0, len − 1000, stride) with strides 500, 83, 250, 25', () => {
    expect(ECG_STRIDES).toEqual([500, Math.floor(500 / 6), 250, 25]);
    expect(windowStarts(9000, 0)).toEqual(Array.from({ length: 16 }, (_, i) => 500 * i));
    expect(windowStarts(1000, 0)).toEqual([]); // range(0, 0) is empty
    expect(windowStarts(1001, 3)).toEqual([0]);
    expect(windowStarts(9000, 1)).toHaveLength(Math.ceil(8000 / 83));
    const set = slideAndCut([
      { signal: Float32Array.from({ length: 1600 }, (_, i) => i), label: 0 },
      { signal: Float32Array.from({ length: 1100 }, (_, i) => -i), label: 3 },
    ]);
    expect(set.size).toBe(2 + 4);
    expect(Array.from(set.labels!)).toEqual([0, 0, 3, 3, 3, 3]);
    expect(Array.from(set.groups!)).toEqual([0, 0, 1, 1, 1, 1]);
    expect([set.x[1000], set.x[2 * 1000 + 25 * 3 * 0], set.x[3 * 1000]]).toEqual([500, -0, -25]);
  });

  it('z-scores with the population standard deviation (NumPy np.std)', () => {
    const z = zScore(Float32Array.from([1, 2, 3, 4]));
    // mean 2.5, population std √1.25
    expect(Array.from(z).map((v) => +v.toFixed(6))).toEqual([-1.341641, -0.447214, 0.447214, 1.341641]);
  });

  it('ECG scoring: majority vote per record (ties to the class predicted first), then F1 averaged over the 4 classes', () => {
    // Record 0 (truth N): votes N, A, A → A. Record 1 (truth A): A, O, O, A → tie, A came first.
    // Record 2 (truth O): O. Record 3 (truth ~): N.
    const groups = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2, 3]);
    const truth = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 2, 3]);
    const pred = Int32Array.from([0, 1, 1, 1, 2, 2, 1, 2, 0]);
    const { gt, pred: voted } = recordVotes(pred, truth, groups, 4);
    expect([Array.from(gt), Array.from(voted)]).toEqual([
      [0, 1, 2, 3],
      [1, 1, 2, 0],
    ]);
    // N: tp 0 fp 1 fn 1 → 0; A: tp 1 fp 1 → 2/3; O: 1; ~: never predicted → 0. Mean (0 + 2/3 + 1 + 0) / 4.
    expect(meanClassF1(gt, voted, 4)).toBeCloseTo((2 / 3 + 1) / 4, 12);
  });

  it('Darcy normalises each grid point with the training mean and unbiased std + 1e-5 (FNO UnitGaussianNormalizer)', () => {
    const a = Float32Array.from([0, 1, 1, 1, 2, 1]); // 3 samples × 2 points
    const { mean, std } = pointwiseStats(a, 3, 2);
    expect(Array.from(mean)).toEqual([1, 1]);
    expect(std[0]).toBeCloseTo(1 + 1e-5, 6);
    expect(std[1]).toBeCloseTo(1e-5, 9);
  });
});

describe('NAS-Bench-360 tasks: data sources and errors', () => {
  it('a missing file gets one message naming the file, the task and where to download it', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb360-'));
    const e = await catchNasxErrorAsync(() => create(ecgTask, { source: 'sample' }, { dataDir: empty }));
    expect(e.message).toContain('task "ecg"');
    expect(e.message).toContain('missing ecg_physionet2017_sample300_int16.bin.gz, ecg_physionet2017_sample300_index.csv');
    expect(e.fix).toMatch(/physionet|nb360/);
    const auto = await catchNasxErrorAsync(() => create(darcyTask, {}, { dataDir: empty }));
    expect(auto.message).toMatch(/neither the full release .*piececonst_r421_N1024_smooth1\.mat.* nor the sample .*darcy_train_16_x_u8\.bin\.gz/);
    const none = await catchNasxErrorAsync(() => create(satelliteTask, {}, { dataDir: undefined }));
    expect(none.message).toContain('no');
    expect(none.fix).toContain('satellite_train.npy');
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('synthetic data has the task’s exact shapes and says SYNTHETIC wherever it appears', async () => {
    for (const [task, x, y] of [
      [ecgTask, [8, 1, 1000], [8]],
      [satelliteTask, [8, 1, SATELLITE_PADDED], [8]],
      [darcyTask, [8, 3, 16, 16], [8, 1, 16, 16]],
    ] as const) {
      const t = await create(task, { source: 'synthetic', syntheticSize: 64 });
      expect(t.source).toBe('synthetic');
      expect(t.data.description).toContain('SYNTHETIC');
      expect(t.metric.description).toContain('SYNTHETIC');
      const b = await firstBatch(t, 'train');
      expect([b.x.shape, b.y.shape]).toEqual([x, y]);
    }
  });
});

describeWithSharedData('NAS-Bench-360 tasks on the real samples (shared/data/nas-bench-360-samples)', SAMPLES, (root) => {
  const dataDir = path.join(root, SAMPLES);

  it('ECG: 300 records split 240/30/30 and windowed by class; inputs [1, 1000] z-scored per record', async () => {
    const t = await create(ecgTask, { source: 'sample' }, { dataDir });
    expect(t.source).toBe('sample');
    const records = (set: { groups?: Int32Array }) => new Set(set.groups).size;
    const { train, validation, test } = inMemory(t.data);
    expect([records(train), records(validation), records(test)]).toEqual([240, 30, 30]);
    // Every window count follows from the index: Σ over records of |range(0, len − 1000, stride)|.
    const index = fs.readFileSync(path.join(dataDir, 'ecg_physionet2017_sample300_index.csv'), 'utf8').trim().split('\n').slice(1);
    const all = index.map((l) => l.split(',')).map((f) => windowStarts(Number(f[2]), ['N', 'A', 'O', '~'].indexOf(f[3]!)).length);
    expect(train.size + validation.size + test.size).toBe(all.reduce((a, b) => a + b, 0));
    const b = await firstBatch(t, 'validation', 4);
    expect([b.x.shape, b.y.shape, b.y.dtype]).toEqual([[4, 1, 1000], [4], 'int32']);
    // The first record A00001 (N) begins −127, −162, −197 ADU: z-scored, its first values rise by the same steps.
    const raw = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, 'ecg_physionet2017_sample300_int16.bin.gz')));
    expect(new Int16Array(raw.buffer, raw.byteOffset, 3)).toEqual(Int16Array.from([-127, -162, -197]));
    // A perfect predictor scores F1 1 record-wise; always predicting N scores (2·150/(150+300)·…)/4 < 0.25.
    const perfect = new Float32Array(validation.size * 4);
    validation.labels!.forEach((c, i) => (perfect[i * 4 + c] = 1));
    expect(t.score({ outputs: perfect, outputSize: 4, targets: validation.labels!, samples: validation.size })).toBe(1);
    const allN = new Float32Array(validation.size * 4).map((_, i) => (i % 4 === 0 ? 1 : 0));
    expect(t.score({ outputs: allN, outputSize: 4, targets: validation.labels!, samples: validation.size })).toBeLessThan(0.25);
  });

  it('Satellite: 7,200 Crop series, 24 classes × 300, split 60/20/20 per class; each series z-normalised and padded to 48', async () => {
    const t = await create(satelliteTask, { source: 'sample' }, { dataDir });
    const { train, validation, test } = inMemory(t.data);
    expect([train.size, validation.size, test.size]).toEqual([4320, 1440, 1440]);
    const perClass = new Array(24).fill(0);
    for (const c of validation.labels!) perClass[c]++;
    expect(perClass.every((k) => k === 60)).toBe(true);
    const b = await firstBatch(t, 'train', 2);
    expect(b.x.shape).toEqual([2, 1, 48]);
    const row = (b.x.data as Float32Array).subarray(0, 48);
    const mean = row.subarray(0, 46).reduce((a, v) => a + v, 0) / 46;
    const variance = row.subarray(0, 46).reduce((a, v) => a + (v - mean) ** 2, 0) / 46;
    expect([Math.abs(mean) < 1e-5, Math.abs(variance - 1) < 1e-4, row[46], row[47]]).toEqual([true, true, 0, 0]);
  });

  it('Darcy: 900/100 training fields and 50 test fields at 16×16; input [a, x, y], target u unchanged', async () => {
    const t = await create(darcyTask, { source: 'sample' }, { dataDir });
    const { train, validation, test } = inMemory(t.data);
    expect([train.size, validation.size, test.size]).toEqual([900, 100, 50]);
    expect([t.inputShape, t.outputShape]).toEqual([
      [3, 16, 16],
      [1, 16, 16],
    ]);
    const b = await firstBatch(t, 'test', 1);
    expect([b.x.shape, b.y.shape, b.y.dtype]).toEqual([[1, 3, 16, 16], [1, 1, 16, 16], 'float32']);
    const x = b.x.data as Float32Array;
    // grid x along columns, y along rows, linspace(0, 1, 16)
    expect([x[256 + 1], x[256 + 16], x[512 + 1], x[512 + 16]]).toEqual([Math.fround(1 / 15), 0, 0, Math.fround(1 / 15)]);
    const y = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, 'darcy_test_16_y_f32.bin.gz')));
    expect(Array.from(b.y.data.subarray(0, 4))).toEqual(Array.from(new Float32Array(y.buffer, y.byteOffset, 4)));
    // Relative ℓ2: exact prediction 0, all-zero prediction 1.
    const vals = validation.values!;
    expect(t.score({ outputs: vals, outputSize: 256, targets: vals, samples: 100 })).toBe(0);
    expect(t.score({ outputs: new Float32Array(vals.length), outputSize: 256, targets: vals, samples: 100 })).toBeCloseTo(1, 10);
  });
});
