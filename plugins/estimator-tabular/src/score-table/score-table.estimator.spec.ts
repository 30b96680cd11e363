import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isNasxError, type EstimateContext, type EstimatorDeps, type NasxError, type Rng, type SearchSpace } from '@nasx/contracts';
import nb201Plugin from '@nasx/search-space-nb201';
import { createToySpace, describeEstimatorContract, describeWithSharedData, testDeps } from '@nasx/testing';
import { scoreTableEstimator, type ScoreTableEstimator, type ScoreTableOptions } from './score-table.estimator';

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const ctx: EstimateContext = { runId: 'test', rng: {} as Rng, signal: new AbortController().signal, logger, emit() {}, trial: 0 };
const toy = createToySpace();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-score-table-'));
  // A `nasx score` CSV of four toy cells (what ScoreOutput writes), and the same as JSON lines.
  fs.writeFileSync(
    path.join(dir, 'scores.csv'),
    'arch,score,seconds,naswot,params\n012301,1.5,4.2,1.5,0.3\n333333,9,4.1,9,0.9\n000000,-2,4,-2,0.1\n111111,,4,,0.2\n',
  );
  fs.writeFileSync(
    path.join(dir, 'scores.jsonl'),
    ['012301', '333333']
      .map((a, i) => JSON.stringify({ arch: a, key: a, space: 'toy', score: i + 1, seconds: 1, metrics: { naswot: i + 1, params: 0.5 } }))
      .join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'other-space.jsonl'), JSON.stringify({ arch: '012301', space: 'nb101', score: 1, seconds: 1, metrics: {} }) + '\n');
  fs.writeFileSync(
    path.join(dir, 'nb201.csv'),
    'arch,score,seconds,naswot\n|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|,1500,4,1500\n',
  );
  fs.writeFileSync(path.join(dir, 'scores.csv.gz'), zlib.gzipSync(fs.readFileSync(path.join(dir, 'scores.csv'))));
  fs.writeFileSync(path.join(dir, 'not-scores.csv'), 'a,b\n1,2\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function deps(over: Partial<EstimatorDeps> = {}): EstimatorDeps {
  return { space: toy, latencyModels: [], estimators: {}, configDir: dir, logger, rng: {} as Rng, ...over };
}
const create = (o: Partial<ScoreTableOptions>, d: Partial<EstimatorDeps> = {}): ScoreTableEstimator =>
  scoreTableEstimator.create(o as ScoreTableOptions, deps(d)) as ScoreTableEstimator;

async function rejection(p: (() => unknown) | Promise<unknown>): Promise<NasxError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

