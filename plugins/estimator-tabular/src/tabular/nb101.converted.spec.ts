import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Architecture, EstimateContext, EstimatorDeps, Rng, SearchSpace } from '@nasx/contracts';
import { catchNasxError } from '@nasx/testing';
import { cellOfSpec, nb101Architecture } from '@nasx/search-space-nb101';
import { convertNb101 } from '../upstream/nb101/nb101.converter';
import { NB101_FULL_TABLE, NB101_ONLY108_TABLE } from '../upstream/nb101/nb101.release';
import { clearTableCache } from './benchmark-table';
import { NB101_FILE } from './nb101.table';
import { openBenchmarkTable, tabularEstimator, type TabularEstimator, type TabularOptions } from './tabular.estimator';

const FIXTURES = path.join(__dirname, '..', 'upstream', 'nb101', '__fixtures__');
type Budget = { repeats: number; val_acc: number; test_acc: number; train_time_s: number };
type Expected = { models: { [hash: string]: { adjacency: string; operations: string; trainable_params: number; budgets: { [e: string]: Budget } } } };
const expected = (name: string): Expected => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const rng = {} as Rng;
const ctx: EstimateContext = { runId: 'test', rng, signal: new AbortController().signal, logger, emit() {}, trial: 0 };
function create(dataDir: string, options: Partial<TabularOptions> = {}): TabularEstimator {
  const deps: EstimatorDeps = { space: { id: 'nb101' } as SearchSpace, latencyModels: [], estimators: {}, configDir: os.tmpdir(), logger, rng, dataDir };
  return tabularEstimator.create({ benchmark: 'nb101', ...options } as TabularOptions, deps) as TabularEstimator;
}

/** The architecture the nb101 space makes of a table row's cell (its key is the space's own hash). */
function archOfRow(adjacency: string, operations: string): Architecture {
  const n = Math.sqrt(adjacency.length);
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Number(adjacency[i * n + j])));
  return nb101Architecture(cellOfSpec(matrix, operations.split(',')));
}

const SLICE_HEADER = 'module_hash,val_acc_4ep,val_acc_12ep,val_acc_36ep,val_acc_108ep,train_time_108ep_s,trainable_params';

