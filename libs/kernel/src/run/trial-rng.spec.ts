import { definePlugin, defineEstimator } from '@nasx/contracts';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import { trialRng } from './trial-runner';

// trialRng(seed, trial) is the stream a run hands trial `trial` as ctx.rng: tools that redo a
// trial's randomness (nasx export --train) rely on it.
const seen = new Map<number, number>();
const recorder = definePlugin({
  contributions: [
    defineEstimator({
      id: 'rng-recorder',
      description: 'Records the seed of each trial stream and its first draw.',
      optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: () => ({
        id: 'rng-recorder',
        metrics: [{ name: 'draw', direction: 'maximize' }],
        async estimate(_arch, ctx) {
          const draw = ctx.rng.int(1_000_000);
          seen.set(ctx.trial, draw);
          return { metrics: { draw }, cost: { seconds: 0 } };
        },
      }),
    }),
  ],
});

describe('trialRng', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: 'rng-recorder', definition: recorder }] });
  });
  afterAll(() => tk.cleanup());

  it("is the stream each trial's estimate receives as ctx.rng", async () => {
    await tk.run({ seed: 42, space: 'toy', estimator: 'rng-recorder', searcher: 'toy-hill-climber', budget: { evaluations: 6 }, dedup: false, workers: 0 });
    expect(seen.size).toBe(6);
    for (const [trial, draw] of seen) expect(trialRng(42, trial).int(1_000_000)).toBe(draw);
    expect(trialRng(43, 0).int(1_000_000)).not.toBe(seen.get(0));
  });
});
