import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isNasxError, type Architecture, type EstimateContext, type EstimatorDeps, type NasxError, type Rng, type SearchSpace } from '@nasx/contracts';
import { describeWithSharedData } from '@nasx/testing';
import plugin from '../index';
import { scoreTableEstimator } from '../score-table/score-table.estimator';
import { clearTableCache } from './benchmark-table';
import { formatNb201ArchStr, NB201_DATASETS, NB201_FILES, NB201_SIZE, nb201OpsOfCode } from './nb201.table';
import { TABULAR_ADAPTERS, tabularEstimator, type TabularEstimator, type TabularOptions } from './tabular.estimator';
import schema from './tabular.schema.json';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const rng = {} as Rng;
const arch = (ops: number[]): Architecture => ({ space: 'nb201', genotype: { ops }, key: formatNb201ArchStr(ops) });
const archOfCode = (code: number): Architecture => arch(nb201OpsOfCode(code));
const ctx: EstimateContext = { runId: 'test', rng, signal: new AbortController().signal, logger, emit() {}, trial: 0 };

function deps(over: Partial<EstimatorDeps> = {}): EstimatorDeps {
  return { space: { id: 'nb201' } as SearchSpace, latencyModels: [], estimators: {}, configDir: os.tmpdir(), logger, rng, ...over };
}

function create(options: Partial<TabularOptions>, d: Partial<EstimatorDeps> = {}): TabularEstimator {
  return tabularEstimator.create(options as TabularOptions, deps(d)) as TabularEstimator;
}

async function rejection(p: (() => unknown) | Promise<unknown>): Promise<NasxError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

// ---------------------------------------------------------------------------------------------
// Synthetic fixture: the documented layout (<root>/nas-bench-201/<three files>), all 15,625 rows
// in a permuted order (like the real files, whose NB201-index order is not code order), values
// derived from the code so every lookup can be checked, and one empty cell.
// ---------------------------------------------------------------------------------------------
const ROW_TO_CODE = (r: number): number => (r * 7919 + 13) % NB201_SIZE; // 7919 is coprime with 5^6
const EMPTY_CODE = ROW_TO_CODE(41); // cifar10_valid_val_acc is empty on data line 43
const synth = (code: number, column: number): number => column * 1000 + code / 100;

const LAYOUT: { [file: string]: string[] } = {
  [NB201_FILES.nats]: ['index', 'arch_str', 'cifar10_test_acc', 'cifar100_test_acc', 'imagenet16_120_test_acc', 'nats_unique_str'],
  [NB201_FILES.naswot]: ['index', 'arch_str', 'params_mb', 'naswot_v1_score', 'cifar10_test_acc', 'cifar10_valid_val_acc', 'cifar10_valid_test_acc'],
  [NB201_FILES.minibench]: [
    'index',
    'arch_str',
    'cifar10_test_acc',
    'cifar10_valid_val_acc',
    'cifar100_test_acc',
    'cifar100_val_acc',
    'imagenet16_120_test_acc',
    'imagenet16_120_val_acc',
  ],
};

function writeFixture(dir: string, files: readonly string[] = Object.keys(LAYOUT)): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const header = LAYOUT[file]!;
    const lines = [header.join(',')];
    for (let r = 0; r < NB201_SIZE; r++) {
      const code = ROW_TO_CODE(r);
      const cells = header.map((h, j) => {
        if (h === 'index') return String(r);
        if (h === 'arch_str') return formatNb201ArchStr(nb201OpsOfCode(code));
        if (h === 'nats_unique_str') return 'x';
        if (file === NB201_FILES.minibench && h === 'cifar10_valid_val_acc' && code === EMPTY_CODE) return '';
        return String(synth(code, j));
      });
      lines.push(cells.join(','));
    }
    fs.writeFileSync(path.join(dir, file), zlib.gzipSync(lines.join('\n') + '\n'));
  }
}