describe('tabular estimator, nb101, on tables converted from the official release (fixtures)', () => {
  let root: string;
  const full = expected('nb101-full.fixture');
  const only108 = expected('nb101-only108.fixture');
  // The Inception-like cell of the nasbench README is in both fixtures.
  const INCEPTION = '28cfc7874f6d200472e1a9dcd8650aa0';

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-converted-'));
    for (const d of ['both', 'only108', 'slice']) fs.mkdirSync(path.join(root, d, 'nas-bench-101'), { recursive: true });
    await convertNb101({ source: path.join(FIXTURES, 'nb101-full.fixture.tfrecord'), output: path.join(root, 'both', 'nas-bench-101', NB101_FULL_TABLE) });
    await convertNb101({
      source: path.join(FIXTURES, 'nb101-only108.fixture.tfrecord'),
      output: path.join(root, 'only108', 'nas-bench-101', NB101_ONLY108_TABLE),
    });
    // A slice beside the full table (values unlike the full table's), and alone.
    const slice = zlib.gzipSync(`${SLICE_HEADER}\n${INCEPTION},0.1,0.2,0.3,0.4,5,6\n`);
    fs.writeFileSync(path.join(root, 'both', 'nas-bench-101', NB101_FILE), slice);
    fs.writeFileSync(path.join(root, 'slice', 'nas-bench-101', NB101_FILE), slice);
  });
  afterAll(() => {
    clearTableCache();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('prefers the full table over the slice and answers val_acc@108 and test_acc@108 (means over repeats, in percent) for a fixture cell', async () => {
    const est = create(path.join(root, 'both'), { epochs: 108, report: ['test_acc@108', 'params', 'train_time_s@108'] });
    const m = full.models[INCEPTION]!;
    const arch = archOfRow(m.adjacency, m.operations);
    expect(arch.key).toBe(INCEPTION);
    const e = await est.estimate(arch, ctx);
    expect(e.metrics).toEqual({
      'val_acc@108': m.budgets['108']!.val_acc * 100,
      'test_acc@108': m.budgets['108']!.test_acc * 100,
      params: m.trainable_params * 1e-6,
      'train_time_s@108': m.budgets['108']!.train_time_s,
    });
    expect(e.cost).toEqual({ seconds: m.budgets['108']!.train_time_s, epochs: 108 });
    expect(est.table.dir).toBe(path.join(root, 'both', 'nas-bench-101'));
    expect(est.metrics.find((x) => x.name === 'test_acc@108')?.description).toMatch(
      /CIFAR-10 test accuracy after 108 epochs \(mean of its NAS-Bench-101 training runs/,
    );
  });

  it('answers every fixture cell at every budget, and a low-fidelity estimate costs its own budget’s training time', async () => {
    const est = create(path.join(root, 'both'), { metric: 'test_acc', epochs: 12, report: ['val_acc@4', 'val_acc@36'] });
    expect(est.metrics.map((x) => x.name)).toEqual(['test_acc@12', 'val_acc@4', 'val_acc@36']);
    for (const [hash, m] of Object.entries(full.models)) {
      const arch = archOfRow(m.adjacency, m.operations);
      expect(arch.key).toBe(hash); // the space's key of the row's cell is the row's hash
      const e = await est.estimate(arch, ctx);
      expect(e.metrics).toEqual({
        'test_acc@12': m.budgets['12']!.test_acc * 100,
        'val_acc@4': m.budgets['4']!.val_acc * 100,
        'val_acc@36': m.budgets['36']!.val_acc * 100,
      });
      expect(e.cost).toEqual({ seconds: m.budgets['12']!.train_time_s, epochs: 12 });
      expect(e.info).not.toHaveProperty('cost'); // no pro-rata note: the table times this budget
    }
    // Defaults with the full table: report validation and test accuracy after 108 epochs.
    expect(create(path.join(root, 'both')).metrics.map((x) => x.name)).toEqual(['val_acc@12', 'val_acc@108', 'test_acc@108']);
  });

  it('reads the 108-epoch-only table when it is the only converted one; other budgets are refused', async () => {
    const est = create(path.join(root, 'only108'), { epochs: 108, report: ['test_acc@108'] });
    const m = only108.models[INCEPTION]!;
    expect((await est.estimate(archOfRow(m.adjacency, m.operations), ctx)).metrics).toEqual({
      'val_acc@108': m.budgets['108']!.val_acc * 100,
      'test_acc@108': m.budgets['108']!.test_acc * 100,
    });
    expect(catchNasxError(() => create(path.join(root, 'only108'), { epochs: 12 })).fix).toMatch(
      /among what cifar10 has: val_acc@108, test_acc@108, train_time_s@108, params/,
    );
  });

  it('keeps the slice when no converted table is there, and says how to get test accuracy', async () => {
    const e = catchNasxError(() => create(path.join(root, 'slice'), { metric: 'test_acc', epochs: 108 }));
    expect(e.fix).toMatch(/test accuracy and the training time of each budget need the official release converted into nb101_full\.csv\.gz/);
    const t = openBenchmarkTable({ benchmark: 'nb101', dataset: 'cifar10', dataDir: path.join(root, 'slice') });
    expect(t.metrics).toEqual(['val_acc@4', 'val_acc@12', 'val_acc@36', 'val_acc@108', 'train_time_s@108', 'params']);
    expect(t.lookup({ space: 'nb101', genotype: {}, key: INCEPTION }, 'val_acc@108')).toBeCloseTo(40, 12);
  });

  it('fails a cell missing from a converted table without the slice advice', () => {
    const t = openBenchmarkTable({ benchmark: 'nb101', dataset: 'cifar10', dataDir: path.join(root, 'both') });
    const e = catchNasxError(() => t.lookup({ space: 'nb101', genotype: {}, key: 'f'.repeat(32) }, 'test_acc@108'));
    expect(e.message).toMatch(
      /is not in the table .*nb101_full\.csv\.gz: it holds 12 of NAS-Bench-101's 423,624 cells \(module hashes [0-9a-f]{32} to [0-9a-f]{32}\)$/,
    );
    expect(e.fix).toMatch(/convert the official release again \(this table is incomplete\)/);
  });

  it('names a converted table whose header is unreadable', () => {
    const bad = path.join(root, 'bad', 'nas-bench-101');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, NB101_FULL_TABLE), 'not gzip');
    const e = catchNasxError(() => create(path.join(root, 'bad')));
    expect(e.message).toMatch(/cannot read the header of the NB101 table .*nb101_full\.csv\.gz/);
    fs.writeFileSync(path.join(bad, NB101_FULL_TABLE), zlib.gzipSync('hash,val_acc_108ep\n'));
    expect(catchNasxError(() => create(path.join(root, 'bad'))).message).toMatch(/has no "module_hash" column/);
  });
});
