import { kendallTau, mean, sampleStd, spearman } from './index';

describe('@nasx/stats', () => {
  it('rank correlations agree with scipy on a small example with ties', () => {
    const a = [1, 2, 3, 4, 5, 5];
    const b = [2, 1, 4, 3, 6, 5];
    // scipy 1.x: spearmanr(a, b) = 0.8696565534786727, kendalltau(a, b) (tau-b) = 0.6900655593423541
    expect(spearman(a, b)).toBeCloseTo(0.8696565534786727, 10);
    expect(kendallTau(a, b)).toBeCloseTo(0.6900655593423543, 10);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('summaries match numpy (mean, std with ddof = 1)', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(1.2909944487358056, 12);
  });
});
