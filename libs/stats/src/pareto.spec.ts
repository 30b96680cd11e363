import { crowdingDistance, dominates, hypervolume, nonDominatedSort, paretoFrontIndices } from './index';

// A small seeded generator (mulberry32) for the randomised cross-checks.
function createRng(seed: number): { int(n: number): number } {
  let a = seed >>> 0;
  return {
    int(n) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    },
  };
}

// All points are maximised in every component.
describe('Pareto utilities', () => {
  it('dominance needs no worse everywhere and better somewhere', () => {
    expect(dominates([2, 2], [1, 2])).toBe(true);
    expect(dominates([2, 2], [2, 2])).toBe(false);
    expect(dominates([3, 1], [1, 3])).toBe(false);
    expect(dominates([1, 3], [3, 1])).toBe(false);
  });

  it('sorts a hand-made set into its fronts (equal points share a front)', () => {
    const pts = [
      [5, 1], // 0: F1
      [1, 5], // 1: F1
      [3, 3], // 2: F1
      [2, 2], // 3: F2 (by 2)
      [3, 3], // 4: F1 (equal to 2)
      [1, 1], // 5: F3
      [4, 0], // 6: F2 (by 0)
      [0, 0], // 7: F4
    ];
    expect(nonDominatedSort(pts)).toEqual([[0, 1, 2, 4], [3, 6], [5], [7]]);
    expect(paretoFrontIndices(pts)).toEqual([0, 1, 2, 4]);
  });

  it('the 2-D front sweep agrees with pairwise sorting on random sets with many ties', () => {
    const rng = createRng(5);
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(40);
      const pts = Array.from({ length: n }, () => [rng.int(8), rng.int(8)]);
      expect(paretoFrontIndices(pts)).toEqual(nonDominatedSort(pts)[0]);
      const pts3 = Array.from({ length: n }, () => [rng.int(5), rng.int(5), rng.int(5)]);
      expect(paretoFrontIndices(pts3)).toEqual(nonDominatedSort(pts3)[0]);
    }
  });

  it('crowding distance: extremes infinite, inner points the normalised neighbour gaps', () => {
    // Front (1,5), (2,3), (4,2), (5,1): ranges 4 and 4.
    const pts = [
      [1, 5],
      [2, 3],
      [4, 2],
      [5, 1],
    ];
    const d = crowdingDistance(pts, [0, 1, 2, 3]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    // (2,3): x gap 4−1 = 3, y gap 5−2 = 3 → 3/4 + 3/4.
    expect(d[1]).toBeCloseTo(1.5, 12);
    // (4,2): x gap 5−2 = 3, y gap 3−1 = 2 → 3/4 + 2/4.
    expect(d[2]).toBeCloseTo(1.25, 12);
    expect(crowdingDistance(pts, [1])).toEqual([Infinity]);
  });

  it('2-D hypervolume of hand-computed staircases', () => {
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [0, 0],
      ),
    ).toBe(6);
    // Dominated and duplicate points add nothing; points not above the reference are dropped.
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
          [1, 1],
          [2, 2],
          [5, -1],
          [-1, 9],
        ],
        [0, 0],
      ),
    ).toBe(6);
    expect(hypervolume([[4, 4]], [1, 2])).toBe(6);
    expect(hypervolume([], [0, 0])).toBe(0);
    // A point on the reference's boundary has zero volume.
    expect(hypervolume([[0, 5]], [0, 0])).toBe(0);
    // Minimisation by negation: error 0.1 and 0.2, latency 5 and 2 ms against (0.5 error, 10 ms).
    expect(
      hypervolume(
        [
          [-0.1, -5],
          [-0.2, -2],
        ],
        [-0.5, -10],
      ),
    ).toBeCloseTo(0.4 * 5 + 0.3 * 3, 12);
  });

  it('3-D hypervolume of hand-computed unions of boxes', () => {
    expect(hypervolume([[1, 1, 1]], [0, 0, 0])).toBe(1);
    // Two boxes 2×1×1 and 1×2×1 overlapping in a unit cube: 2 + 2 − 1.
    expect(
      hypervolume(
        [
          [2, 1, 1],
          [1, 2, 1],
        ],
        [0, 0, 0],
      ),
    ).toBe(3);
    // Three unit-thick slabs along each axis, 3×1×1 each, pairwise overlap 1, triple overlap 1: 9 − 3 + 1.
    expect(
      hypervolume(
        [
          [3, 1, 1],
          [1, 3, 1],
          [1, 1, 3],
        ],
        [0, 0, 0],
      ),
    ).toBe(7);
    // (2,2,2) contains (1,1,1) and (2,1,2).
    expect(
      hypervolume(
        [
          [2, 2, 2],
          [1, 1, 1],
          [2, 1, 2],
        ],
        [0, 0, 0],
      ),
    ).toBe(8);
  });

  it('n-D hypervolume equals inclusion–exclusion over all subsets (4 objectives, random points)', () => {
    const rng = createRng(11);
    for (let t = 0; t < 30; t++) {
      const n = 1 + rng.int(6);
      const pts = Array.from({ length: n }, () => Array.from({ length: 4 }, () => 1 + rng.int(6)));
      let exact = 0;
      for (let mask = 1; mask < 1 << n; mask++) {
        const members = pts.filter((_, i) => mask & (1 << i));
        const corner = [0, 1, 2, 3].map((k) => Math.min(...members.map((p) => p[k] as number)));
        const sign = members.length % 2 === 1 ? 1 : -1;
        exact += sign * corner.reduce((a, b) => a * b, 1);
      }
      expect(hypervolume(pts, [0, 0, 0, 0])).toBe(exact);
    }
  });

  it('refuses points of another dimension than the reference', () => {
    expect(() => hypervolume([[1, 2, 3]], [0, 0])).toThrow(/3 objectives but the reference point has 2/);
  });
});
