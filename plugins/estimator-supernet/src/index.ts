/**
 * @packageDocumentation
 * `@nasx/estimator-supernet`: weight-sharing estimators. Each trains a supernet of the run's search
 * space once, in `prepare` (checkpointed per epoch in the run's state folder, so a killed run resumes
 * where it stopped), and estimates an architecture from the weights its path inherits:
 * - `one-shot`: single-path one-shot (Guo et al., ECCV 2020), the accuracy of the path;
 * - `few-shot`: few-shot NAS (Zhao et al., ICML 2021), the accuracy in the sub-supernet holding it;
 * - `rlnas`: RLNAS (Zhang et al., ICCV 2021), the angle its weights turned on random labels.
 */
import { defineEstimator, definePlugin } from '@nasx/contracts';
import { fewShotSchema, type FewShotOptions } from './supernet/few-shot.schema';
import { oneShotSchema, type OneShotOptions } from './supernet/one-shot.schema';
import { rlnasSchema, type RlnasOptions } from './supernet/rlnas.schema';
import { createSupernetEstimator, type SupernetEstimatorOptions } from './supernet/supernet.estimator';

export { createSupernetEstimator, subSupernetChoices, type SupernetEstimatorOptions, type SupernetKind } from './supernet/supernet.estimator';
export { readCheckpoint, setupFingerprint, type SupernetCheckpoint, type SupernetSetup } from './supernet/checkpoint';

/** `one-shot`: SPOS supernet, path accuracy. */
export const oneShotEstimator = defineEstimator<OneShotOptions>({
  id: 'one-shot',
  title: 'One-shot supernet (SPOS)',
  description: "Trains one weight-sharing supernet (uniform single-path sampling) and estimates an architecture by its path's accuracy with inherited weights.",
  optionsSchema: oneShotSchema,
  create: (options, deps) => createSupernetEstimator('one-shot', options, deps),
});

/** `few-shot`: sub-supernets split on chosen edges. */
export const fewShotEstimator = defineEstimator<FewShotOptions>({
  id: 'few-shot',
  title: 'Few-shot NAS sub-supernets',
  description:
    'Splits the one-shot supernet on the operation of chosen edges into sub-supernets trained from its weights; estimates with the sub-supernet holding the architecture.',
  optionsSchema: fewShotSchema,
  create: (options, deps) => createSupernetEstimator('few-shot', options as SupernetEstimatorOptions, deps),
});

/** `rlnas`: random-label supernet, angle metric. */
export const rlnasEstimator = defineEstimator<RlnasOptions>({
  id: 'rlnas',
  title: 'RLNAS random-label angle',
  description: "Trains the supernet on random labels and ranks an architecture by the angle between its path's initial and trained weights.",
  optionsSchema: rlnasSchema,
  create: (options, deps) => createSupernetEstimator('rlnas', options as SupernetEstimatorOptions, deps),
});

export default definePlugin({ contributions: [oneShotEstimator, fewShotEstimator, rlnasEstimator] });
