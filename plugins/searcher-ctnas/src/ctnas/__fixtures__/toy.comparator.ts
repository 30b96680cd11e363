import type { Architecture, Comparator, Estimator, LabelledArchitecture } from '@nasx/contracts';
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

/**
 * A comparator that can be refitted (for data exploration): it starts from `initial` and records
 * every fit; it compares by the toy objective.
 */
export function refittableToyComparator(initial: readonly LabelledArchitecture[]): Estimator & Comparator & { trainingData: readonly LabelledArchitecture[]; minTrainingSize: number; fits: LabelledArchitecture[][]; fit(data: readonly LabelledArchitecture[]): Promise<void> } {
  const base = toyComparator();
  const c = Object.assign(base, {
    minTrainingSize: 2,
    trainingData: [...initial] as readonly LabelledArchitecture[],
    fits: [] as LabelledArchitecture[][],
    async fit(data: readonly LabelledArchitecture[]) {
      c.fits.push([...data]);
      c.trainingData = [...data];
    },
  });
  return c;
}
