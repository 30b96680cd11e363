import { createRng } from '@nasx/kernel';
import { LstmPolicy } from './lstm-policy';

/** J = coef·log π(choices) + λ·Σ_t H(π_t), from the forward pass alone. */
function objective(p: LstmPolicy, choices: number[], coef: number, lambda: number): number {
  const h = p.distributions(choices).reduce((acc, d) => acc - d.reduce((a, q) => a + (q > 0 ? q * Math.log(q) : 0), 0), 0);
  return coef * p.logProb(choices) + lambda * h;
}

describe('LstmPolicy', () => {
  it('backpropagation through time matches central finite differences on every parameter', () => {
    // Decisions with different numbers of choices, so every head and embedding table differs in shape.
    const p = new LstmPolicy([3, 2, 4, 3], 5, createRng(3), 0.5);
    const choices = [2, 0, 3, 1];
    const coef = 0.7;
    const lambda = 0.3;
    const grad = new Float64Array(p.size);
    const { logProb } = p.accumulate(choices, coef, lambda, grad);
    expect(logProb).toBeCloseTo(p.logProb(choices), 12);
    const eps = 1e-6;
    let worst = 0;
    for (let j = 0; j < p.size; j++) {
      const x = p.params[j]!;
      p.params[j] = x + eps;
      const up = objective(p, choices, coef, lambda);
      p.params[j] = x - eps;
      const down = objective(p, choices, coef, lambda);
      p.params[j] = x;
      const numeric = (up - down) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - grad[j]!) / Math.max(1e-3, Math.abs(numeric) + Math.abs(grad[j]!)));
    }
    expect(worst).toBeLessThan(1e-5);
    // Parameters not on the path (the embedding of decision 1's choice 1) get no gradient.
    expect(grad.some((g) => g === 0)).toBe(true);
  });

  it('samples the same sequences for the same seed, and a sample has the log-probability the policy gives it', () => {
    const a = new LstmPolicy([5, 5, 5], 8, createRng(1));
    const b = new LstmPolicy([5, 5, 5], 8, createRng(1));
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
    const ra = createRng(9);
    const rb = createRng(9);
    for (let i = 0; i < 20; i++) {
      const sa = a.sample(ra);
      expect(b.sample(rb)).toEqual(sa);
      expect(sa.logProb).toBeCloseTo(a.logProb(sa.choices), 12);
    }
  });

  it('an ascent step on a positive coefficient makes the sequence likelier; the entropy bonus alone spreads the policy', () => {
    const p = new LstmPolicy([4, 4, 4], 10, createRng(2));
    const target = [3, 1, 2];
    const before = p.logProb(target);
    for (let k = 0; k < 30; k++) {
      const g = new Float64Array(p.size);
      p.accumulate(target, 1, 0, g);
      p.ascend(g, 0.01);
    }
    expect(p.logProb(target)).toBeGreaterThan(before + 1);
    expect(p.argmax()).toEqual(target);
    const h = (q: LstmPolicy) => q.distributions(target).reduce((acc, d) => acc - d.reduce((a, x) => a + x * Math.log(x), 0), 0);
    const peaked = h(p);
    for (let k = 0; k < 50; k++) {
      const g = new Float64Array(p.size);
      p.accumulate(target, 0, 1, g);
      p.ascend(g, 0.01);
    }
    expect(h(p)).toBeGreaterThan(peaked);
  });
});
