import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spearman } from '@nasx/stats';
import { describeWithSharedData, optionsFor, testDeps } from '@nasx/testing';
import { Nb201SearchSpace } from '@nasx/search-space-nb201';
import { learnedLatencyModel, type LearnedLatencyModel } from './learned.latency-model';
import { sampleRows } from './learned-latency';
import { HELP_META_TRAIN_DEVICES, LatencyTable } from './latency-table';

// The acceptance claims of the learned latency model on HELP's measured latencies (Lee et al.,
// NeurIPS 2021), on a subset of devices to stay under a minute; the benchmark
// (tools/bench/latency-learned) runs every device. Seeds are fixed, so the verdicts are
// deterministic on a backend. The thresholds are the issue's; the measured values (titan_rtx_1
// 95.2 %, gold_6226 94.5 % within ±10 %; ρ 0.99 on both unseen devices with 900 cells per
// training device) are in the README.
describeWithSharedData('learned latency model on HELP’s NAS-Bench-201 latencies', 'hw-latency-help', (dataDir) => {
  const space = new Nb201SearchSpace({});
  const table = LatencyTable.inDataDir(dataDir);
  const archs = table.archs.map((a) => space.parse(a));

  // One state folder: the second unseen device reloads the network trained for the first.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-learned-science-'));
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  async function create(options: object): Promise<LearnedLatencyModel> {
    return (await learnedLatencyModel.create(optionsFor(learnedLatencyModel, options as never), {
      ...testDeps(),
      space,
      dataDir,
      stateDir,
    } as never)) as LearnedLatencyModel;
  }

  // Same device: trained on 900 cells, ≥ 90 % of the other 14,725 predictions within ±10 %.
  // One GPU setting and one CPU (the bar is every GPU and CPU setting; see the README for
  // the per-device table and the two CPUs whose measurements drift beyond it).
  it.each(['titan_rtx_1', 'gold_6226'])(
    '%s: trained on 900 of its cells, ≥ 90 %% of the others within ±10 %%',
    async (device) => {
      const m = await create({ device, train: { cells: 900 } });
      try {
        const train = new Set(sampleRows(archs.length, 900, 0, 'train-cells'));
        const test = archs.map((_, i) => i).filter((i) => !train.has(i));
        const truth = table.latencies(device);
        const pred = m.predictMany!(
          test.map((i) => archs[i]!),
          device,
        ) as number[];
        const share = pred.filter((p, k) => Math.abs(p / truth[test[k]!]! - 1) <= 0.1).length / test.length;
        expect(share).toBeGreaterThanOrEqual(0.9);
      } finally {
        m.dispose();
      }
    },
    60_000,
  );

  // Why two CPUs miss the same-device bar (README, Limitations): HELP timed eager PyTorch, which runs
  // every edge (a `none` edge multiplies by zero), so cells with the same multiset of the six edge
  // ops run the same kernels on the same shapes. No predictor that gives such identical cells one
  // latency can put more of them within ±10 % than the best single value per group does, even
  // fitted to the scored cells themselves. That bound is below 90 % on gold_6240 and silver_4114
  // and above it on every other GPU and CPU setting.
  it('the same-ops bound: ≥ 90 % within ±10 % is out of reach on gold_6240 and silver_4114 only', () => {
    const key = table.archs.map((s) =>
      s
        .split('|')
        .filter((t) => t.includes('~'))
        .map((t) => t.split('~')[0])
        .sort()
        .join(','),
    );
    const groups = new Map<string, number[]>();
    key.forEach((k, i) => groups.set(k, [...(groups.get(k) ?? []), i]));
    expect(groups.size).toBe(210);
    const bound = (device: string): number => {
      const col = table.latencies(device);
      let hit = 0;
      for (const g of groups.values()) {
        const v = g.map((i) => Math.log(col[i]!)).sort((a, b) => a - b);
        let j = 0;
        let best = 0;
        for (let i = 0; i < v.length; i++) {
          while (v[i]! - v[j]! > Math.log(1.1 / 0.9) + 1e-12) j++;
          best = Math.max(best, i - j + 1);
        }
        hit += best;
      }
      return hit / col.length;
    };
    const gpuCpu = [
      ...['1080ti', '2080ti', 'titanx', 'titanxp', 'titan_rtx'].flatMap((g) => [1, 32, 256].map((b) => `${g}_${b}`)),
      'gold_6226',
      'gold_6240',
      'silver_4114',
      'silver_4210r',
    ];
    const below = gpuCpu.filter((d) => bound(d) < 0.9);
    expect(below).toEqual(['gold_6240', 'silver_4114']);
    expect(bound('gold_6240')).toBeLessThan(0.85);
    expect(bound('silver_4114')).toBeLessThan(0.85);
  });

  // Unseen device (HELP's protocol): trained on HELP's meta-training devices, adapted to a
  // meta-test device from 20 of its measurements; Spearman ρ ≥ 0.9 over its other cells.
  // 300 cells per training device instead of 900 keep the test short.
  it('adapts to unseen titan_rtx_256 and gold_6226 from 20 measurements each with Spearman ρ ≥ 0.9', async () => {
    for (const device of ['titan_rtx_256', 'gold_6226']) {
      const m = await create({ device, train: { devices: HELP_META_TRAIN_DEVICES, cells: 300 }, adapt: { samples: 20 } });
      try {
        const picked = new Set(sampleRows(archs.length, 20, 0, `adapt-${device}`));
        const test = archs.map((_, i) => i).filter((i) => !picked.has(i));
        const truth = table.latencies(device);
        const pred = m.predictMany!(
          test.map((i) => archs[i]!),
          device,
        ) as number[];
        expect(
          spearman(
            pred,
            test.map((i) => truth[i]!),
          ),
        ).toBeGreaterThanOrEqual(0.9);
      } finally {
        m.dispose();
      }
    }
  }, 120_000);
});
