// Run only by estimator.contract-suite.spec.ts (jest ignores __fixtures__ otherwise): the contract
// suite applied to an estimator whose batch path is broken and whose estimates ignore the trial
// seed for a random draw of their own (not reproducible). The suite must fail it on both counts,
// not return early and pass.
import { NasxError, defineEstimator, type Architecture } from '@nasx/contracts';
import { toyScore } from '../../fixtures/toy.estimator';
import { describeEstimatorContract } from '../estimator.contract-suite';

const flawed = defineEstimator({
  id: 'flawed',
  description: 'estimateMany drops the last architecture',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    id: 'flawed',
    metrics: [{ name: 'score', direction: 'maximize' as const }],
    async estimate(arch: Architecture) {
      if (arch.space !== 'toy') throw new NasxError('architecture', `flawed cannot score "${arch.space}" architectures`);
      return { metrics: { score: toyScore(arch) + Math.random() }, cost: { seconds: 0 } };
    },
    async estimateMany(archs: readonly Architecture[]) {
      return archs.slice(0, -1).map((a) => ({ metrics: { score: toyScore(a) }, cost: { seconds: 0 } }));
    },
  }),
});

describeEstimatorContract(flawed);
