import type { Json } from '@nasx/contracts';
import tabular from '@nasx/estimator-tabular';
import { createRng, type ExactFront } from '@nasx/kernel';
import table from '@nasx/latency-model-table';
import nb201 from '@nasx/search-space-nb201';
import random from '@nasx/searcher-random';
import { hypervolume } from '@nasx/stats';
import { describeWithSharedData, startNb201TestKernel, type Nb201TestKernel } from '@nasx/testing';
import nsga2 from './index';

// The Pareto benchmark's protocol, shortened (tools/bench/pareto runs it in full, 100 seeds, two devices):
// CIFAR-10 test accuracy after 200 epochs vs Pixel 3 latency on NAS-Bench-201, 500 evaluations per
// run, hypervolume of every evaluated point over the exact front's (all 15,625 cells scored by the
// same pipeline), reference point (90 % accuracy, the slowest cell of the exact front).
// The kernel's default dedup for runs with latency models is exact (each cell its own evaluation).
// Measured on seeds 0–99 (tools/bench/pareto/RESULTS.md), pixel3: NSGA-II with its default
// surrogate ≈ 0.974, without it ≈ 0.963, random ≈ 0.88; on seeds 0–4: 0.974, 0.969 and 0.859.
describeWithSharedData('NSGA-II vs random search on NB201 accuracy × Pixel 3 latency (reference data)', 'hw-latency-help', (dataDir) => {
  let tk: Nb201TestKernel;
  beforeAll(() => {
    tk = startNb201TestKernel(dataDir, { nb201, tabular, table, more: { '@nasx/searcher-random': random, '@nasx/searcher-nsga2': nsga2 } });
  });
  afterAll(() => tk.cleanup());

  const config = (searcher: Json, seed: number) =>
    tk.config({
      seed,
      tabular: { benchmark: 'nb201', metric: 'test_acc', epochs: 200 },
      latency: 'pixel3',
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
    expect(mean(ns)).toBeGreaterThan(0.96);
    expect(mean(rs)).toBeLessThan(0.92);
    expect(mean(rs)).toBeGreaterThan(0.84);
  }, 300_000);

  // Why 0.97 is hard (tools/bench/pareto/RESULTS.md, "The isomorphism ceiling"): the kernel keys
  // cells canonically and measures one member of each isomorphism class, but members of a class
  // differ in measured latency and trained accuracy, and the exact front is over all cells.
  it('evaluating every isomorphism class once with a random member stays near 0.975 of the exact front, whose points share classes', async () => {
    const exact = (await tk.kernel.exactFront(tk.kernel.loadConfigObject({ runsDir: tk.runsDir, ...config('random', 0) }))) as ExactFront;
    const pts = exact.points.map((p) => p.objective);
    const reference = [90, Math.min(...pts.map((p) => p[1] as number))];
    const hvExact = hypervolume(pts, reference);
    const all = await tk.run({ ...config({ use: 'list', options: { all: true } }, 0), dedup: false, budget: { evaluations: 15625 } }, { persist: false });
    const classes = new Map<string, number[][]>();
    for (const e of all.of('evaluated')) classes.set(e.arch.key, [...(classes.get(e.arch.key) ?? []), e.objective as number[]]);
    expect(classes.size).toBe(6466);
    const rng = createRng(1);
    const draws = Array.from(
      { length: 10 },
      () =>
        hypervolume(
          [...classes.values()].map((m) => rng.pick(m)),
          reference,
        ) / hvExact,
    );
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    // Measured: 0.976 ± 0.004 (sd of one draw); the mean of 10 draws is within ±0.005 with > 99 % confidence.
    expect(mean).toBeGreaterThan(0.965);
    expect(mean).toBeLessThan(0.985);
    // Several exact-front cells are isomorphs of each other (measured: 44 points in 31 classes), so
    // a run that measures one member per class cannot find them all.
    const frontClasses = new Set(exact.points.map((p) => p.key));
    expect(frontClasses.size).toBeLessThan(exact.points.length);
  }, 120_000);
});
