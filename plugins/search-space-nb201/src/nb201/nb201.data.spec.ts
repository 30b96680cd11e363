import * as path from 'node:path';
import { describeWithSharedData, readCsvFile } from '@nasx/testing';
import { nb201Graph } from './nb201.graph';
import { createNb201SearchSpace } from './nb201.search-space';

describeWithSharedData('nb201 cell graphs against the NAS-Bench-201 table', 'nas-bench-201', (dataDir) => {
  it("per-op parameter counts explain every cell's parameter count up to the same fixed part (stem, reduction blocks, classifier)", () => {
    const space = createNb201SearchSpace();
    const rows = readCsvFile(path.join(dataDir, 'nas-bench-201', 'nb201_cifar10_naswot.csv.gz'));
    expect(rows).toHaveLength(15_625);
    const fixed = new Map<number, number>();
    for (const r of rows) {
      const arch = space.parse(r['arch_str']!);
      const cells = space.toGraph(arch).nodes.reduce((s, n) => s + (n.params ?? 0), 0);
      const rest = Math.round(Number(r['params_mb']) * 1e6) - cells;
      fixed.set(rest, (fixed.get(rest) ?? 0) + 1);
    }
    // params_mb has 6 decimals, so the difference is exact: 73,306 parameters outside the cells
    // (stem, reduction blocks, classifier) for 15,421 of the 15,625 cells, dead ops included. The
    // other 204 (all with the output reachable) are listed with other counts in the table; we have
    // not found the rule behind them.
    const [rest, count] = [...fixed.entries()].sort((a, b) => b[1] - a[1])[0]!;
    expect(rest).toBe(73_306);
    expect(count).toBe(15_421);
    const none = nb201Graph([0, 0, 0, 0, 0, 0]);
    expect(none.nodes.every((n) => (n.params ?? 0) === 0 && (n.flops ?? 0) === 0)).toBe(true);
    const conv3 = nb201Graph([3, 0, 0, 0, 0, 0]).nodes.find((n) => n.id === 'e10')!;
    expect(conv3.params).toBe(5 * (9 * 16 * 16 + 32) + 5 * (9 * 32 * 32 + 64) + 5 * (9 * 64 * 64 + 128));
    expect(conv3.flops).toBe(5 * 9 * (16 * 16 * 1024 + 32 * 32 * 256 + 64 * 64 * 64));
  });
});
