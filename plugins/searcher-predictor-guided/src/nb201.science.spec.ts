import type { Json } from '@nasx/contracts';
import gcn from '@nasx/estimator-gcn';
import tabular from '@nasx/estimator-tabular';
import nb201 from '@nasx/search-space-nb201';
import random from '@nasx/searcher-random';
import { describeWithSharedData, startNb201TestKernel, type Nb201TestKernel } from '@nasx/testing';
import predictorGuided from './index';

// BANANAS's claim (White et al., AAAI 2021, Fig. 4 / NASLib's NB201 runs) in its predictor-only
// form: with a learned predictor guiding the proposals, 100 evaluations on NAS-Bench-201 CIFAR-10
// find better cells than 100 random ones. End to end through the kernel with the real plugins:
// nb201 space, tabular estimator (test accuracy after 200 epochs as the objective), the GCN
// predictor (Wen et al. 2020) as the run's named estimator `predictor`. A small GCN and few epochs
// keep it fast; per-seed numbers are in the README.
describeWithSharedData('predictor-guided search vs random search on NAS-Bench-201 CIFAR-10 (reference data)', 'nas-bench-201', (dataDir) => {
  let tk: Nb201TestKernel;
  beforeAll(() => {
    tk = startNb201TestKernel(dataDir, {
      nb201,
      tabular,
      more: { '@nasx/estimator-gcn': gcn, '@nasx/searcher-random': random, '@nasx/searcher-predictor-guided': predictorGuided },
    });
  });
  afterAll(() => tk.cleanup());

  const SEEDS = [0, 1, 2, 3];
  const EVALUATIONS = 100;
  const config = (searcher: Json, seed: number) =>
    tk.config({
      seed,
      tabular: { metric: 'test_acc', epochs: 200 },
      estimators: { predictor: { use: 'gcn', options: { epochs: 30, hidden: 64, mlpHidden: 64 } } },
      searcher,
      objective: 'test_acc@200',
      budget: { evaluations: EVALUATIONS },
    });

  async function bests(searcher: Json): Promise<number[]> {
    const out: number[] = [];
    for (const seed of SEEDS) {
      const run = await tk.run(config(searcher, seed), { persist: false });
      expect(run.report.evaluations).toBe(EVALUATIONS);
      out.push(run.report.best?.objective as number);
    }
    return out;
  }
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;

  it('finds better cells than random search in 100 evaluations, on average over seeds', async () => {
    const guided = await bests({ use: 'predictor-guided', options: { initial: 10, batch: 10, refitEvery: 10, candidates: 100, pool: 'both' } });
    const rs = await bests('random');
    console.log(
      `predictor-guided ${guided.map((x) => x.toFixed(2)).join(' ')} (mean ${mean(guided).toFixed(3)}); random ${rs.map((x) => x.toFixed(2)).join(' ')} (mean ${mean(rs).toFixed(3)})`,
    );
    expect(guided.every(Number.isFinite)).toBe(true);
    // The best NB201 CIFAR-10 cell has 94.37; random search's best of 100 averages ≈ 93.9.
    expect(mean(guided)).toBeGreaterThan(mean(rs) + 0.1);
    expect(mean(guided)).toBeGreaterThan(94.0);
  }, 240_000);
});
