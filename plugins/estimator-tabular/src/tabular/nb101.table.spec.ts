import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Architecture, EstimateContext, EstimatorDeps, Rng, SearchSpace } from '@nasx/contracts';
import { catchNasxError, describeWithSharedData } from '@nasx/testing';
import { clearTableCache } from './benchmark-table';
import { NB101_FILE } from './nb101.table';
import { openBenchmarkTable, tabularEstimator, type TabularEstimator, type TabularOptions } from './tabular.estimator';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const rng = {} as Rng;
const ctx: EstimateContext = { runId: 'test', rng, signal: new AbortController().signal, logger, emit() {}, trial: 0 };
/** An nb101 architecture as the nb101 space makes it: keyed by the module hash (the genotype is not read). */
const cell = (key: string): Architecture => ({
  space: 'nb101',
  genotype: {
    matrix: [
      [0, 1],
      [0, 0],
    ],
    ops: ['input', 'output'],
  },
  key,
});

function deps(over: Partial<EstimatorDeps> = {}): EstimatorDeps {
  return { space: { id: 'nb101' } as SearchSpace, latencyModels: [], estimators: {}, configDir: os.tmpdir(), logger, rng, ...over };
}
function create(options: Partial<TabularOptions>, d: Partial<EstimatorDeps> = {}): TabularEstimator {
  return tabularEstimator.create({ benchmark: 'nb101', ...options } as TabularOptions, deps(d)) as TabularEstimator;
}

const HEADER = 'module_hash,val_acc_4ep,val_acc_12ep,val_acc_36ep,val_acc_108ep,train_time_108ep_s,trainable_params';
const H = (i: number): string => i.toString(16).padStart(32, '0');

