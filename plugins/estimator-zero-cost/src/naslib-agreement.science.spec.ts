import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ContributionDefinition, SearchSpace, Task } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import cifar10 from '@nasx/task-cifar10';
import { describeWithSharedData, testDeps, testEstimateContext } from '@nasx/testing';
import { fisherEstimator, gradNormEstimator, jacobCovEstimator, naswotEstimator, snipEstimator, spearman, synflowEstimator } from './index';

// Agreement with an independent implementation: NASLib's zero-cost scores of NAS-Bench-201 cells
// (nas-bench-suite-zero, computed on real CIFAR-10 batches). For each proxy, cells spread over the
// range of NASLib's score are scored here on a CIFAR-10 batch of the sample; their ranks must agree
// (Spearman ρ ≥ floor). The full 725-cell measurement is in the README (Spearman ρ 0.92–0.997).
//
// Deterministic: the split (forked from the deps' seed), the batch (the first of the training split) and every
// network's initialisation (the estimate context's seed) are fixed, so a run gives the same ρ.
// Stable: with n cells one swap of neighbours costs 12/(n(n²−1)) of ρ. Six cells left too little
// room: jacob-cov's measured ρ was 0.829 (one cell two ranks off, against the floor 0.8), so a
// different batch or backend flipped the verdict. Each proxy now has enough cells that its
// measured ρ stays above the floor with several more neighbour swaps; jacob-cov, the noisiest and
// one of the cheapest, has 20. Under independence P(ρ ≥ 0.8) < 0.01 for n = 8 and < 1e-4 for n = 20.
describeWithSharedData('zero-cost proxies agree with NASLib on NAS-Bench-201 cells (reference data)', 'nas-bench-suite-zero', (dataDir) => {
  /** Seed of every scored network's initialisation (the estimate context's RNG). */
  const INIT_SEED = 0;
  /** Seed of the factory deps; the CIFAR-10 split (hence the scoring batch) is forked from it. */
  const DEPS_SEED = 0;
  const lines = zlib
    .gunzipSync(fs.readFileSync(path.join(dataDir, 'nas-bench-suite-zero', 'zc_nasbench201.csv.gz')))
    .toString('utf8')
    .trim()
    .split('\n');
  const head = lines[0]!.split(',');
  const rows = lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[0] === 'cifar10');

  /**
   * `cells` cells whose NASLib scores for `column` are evenly spaced in value (or in log value) between
   * the 2nd and 98th percentiles, so neighbours differ by more than batch-to-batch noise. NASLib's failure values
   * are left out: its −1e8 sentinel, ±inf, and synflow's 0 (a cell with a path cannot score 0).
   */
  function spread(column: string, cells: number): { arch: string; naslib: number }[] {
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
    for (let i = 0; i < cells; i++) {
      const target = log ? lo * (hi / lo) ** (i / (cells - 1)) : lo + ((hi - lo) * i) / (cells - 1);
      const nearest = ok.filter((r) => !picked.includes(r)).reduce((a, b) => (Math.abs(b.naslib - target) < Math.abs(a.naslib - target) ? b : a));
      picked.push(nearest);
    }
    return picked;
  }

  let space: SearchSpace;
  let task: Task;
  beforeAll(async () => {
    space = (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
    task = (await cifar10.contributions[0]!.create({}, { ...testDeps(DEPS_SEED), dataDir } as never)) as Task;
    await task.load?.();
  });

  async function rho(def: ContributionDefinition<'estimator', never>, column: string, batchSize: number, n: number): Promise<number> {
    const cells = spread(column, n);
    expect(new Set(cells.map((c) => c.arch)).size).toBe(n);
    const e = await def.create({ batchSize } as never, { ...testDeps(), dataDir, space, task, latencyModels: [], estimators: {} });
    const ours: number[] = [];
    for (const c of cells) ours.push((await e.estimate(space.parse(c.arch), testEstimateContext(INIT_SEED))).metrics[def.id] as number);
    await e.dispose?.();
    if (process.env.ZC_DEBUG) console.log(def.id, JSON.stringify(cells.map((c, i) => [c.arch, c.naslib, ours[i]])));
    return spearman(
      ours,
      cells.map((c) => c.naslib),
    );
  }

  // synflow needs no data (the batch size is unused); the floors are the acceptance bars.
  // Cells per proxy, and the ρ measured with them (room: neighbour swaps before the floor):
  // synflow 12 → 1.000 (28), naswot 16 → 0.988 (64), snip 8 → 0.905 (4), grad-norm 8 → 1.000 (8),
  // fisher 8 → 1.000 (8), jacob-cov 20 → 0.886 (57). naswot needs 16: on 8 cells one cell that
  // NASLib scores 379 and we score 303 sank ρ to 0.76, which six cells had happened to miss. The
  // counts keep the run time reasonable (fisher, the slowest, scores at batch 64).
  const cases = [
    { id: 'synflow', def: synflowEstimator, column: 'synflow', batchSize: 1, cells: 12, floor: 0.95 },
    { id: 'naswot', def: naswotEstimator, column: 'nwot', batchSize: 32, cells: 16, floor: 0.8 },
    { id: 'snip', def: snipEstimator, column: 'snip', batchSize: 32, cells: 8, floor: 0.8 },
    { id: 'grad-norm', def: gradNormEstimator, column: 'grad_norm', batchSize: 32, cells: 8, floor: 0.8 },
    { id: 'fisher', def: fisherEstimator, column: 'fisher', batchSize: 64, cells: 8, floor: 0.8 },
    { id: 'jacob-cov', def: jacobCovEstimator, column: 'jacov', batchSize: 32, cells: 20, floor: 0.8 },
  ];
  it.each(cases)(
    '$id ranks $cells cells spread over NASLib’s $column scores in NASLib’s order (ρ ≥ $floor)',
    async ({ def, column, batchSize, cells, floor }) => {
      expect(await rho(def as never, column, batchSize, cells)).toBeGreaterThanOrEqual(floor);
    },
  );
});