describe('tabular estimator (synthetic tables)', () => {
  let root: string;
  const col = (file: string, column: string) => LAYOUT[file]!.indexOf(column);

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-tabular-'));
    writeFixture(path.join(root, 'nas-bench-201'));
  });
  afterAll(() => {
    clearTableCache();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('is a contribution of the plugin (beside score-table), with the schema the manifest points to', () => {
    expect(plugin.contributions).toEqual([tabularEstimator, scoreTableEstimator]);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    for (const [def, schemaFile] of [
      [tabularEstimator, 'src/tabular/tabular.schema.json'],
      [scoreTableEstimator, 'src/score-table/score-table.schema.json'],
    ] as const) {
      const entry = pkg.nasx.contributes.find((c: { id: string }) => c.id === def.id);
      expect(entry).toMatchObject({ kind: 'estimator', optionsSchema: schemaFile });
      expect(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', entry.optionsSchema), 'utf8'))).toEqual(def.optionsSchema);
    }
  });

  it('schema and TabularOptions agree; every property is described', () => {
    expect(schema.additionalProperties).toBe(false);
    const props = schema.properties as { [k: string]: { description?: string; enum?: unknown[] } };
    const keys: (keyof TabularOptions)[] = ['benchmark', 'dataset', 'metric', 'epochs', 'report', 'dataDir'];
    expect(Object.keys(props).sort()).toEqual([...keys].sort());
    for (const p of Object.values(props)) expect(p.description).toEqual(expect.any(String));
    expect(props['dataset']!.enum).toEqual([...NB201_DATASETS]);
    expect(props['metric']!.enum).toEqual(['val_acc', 'test_acc']);
    expect(props['epochs']!.enum).toEqual([4, 12, 36, 108, 200]);
    expect(props['benchmark']!.enum).toEqual(Object.keys(TABULAR_ADAPTERS));
    // No schema default for report: it depends on the benchmark (nb201: test_acc@200).
    expect(schema.properties.report).not.toHaveProperty('default');
  });

  it('answers the primary and report metrics from the right columns, reordered by arch_str', async () => {
    const est = create({ dataset: 'cifar100', metric: 'val_acc', epochs: 12, report: ['test_acc@200', 'test_acc@12'], dataDir: root });
    expect(est.metrics.map((m) => m.name)).toEqual(['val_acc@12', 'test_acc@200', 'test_acc@12']);
    expect(est.metrics.every((m) => m.direction === 'maximize' && m.unit === '%')).toBe(true);
    const code = 4321;
    const e = await est.estimate(archOfCode(code), ctx);
    expect(e.metrics).toEqual({
      'val_acc@12': synth(code, col(NB201_FILES.minibench, 'cifar100_val_acc')),
      'test_acc@200': synth(code, col(NB201_FILES.nats, 'cifar100_test_acc')),
      'test_acc@12': synth(code, col(NB201_FILES.minibench, 'cifar100_test_acc')),
    });
    expect(e.fidelity).toEqual({ epochs: 12, kind: 'table' });
    expect(e.cost).toEqual({ seconds: 0 });
    const row = Array.from({ length: NB201_SIZE }, (_, r) => r).find((r) => ROW_TO_CODE(r) === code);
    expect(e.info).toEqual({ benchmark: 'nb201', dataset: 'cifar100', index: row });
    expect(est.table.lookup(archOfCode(code), 'val_acc@12')).toBe(e.metrics['val_acc@12']);
  });

  it('uses defaults (cifar10, val_acc@12, report test_acc@200) and the run data dir; cifar10 val_acc@200 is cifar10-valid', async () => {
    const est = create({}, { dataDir: root });
    expect(est.primary).toBe('val_acc@12');
    expect(est.metrics.map((m) => m.name)).toEqual(['val_acc@12', 'test_acc@200']);
    const v200 = create({ metric: 'val_acc', epochs: 200, report: [] }, { dataDir: path.join(root, 'nas-bench-201') });
    expect((await v200.estimate(archOfCode(7), ctx)).metrics).toEqual({ 'val_acc@200': synth(7, col(NB201_FILES.naswot, 'cifar10_valid_val_acc')) });
  });

  it('option dataDir wins over the run data dir and resolves against the config folder', async () => {
    const est = create({ dataDir: path.basename(root) }, { configDir: path.dirname(root), dataDir: '/nonexistent' });
    expect(est.table.dir).toBe(path.join(root, 'nas-bench-201'));
  });

  it('estimateMany equals estimate', async () => {
    const est = create({ dataset: 'imagenet16-120', metric: 'test_acc', epochs: 12, dataDir: root });
    const archs = [0, 1, 77, 15624, 9999].map(archOfCode);
    expect(await est.estimateMany!(archs, ctx)).toEqual(await Promise.all(archs.map((a) => est.estimate(a, ctx))));
  });

  it('refuses combinations the tables lack, naming them and listing what exists', () => {
    const e = (() => {
      try {
        create({ dataset: 'cifar100', metric: 'val_acc', epochs: 200, dataDir: root });
      } catch (err) {
        return err as NasxError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/val_acc after 200 epochs for cifar100/);
    expect(e.fix).toMatch(/test_acc@200, test_acc@12, val_acc@12/);
    expect(() => create({ dataset: 'imagenet16-120', report: ['val_acc@200'], dataDir: root })).toThrow(/"report" asks for val_acc@200/);
    expect(() => create({ epochs: 50 as 12, dataDir: root })).toThrow(/no val_acc after 50 epochs/);
    expect(() => create({ dataset: 'mnist' as 'cifar10', dataDir: root })).toThrow(/no dataset "mnist"/);
    expect(() => create({ benchmark: 'nb301' as 'nb201', dataDir: root })).toThrow(/unknown benchmark "nb301"/);
    expect(() => create({ dataDir: root }, { space: { id: 'darts' } as SearchSpace })).toThrow(/run's space is "darts"/);
  });

  it('a missing data directory or file is a data error naming the directory, the files and NASX_DATA', async () => {
    const none = await rejection(() => create({}));
    expect(none.kind).toBe('data');
    expect(none.message).toMatch(/no data directory is configured/);
    expect(none.fix).toMatch(/NASX_DATA/);
    expect(none.fix).toMatch(/"dataDir"/);

    const gone = path.join(root, 'does-not-exist');
    const absent = await rejection(() => create({ dataDir: gone }));
    expect(absent.kind).toBe('data');
    expect(absent.message).toContain(gone);
    expect(absent.message).toContain(NB201_FILES.minibench);
    expect(absent.message).toContain(NB201_FILES.nats);

    const partial = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-tabular-partial-'));
    try {
      writeFixture(path.join(partial, 'nas-bench-201'), [NB201_FILES.minibench]);
      const only12 = create({ metric: 'val_acc', epochs: 12, report: ['test_acc@12'], dataDir: partial });
      expect((await only12.estimate(archOfCode(5), ctx)).metrics['test_acc@12']).toBe(synth(5, col(NB201_FILES.minibench, 'cifar10_test_acc')));
      const lacks = await rejection(() => create({ dataDir: partial }));
      expect(lacks.kind).toBe('data');
      expect(lacks.message).toContain(`lacks ${NB201_FILES.nats}`);
      expect(lacks.where.file).toBe(path.join(partial, 'nas-bench-201', NB201_FILES.nats));
      expect(lacks.fix).toMatch(/NASX_DATA/);
    } finally {
      fs.rmSync(partial, { recursive: true, force: true });
    }
  });

  it('an architecture of another space or a malformed genotype fails that trial', async () => {
    const est = create({ dataDir: root });
    const foreign = await rejection(est.estimate({ space: 'darts', genotype: { ops: [0, 0, 0, 0, 0, 0] }, key: 'd1' }, ctx));
    expect(foreign.kind).toBe('architecture');
    expect(foreign.message).toMatch(/search space "darts"/);
    for (const genotype of [{ ops: [0, 0, 0, 0, 0] }, { ops: [0, 0, 0, 0, 0, 5] }, { ops: [0, 0, 0, 0, 0, 1.5] }, null, 'x']) {
      expect((await rejection(est.estimate({ space: 'nb201', genotype, key: 'k' }, ctx))).kind).toBe('architecture');
    }
  });

  it('an empty cell fails only that trial, naming file, line and column', async () => {
    const est = create({ dataDir: root });
    const err = await rejection(est.estimate(archOfCode(EMPTY_CODE), ctx));
    expect(err.kind).toBe('data');
    expect(err.message).toMatch(/no val_acc@12 on cifar10/);
    expect(err.message).toMatch(/"cifar10_valid_val_acc" field is empty/);
    expect(err.where).toMatchObject({ file: path.join(root, 'nas-bench-201', NB201_FILES.minibench), line: 43 });
    // The next cell still answers, with its own values (default primary val_acc@12, report test_acc@200).
    const next = await est.estimate(archOfCode(EMPTY_CODE + 1), ctx);
    expect(next.metrics).toEqual({
      'val_acc@12': synth(EMPTY_CODE + 1, col(NB201_FILES.minibench, 'cifar10_valid_val_acc')),
      'test_acc@200': synth(EMPTY_CODE + 1, col(NB201_FILES.nats, 'cifar10_test_acc')),
    });
  });

  it('a truncated or corrupt table is a data error at prepare time', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-tabular-bad-'));
    try {
      const dir = path.join(bad, 'nas-bench-201');
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, NB201_FILES.nats),
        zlib.gzipSync(`${LAYOUT[NB201_FILES.nats]!.join(',')}\n0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,1,2,3,x\n`),
      );
      fs.writeFileSync(path.join(dir, NB201_FILES.minibench), 'not gzip');
      const tiny = create({ metric: 'test_acc', epochs: 200, report: [], dataDir: bad });
      const rows = await rejection(tiny.prepare!(ctx));
      expect(rows.kind).toBe('data');
      expect(rows.message).toMatch(/has 1 rows; an NB201 table has one row per cell, 15625/);
      const gz = await rejection(create({ metric: 'test_acc', epochs: 12, report: [], dataDir: bad }).prepare!(ctx));
      expect(gz.message).toMatch(/not a readable gzip file/);
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });
});

describeWithSharedData('tabular estimator (real NB201 tables)', 'nas-bench-201', (dataDir) => {
  const best = arch([3, 3, 3, 1, 3, 2]); // |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|

  it('answers the CIFAR-10 optimum (index 6111): 94.3733 test, 91.6067 cifar10-valid val', async () => {
    const est = create({ metric: 'val_acc', epochs: 200, report: ['test_acc@200'] }, { dataDir });
    await est.prepare!(ctx);
    const e = await est.estimate(best, ctx);
    expect(e.info).toEqual({ benchmark: 'nb201', dataset: 'cifar10', index: 6111 });
    expect(e.metrics['test_acc@200']).toBe(94.37333333333333);
    expect(e.metrics['val_acc@200']).toBeCloseTo(91.6067, 4);
    expect(e.fidelity).toEqual({ epochs: 200, kind: 'table' });
  });

  it('12-epoch values of NB201 index 1 on all datasets', async () => {
    const a = arch([3, 3, 4, 1, 3, 1]);
    const expected = { cifar10: 82.83399999389648, cifar100: 57.79999996948242, 'imagenet16-120': 35.433333353678385 } as const;
    for (const dataset of NB201_DATASETS) {
      const e = await create({ dataset }, { dataDir }).estimate(a, ctx);
      expect(e.info).toMatchObject({ index: 1 });
      expect(e.metrics['val_acc@12']).toBe(expected[dataset]);
    }
  });

  it('estimateMany equals estimate on 500 cells', async () => {
    const est = create({ dataset: 'cifar100', report: ['test_acc@200', 'test_acc@12'] }, { dataDir });
    const archs = Array.from({ length: 500 }, (_, i) => archOfCode((i * 31) % NB201_SIZE));
    const many = await est.estimateMany!(archs, ctx);
    const one = await Promise.all(archs.map((a) => est.estimate(a, ctx)));
    expect(many).toEqual(one);
  });
});