describe('tabular estimator, benchmark nb101 (synthetic table)', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-tab-'));
    fs.mkdirSync(path.join(root, 'nas-bench-101'));
    const rows = Array.from({ length: 50 }, (_, i) => `${H(i + 1)},0.${10 + i},0.${20 + i},0.${40 + i},0.9${i},${1000 + i},${100000 * (i + 1)}`);
    rows[7] = `${H(8)},0.5,,0.6,0.7,1200,800000`; // empty 12-epoch accuracy on data line 9
    fs.writeFileSync(path.join(root, 'nas-bench-101', NB101_FILE), zlib.gzipSync(`${HEADER}\n${rows.join('\n')}\n`));
  });
  afterAll(() => {
    clearTableCache();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers val_acc at 4/12/36/108 epochs in percent, params in millions and train time in seconds', async () => {
    const est = create({ metric: 'val_acc', epochs: 36, report: ['val_acc@4', 'val_acc@108', 'params', 'train_time_s@108'] }, { dataDir: root });
    expect(est.metrics).toEqual([
      expect.objectContaining({ name: 'val_acc@36', direction: 'maximize', unit: '%' }),
      expect.objectContaining({ name: 'val_acc@4', direction: 'maximize', unit: '%' }),
      expect.objectContaining({ name: 'val_acc@108', direction: 'maximize', unit: '%' }),
      expect.objectContaining({ name: 'params', direction: 'minimize', unit: 'M' }),
      expect.objectContaining({ name: 'train_time_s@108', direction: 'minimize', unit: 's' }),
    ]);
    const e = await est.estimate(cell(H(3)), ctx);
    expect(e.metrics['val_acc@36']).toBeCloseTo(42, 10);
    expect(e.metrics['val_acc@4']).toBeCloseTo(12, 10);
    expect(e.metrics['val_acc@108']).toBeCloseTo(92, 10);
    expect(e.metrics['params']).toBeCloseTo(0.3, 12);
    expect(e.metrics['train_time_s@108']).toBe(1002);
    // Simulated cost: the 108-epoch time pro rata for 36 epochs.
    expect(e.cost).toEqual({ seconds: (1002 * 36) / 108, epochs: 36 });
    expect(e.fidelity).toEqual({ epochs: 36, kind: 'table' });
    expect(e.info).toEqual({ benchmark: 'nb101', dataset: 'cifar10', index: 2, key: H(3), cost: 'train_time_s@108 x 36/108' });
    expect(await est.estimateMany!([cell(H(3)), cell(H(50))], ctx)).toEqual([e, await est.estimate(cell(H(50)), ctx)]);
  });

  it('reports val_acc@108 by default and costs the full 108-epoch time at 108 epochs', async () => {
    const est = create({ epochs: 108 }, { dataDir: root });
    expect(est.metrics.map((m) => m.name)).toEqual(['val_acc@108']);
    const e = await est.estimate(cell(H(1)), ctx);
    expect(e.cost).toEqual({ seconds: 1000, epochs: 108 });
    expect(e.info).toEqual({ benchmark: 'nb101', dataset: 'cifar10', index: 0, key: H(1) });
    expect(create({}, { dataDir: root }).metrics.map((m) => m.name)).toEqual(['val_acc@12', 'val_acc@108']);
  });

  it('fails a cell that is not in the table, saying the table is partial and how to restrict the space', async () => {
    const est = create({}, { dataDir: root });
    const e = await est.estimate(cell(H(999)), ctx).catch((err: unknown) => err);
    expect(e).toMatchObject({ name: 'NasxError', kind: 'data' });
    const err = e as { message: string; fix: string; where: { file: string } };
    expect(err.message).toContain(`NB101 cell ${H(999)} is not in the table`);
    expect(err.message).toContain("holds 50 of NAS-Bench-101's 423,624 cells");
    expect(err.message).toContain('holds only the 20,001 smallest hashes');
    expect(err.fix).toContain(`keysFrom: { file: nas-bench-101/${NB101_FILE}, column: module_hash }`);
    expect(err.where.file).toBe(path.join(root, 'nas-bench-101', NB101_FILE));
    // An empty field fails only that metric's trial, naming file and line.
    const empty = await est.estimate(cell(H(8)), ctx).catch((x: unknown) => x);
    expect(empty).toMatchObject({ kind: 'data', where: { line: 9 } });
    expect((empty as Error).message).toMatch(new RegExp(`no val_acc@12 on cifar10 for cell ${H(8)}`));
  });

  it('refuses what NB101 lacks and architectures of other spaces', async () => {
    expect(catchNasxError(() => create({ metric: 'test_acc', epochs: 108 }, { dataDir: root })).fix).toMatch(
      /val_acc@4, val_acc@12, val_acc@36, val_acc@108, train_time_s@108, params/,
    );
    expect(catchNasxError(() => create({ epochs: 200 }, { dataDir: root })).message).toMatch(/no val_acc after 200 epochs for cifar10/);
    expect(catchNasxError(() => create({ dataset: 'cifar100' }, { dataDir: root })).message).toMatch(/NAS-Bench-101 has no dataset "cifar100"/);
    expect(catchNasxError(() => create({ report: ['test_acc@200'] }, { dataDir: root })).message).toMatch(/"report" asks for test_acc@200/);
    expect(catchNasxError(() => create({}, { dataDir: root, space: { id: 'nb201' } as SearchSpace })).message).toMatch(
      /answers only for the nb101 search space, but the run's space is "nb201"/,
    );
    const est = create({}, { dataDir: root });
    await expect(est.estimate({ space: 'nb201', genotype: { ops: [0, 0, 0, 0, 0, 0] }, key: 'x' }, ctx)).rejects.toMatchObject({ kind: 'architecture' });
    await expect(est.estimate(cell('not-a-hash'), ctx)).rejects.toMatchObject({ kind: 'architecture', message: expect.stringMatching(/is not a module hash/) });
  });

  it('rejects a table with a malformed or repeated hash, naming the line', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-bad-'));
    try {
      const dir = path.join(bad, 'nas-bench-101');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, NB101_FILE), zlib.gzipSync(`${HEADER}\n${H(1)},0.1,0.2,0.3,0.4,5,6\n${H(1)},0.1,0.2,0.3,0.4,5,6\n`));
      const twice = catchNasxError(() => openBenchmarkTable({ benchmark: 'nb101', dataset: 'cifar10', dataDir: bad }).load());
      expect(twice.message).toMatch(/:3: module hash 0+1 appears twice \(also line 2\)/);
      clearTableCache();
      fs.writeFileSync(path.join(dir, NB101_FILE), zlib.gzipSync(`${HEADER}\nABC,0.1,0.2,0.3,0.4,5,6\n`));
      expect(catchNasxError(() => openBenchmarkTable({ benchmark: 'nb101', dataset: 'cifar10', dataDir: bad }).load()).where.line).toBe(2);
    } finally {
      clearTableCache();
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });
});

