import type { Architecture, Comparator, Estimator } from '@nasx/contracts';
import { toyScore } from '@nasx/testing';

/** A comparator that knows the toy objective: P(a better than b) = σ((score(a) − score(b)) / 5). */
export function toyComparator(): Estimator & Comparator & { calls: number } {
  const c = {
    id: 'toy-comparator',
    calls: 0,
    metrics: [{ name: 'score', direction: 'maximize' as const }],
    async estimate(arch: Architecture) {
      return { metrics: { score: toyScore(arch) }, fidelity: { kind: 'predictor' as const }, cost: { seconds: 0 } };
    },
    async compare(a: Architecture, b: Architecture) {
      c.calls++;
      return 1 / (1 + Math.exp(-(toyScore(a) - toyScore(b)) / 5));
    },
  };
  return c as never;
}
