import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { ImageSplit, ShardedSplit, sklearnTrainTestSplit } from '@nasx/data';
import { testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type DataSet, type Nb360Options, type Nb360Task, type SampleSet } from '../common/nb360-task';
import { darcyTask } from './darcy';
import { ecgTask, windowStarts } from './ecg';
import { SATELLITE_PADDED, satelliteTask } from './satellite';
import { CIFAR100_MEAN, CIFAR100_STD, augmentCifar100, cifar100Task } from './cifar100';
import { SPHERICAL_FILE, readSphericalPickle, sphericalTask, splitSpherical } from './spherical';

// Tiny files in the release's own formats (tools/scripts/nb360-release-fixtures.py): the loaders of
// the full release read them exactly as they read the real files.
const RELEASE = path.join(__dirname, '..', '__fixtures__', 'release');

async function create(task: { create: (o: never, d: never) => unknown }, options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await task.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}
const held = (s: DataSet): SampleSet => {
  if (isStreamed(s)) throw new Error('expected an in-memory split');
  return s;
};

describe('NAS-Bench-360 release formats', () => {
  it("ECG: challenge2017.pkl, split by record as NAS-Bench-360's train_test_split(0.2, 0.5, random_state=0), windowed per class", async () => {
    const t = await create(ecgTask, { source: 'full' }, { dataDir: RELEASE });
    expect(t.source).toBe('full');
    const lengths = Array.from({ length: 20 }, (_, i) => 1200 + 30 * i);
    const labels = lengths.map((_, i) => i % 4);
    const first = sklearnTrainTestSplit(20, 0.2, 0);
    const second = sklearnTrainTestSplit(first.test.length, 0.5, 0);
    const trainIds = first.train;
    const valIds = second.train.map((i) => first.test[i]!);
    const testIds = second.test.map((i) => first.test[i]!);
    const windows = (set: Int32Array) => Array.from(set).reduce((s, r) => s + windowStarts(lengths[r]!, labels[r]!).length, 0);
    const { train, validation, test } = { train: held(t.data.train), validation: held(t.data.validation), test: held(t.data.test) };
    expect([train.size, validation.size, test.size]).toEqual([windows(trainIds), windows(valIds), windows(testIds)]);
    expect(new Set(validation.groups).size).toBe(2);
    // Each window is z-scored per record: the first window of the first test record.
    const r = testIds[0]!;
    const raw = Array.from({ length: lengths[r]! }, (_, k) => Math.round(100 * Math.sin(k / (5 + r)) + r));
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length);
    expect(test.x[10]).toBeCloseTo((raw[10]! - mean) / std, 5);
    expect(test.labels![0]).toBe(labels[r]);
  });

  it('Satellite: satellite_{train,test}.npy dicts; labels − 1; validation = the last len(test) training series', async () => {
    const t = await create(satelliteTask, { source: 'full' }, { dataDir: RELEASE });
    const { train, validation, test } = { train: held(t.data.train), validation: held(t.data.validation), test: held(t.data.test) };
    expect([train.size, validation.size, test.size]).toEqual([48, 12, 12]);
    expect(Array.from(validation.labels!.subarray(0, 3))).toEqual([48 % 24, 49 % 24, 50 % 24]);
    const series = Array.from({ length: 46 }, (_, k) => ((48 * 46 + k) % 17) + 48);
    const mean = series.reduce((a, b) => a + b, 0) / 46;
    const std = Math.sqrt(series.reduce((a, b) => a + (b - mean) ** 2, 0) / 46);
    expect(validation.x[5]).toBeCloseTo((series[5]! - mean) / std, 5);
    expect(Array.from(validation.x.subarray(46, SATELLITE_PADDED))).toEqual([0, 0]);
  });

  it('Darcy: the .mat fields subsampled every 5th point; 900/100 from smooth1, the first 100 of smooth2', async () => {
    const t = await create(darcyTask, { source: 'full' }, { dataDir: RELEASE });
    expect([t.inputShape, t.outputShape]).toEqual([
      [3, 3, 3],
      [1, 3, 3],
    ]);
    const { train, validation, test } = { train: held(t.data.train), validation: held(t.data.validation), test: held(t.data.test) };
    expect([train.size, validation.size, test.size]).toEqual([900, 100, 100]);
    // sol[i, j, k] = coeff / 100 + i / 1000, coeff = 3 + 9 ((i + j + k) % 2), grid points j, k ∈ {0, 5, 10}
    const u = (i: number, j: number, k: number) => (3 + 9 * ((i + j + k) % 2)) / 100 + i / 1000;
    expect(validation.values![0]).toBeCloseTo(u(900, 0, 0), 6);
    expect(validation.values![4]).toBeCloseTo(u(900, 5, 5), 6);
    expect(test.values![9 * 7 + 1]).toBeCloseTo(u(7, 0, 5), 6);
  });

  it('CIFAR-100: cifar-100-python pickles (protocol 2); first 80 % / last 20 % of train; ToTensor + Normalize', async () => {
    const t = await create(cifar100Task, { source: 'full' }, { dataDir: RELEASE });
    const { train, validation, test } = { train: held(t.data.train), validation: held(t.data.validation), test: held(t.data.test) };
    expect([train.size, validation.size, test.size]).toEqual([40, 10, 10]);
    expect(t.inputShape).toEqual([3, 32, 32]);
    // pixel k of image i = (7 i + k) % 256; fine label (3 i) % 100
    const norm = (i: number, k: number) => (((7 * i + k) % 256) / 255 - CIFAR100_MEAN[Math.floor(k / 1024)]!) / CIFAR100_STD[Math.floor(k / 1024)]!;
    expect(validation.x[2 * 3072 + 1500]).toBeCloseTo(norm(42, 1500), 5);
    expect(test.x[3 * 3072 + 3000]).toBeCloseTo(norm(3, 3000), 5);
    expect(Array.from(validation.labels!.subarray(0, 3))).toEqual([120 % 100, 123 % 100, 126 % 100]);
  });

  it('CIFAR-100 augmentation: padded crop, then flip, then a 16×16 cutout, as the slow reference computes it', () => {
    const x = Float32Array.from({ length: 2 * 3072 }, (_, k) => Math.sin(k));
    for (let seed = 0; seed < 20; seed++) {
      const out = new Float32Array(3072);
      augmentCifar100(x, 1, out, 0, testDeps(seed).rng);
      const r = testDeps(seed).rng;
      const [dy, dx, flip, cy, cx] = [r.int(9), r.int(9), r.next() < 0.5, r.int(32), r.int(32)];
      for (let c = 0; c < 3; c++) {
        // pad by 4 with the normalised zero, crop at (dy, dx)
        const padded = (y: number, xx: number) =>
          y < 4 || y >= 36 || xx < 4 || xx >= 36 ? -CIFAR100_MEAN[c]! / CIFAR100_STD[c]! : x[3072 + c * 1024 + (y - 4) * 32 + (xx - 4)]!;
        for (let y = 0; y < 32; y++)
          for (let xx = 0; xx < 32; xx++) {
            const cropped = padded(y + dy, (flip ? 31 - xx : xx) + dx);
            const cut = y >= Math.max(0, cy - 8) && y < Math.min(32, cy + 8) && xx >= Math.max(0, cx - 8) && xx < Math.min(32, cx + 8);
            expect(out[c * 1024 + y * 32 + xx]).toBe(cut ? 0 : Math.fround(cropped));
          }
      }
    }
  });

  it('Spherical: s2_cifar100.gz (gzip pickle) streamed; [N, 3, 60, 60] float32 as stored; first 80 % / last 20 %', async () => {
    const t = await create(sphericalTask, { source: 'full' }, { dataDir: RELEASE });
    const { train, validation, test } = { train: held(t.data.train), validation: held(t.data.validation), test: held(t.data.test) };
    expect([train.size, validation.size, test.size]).toEqual([8, 2, 4]);
    // images[i, c, r, q] = i + c / 4 + r / 64 + q / 4096; labels (11 i) % 100
    const v = (i: number, c: number, r: number, q: number) => i + c / 4 + r / 64 + q / 4096;
    expect(validation.x[1 * 10800 + 2 * 3600 + 7 * 60 + 59]).toBe(Math.fround(v(9, 2, 7, 59)));
    expect(test.x[3 * 10800 + 3599]).toBe(Math.fround(v(3, 0, 59, 59)));
    expect(Array.from(validation.labels!)).toEqual([88, 99]);
    expect(Array.from(test.labels!)).toEqual([0, 11, 22, 33]);
  });

  it('Spherical: a release above the spill size streams from its unpacked arrays, batch for batch the same images and labels', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-s2-'));
    try {
      const file = path.join(RELEASE, SPHERICAL_FILE);
      const held = await readSphericalPickle(file);
      const streamed = await readSphericalPickle(file, { minBytes: 1024, dir });
      expect([isStreamed(held.train), isStreamed(streamed.train), streamed.from]).toEqual([false, true, 'unpacked']);
      expect((await readSphericalPickle(file, { minBytes: 1024, dir })).from).toBe('cache');
      const a = splitSpherical(held.train);
      const b = splitSpherical(streamed.train);
      const batches = async (set: DataSet) => {
        let split: ShardedSplit | ImageSplit;
        if (isStreamed(set)) split = new ShardedSplit('s', set.contents, [3, 60, 60], set.shardRows, {});
        else {
          const held = new ImageSplit('s', set.size, [3, 60, 60], async () => undefined, {});
          held.fill({
            indices: Int32Array.from({ length: set.size }, (_, i) => i),
            labels: set.labels!,
            write: (i, out, at) => out.set(set.x.subarray(i * 10800, (i + 1) * 10800), at),
          });
          split = held;
        }
        const out: { x: number[]; y: number[] }[] = [];
        for await (const batch of split.batches({ batchSize: 3 }))
          out.push({ x: Array.from(batch.x.data as Float32Array), y: Array.from(batch.y.data as Int32Array) });
        return out;
      };
      for (const k of ['train', 'validation'] as const) expect(await batches(b[k])).toEqual(await batches(a[k]));
      expect(await batches(streamed.test)).toEqual(await batches(held.test));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