/** Spearman rank correlation (no ties expected in these float columns; ties get average ranks). */
function spearman(x: Float64Array, y: Float64Array): number {
  const rank = (v: Float64Array): Float64Array => {
    const idx = Array.from(v.keys()).sort((a, b) => v[a]! - v[b]!);
    const r = new Float64Array(v.length);
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && v[idx[j + 1]!] === v[idx[i]!]) j++;
      for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const n = x.length;
  const mean = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mean) * (ry[i]! - mean);
    sxx += (rx[i]! - mean) ** 2;
    syy += (ry[i]! - mean) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describeWithSharedData('tabular estimator, benchmark nb101 (real table)', 'nas-bench-101', (dataDir) => {
  const trivial = cell('043721b9c7fe8c5fad811d47d83132ec'); // input → output, hashed by @nasx/search-space-nb101

  it('answers the input → output cell: 83.58 % after 108 epochs, 284 s, 0.88 M params', async () => {
    const est = create({ epochs: 108, report: ['val_acc@4', 'params', 'train_time_s@108'] }, { dataDir });
    await est.prepare!(ctx);
    const e = await est.estimate(trivial, ctx);
    expect(e.metrics['val_acc@108']).toBeCloseTo(83.58373641967773, 10);
    expect(e.metrics['val_acc@4']).toBeCloseTo(54.04647588729858, 10);
    expect(e.metrics['params']).toBeCloseTo(0.88257, 12);
    expect(e.metrics['train_time_s@108']).toBe(284.24298095703125);
    expect(e.cost).toEqual({ seconds: 284.24298095703125, epochs: 108 });
  });

  it('holds the 20,001 rows with the ranges and correlations of its PROVENANCE.md', () => {
    const t = openBenchmarkTable({ benchmark: 'nb101', dataset: 'cifar10', dataDir });
    const v108 = t.column('val_acc@108');
    const v36 = t.column('val_acc@36');
    const params = t.column('params');
    const time = t.column('train_time_s@108');
    expect(v108).toHaveLength(20_001);
    const max = (c: Float64Array): number => c.reduce((a, b) => Math.max(a, b), -Infinity);
    const min = (c: Float64Array): number => c.reduce((a, b) => Math.min(a, b), Infinity);
    expect(max(v108)).toBeCloseTo(94.91, 2);
    expect(min(v108)).toBeCloseTo(9.51, 2);
    expect(max(v36)).toBeCloseTo(93.64, 2);
    expect(min(params)).toBeCloseTo(0.227274, 6);
    expect(max(params)).toBeCloseTo(49.979274, 6);
    expect(Math.round(min(time))).toBe(284);
    expect(Math.round(max(time))).toBe(5411);
    expect(spearman(v108, v36)).toBeCloseTo(0.879, 3);
    expect(spearman(v108, params)).toBeCloseTo(0.446, 3);
  });

  it('fails a cell beyond the 20,001 smallest hashes with the restriction advice', async () => {
    const est = create({}, { dataDir });
    const e = catchNasxError(() => est.table.lookup(cell('ffffffffffffffffffffffffffffffff'), 'val_acc@12'));
    expect(e.message).toMatch(
      /holds 20,001 of NAS-Bench-101's 423,624 cells \(module hashes 00005c142e6f48ac74fdcf73e3439874 to 0c187841d17db3b0b02791f4d7d0d93d;/,
    );
    expect(e.fix).toMatch(/keysFrom/);
  });
});
