// Helpers shared by the nb101 specs (a fixture folder: not built into dist, not a test itself).
import type { Rng } from '@nasx/contracts';
import { cellOfSpec, edgeBit, genotypeOf, type Nb101Cell, type Nb101Genotype } from '../nb101.genotype';

/**
 * The same cell with its interior vertices renumbered by a random topological order (so the matrix
 * stays upper-triangular): an isomorphic copy, as NB101's `permute_graph` would give when the
 * permutation keeps edges forward.
 */
export function randomIsomorph(cell: Nb101Cell, rng: Rng): Nb101Genotype {
  const { n, bits } = cell;
  const indeg = new Array<number>(n).fill(0);
  for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if ((bits >>> edgeBit(i, j)) & 1) indeg[j]!++;
  const order: number[] = [0];
  const done = new Array<boolean>(n).fill(false);
  done[0] = true;
  const release = (i: number): void => {
    for (let j = i + 1; j < n; j++) if ((bits >>> edgeBit(i, j)) & 1) indeg[j]!--;
  };
  release(0);
  while (order.length < n - 1) {
    const ready: number[] = [];
    for (let v = 1; v < n - 1; v++) if (!done[v] && indeg[v] === 0) ready.push(v);
    const v = ready[rng.int(ready.length)]!;
    done[v] = true;
    order.push(v);
    release(v);
  }
  order.push(n - 1);
  const g = genotypeOf(cell);
  const pos = new Array<number>(n);
  order.forEach((v, k) => (pos[v] = k));
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (g.matrix[i]![j]) matrix[pos[i]!]![pos[j]!] = 1;
  const ops = order.map((v) => g.ops[v]!);
  cellOfSpec(matrix, ops); // must stay a valid NB101 spec
  return { matrix, ops };
}
