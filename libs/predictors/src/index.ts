/**
 * @packageDocumentation
 * `@nasx/predictors`: what every learned performance predictor shares (GCN, ReNAS, CTNAS's
 * comparator, predictor-guided searchers). Graph features from `ArchGraph` alone (op vocabulary,
 * padded adjacency, GCN propagation matrices, the ReNAS feature tensor), a seeded training loop on
 * `@nasx/tensor` (Adam, MSE or pairwise ranking loss), `definePredictorEstimator` (fit, labels from
 * another estimator of the run, persistence in the run folder), and the baselines of the predictor
 * bench (ridge regression, random ranking).
 */
export { PREDICTORS_PACKAGE } from './predictor-error';
export { OpVocabulary, UNKNOWN_OP_TOKEN, opToken } from './features/op-vocabulary';
export {
  addSelfLoops,
  directedPropagation,
  encodeGraph,
  rowNormalize,
  symmetricNormalize,
  transposeSquare,
  type EncodeGraphOptions,
  type EncodedGraph,
} from './features/graph-encoding';
export { GcnGraphEncoder, type GcnEncoderOptions } from './features/gcn-graph.encoder';
export { RenasFeatureEncoder, renasFeatureTensor, type RenasChannel, type RenasEncoderOptions } from './features/renas-feature.encoder';
export { SeededRandom } from '@nasx/tensor';
export { ParameterSet, decodeFloat32, encodeFloat32, type ParameterInit, type SavedTensor } from './model/parameter-set';
export { addDense, dense, dropout, dropoutStream, matMul, propagate } from './model/nn';
export { isRankingLoss, l1Loss, mseLoss, pairSigns, pairwiseRankingLoss } from './model/losses';
export type {
  EncodedBatch,
  EncodedInput,
  ForwardMode,
  GraphEncoder,
  GraphModelDefinition,
  PredictorLoss,
  PredictorNetwork,
  PredictorTraining,
} from './model/predictor-model';
export {
  applyGradientStep,
  batchTensors,
  learningRateOf,
  predictScores,
  trainPredictorNetwork,
  type EpochReport,
  type TrainRunOptions,
} from './model/train-predictor';
export { GraphPredictor, PREDICTOR_STATE_VERSION, type PredictorState } from './model/graph-predictor';
export {
  fitTargetTransform,
  inverseNormalCdf,
  invertTargetTransform,
  midRanks,
  type FittedTargetTransform,
  type TargetTransform,
} from './model/target-transform';
export { PREDICTOR_COMMON_SCHEMA_PROPERTIES, type PredictorCommonOptions, type PredictorLabelsOptions } from './estimator/predictor-options';
export { labelArchitectures, labelEstimatorOf, prepareTrainingSet, sampleDistinct, type PredictorPlace } from './estimator/labels';
export { checkLabelCount, checkScorable, checkTrainingData, type CheckSubject } from './estimator/checks';
export {
  predictorFingerprint,
  predictorStatePath,
  readPredictorState,
  stableStringify,
  writePredictorState,
  type PredictorStateFile,
} from './estimator/state-file';
export { PredictorEstimator, definePredictorEstimator, type PredictorEstimatorDefinition } from './estimator/predictor-estimator';
export type { BaselinePredictor } from './baselines/baseline';
export { RidgeBaseline, RidgeRegression } from './baselines/ridge.baseline';
export { RandomRankingBaseline } from './baselines/random.baseline';
export { archsOf, heldOutSplit, predictorVersusRidge, rankingQuality } from './evaluation/held-out';
