import type { EvaluatedEvent, Json } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import tabular from '@nasx/estimator-tabular';
import table from '@nasx/latency-model-table';
import random from '@nasx/searcher-random';
import { describeWithSharedData, startNb201TestKernel, type Nb201TestKernel } from '@nasx/testing';
import mnas from './index';

// MnasNet's claim for its controller (Tan et al. 2019, sec. 4 and fig. 6: the reward of the sampled
// models rises as the controller learns), on NAS-Bench-201 with the real plugins: reward = the mnas
// objective ACC·(LAT/T)^w under the hard constraint, ACC = 200-epoch CIFAR-10 test accuracy
// (tabular), LAT = Pixel 3 latency (table), T = 6.4 ms (a quarter of the cells are under it).
// The controller's later samples must score better on average than its first batch (a sample of
// the untrained policy) and than random search's samples at the same point of runs with the same
// seeds. Measured (seeds 0..5): first batch 51-58, random search's last 50 53-57, the controller's
// last 50 81-87 — a margin of about 28 points against a spread of 2-3 points, so the verdict does
// not flip (paired t ≈ 20).
// 32 hidden units instead of the default 100 keep the test within seconds; the learning is the same.
describeWithSharedData('MnasNet controller learns the latency-constrained objective on NAS-Bench-201 (reference data)', 'hw-latency-help', (dataDir) => {
  let tk: Nb201TestKernel;
  beforeAll(() => {
    tk = startNb201TestKernel(dataDir, { nb201, tabular, table, more: { '@nasx/searcher-random': random, '@nasx/searcher-mnas': mnas } });
  });
  afterAll(() => tk.cleanup());

  const SEEDS = 6;
  const TRIALS = 150;
  const config = (searcher: Json, seed: number) =>
    tk.config({
      seed,
      tabular: { metric: 'test_acc', epochs: 200 },
      latency: 'pixel3',
      objective: { type: 'mnas', accuracy: 'test_acc@200', latency: 'latency_ms', target: 6.4, constraint: 'hard' },
      searcher,
      // Every proposal counts, repeats included, so both searchers make exactly TRIALS proposals.
      dedup: false,
      budget: { evaluations: TRIALS },
    });

  /** The told objective of every trial, in trial order. */
  async function rewards(searcher: Json, seed: number): Promise<number[]> {
    const run = await tk.run(config(searcher, seed), { persist: false });
    const ev = run.of('evaluated') as EvaluatedEvent[];
    expect(ev).toHaveLength(TRIALS);
    return ev.sort((a, b) => a.trial - b.trial).map((e) => e.objective as number);
  }

  const mean = (x: readonly number[]) => x.reduce((a, b) => a + b, 0) / x.length;

  it('its last 50 samples beat its first batch and random search, on every seed', async () => {
    const diffs: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const ctrl = await rewards({ use: 'mnas', options: { hidden: 32 } }, seed);
      const rs = await rewards('random', seed);
      const later = mean(ctrl.slice(-50));
      expect(later).toBeGreaterThan(mean(ctrl.slice(0, 10)) + 10);
      expect(later).toBeGreaterThan(mean(rs.slice(-50)) + 10);
      diffs.push(later - mean(rs.slice(-50)));
    }
    // Paired over seeds: t far above 3.36 (one-sided p < 0.01 with 5 degrees of freedom).
    const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - mean(diffs)) ** 2, 0) / (SEEDS - 1));
    expect(mean(diffs) / (sd / Math.sqrt(SEEDS))).toBeGreaterThan(3.36);
  }, 120_000);
});
