import { createRng } from '@nasx/kernel';
import { planNetwork } from '@nasx/tensor';
import { describeWithSharedData, readCsvFile } from '@nasx/testing';
import * as path from 'node:path';
import { createNb101SearchSpace } from './nb101.search-space';

// @nasx/tensor builds NB101's network (google-research/nasbench's model_builder.py); its parameter
// count must be the dataset's `trainable_parameters`, which checks the vertex channel split, the
// projections, truncations and the concatenation of the module exactly. One subtlety of NB101:
// `compute_vertex_channels` gives the remainder channels to the lowest-numbered vertices, so
// isomorphic cells (one hash) can differ by a few channels, and the dataset counts its own
// representative. A cell whose count differs must match under some other topological numbering.

/** Parameter counts of every renumbering of the interior vertices that keeps the matrix upper-triangular. */
function isomorphicCounts(matrix: number[][], ops: string[]): Set<number> {
  const n = matrix.length;
  const out = new Set<number>();
  const perm: number[] = [0];
  const used = new Set<number>([0, n - 1]);
  const place = () => {
    if (perm.length === n - 1) {
      const order = [...perm, n - 1];
      const at = new Map(order.map((v, i) => [v, i]));
      const m = order.map((u) => order.map((v) => matrix[u]![v]!));
      // Upper-triangular: every edge goes forward in the new numbering.
      if (!order.every((u) => order.every((v) => !matrix[u]![v] || at.get(u)! < at.get(v)!))) return;
      const arch = { space: 'nb101', genotype: { matrix: m, ops: order.map((v) => ops[v]!) }, key: 'perm' };
      out.add(planNetwork(arch, { numClasses: 10, inputShape: [3, 32, 32] }).paramCount);
      return;
    }
    for (let v = 1; v < n - 1; v++) {
      if (used.has(v)) continue;
      used.add(v);
      perm.push(v);
      place();
      perm.pop();
      used.delete(v);
    }
  };
  place();
  return out;
}
describeWithSharedData('NB101 networks have NAS-Bench-101’s parameter counts', 'nas-bench-101', (dataDir) => {
  it('for every sampled cell that is in the shared 20,001-cell slice', () => {
    const params = new Map(
      readCsvFile(path.join(dataDir, 'nas-bench-101', 'nb101_first20001_by_hash_nasbenchvis.csv.gz')).map((r) => [
        r['module_hash']!,
        Number(r['trainable_params']),
      ]),
    );
    const space = createNb101SearchSpace();
    const rng = createRng(101);
    const checked: string[] = [];
    const wrong: string[] = [];
    let renumbered = 0;
    for (let k = 0; k < 8000; k++) {
      const a = space.sample(rng);
      const want = params.get(a.key);
      if (want === undefined || checked.includes(a.key)) continue;
      checked.push(a.key);
      const got = planNetwork(a, { numClasses: 10, inputShape: [3, 32, 32] }).paramCount;
      if (got === want) continue;
      const g = a.genotype as { matrix: number[][]; ops: string[] };
      if (isomorphicCounts(g.matrix, g.ops).has(want)) renumbered++;
      else wrong.push(`${space.format(a)}: ${got} ≠ ${want}`);
    }
    expect(wrong).toEqual([]);
    // About 4.7 % of cells are in the slice: enough distinct cells to cover many channel splits.
    expect(checked.length).toBeGreaterThanOrEqual(100);
    // Most cells' counts do not depend on the numbering at all.
    expect(renumbered).toBeLessThan(checked.length / 10);
  });
});
