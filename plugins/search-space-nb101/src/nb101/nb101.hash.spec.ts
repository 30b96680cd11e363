import { createRng } from '@nasx/kernel';
import { randomIsomorph } from './__fixtures__/nb101.fixtures';
import { cellOfSpec, edgeBit, NB101_EXAMPLE, parseNb101Text, type Nb101Cell } from './nb101.genotype';
import { Nb101Hasher, nb101Hash } from './nb101.hash';

const hasher = new Nb101Hasher();
/** hash_module(matrix, labeling) for any labels (interior labels = labeling[1:-1]). */
function hashModule(matrix: number[][], labeling: number[]): string {
  const n = matrix.length;
  let bits = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (matrix[i]![j]) bits |= 1 << edgeBit(i, j);
  return hasher.hex({ n, bits, labels: labeling.slice(1, -1) });
}
const cell = (matrix: number[][], ops: string[]): Nb101Cell => cellOfSpec(matrix, ops);
const C3 = 'conv3x3-bn-relu';
const C1 = 'conv1x1-bn-relu';
const MP = 'maxpool3x3';

describe('nb101 module hash', () => {
  // Expected values computed with google-research/nasbench's graph_util.hash_module (Python 3,
  // numpy), labeling = [-1] + [index in (conv3x3, conv1x1, maxpool)] + [-2], on the same specs.
  it('reproduces NB101 hash_module for known cells', () => {
    expect(
      nb101Hash(
        cell(
          [
            [0, 1],
            [0, 0],
          ],
          ['input', 'output'],
        ),
      ),
    ).toBe('043721b9c7fe8c5fad811d47d83132ec');
    expect(
      nb101Hash(
        cell(
          [
            [0, 1, 0],
            [0, 0, 1],
            [0, 0, 0],
          ],
          ['input', C3, 'output'],
        ),
      ),
    ).toBe('b49ac8c578b4561d79ac7087988f1c61');
    expect(
      nb101Hash(
        cell(
          [
            [0, 1, 1],
            [0, 0, 1],
            [0, 0, 0],
          ],
          ['input', MP, 'output'],
        ),
      ),
    ).toBe('6f6257bc3b12d87b8736e81cd4b7ed8b');
    const { matrix, ops } = parseNb101Text(NB101_EXAMPLE);
    expect(nb101Hash(cellOfSpec(matrix, ops))).toBe('28cfc7874f6d200472e1a9dcd8650aa0');
    expect(
      nb101Hash(
        cell(
          [
            [0, 1, 1, 0, 0, 1, 1],
            [0, 0, 0, 1, 0, 0, 0],
            [0, 0, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0],
          ],
          ['input', C3, MP, C3, C3, C1, 'output'],
        ),
      ),
    ).toBe('45ab88ba394d06f76af8c981d3a0d1f7');
    const chain = Array.from({ length: 7 }, (_, i) => Array.from({ length: 7 }, (_, j) => (j === i + 1 ? 1 : 0)));
    expect(nb101Hash(cell(chain, ['input', C3, C3, C3, C3, C3, 'output']))).toBe('b3bc0991ac661443a583796ce582f11f');
  });

  // The equalities and inequalities asserted by nasbench/tests/graph_util_test.py (test_hash_module).
  it('passes the cases of NB101 graph_util_test.test_hash_module', () => {
    const diamond = [
      [0, 1, 1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ];
    expect(hashModule(diamond, [-1, 1, 2, -2])).toBe(hashModule(diamond, [-1, 2, 1, -2]));

    const m1 = [
      [0, 1, 1, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ];
    const m2 = [
      [0, 1, 0, 1, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ];
    const m3 = [
      [0, 1, 1, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ];
    const l1 = [-1, 1, 2, 3, -2];
    const l2 = [-1, 2, 3, 1, -2];
    const l3 = [-1, 2, 1, 3, -2];
    expect(hashModule(m1, l1)).toBe(hashModule(m2, l2));
    expect(hashModule(m2, l2)).toBe(hashModule(m3, l3));
    expect(hashModule(m1, l2)).not.toBe(hashModule(m1, l1));
    expect(hashModule(m1, l3)).not.toBe(hashModule(m1, l1));

    const r1 = [
      [0, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 0, 1, 0],
      [0, 0, 0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0],
    ];
    const r2 = [
      [0, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 1, 0, 0],
      [0, 0, 0, 0, 1, 0, 1, 0],
      [0, 0, 0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0],
    ];
    const ones = [-1, 1, 1, 1, 1, 1, 1, -2];
    expect(hashModule(r1, ones)).not.toBe(hashModule(r2, ones));

    const path5 = [
      [0, 1, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ];
    expect(hashModule(path5, [-1, 1, 0, 0, -2])).not.toBe(hashModule(path5, [-1, 0, 0, 1, -2]));
    const directed = [
      [0, 1, 0, 1],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ];
    expect(hashModule(directed, [-1, 1, 0, -2])).not.toBe(hashModule(directed, [-1, 0, 1, -2]));
    const tricky = [
      [0, 1, 1, 1, 1, 0, 0],
      [0, 0, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0],
    ];
    expect(hashModule(tricky, [-1, 1, 0, 0, 0, 0, -2])).not.toBe(hashModule(tricky, [-1, 0, 0, 0, 1, 0, -2]));
  });

  it('gives isomorphic cells (interior vertices renumbered) the same hash, 300 random cells × 3 orders', () => {
    const rng = createRng(7);
    const bad: string[] = [];
    let seen = 0;
    while (seen < 300) {
      const n = 3 + rng.int(5);
      let bits = 0;
      for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if (rng.next() < 0.4) bits |= 1 << edgeBit(i, j);
      const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j > i && (bits >>> edgeBit(i, j)) & 1 ? 1 : 0)));
      const ops = ['input', ...Array.from({ length: n - 2 }, () => [C3, C1, MP][rng.int(3)]!), 'output'];
      let c: Nb101Cell;
      try {
        c = cellOfSpec(matrix, ops);
      } catch {
        continue;
      }
      seen++;
      const h = nb101Hash(c);
      for (let k = 0; k < 3; k++) {
        const iso = randomIsomorph(c, rng);
        if (nb101Hash(cellOfSpec(iso.matrix, iso.ops)) !== h) bad.push(JSON.stringify(iso));
      }
    }
    expect(bad).toEqual([]);
  });

  it('hashes the pruned cell: dangling vertices and their ops do not change the hash', () => {
    const pruned = cell(
      [
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
      ],
      ['input', C3, 'output'],
    );
    // Vertex 2 has no path to the output and vertex 3 none from the input: both are pruned away.
    const dangling = cell(
      [
        [0, 1, 1, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
      ],
      ['input', C3, MP, C1, 'output'],
    );
    expect(dangling).toEqual(pruned);
    expect(nb101Hash(dangling)).toBe(nb101Hash(pruned));
  });
});
