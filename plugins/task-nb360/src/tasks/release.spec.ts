import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { sklearnTrainTestSplit } from '@nasx/data';
import { testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type DataSet, type Nb360Options, type Nb360Task, type SampleSet } from '../common/nb360-task';
import { darcyTask } from './darcy';
import { ecgTask, windowStarts } from './ecg';
import { SATELLITE_PADDED, satelliteTask } from './satellite';

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
});
