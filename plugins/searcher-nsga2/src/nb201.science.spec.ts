import type { Json } from '@nasx/contracts';
import tabular from '@nasx/estimator-tabular';
import { type ExactFront } from '@nasx/kernel';
import table from '@nasx/latency-model-table';
import nb201 from '@nasx/search-space-nb201';
import random from '@nasx/searcher-random';
import { hypervolume } from '@nasx/stats';
import { describeWithSharedData, startTestKernel, type TestKernel } from '@nasx/testing';
import nsga2 from './index';

// The Pareto benchmark's protocol, shortened (tools/bench/pareto runs it in full, 20 seeds, two devices):
// CIFAR-10 test accuracy after 200 epochs vs Pixel 3 latency on NAS-Bench-201, 500 evaluations per
// run, hypervolume of every evaluated point over the exact front's (all 15,625 cells scored by the
// same pipeline), reference point (90 % accuracy, the slowest cell of the exact front).
// Measured on seeds 0–19 (tools/bench/pareto/RESULTS.md): NSGA-II ≈ 0.96, random ≈ 0.88.
describeWithSharedData('NSGA-II vs random search on NB201 accuracy × Pixel 3 latency (reference data)', 'hw-latency-help', (dataDir) => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: '@nasx/search-space-nb201', definition: nb201 },
        { name: '@nasx/estimator-tabular', definition: tabular },
        { name: '@nasx/latency-model-table', definition: table },
        { name: '@nasx/searcher-random', definition: random },
        { name: '@nasx/searcher-nsga2', definition: nsga2 },
      ],
    });
  });
  afterAll(() => tk.cleanup());

  const config = (searcher: Json, seed: number) => ({
    seed,
    dataDir,
    space: 'nb201',
    estimator: { use: 'tabular', options: { benchmark: 'nb201', dataset: 'cifar10', metric: 'test_acc', epochs: 200 } },
    latency: [{ use: 'table', options: { device: 'pixel3' } }],
    objective: { type: 'multi', metrics: [{ metric: 'test_acc@200' }, { metric: 'latency_ms' }] },
    searcher,
    budget: { evaluations: 500 },
  });

  it('NSGA-II reaches a larger hypervolume than random search on every one of 5 seeds', async () => {
    const exact = (await tk.kernel.exactFront(tk.kernel.loadConfigObject({ runsDir: tk.runsDir, ...config('random', 0) }))) as ExactFront;
    expect(exact.architectures).toBe(15625);
    const pts = exact.points.map((p) => p.objective);
    const reference = [90, Math.min(...pts.map((p) => p[1] as number))];
    const hvExact = hypervolume(pts, reference);
    const ratio = async (searcher: Json, seed: number): Promise<number> => {
      const run = await tk.run(config(searcher, seed), { persist: false });
      const points = run.of('evaluated').flatMap((e) => (e.cached ? [] : [e.objective as number[]]));
      expect(points).toHaveLength(500);
      return hypervolume(points, reference) / hvExact;
    };
    const ns: number[] = [];
    const rs: number[] = [];
    for (let seed = 0; seed < 5; seed++) {
      ns.push(await ratio('nsga2', seed));
      rs.push(await ratio('random', seed));
    }
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    // Paired, one-sided sign test: 5 wins of 5 has p = 1/32 under "no difference".
    ns.forEach((v, i) => expect(v).toBeGreaterThan(rs[i] as number));
    expect(mean(ns)).toBeGreaterThan(0.94);
    expect(mean(rs)).toBeLessThan(0.92);
    expect(mean(rs)).toBeGreaterThan(0.84);
  }, 60_000);
});
