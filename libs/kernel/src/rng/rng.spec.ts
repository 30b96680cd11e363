import { createRng } from './rng';

describe('createRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
  });

  it('draws uniform integers (chi-square over 10 bins, 100k draws)', () => {
    const rng = createRng(123);
    const bins = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) bins[rng.int(10)]++;
    const expected = n / 10;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: the 99.9% quantile is 27.9.
    expect(chi2).toBeLessThan(27.9);
    for (let i = 0; i < 1000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('forks independent, reproducible streams', () => {
    const f1 = createRng(1).fork('searcher');
    const f2 = createRng(1).fork('searcher');
    const g = createRng(1).fork('estimator');
    expect(f1.seed).toBe(f2.seed);
    expect(f1.seed).not.toBe(g.seed);
    expect(f1.next()).toBe(f2.next());
  });

  it('shuffles to a permutation and samples distinct indices', () => {
    const rng = createRng(5);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s = rng.shuffle(items);
    expect(s.slice().sort((x, y) => x - y)).toEqual(items);
    expect(s).not.toEqual(items);
    const idx = rng.sampleIndices(1000, 100);
    expect(new Set(idx).size).toBe(100);
    expect(Math.max(...idx)).toBeLessThan(1000);
  });

  it('draws standard normals (mean ≈ 0, variance ≈ 1)', () => {
    const rng = createRng(9);
    const n = 50_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });
});