describe('score-table estimator', () => {
  it('serves the score column of a nasx score CSV, the cells in file order as its domain', async () => {
    const e = create({ file: 'scores.csv' });
    expect(e.metrics[0]).toMatchObject({ name: 'score', direction: 'maximize' });
    expect(e.tabulated).toBe(true);
    expect(await e.estimate(toy.parse('333333'), ctx)).toEqual({ metrics: { score: 9 }, cost: { seconds: 0 } });
    expect(await e.estimate(toy.parse('000000'), ctx)).toEqual({ metrics: { score: -2 }, cost: { seconds: 0 } });
    // the empty row (111111) is left out of the domain: it has no value to rank by
    expect(e.domain().map((a) => toy.format(a))).toEqual(['012301', '333333', '000000']);
  });

  it('serves any metric column, gzipped CSV and JSON lines alike', async () => {
    expect(await create({ file: 'scores.csv', metric: 'params' }).estimate(toy.parse('333333'), ctx)).toMatchObject({ metrics: { params: 0.9 } });
    expect(await create({ file: 'scores.csv.gz', metric: 'naswot' }).estimate(toy.parse('012301'), ctx)).toMatchObject({ metrics: { naswot: 1.5 } });
    const j = create({ file: 'scores.jsonl', metric: 'naswot' });
    expect(await j.estimate(toy.parse('333333'), ctx)).toMatchObject({ metrics: { naswot: 2 } });
    expect(j.domain()).toHaveLength(2);
  });

  it('resolves a relative file against the config folder, else the data directory', async () => {
    const e = create({ file: 'scores.csv' }, { configDir: os.tmpdir(), dataDir: dir });
    expect(e.table.file).toBe(path.join(dir, 'scores.csv'));
    const err = await rejection(() => create({ file: 'nope.csv' }, { dataDir: os.tmpdir() }));
    expect(err).toMatchObject({ kind: 'config', where: { pointer: '/options/file' } });
    expect(err.message).toContain(path.join(dir, 'nope.csv'));
    expect(err.message).toContain(path.join(os.tmpdir(), 'nope.csv'));
  });

  it('a cell missing from the file is an error naming the cell and the file', async () => {
    const err = await rejection(create({ file: 'scores.csv' }).estimate(toy.parse('222222'), ctx));
    expect(err.kind).toBe('data');
    expect(err.message).toBe(`cell 222222 is not in the score file ${path.join(dir, 'scores.csv')} (4 cells)`);
    expect(err.fix).toMatch(/nasx score/);
  });

  it('a cell with an empty value is an error naming the line', async () => {
    const err = await rejection(create({ file: 'scores.csv' }).estimate(toy.parse('111111'), ctx));
    expect(err.message).toMatch(/cell 111111 has no score value in .*scores\.csv \(line 5 is empty there\)/);
  });

  it('refuses a file of another space when the run starts', async () => {
    // CSV: the first cell does not parse in the run's space
    const csv = await rejection(() => create({ file: 'nb201.csv' }));
    expect(csv).toMatchObject({ kind: 'config', where: { pointer: '/options/file', line: 2 } });
    expect(csv.message).toMatch(/nb201\.csv was not scored in search space "toy": its first cell "\|nor_conv_3x3~0\|/);
    // JSON lines name their space
    const jsonl = await rejection(() => create({ file: 'other-space.jsonl' }));
    expect(jsonl.message).toMatch(/was scored in search space "nb101", but the run's space is "toy"/);
  });

  it('refuses an unknown metric column, a dataset for a nasx file, and a file of another format', async () => {
    const metric = await rejection(() => create({ file: 'scores.csv', metric: 'synflow' }));
    expect(metric).toMatchObject({ kind: 'config', where: { pointer: '/options/metric' } });
    expect(metric.fix).toBe('set metric to one of its columns: score, naswot, params');
    expect(await rejection(() => create({ file: 'scores.csv', dataset: 'cifar100' }))).toMatchObject({ where: { pointer: '/options/dataset' } });
    expect((await rejection(() => create({ file: 'not-scores.csv' }))).message).toMatch(/neither a nasx score file .* its header: a,b/);
  });

  it('takes the direction from the option, else the metric name', () => {
    expect(create({ file: 'scores.csv', direction: 'minimize' }).metrics[0]?.direction).toBe('minimize');
    expect(create({ file: 'scores.csv', metric: 'params' }).metrics[0]?.direction).toBe('minimize'); // a known metric
    expect(create({ file: 'scores.csv', metric: 'naswot' }).metrics[0]?.direction).toBe('maximize');
  });
});

// The contract suite scores random cells: a table of the whole toy space (its digit sums).
describeEstimatorContract(scoreTableEstimator, {
  options: { file: 'all-toy.csv' },
  space: () => createToySpace(),
  deps: () => {
    const lines = ['arch,score,seconds'];
    for (const a of toy.enumerate!()) lines.push(`${toy.format(a)},${[...toy.format(a)].reduce((s, d) => s + Number(d), 0)},0`);
    fs.writeFileSync(path.join(dir, 'all-toy.csv'), lines.join('\n') + '\n');
    return { configDir: dir };
  },
});

describeWithSharedData("score-table with NASLib's NAS-Bench-201 zero-cost table (reference data)", 'nas-bench-suite-zero', (dataDir) => {
  const space = nb201Plugin.contributions.find((c) => c.kind === 'search-space')!.create({}, testDeps()) as SearchSpace;
  const file = 'nas-bench-suite-zero/zc_nasbench201.csv.gz';
  const rows = zlib
    .gunzipSync(fs.readFileSync(path.join(dataDir, file)))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const head = rows[0]!;
  const col = (name: string): number => head.indexOf(name);

  it.each([
    ['cifar10', 'cifar10', 725],
    ['cifar100', 'cifar100', 725],
    ['imagenet16-120', 'ImageNet16-120', 724],
  ])('serves the nwot column of %s (its %s rows, %i cells)', async (dataset, naslib, cells) => {
    const e = create({ file, metric: 'nwot', dataset: dataset as ScoreTableOptions['dataset'] }, { space, dataDir, configDir: os.tmpdir() });
    expect(e.domain()).toHaveLength(cells);
    for (const r of rows.filter((c) => c[0] === naslib).slice(0, 25)) {
      const got = await e.estimate(space.parse(r[col('arch_str')]!), ctx);
      expect(got.metrics['nwot']).toBe(Number(r[col('nwot')]));
    }
  });

  it('asks which dataset, and which proxy column', async () => {
    const d = { space, dataDir, configDir: os.tmpdir() };
    expect((await rejection(() => create({ file, metric: 'nwot' }, d))).where.pointer).toBe('/options/dataset');
    const m = await rejection(() => create({ file, dataset: 'cifar10' }, d));
    expect(m.fix).toMatch(/^set metric to one of its proxy columns: epe_nas, fisher, flops, .*nwot.*synflow$/);
  });

  it('is refused in another space', async () => {
    const err = await rejection(() => create({ file, metric: 'nwot', dataset: 'cifar10' }, { dataDir }));
    expect(err.message).toMatch(/is NASLib.s NAS-Bench-201 zero-cost table, but the run.s space is "toy"/);
  });
});

describeWithSharedData("score-table with the few-shot NAS authors' NB201 supernet estimates (reference data)", 'supernet-estimates-nb201', (dataDir) => {
  const space = nb201Plugin.contributions.find((c) => c.kind === 'search-space')!.create({}, testDeps()) as SearchSpace;
  const file = 'supernet-estimates-nb201/nb201_fewshot_nas_supernet_estimates.csv.gz';
  const d = () => ({ space, dataDir, configDir: os.tmpdir() });

  it('serves the one-shot and few-shot estimates of all 15,625 cells (values as the file holds them)', async () => {
    const one = create({ file, metric: 'oneshot_estimate' }, d());
    const few = create({ file, metric: 'fewshot_estimate' }, d());
    expect(one.domain()).toHaveLength(15625);
    expect(one.table.format).toBe('fewshot-nas');
    // Rows 0, 1 and 6111 (NB201's best CIFAR-10 cell) of the file.
    const cells: [string, number, number][] = [
      ['|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|', 16.26, 21.96],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', 65.51, 62.8],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|', 58.75, 61.14],
    ];
    for (const [cell, oneShot, fewShot] of cells) {
      expect((await one.estimate(space.parse(cell), ctx)).metrics['oneshot_estimate']).toBe(oneShot);
      expect((await few.estimate(space.parse(cell), ctx)).metrics['fewshot_estimate']).toBe(fewShot);
    }
  });

  it('names its estimate columns for a wrong metric, and is refused in another space or with a dataset', async () => {
    const m = await rejection(() => create({ file, metric: 'nwot' }, d()));
    expect(m.fix).toBe('set metric to one of its columns: oneshot_estimate, fewshot_estimate, authors_nb201_cifar10_test_acc');
    const other = await rejection(() => create({ file, metric: 'oneshot_estimate' }, { dataDir }));
    expect(other.message).toMatch(/few-shot NAS authors' NAS-Bench-201 supernet estimates, but the run.s space is "toy"/);
    const ds = await rejection(() => create({ file, metric: 'oneshot_estimate', dataset: 'cifar10' }, d()));
    expect(ds.where.pointer).toBe('/options/dataset');
  });
});
