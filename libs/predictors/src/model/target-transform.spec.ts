import { fitTargetTransform, inverseNormalCdf, invertTargetTransform, midRanks } from './target-transform';

describe('target transforms', () => {
  it('Φ⁻¹ matches the normal quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959963985, 7);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326347874, 7);
    expect(inverseNormalCdf(1e-6)).toBeCloseTo(-4.753424309, 6);
  });

  it('quantile-normal targets depend only on the order of the labels (ties share a rank)', () => {
    expect(Array.from(midRanks([10, 30, 20, 20]))).toEqual([0, 3, 1.5, 1.5]);
    const a = fitTargetTransform('quantile-normal', [10, 93, 94, 92, 11]).targets;
    const b = fitTargetTransform('quantile-normal', [1, 4, 5, 3, 2]).targets;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[2]).toBeCloseTo(inverseNormalCdf(0.9), 6);
    expect(Array.from(a).reduce((s, x) => s + x, 0)).toBeCloseTo(0, 6);
  });

  it('standardised targets map back to label units', () => {
    const { transform, targets } = fitTargetTransform('standardize', [1, 2, 3, 4]);
    expect(Array.from(targets).reduce((s, x) => s + x, 0)).toBeCloseTo(0, 6);
    expect(Array.from(invertTargetTransform(transform, Float32Array.from(targets)))).toEqual([1, 2, 3, 4].map((v) => expect.closeTo(v, 5)));
  });
});
