import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch, CommonDeps } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { describeWithSharedData, testDeps, validatedOptions, catchNasxError } from '@nasx/testing';
import { tempDir, syntheticLabel, syntheticPixel, writeSyntheticBinary } from './__fixtures__/synthetic-cifar10';
import { CIFAR10_NORMALIZATION, drawAugmentation, writeAugmented, type Augmentation } from './cifar10-transforms';
import schema from './cifar10.schema.json';
import { cifar10Task, type Cifar10Options, type Cifar10Task } from './cifar10.task';
import { normalizationTable } from '@nasx/data';

function create(options: Partial<Cifar10Options>, deps: Partial<CommonDeps> = {}, seed = 0): Cifar10Task {
  return cifar10Task.create(validatedOptions(schema, options), testDeps(seed, deps)) as Cifar10Task;
}

async function loaded(options: Partial<Cifar10Options>, deps: Partial<CommonDeps> = {}, seed = 0): Promise<Cifar10Task> {
  const task = create(options, deps, seed);
  await task.load();
  return task;
}

async function epoch(
  task: Cifar10Task,
  split: 'train' | 'validation' | 'test',
  options: { batchSize?: number; rng?: ReturnType<typeof createRng> } = {},
): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of task.splits[split].batches({ batchSize: options.batchSize ?? 100, rng: options.rng })) out.push(b);
  return out;
}

/** Per-channel mean and population std of everything an epoch yields. */
function channelMoments(batches: Batch[]): { mean: number[]; std: number[] } {
  const s: [number, number, number] = [0, 0, 0];
  const s2: [number, number, number] = [0, 0, 0];
  let n = 0;
  for (const b of batches) {
    const x = b.x.data;
    const imgs = b.x.shape[0]!;
    n += imgs * 1024;
    for (let i = 0; i < imgs; i++)
      for (const c of [0, 1, 2] as const)
        for (let p = 0; p < 1024; p++) {
          const v = x[i * 3072 + c * 1024 + p]!;
          s[c] += v;
          s2[c] += v * v;
        }
  }
  const mean = s.map((v) => v / n);
  return { mean, std: s2.map((v, c) => Math.sqrt(v / n - mean[c]! ** 2)) };
}

/** The obvious, slow augmentation: pad with zeros, mirror, crop; then normalise. */
function naiveAugment(img: Uint8Array, aug: Augmentation, table: Float32Array): Float32Array {
  const out = new Float32Array(3072);
  for (let c = 0; c < 3; c++) {
    const padded: number[][] = Array.from({ length: 40 }, () => new Array<number>(40).fill(0));
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) padded[y + 4]![x + 4]! = img[c * 1024 + y * 32 + (aug.flip ? 31 - x : x)]!;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[c * 1024 + y * 32 + x] = table[c * 256 + padded[y + aug.dy]![x + aug.dx]!]!;
  }
  return out;
}

