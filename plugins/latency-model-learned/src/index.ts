/**
 * @packageDocumentation
 * `@nasx/latency-model-learned`: the `learned` latency model, a predictor over `ArchGraph` trained
 * on measured latencies of some devices (HELP's tables in the data directory), for one of them or
 * for an unseen device adapted from a few of its measurements (HELP, Lee et al., NeurIPS 2021).
 */
import { definePlugin } from '@nasx/contracts';
import { learnedLatencyModel } from './learned/learned.latency-model';

export { learnedLatencyModel, LearnedLatencyModel, createLearnedLatencyModel, planFit, readAdaptFile } from './learned/learned.latency-model';
export {
  LearnedLatencyPredictor,
  sampleRows,
  LEARNED_STATE_VERSION,
  fitAdaptation,
  memberSeed,
  type LearnedLatencyState,
  type AdaptedDevice,
  type DeviceSamples,
  type AdaptFit,
  type LearnedTraining,
} from './learned/learned-latency';
export { LatencyFeatureEncoder } from './learned/latency-features.encoder';
export { LatencyNetwork } from './learned/latency-network';
export { LatencyTable, HELP_NB201_TABLE, HELP_META_TRAIN_DEVICES, HELP_META_VALID_DEVICES, HELP_META_TEST_DEVICES } from './learned/latency-table';
export { learnedSchema, type LearnedOptions } from './learned/learned.schema';

export default definePlugin({ contributions: [learnedLatencyModel] });
