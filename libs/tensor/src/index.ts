/**
 * @packageDocumentation
 * `@nasx/tensor`: the tensor engine of nasx — TensorFlow.js backend selection (native, wasm, cpu),
 * network builders keyed by search space (NAS-Bench-201 first), and a training loop. The only
 * package that imports `@tensorflow/*`; others use the `tf` namespace and types exported here.
 */
export * from './tf';
export {
  BACKEND_ENV_VAR,
  ONEDNN_PACKAGE,
  TENSOR_BACKENDS,
  TENSOR_BACKEND_SETUP,
  probeTensorBackend,
  TENSOR_PACKAGE,
  assertTensorBackend,
  currentTensorBackend,
  initTensorBackend,
  wasmHeapBytes,
  explainOutOfMemory,
  recoverWasmBackend,
  type TensorBackendInfo,
  type TensorBackendName,
  type TensorBackendPreference,
} from './backend/backend';
export { NASX_GRADIENTS } from './backend/gradients';
export type {
  ConvPad,
  ForwardOptions,
  InitScheme,
  Network,
  NetworkBuilder,
  NetworkGraph,
  NetworkOps,
  NetworkOptions,
  NetworkPlan,
  ParameterSpec,
  BufferSpec,
  TapFn,
  TapKind,
} from './network/network';
export { NETWORK_BUILDERS, buildNetwork, findNetworkBuilder, planNetwork, type BuildNetworkOptions } from './network/builders';
export { createFunctionalNetwork, createGraphNetwork, type ForwardFn } from './network/functional-network';
export { Layers, BN_EPSILON, BN_MOMENTUM, eagerOps } from './nn/layers';
export { toLayersModel, type ExportedLayersModel, type InputLayout, type LayersModelOptions } from './export/layers-model';
export { MODEL_FILES, loadModelFolder, modelFolder, type SavedModelFiles } from './export/model-folder';
export { EXPORT_METADATA_VERSION, exportNetwork, type ExportNetworkOptions, type ExportedNetwork } from './export/export-network';
export { chainNetworkBuilder, planChainNetwork, planChainOps, type ChainNetworkSpec } from './network/chain-network';
export {
  NETWORK_OP_TYPES,
  applyNetworkOp,
  createNetworkOp,
  networkOpGraph,
  planNetworkOp,
  resolveOpAttrs,
  seHiddenWidth,
  type BuiltNetworkOp,
  type CreateNetworkOpOptions,
  type NetworkOpPlan,
  type NetworkOpType,
  type ResolvedOpAttrs,
} from './ops/network-op';
export {
  MNAS_BLOCKS,
  MNAS_CHOICES,
  MNAS_DECISIONS,
  MNAS_HEAD_FILTERS,
  MNAS_SPACE,
  MNAS_STEM_FILTERS,
  mnasBlocks,
  mnasBlocksOf,
  mnasGraph,
  mnasKey,
  mnasNetworkBuilder,
  mnasOperators,
  resolveMnasBlocks,
  roundFilters,
  type MnasBlockConfig,
  type MnasDecision,
  type MnasGenotype,
} from './mnas/mnas.network';
export {
  describeTensorBackend,
  profileOperators,
  type ProfileOperatorsOptions,
  type ProfileOperatorsResult,
  type ProfileProgress,
} from './profile/profile-operators';
export { NB201_CELL_EDGES, NB201_CELL_OPS, NB201_MACRO_DEFAULTS, NB201_SPACE, nb201NetworkBuilder } from './nb201/nb201.network';
export { toTensors, type ClassificationTensors, type ValueTensors } from './train/batch-tensors';
export { TRAIN_LOSSES, lossSum, targetKind, trainLoss, type TrainLoss } from './train/losses';
export { WRN_SPACE, wrnArchitecture, wrnNetworkBuilder } from './wrn/wrn.network';
export { ioShapeOf, type IoShape } from './network/io-shape';
export { learningRateAt, type LearningRateSchedule } from './train/lr-schedule';
export { SgdOptimizer, type SgdOptions } from './train/sgd.optimizer';
export { SeededRandom } from './init/seeded-random';
export {
  WASM_MEMORY_BUDGET,
  crossEntropy,
  evaluateNetwork,
  microBatchSizeFor,
  predictNetwork,
  trainNetwork,
  type EvaluateOptions,
  type Predictions,
  type EvaluationResult,
  type TrainEpochProgress,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type TrainStepProgress,
} from './train/train';
export {
  createDataParallelTrainer,
  type DataParallelOptions,
  type DataParallelStep,
  type DataParallelStepResult,
  type DataParallelTrainer,
} from './parallel/data-parallel.trainer';
export type { CreateReplicaModel, ReplicaModel } from './parallel/replica-model';
export type { LayoutEntry, ReplicaLayout, ReplicaModelSpec, ReplicaStepTimes } from './parallel/replica-protocol';
export {
  BROWSER_BACKENDS,
  profileInBrowser,
  type BrowserBackendName,
  type BrowserProfileJob,
  type BrowserProfileProgress,
  type BrowserProfileResult,
  type OperatorProfileOptions,
  type OperatorProfiler,
} from './profile/browser-profiler';
export { BROWSER_PROFILER_BUNDLE, browserProfilerAssets, type BrowserProfilerAssets } from './profile/browser-assets';
export { pathAngle, type Supernet, type SupernetBuilder, type SupernetForwardOptions, type SupernetOptions, type SupernetPath } from './supernet/supernet';
export { buildSupernet, findSupernetBuilder, registerSupernetBuilder, supernetSpaces } from './supernet/supernet-registry';
export { nb201PathWeights, nb201SupernetBuilder } from './supernet/nb201.supernet';
export {
  randomLabel,
  readSupernetWeights,
  sampleUniformPath,
  trainSupernet,
  writeSupernetWeights,
  type PathConstraint,
  type SupernetEpoch,
  type SupernetTrainOptions,
  type SupernetTrainState,
} from './supernet/train-supernet';
export { createPathEvaluator, type PathEvaluation, type PathEvaluator, type PathEvaluatorOptions } from './supernet/path-evaluator';
export {
  archGradient,
  archWeights,
  decodeArgmax,
  mixedAccuracy,
  mixedLoss,
  unrolledArchGradient,
  weightStep,
  type ArchGradient,
  type ArchGradientOptions,
  type DartsBatch,
  type FixedChoices,
  type WeightStepResult,
} from './darts/darts';
export type { SupernetReplicaOptions } from './supernet/supernet.replica-model';
export {
  GNN_ACTIVATIONS,
  GNN_AGGREGATORS,
  GNN_ATTENTIONS,
  GNN_COMBINES,
  GNN_HEADS,
  GNN_HIDDEN,
  GNN_SKIPS,
  GNN_SPACE,
  gnnGenotype,
  gnnLayerWidths,
  type GnnActivation,
  type GnnAggregator,
  type GnnAttention,
  type GnnCombine,
  type GnnGenotype,
  type GnnLayer,
  type GnnSkip,
} from './gnn/gnn.genotype';
export { GNN_MLP_HIDDEN, buildGnnNetwork, type GnnForwardOptions, type GnnNetwork, type GnnParameter } from './gnn/gnn.network';
export { graphTensors, type EdgeSet, type FeatureTensors, type GraphTensors } from './gnn/graph-tensors';
export {
  scoreNodes,
  trainGraphNetwork,
  type GraphEarlyStopping,
  type GraphEpochRecord,
  type GraphSplitScores,
  type TrainGraphOptions,
  type TrainGraphResult,
} from './gnn/train-graph';
export {
  DEEPNETS_DEFAULT_RANGES,
  DEEPNETS_OPS,
  DEEPNETS_SPACE,
  cellOutputs,
  deepnetsArchitecture,
  deepnetsGenotype,
  deepnetsGraph,
  deepnetsNetworkBuilder,
  planDeepNets,
  reductionCells,
  sampleDeepNets,
  type DeepNetsCell,
  type DeepNetsGenotype,
  type DeepNetsNode,
  type DeepNetsOp,
  type DeepNetsRanges,
} from './deepnets/deepnets.network';
export {
  GHN_OPS,
  computeGraphToArchGraph,
  graphDistances,
  predictedParameters,
  traceNetwork,
  type ComputeGraph,
  type ComputeNode,
  type GhnOp,
  type GhnParam,
} from './ghn/compute-graph';
export { GHN2_DEFAULTS, Ghn, type GhnBatch, type GhnConfig } from './ghn/ghn.model';
export {
  accuracyWith,
  evaluateWith,
  fineTune,
  forwardWithParameters,
  ghnNetwork,
  initialParameters,
  metaTrainStep,
  predictParameters,
  predictedAccuracy,
  type FineTuneOptions,
  type GhnNetwork,
  type MetaTrainOptions,
} from './ghn/ghn.train';
export { orthonormalColumns, reinitializeParameters, type ReinitOptions } from './ghn/reinit';
export { pruneTensorFiles, readTensorFile, writeFileAtomic, writeTensorFile, type TensorFileEntry } from './io/tensor-file';
export { adamState, restoreAdamState } from './io/optimizer-state';
export { loadSearchState, saveSearchState, type SearchStateOwner, type SearchStateParts } from './io/search-state';
export { NB101_MACRO_DEFAULTS, NB101_SPACE, nb101Cell, nb101Graph, nb101NetworkBuilder, nb101VertexChannels, planNb101 } from './nb101/nb101.network';
export { NetworkProgram, type Hwc, type ProgramValue } from './network/program';
export {
  ADL_MACRO_DEFAULTS,
  ADL_OPS,
  ADL_RATES,
  AUTODEEPLAB_SPACE,
  adlArchitecture,
  adlGenotype,
  adlGenotypeOf,
  adlKey,
  adlMacroOf,
  autodeeplabNetworkBuilder,
  dilateFilter,
  type AdlBlock,
  type AdlGenotype,
  type AdlMacro,
  type AdlOp,
} from './autodeeplab/autodeeplab.network';
export { HostSgdOptimizer } from './train/host-sgd';
export {
  adlArchGradient,
  adlArchSize,
  adlArchWeights,
  adlEdges,
  adlLoss,
  adlWeightStep,
  buildAdlSupernet,
  decodeAdl,
  decodeAdlCell,
  maxLevel as adlMaxLevel,
  stepValid as adlStepValid,
  viterbiPath,
  type AdlBatch,
  type AdlForwardOptions,
  type AdlStepResult,
  type AdlSupernet,
  type AdlSupernetOptions,
} from './autodeeplab/autodeeplab.supernet';
