import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ContributionDefinition, SearchSpace, Task } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import cifar10 from '@nasx/task-cifar10';
import { describeWithSharedData, testDeps, testEstimateContext } from '@nasx/testing';
import { fisherEstimator, gradNormEstimator, jacobCovEstimator, naswotEstimator, snipEstimator, spearman, synflowEstimator } from './index';

// Agreement with an independent implementation: NASLib's zero-cost scores of NAS-Bench-201 cells
// (nas-bench-suite-zero, computed on real CIFAR-10 batches). For each proxy, six cells spread
// over the range of NASLib's score are scored here on a CIFAR-10 batch of the sample; their
// ranks must agree. The full 725-cell measurement is in the README (Spearman ρ 0.92–0.997).
describeWithSharedData('zero-cost proxies agree with NASLib on NAS-Bench-201 cells (reference data)', 'nas-bench-suite-zero', (dataDir) => {
  const CELLS = 6;
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, 'nas-bench-suite-zero', 'zc_nasbench201.csv.gz'))).toString('utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const rows = lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[0] === 'cifar10');

  /**
   * Six cells whose NASLib scores for `column` are evenly spaced in value (or in log value) between
   * the 2nd and 98th percentiles, so neighbours differ by more than batch-to-batch noise. NASLib's failure values
   * are left out: its −1e8 sentinel, ±inf, and synflow's 0 (a cell with a path cannot score 0).
   */
  function spread(column: string): { arch: string; naslib: number }[] {
    const col = head.indexOf(column);
    const ok = rows
      .map((c) => ({ arch: c[head.indexOf('arch_str')]!, naslib: Number(c[col]) }))
      .filter((r) => Number.isFinite(r.naslib) && Math.abs(r.naslib) < 1e7 && !(column === 'synflow' && r.naslib === 0))
      .sort((a, b) => a.naslib - b.naslib);
    const lo = ok[Math.floor(0.02 * ok.length)]!.naslib;
    const hi = ok[Math.floor(0.98 * ok.length)]!.naslib;
    // Scores spanning orders of magnitude (fisher: 0.01–20) are spaced on a log scale, or most
    // cells would crowd the top, where neighbours differ by less than the noise.
    const log = lo > 0 && hi / lo > 100;
    const picked: { arch: string; naslib: number }[] = [];
    for (let i = 0; i < CELLS; i++) {
      const target = log ? lo * (hi / lo) ** (i / (CELLS - 1)) : lo + ((hi - lo) * i) / (CELLS - 1);
      const nearest = ok.filter((r) => !picked.includes(r)).reduce((a, b) => (Math.abs(b.naslib - target) < Math.abs(a.naslib - target) ? b : a));
      picked.push(nearest);
    }
    return picked;
  }

  let space: SearchSpace;
  let task: Task;
  beforeAll(async () => {
    space = (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
    task = (await cifar10.contributions[0]!.create({}, { ...testDeps(), dataDir } as never)) as Task;
    await task.load?.();
  });

  async function rho(def: ContributionDefinition<'estimator', never>, column: string, batchSize: number): Promise<number> {
    const cells = spread(column);
    const e = await def.create({ batchSize } as never, { ...testDeps(), dataDir, space, task, latencyModels: [], estimators: {} });
    const ours: number[] = [];
    for (const c of cells) ours.push((await e.estimate(space.parse(c.arch), testEstimateContext(0))).metrics[def.id] as number);
    await e.dispose?.();
    if (process.env.ZC_DEBUG) console.log(def.id, JSON.stringify(cells.map((c, i) => [c.arch, c.naslib, ours[i]])));
    return spearman(
      ours,
      cells.map((c) => c.naslib),
    );
  }

  // synflow needs no data (the batch size is unused); the floors are the acceptance bars.
  const cases = [
    { id: 'synflow', def: synflowEstimator, column: 'synflow', batchSize: 1, floor: 0.95 },
    { id: 'naswot', def: naswotEstimator, column: 'nwot', batchSize: 32, floor: 0.8 },
    { id: 'snip', def: snipEstimator, column: 'snip', batchSize: 32, floor: 0.8 },
    { id: 'grad-norm', def: gradNormEstimator, column: 'grad_norm', batchSize: 32, floor: 0.8 },
    { id: 'fisher', def: fisherEstimator, column: 'fisher', batchSize: 64, floor: 0.8 },
    { id: 'jacob-cov', def: jacobCovEstimator, column: 'jacov', batchSize: 32, floor: 0.8 },
  ];
  it.each(cases)('$id ranks six cells spread over NASLib’s $column scores in NASLib’s order (ρ ≥ $floor)', async ({ def, column, batchSize, floor }) => {
    expect(await rho(def as never, column, batchSize)).toBeGreaterThanOrEqual(floor);
  });
});
