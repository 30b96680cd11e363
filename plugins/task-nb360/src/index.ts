/**
 * @packageDocumentation
 * `@nasx/task-nb360`: the NAS-Bench-360 tasks (Tu et al., NeurIPS 2022 Datasets and Benchmarks)
 * as nasx tasks — NAS-Bench-360's preprocessing, splits and metrics, reading the release's files
 * (or a real sample, or synthetic data for tests) from the user's data directory.
 */
import { definePlugin } from '@nasx/contracts';
import { cifar100Task } from './tasks/cifar100';
import { cosmicTask } from './tasks/cosmic';
import { darcyTask } from './tasks/darcy';
import { fsd50kTask } from './tasks/fsd50k';
import { sphericalTask } from './tasks/spherical';
import { deepseaTask } from './tasks/deepsea';
import { ninaproTask } from './tasks/ninapro';
import { psicovTask } from './tasks/psicov';
import { ecgTask } from './tasks/ecg';
import { satelliteTask } from './tasks/satellite';

export {
  defineNb360Task,
  isStreamed,
  type DataSet,
  type ScoredSplit,
  type StreamedSet,
  type LoadContext,
  type LoadedData,
  type Nb360Options,
  type Nb360Source,
  type Nb360Task,
  type Nb360TaskSpec,
  type SampleSet,
  type SampleWriter,
} from './common/nb360-task';
export type { PaperResults, Published } from './common/paper';
export { ECG_CLASSES, ECG_STRIDES, ECG_WINDOW, ecgTask, meanClassF1, readEcgPickle, recordVotes, slideAndCut, windowStarts, zScore } from './tasks/ecg';
export { SATELLITE_CLASSES, SATELLITE_FULL_FILES, SATELLITE_PADDED, readSatelliteNpy, satelliteTask } from './tasks/satellite';
export { DARCY_FULL_FILES, DARCY_ID, darcyTask, pointwiseStats, readDarcyMat } from './tasks/darcy';
export { NINAPRO_CLASSES, NINAPRO_FILES, NINAPRO_ID, ninaproTask, readNinaproPart, syntheticNinapro } from './tasks/ninapro';
export {
  CIFAR100_CLASSES,
  CIFAR100_FILES,
  CIFAR100_ID,
  CIFAR100_MEAN,
  CIFAR100_STD,
  augmentCifar100,
  cifar100Task,
  normalizeImages,
  readCifar100Pickle,
  syntheticCifar100,
} from './tasks/cifar100';
export {
  SPHERICAL_CLASSES,
  SPHERICAL_FILE,
  SPHERICAL_ID,
  SPHERICAL_SHARD_ROWS,
  readSphericalPickle,
  sphericalTask,
  splitSpherical,
  syntheticSpherical,
  type SphericalSet,
} from './tasks/spherical';
export { COSMIC_FILES, COSMIC_GAL_FIELDS, COSMIC_ID, COSMIC_SHARD_ROWS, cosmicMembers, cosmicPlaneSource, cosmicTask, syntheticCosmic } from './tasks/cosmic';
export {
  LazyProteins,
  PSICOV_FILE,
  PSICOV_HELD_PROTEINS,
  PSICOV_ID,
  cropWriter,
  heldProteins,
  parseList,
  processDistanceMap,
  psicovTask,
  readProtein,
  stitchedMae8,
  syntheticProtein,
  syntheticPsicov,
  tileProteins,
  tileStore,
  type Protein,
  type ProteinStore,
  type Tiling,
} from './tasks/psicov';
export {
  FSD50K_CLASSES,
  FSD50K_FILES,
  FSD50K_ID,
  FSD50K_PREFETCH,
  augmentChunk,
  chunkFeatures,
  clipMeanAveragePrecision,
  fitFrames,
  fsd50kTask,
  readManifest,
  resolveChunk,
  specAugment,
  syntheticFsd50k,
} from './tasks/fsd50k';
export { DEEPSEA_FILE, DEEPSEA_ID, DEEPSEA_LABELS, DEEPSEA_SHARD_ROWS, deepseaTask, syntheticDeepsea, writeTransposed } from './tasks/deepsea';

/** The tasks, in NAS-Bench-360's order of the ones built so far. */
export const NB360_TASKS = [
  cifar100Task,
  sphericalTask,
  ninaproTask,
  fsd50kTask,
  darcyTask,
  psicovTask,
  cosmicTask,
  ecgTask,
  satelliteTask,
  deepseaTask,
] as const;

export default definePlugin({ contributions: [...NB360_TASKS] });
