import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { createRng } from '@nasx/kernel';
import { kendallTau } from '@nasx/stats';
import { RandomRankingBaseline } from './random.baseline';
import { RidgeBaseline, RidgeRegression } from './ridge.baseline';

describe('baselines', () => {
  it('ridge regression recovers a linear function (λ → 0) and shrinks towards the mean as λ grows', () => {
    const rng = createRng(1);
    const x = Array.from({ length: 50 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const y = x.map((r) => 2 * r[0]! - r[1]! + 0.5 * r[2]! + 3);
    const exact = new RidgeRegression(0).fit(x, y).predict([
      [1, 1, 1],
      [0, 0, 0],
    ]);
    expect(exact[0]).toBeCloseTo(4.5, 6);
    expect(exact[1]).toBeCloseTo(3, 6);
    const shrunk = new RidgeRegression(1e6).fit(x, y).predict([[1, 1, 1]]);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    expect(Math.abs(shrunk[0]! - mean)).toBeLessThan(0.01);
    expect(() => new RidgeRegression(-1)).toThrow(expect.objectContaining({ kind: 'usage' }));
  });

  it('fitTargets shares one factorisation across targets: each model equals a separate fit, on sparse rows as on dense ones', () => {
    const space = createNb201SearchSpace();
    const rng = createRng(3);
    const rows = Array.from({ length: 60 }, () => Array.from(space.encode(space.sample(rng))));
    const test = Array.from({ length: 40 }, () => Array.from(space.encode(space.sample(rng))));
    const y1 = rows.map(() => rng.normal());
    const y2 = rows.map((r) => r.reduce((s, v, i) => s + v * i, 0));
    const [m1, m2] = RidgeRegression.fitTargets(rows, [y1, y2], 0.5) as [RidgeRegression, RidgeRegression];
    expect(Array.from(m1.predict(test))).toEqual(Array.from(new RidgeRegression(0.5).fit(rows, y1).predict(test)));
    expect(Array.from(m2.predict(test))).toEqual(Array.from(new RidgeRegression(0.5).fit(rows, y2).predict(test)));
    // One-hot rows (6 of 30 non-zero) take the sparse Gram sum; shifting every feature by 1 makes
    // them dense (the centred sum) and, with an unpenalised intercept, predicts the same.
    const shift = (xs: number[][]) => xs.map((r) => r.map((v) => v + 1));
    const [d1] = RidgeRegression.fitTargets(shift(rows), [y1], 0.5) as [RidgeRegression];
    const sparse = Array.from(m1.predict(test));
    Array.from(d1.predict(shift(test))).forEach((v, i) => expect(v).toBeCloseTo(sparse[i] as number, 9));
    expect(() => RidgeRegression.fitTargets(rows, [y1, y2.slice(1)])).toThrow(expect.objectContaining({ kind: 'usage' }));
  });

  it('with fewer rows than features, the dual form gives the ridge solution: the penalised normal equations hold, and the predictions equal those of the same rows padded past the features', () => {
    const space = createNb201SearchSpace();
    const rng = createRng(5);
    const lambda = 0.7;
    // NB201's one-hot of 30 and its pairwise products (465 features, mostly 0), 40 rows: n < d.
    const quad = (e: ArrayLike<number>) => {
      const out: number[] = [];
      for (let i = 0; i < e.length; i++) for (let j = i; j < e.length; j++) out.push((e[i] as number) * (e[j] as number));
      return out;
    };
    const rows = Array.from({ length: 40 }, () => quad(space.encode(space.sample(rng))));
    const y = rows.map((r) => r.reduce((s, v, i) => s + v * Math.sin(i), 0) + rng.normal());
    const model = new RidgeRegression(lambda).fit(rows, y);
    const d = rows[0]!.length;
    const w = model.predict(Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (k === j ? 1 : 0))));
    const b = model.predict([new Array(d).fill(0)])[0]!;
    const weights = Array.from(w, (v) => v - b);
    // Optimality of min ‖Xc·w − (y − ȳ)‖² + λ‖w‖²: Xcᵀ(Xc·w − (y − ȳ)) + λw = 0.
    const mx = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    const residual = rows.map((r, i) => r.reduce((s, v, j) => s + (v - mx[j]!) * weights[j]!, 0) - (y[i]! - my));
    const gradient = weights.map((wj, j) => rows.reduce((s, r, i) => s + (r[j]! - mx[j]!) * residual[i]!, 0) + lambda * wj);
    expect(Math.max(...gradient.map(Math.abs))).toBeLessThan(1e-8);
    // The primal path (more rows than features): the same 40 rows repeated 12 times with λ × 12
    // has the same solution.
    const many = Array.from({ length: 12 }, () => rows).flat();
    const primal = new RidgeRegression(lambda * 12).fit(many, Array.from({ length: 12 }, () => y).flat());
    const test = Array.from({ length: 20 }, () => quad(space.encode(space.sample(rng))));
    const dual = Array.from(model.predict(test));
    Array.from(primal.predict(test)).forEach((v, i) => expect(v).toBeCloseTo(dual[i] as number, 8));
  });

  it('ridge on the NB201 one-hot encoding ranks an additive function of the ops perfectly; the random ranking is seeded and uninformative', () => {
    const space = createNb201SearchSpace();
    const rng = createRng(2);
    const value = (a: ReturnType<typeof space.sample>) => Array.from(space.encode(a)).reduce((s, v, i) => s + v * ((i * 7) % 5), 0);
    const train = Array.from({ length: 80 }, () => space.sample(rng)).map((arch) => ({ arch, value: value(arch) }));
    const test = Array.from({ length: 200 }, () => space.sample(rng));
    const ridge = new RidgeBaseline(space, { lambda: 1e-3 });
    ridge.fit(train);
    expect(kendallTau(Array.from(ridge.predict(test)), test.map(value))).toBeGreaterThan(0.95);
    const random = new RandomRankingBaseline(5);
    random.fit();
    expect(Array.from(random.predict(test))).toEqual(Array.from(new RandomRankingBaseline(5).predict(test)));
    expect(Math.abs(kendallTau(Array.from(random.predict(test)), test.map(value)))).toBeLessThan(0.15);
  });
});