describe('cifar10 options and data directory', () => {
  const root = tempDir();
  const dir = writeSyntheticBinary(root, { perFile: 6, test: 8 });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('the option type names exactly the schema properties', () => {
    const keys: (keyof Cifar10Options)[] = [
      'dataDir',
      'validationFraction',
      'validationSize',
      'stratify',
      'limit',
      'testLimit',
      'normalize',
      'augment',
      'seed',
    ];
    expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
  });

  it('reads deps.dataDir, or the dataDir option resolved against the config folder (the option wins)', () => {
    expect(create({}, { dataDir: root }).source.dir).toBe(dir);
    const viaOption = create({ dataDir: path.basename(root) }, { configDir: path.dirname(root), dataDir: '/nonexistent' });
    expect(viaOption.source.dir).toBe(dir);
    expect(create({ dataDir: dir }, { dataDir: '/nonexistent' }).source.layout).toBe('binary');
  });

  it('a bad dataDir option is named as such; a missing run data dir names the fix', () => {
    const e = catchNasxError(() => create({ dataDir: 'missing-folder' }, { configDir: root }));
    expect(e.kind).toBe('data');
    expect(e.message).toContain(`the task's "dataDir" option "missing-folder" resolves to ${path.join(root, 'missing-folder')}`);
    const e2 = catchNasxError(() => create({}, { dataDir: undefined }));
    expect(e2.kind).toBe('data');
    expect(e2.fix).toMatch(/NASX_DATA/);
  });

  it('sizes the splits before load(): validation fraction or size of the (limited) training images; test = the (limited) test images', () => {
    const t = create({}, { dataDir: root });
    expect([t.splits.train.size, t.splits.validation.size, t.splits.test.size]).toEqual([15, 15, 8]);
    const u = create({ limit: 20, validationSize: 5, testLimit: 3 }, { dataDir: root });
    expect([u.splits.train.size, u.splits.validation.size, u.splits.test.size]).toEqual([15, 5, 3]);
    expect(create({ limit: 1000, testLimit: 1000 }, { dataDir: root }).splits.test.size).toBe(8);
    const e = catchNasxError(() => create({ limit: 10, validationSize: 10 }, { dataDir: root }));
    expect(e.kind).toBe('config');
    expect(e.where.pointer).toBe('/options/validationSize');
    expect(catchNasxError(() => create({ limit: 4, validationFraction: 0.1 }, { dataDir: root })).where.pointer).toBe('/options/validationFraction');
  });

  it('splits the training images seeded, disjointly and stratified; the test split is the test file in order', async () => {
    const a = await loaded({}, { dataDir: root }, 1);
    const b = await loaded({}, { dataDir: root }, 1);
    const c = await loaded({}, { dataDir: root }, 2);
    const { train, validation, test } = a.splits;
    expect([...b.splits.validation.indices]).toEqual([...validation.indices]);
    expect([...c.splits.validation.indices]).not.toEqual([...validation.indices]);
    expect(new Set([...train.indices, ...validation.indices]).size).toBe(30);
    for (const s of [train, validation]) for (const n of s.classCounts(10)) expect(Math.abs(n - 1.5)).toBeLessThanOrEqual(2);
    for (let i = 0; i < train.size; i++) expect(train.labels[i]).toBe(syntheticLabel(train.indices[i]!));
    expect([...test.indices]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const p = await loaded({ seed: 5 }, { dataDir: root }, 1);
    const q = await loaded({ seed: 5 }, { dataDir: root }, 2);
    expect([...q.splits.train.indices]).toEqual([...p.splits.train.indices]);
  });

  it('delivers the file bytes normalised with the CIFAR-10 mean/std by default, or raw in [0, 1]', async () => {
    const norm = await loaded({ limit: 10, validationSize: 5 }, { dataDir: root });
    const raw = await loaded({ limit: 10, validationSize: 5, normalize: 'none' }, { dataDir: root });
    expect(norm.normalization).toBe(CIFAR10_NORMALIZATION);
    const [bn] = await epoch(norm, 'test');
    const [br] = await epoch(raw, 'test');
    for (let i = 0; i < 8; i++)
      for (const byte of [0, 5, 1024, 2047, 3071]) {
        const c = byte >> 10;
        const v = syntheticPixel(i, byte) / 255;
        expect(br!.x.data[i * 3072 + byte]).toBeCloseTo(v, 6);
        expect(bn!.x.data[i * 3072 + byte]).toBeCloseTo((v - CIFAR10_NORMALIZATION.mean[c]!) / CIFAR10_NORMALIZATION.std[c]!, 5);
      }
    expect([...br!.y.data]).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((g) => syntheticLabel(g, true)));
  });

  it('augments (NB201 flip + 4-pixel padded crop) only shuffled training batches, and only when asked', async () => {
    const plain = await loaded({ seed: 1 }, { dataDir: root });
    const aug = await loaded({ seed: 1, augment: true }, { dataDir: root });
    // Fixed order: no augmentation, even with the option on.
    expect((await epoch(aug, 'train'))[0]!.x.data).toEqual((await epoch(plain, 'train'))[0]!.x.data);
    // Validation and test are never augmented.
    for (const s of ['validation', 'test'] as const)
      expect((await epoch(aug, s, { rng: createRng(4) }))[0]!.x.data).toEqual((await epoch(plain, s, { rng: createRng(4) }))[0]!.x.data);
    // Shuffled training epoch: the same order as without augmentation, each image one of the NB201 transforms.
    const a = (await epoch(aug, 'train', { rng: createRng(9) }))[0]!;
    const p = (await epoch(plain, 'train', { rng: createRng(9) }))[0]!;
    expect([...a.y.data]).toEqual([...p.y.data]);
    expect(a.x.data).not.toEqual(p.x.data);
    // Replay the draws: shuffle first (as the split does), then one augmentation per image in batch order.
    const replay = createRng(9);
    const order = Int32Array.from({ length: 15 }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = replay.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const table = normalizationTable(CIFAR10_NORMALIZATION);
    for (let k = 0; k < 15; k++) {
      const g = aug.splits.train.indices[order[k]!]!;
      const img = Uint8Array.from({ length: 3072 }, (_, b) => syntheticPixel(g, b));
      const expected = naiveAugment(img, drawAugmentation(replay), table);
      expect(Array.from(a.x.data.subarray(k * 3072, (k + 1) * 3072))).toEqual(Array.from(expected));
    }
  });
});

describe('cifar10 augmentation draws', () => {
  it('flips half the time and crops at each of the 9 × 9 offsets uniformly (χ² over 40,500 draws)', () => {
    const rng = createRng(11);
    const n = 40500;
    let flips = 0;
    const cells = new Array<number>(81).fill(0);
    for (let i = 0; i < n; i++) {
      const a = drawAugmentation(rng);
      if (a.flip) flips++;
      cells[a.dy * 9 + a.dx]!++;
    }
    expect(Math.abs(flips / n - 0.5)).toBeLessThan(0.01);
    const e = n / 81;
    const chi2 = cells.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(124.1); // 80 df, p = 0.001
  });

  it('fills the padding with the normalised value of a zero pixel', () => {
    const table = normalizationTable(CIFAR10_NORMALIZATION);
    const img = new Uint8Array(3072).fill(200);
    const out = new Float32Array(3072);
    writeAugmented(img, 0, table, out, 0, { flip: false, dy: 0, dx: 0 });
    for (let c = 0; c < 3; c++) {
      expect(out[c * 1024]).toBeCloseTo(-CIFAR10_NORMALIZATION.mean[c]! / CIFAR10_NORMALIZATION.std[c]!, 5); // (0,0) is padding
      expect(out[c * 1024 + 4 * 32 + 4]).toBeCloseTo((200 / 255 - CIFAR10_NORMALIZATION.mean[c]!) / CIFAR10_NORMALIZATION.std[c]!, 5);
    }
  });
});

describeWithSharedData('cifar10 task on the real sample (shared/data/cifar10-sample)', 'cifar10-sample', (dataRoot) => {
  const sampleDir = path.join(dataRoot, 'cifar10-sample');
  const header = JSON.parse(fs.readFileSync(path.join(sampleDir, 'cifar10_header.json'), 'utf8'));

  it("finds the sample under the data root or directly, with the header's counts and bit-exact bytes (SHA-256)", () => {
    const task = create({}, { dataDir: dataRoot });
    expect(task.source.layout).toBe('sample');
    expect(task.source.dir).toBe(sampleDir);
    expect([task.source.train.count, task.source.test.count]).toEqual([header.files.train.count, header.files.test.count]);
    expect(create({ dataDir: sampleDir }).source.dir).toBe(sampleDir);
    const sha = (a: Uint8Array) => createHash('sha256').update(a).digest('hex');
    const test = task.source.test.read();
    expect(sha(test.images)).toBe(header.files.test.images_sha256);
    expect(sha(test.labels)).toBe(header.files.test.labels_sha256);
    expect(sha(task.source.train.read().images)).toBe(header.files.train.images_sha256);
  });

  it("test image 0 is torchvision's CIFAR10(train=False).data[0] (row 0 as in PROVENANCE.md), label cat", async () => {
    const task = await loaded({ normalize: 'none' }, { dataDir: dataRoot });
    const [b] = await epoch(task, 'test', { batchSize: 10 });
    const px = (c: number, y: number, x: number) => Math.round(b!.x.data[c * 1024 + y * 32 + x]! * 255);
    const rgb = (x: number) => [px(0, 0, x), px(1, 0, x), px(2, 0, x)];
    expect([rgb(0), rgb(1), rgb(2)]).toEqual([
      [158, 112, 49],
      [159, 111, 47],
      [165, 116, 51],
    ]);
    expect([rgb(29), rgb(30), rgb(31)]).toEqual([
      [137, 95, 36],
      [126, 91, 36],
      [116, 85, 33],
    ]);
    expect([...b!.y.data]).toEqual(header.files.test.first_labels);
    expect(task.classNames[b!.y.data[0]!]).toBe('cat');
  });

  it('training image 0 (Keras x_train[0]) sits in train or validation with its label, frog', async () => {
    const task = await loaded({ normalize: 'none' }, { dataDir: dataRoot });
    const owner = task.splits.train.indices[0] === 0 ? task.splits.train : task.splits.validation;
    expect(owner.indices[0]).toBe(0);
    expect(owner.labels[0]).toBe(6);
    const [b] = await epoch(task, owner === task.splits.train ? 'train' : 'validation', { batchSize: 1 });
    const rgb = (x: number) => [0, 1, 2].map((c) => Math.round(b!.x.data[c * 1024 + x]! * 255));
    expect([rgb(0), rgb(1), rgb(2)]).toEqual([
      [59, 62, 63],
      [43, 46, 45],
      [50, 48, 43],
    ]);
  });

  it("has the header's label counts: test split exactly, train + validation together", async () => {
    const task = await loaded({}, { dataDir: dataRoot });
    expect(task.splits.test.classCounts(10)).toEqual(header.files.test.label_counts);
    const tr = task.splits.train.classCounts(10);
    const va = task.splits.validation.classCounts(10);
    expect(tr.map((n, k) => n + va[k]!)).toEqual(header.files.train.label_counts);
    expect([task.splits.train.size, task.splits.validation.size]).toEqual([1000, 1000]);
    for (let k = 0; k < 10; k++) expect(Math.abs(va[k]! - header.files.train.label_counts[k] / 2)).toBeLessThanOrEqual(2);
    expect(new Set([...task.splits.train.indices, ...task.splits.validation.indices]).size).toBe(2000);
  });

  it('pixel statistics: the 1,000 test images have channel mean (0.4967, 0.4867, 0.4510), std (0.2466, 0.2427, 0.2617)', async () => {
    const raw = channelMoments(await epoch(await loaded({ normalize: 'none' }, { dataDir: dataRoot }), 'test'));
    raw.mean.forEach((m, c) => expect(m).toBeCloseTo(header.files.test.channel_mean[c], 4));
    raw.std.forEach((s, c) => expect(s).toBeCloseTo(header.files.test.channel_std[c], 4));
    // Default normalisation: (mean - μ) / σ with NB201's CIFAR-10 values.
    const norm = channelMoments(await epoch(await loaded({}, { dataDir: dataRoot }), 'test'));
    norm.mean.forEach((m, c) => expect(m).toBeCloseTo((raw.mean[c]! - CIFAR10_NORMALIZATION.mean[c]!) / CIFAR10_NORMALIZATION.std[c]!, 4));
    norm.std.forEach((s, c) => expect(s).toBeCloseTo(raw.std[c]! / CIFAR10_NORMALIZATION.std[c]!, 4));
  });

  it('train-split normalisation: the training split comes out with mean 0 and std 1 per channel', async () => {
    const task = await loaded({ normalize: 'train-split', seed: 0 }, { dataDir: dataRoot });
    const m = channelMoments(await epoch(task, 'train'));
    for (let c = 0; c < 3; c++) {
      expect(m.mean[c]).toBeCloseTo(0, 4);
      expect(m.std[c]).toBeCloseTo(1, 4);
    }
    // The statistics are those of the training split's raw pixels (same seed, same split) …
    const raw = channelMoments(await epoch(await loaded({ normalize: 'none', seed: 0 }, { dataDir: dataRoot }), 'train'));
    for (let c = 0; c < 3; c++) {
      expect(task.normalization!.mean[c]).toBeCloseTo(raw.mean[c]!, 5);
      expect(task.normalization!.std[c]).toBeCloseTo(raw.std[c]!, 5);
      // … and half of the 2,000 training images (mean 0.4914, 0.4835, 0.4468) land near the whole.
      expect(Math.abs(task.normalization!.mean[c]! - header.files.train.channel_mean[c])).toBeLessThan(0.015);
    }
    console.info(
      `[cifar10] train-split (seed 0) mean ${task.normalization!.mean.map((v) => v.toFixed(4)).join(', ')} std ${task.normalization!.std.map((v) => v.toFixed(4)).join(', ')}; load ${task.loadMs!.toFixed(0)} ms`,
    );
  });

  it('is learnable as labelled: a nearest-class-mean classifier on raw pixels beats chance clearly (≥ 20% on validation)', async () => {
    const task = await loaded({ normalize: 'none', seed: 0 }, { dataDir: dataRoot });
    const sums = Array.from({ length: 10 }, () => new Float64Array(3072));
    const counts = new Array<number>(10).fill(0);
    for (const b of await epoch(task, 'train'))
      b.y.data.forEach((y, i) => {
        counts[y]!++;
        for (let p = 0; p < 3072; p++) sums[y]![p]! += b.x.data[i * 3072 + p]!;
      });
    const means = sums.map((s, k) => s.map((v) => v / counts[k]!));
    let right = 0;
    for (const b of await epoch(task, 'validation'))
      b.y.data.forEach((y, i) => {
        let best = -1;
        let bestD = Infinity;
        for (let k = 0; k < 10; k++) {
          let d = 0;
          for (let p = 0; p < 3072; p++) d += (b.x.data[i * 3072 + p]! - means[k]![p]!) ** 2;
          if (d < bestD) [best, bestD] = [k, d];
        }
        if (best === y) right++;
      });
    console.info(`[cifar10] nearest-class-mean validation accuracy ${((100 * right) / 1000).toFixed(1)}%`);
    expect(right / 1000).toBeGreaterThanOrEqual(0.2);
  });
});
