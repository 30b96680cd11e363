import { createRng } from '@nasx/kernel';
import { classCounts, dealParts, seededIntSource } from './split';

describe('dealParts', () => {
  const labels = Array.from({ length: 997 }, (_, i) => ((i * 7919) % 13 < 9 ? (i * 31) % 9 : 9)); // 10 uneven classes

  it('gives parts of exactly the asked sizes, disjoint and ascending, for many size mixes and seeds', () => {
    for (let seed = 0; seed < 40; seed++) {
      const rng = createRng(seed);
      const a = rng.int(400);
      const b = 1 + rng.int(300);
      const c = rng.int(997 - a - b + 1);
      for (const stratify of [true, false]) {
        const parts = dealParts(labels, [a, b, c], createRng(seed), stratify);
        expect(parts.map((p) => p.length)).toEqual([a, b, c]);
        const all = parts.flatMap((p) => [...p]);
        expect(new Set(all).size).toBe(all.length);
        for (const p of parts) expect([...p]).toEqual([...p].sort((x, y) => x - y));
      }
    }
  });

  it('with stratify, spreads every class in proportion within ±2 items per part', () => {
    const total = classCounts(labels, 10);
    for (let seed = 0; seed < 20; seed++) {
      const sizes = [500, 300, 150];
      const parts = dealParts(labels, sizes, createRng(seed), true);
      parts.forEach((p, k) =>
        classCounts(
          Array.from(p, (i) => labels[i]!),
          10,
        ).forEach((n, c) => expect(Math.abs(n - (total[c]! * sizes[k]!) / labels.length)).toBeLessThanOrEqual(2)),
      );
    }
  });

  it('is a function of the random stream; refuses sizes that do not fit', () => {
    const a = dealParts(labels, [100, 100], seededIntSource(3), true);
    const b = dealParts(labels, [100, 100], seededIntSource(3), true);
    const c = dealParts(labels, [100, 100], seededIntSource(4), true);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(() => dealParts(labels, [900, 98], seededIntSource(0), true)).toThrow(RangeError);
  });
});

describe('seededIntSource', () => {
  it('is deterministic per seed and close to uniform (χ², 9 df, p > 0.001)', () => {
    const a = seededIntSource(7);
    const b = seededIntSource(7);
    const xs = Array.from({ length: 20000 }, () => a.int(10));
    expect(Array.from({ length: 20000 }, () => b.int(10))).toEqual(xs);
    const counts = classCounts(xs, 10);
    const chi2 = counts.reduce((s, n) => s + (n - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(27.88);
  });
});
