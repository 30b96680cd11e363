import { checkObjective } from './trial-runner';

const estimate = (metrics: Record<string, number>) => ({ metrics, cost: { seconds: 0 } });

describe('checkObjective: the rule for objectives that are not finite', () => {
  it('fails a NaN scalar or any NaN component of a vector, naming the metrics', () => {
    expect(checkObjective(NaN, estimate({ acc: NaN }))).toMatch(/the objective is NaN \(metrics: acc=NaN\)/);
    expect(checkObjective([0.9, NaN], estimate({ acc: 0.9, lat: NaN }))).toMatch(/metrics: acc=0\.9, lat=NaN/);
    // A weighted objective of two infinite terms (∞ − ∞) is NaN too.
    expect(checkObjective(Infinity - Infinity, estimate({}))).toMatch(/metrics: none/);
  });

  it('accepts finite values and ±Infinity, which rank first or last', () => {
    expect(checkObjective(0.93, estimate({ acc: 0.93 }))).toBeUndefined();
    expect(checkObjective(-Infinity, estimate({ synflow: -Infinity }))).toBeUndefined();
    expect(checkObjective([Infinity, -3], estimate({}))).toBeUndefined();
  });
});
