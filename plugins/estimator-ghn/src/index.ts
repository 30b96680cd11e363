/**
 * @packageDocumentation
 * `@nasx/estimator-ghn`: GHN-2 (Knyazev et al., NeurIPS 2021), a graph hypernetwork that predicts
 * all parameters of an unseen architecture in one forward pass. `prepare` meta-trains it once per
 * run (checkpointed in the run's state folder, resumable) on generated DeepNets-style graphs or on
 * the run's own space; `estimate` reports the accuracy of the predicted parameters, untrained.
 */
import { defineEstimator, definePlugin } from '@nasx/contracts';
import { createGhnEstimator } from './ghn/ghn.estimator';
import { ghnSchema, type GhnOptions } from './ghn/ghn.schema';

export { createGhnEstimator } from './ghn/ghn.estimator';
export { readCheckpoint, setupFingerprint, type GhnCheckpoint, type GhnSetup } from './ghn/checkpoint';
export type { GhnOptions } from './ghn/ghn.schema';

/** `ghn`: GHN-2 parameter prediction. */
export const ghnEstimator = defineEstimator<GhnOptions>({
  id: 'ghn',
  title: 'GHN-2 parameter prediction',
  description:
    'Meta-trains a graph hypernetwork once per run and estimates an architecture by the validation accuracy of the parameters it predicts for it, without training.',
  optionsSchema: ghnSchema,
  create: (options, deps) => createGhnEstimator(options, deps),
});

export default definePlugin({ contributions: [ghnEstimator] });
