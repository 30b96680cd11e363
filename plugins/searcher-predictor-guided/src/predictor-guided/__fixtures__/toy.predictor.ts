import type { Architecture, LabelledArchitecture, Predictor, SearchSpace } from '@nasx/contracts';

/**
 * A toy predictor for the specs: a linear model over `space.encode` whose weight for feature j is
 * the mean label of the training architectures with that feature set minus the overall mean (a
 * one-step, ridge-like fit; exact for objectives additive in the one-hot features, like the toy
 * score). Counts its fits.
 */
export function toyPredictor(space: SearchSpace, opts: { minTrainingSize?: number; sign?: number } = {}): Predictor & { fits: number; lastFitSize: number } {
  let weights: Float64Array | undefined;
  let mean = 0;
  const p = {
    id: 'toy-predictor',
    metrics: [{ name: 'toy-predictor', direction: 'maximize' as const }],
    minTrainingSize: opts.minTrainingSize ?? 3,
    fits: 0,
    lastFitSize: 0,
    async fit(data: readonly LabelledArchitecture[]) {
      await new Promise((r) => setTimeout(r, 1)); // fit is asynchronous: the searcher must wait for it
      const x = data.map((d) => space.encode(d.arch));
      mean = data.reduce((s, d) => s + d.value, 0) / data.length;
      const dim = x[0]!.length;
      const sum = new Float64Array(dim);
      const cnt = new Float64Array(dim);
      x.forEach((row, i) => {
        for (let j = 0; j < dim; j++) if (row[j]) {
          sum[j]! += data[i]!.value;
          cnt[j]! += 1;
        }
      });
      weights = Float64Array.from(sum, (s, j) => (cnt[j]! > 0 ? s / cnt[j]! - mean : 0));
      p.fits++;
      p.lastFitSize = data.length;
    },
    async estimate(a: Architecture) {
      if (!weights) throw new Error('toy predictor: not fitted');
      const row = space.encode(a);
      let s = mean;
      for (let j = 0; j < weights.length; j++) s += weights[j]! * (row[j] ?? 0);
      return { metrics: { 'toy-predictor': (opts.sign ?? 1) * s }, cost: { seconds: 0 } };
    },
  };
  return p;
}
