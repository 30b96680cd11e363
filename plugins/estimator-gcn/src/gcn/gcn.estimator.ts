import { GcnGraphEncoder, definePredictorEstimator, type GraphModelDefinition, type PredictorCommonOptions, type TargetTransform } from '@nasx/predictors';
import { createGcnNetwork } from './gcn.network';
import schema from './gcn.schema.json';

const PKG = '@nasx/estimator-gcn';
const ID = 'gcn';

/**
 * Options of the `gcn` estimator (`gcn.schema.json` is the source of truth; written out here
 * because a JSON import has no literal types, and `gcn.estimator.spec.ts` checks the two agree).
 */
export interface GcnOptions extends PredictorCommonOptions {
  readonly layers?: number;
  readonly hidden?: number;
  readonly mlpHidden?: number;
  readonly dropout?: number;
  readonly targets?: TargetTransform;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly weightDecay?: number;
}

/** The schema defaults, for callers that skip the kernel's validation (tests, scripts). */
export const GCN_DEFAULTS = Object.fromEntries(
  Object.entries(schema.properties)
    .filter(([, p]) => 'default' in p)
    .map(([k, p]) => [k, (p as { default: unknown }).default]),
) as Required<Pick<GcnOptions, 'layers' | 'hidden' | 'mlpHidden' | 'dropout' | 'targets' | 'epochs' | 'batchSize' | 'lr' | 'weightDecay'>>;

/**
 * The GCN model for options: graph features from `ArchGraph` (one-hot op tokens, FLOPs/params
 * when the space provides them, both edge directions), the network of {@link createGcnNetwork},
 * MSE with Adam and a cosine learning rate as Wen et al. train it, on rank-based targets by default
 * (`targets: quantile-normal`; `standardize` is their (label − mean)/std, see the README).
 */
export function gcnModel(options: GcnOptions): GraphModelDefinition {
  const o = { ...GCN_DEFAULTS, ...options };
  return {
    kind: 'gcn',
    fitEncoder: (graphs) => GcnGraphEncoder.fit(graphs, { maxNodes: o.maxNodes }),
    restoreEncoder: (state) => GcnGraphEncoder.fromJSON(state),
    createNetwork: (encoder, seed) => createGcnNetwork(encoder as GcnGraphEncoder, o, seed),
    training: { loss: 'mse', targets: o.targets, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.lr, weightDecay: o.weightDecay, schedule: 'cosine', dropLast: true },
  };
}

/** The `gcn` estimator contribution: a GCN performance predictor that implements `Predictor`. */
export const gcnEstimator = definePredictorEstimator<GcnOptions>({
  id: ID,
  title: 'GCN predictor',
  description: "Wen et al. 2020 neural predictor: a graph convolutional network over the cell's op graph, trained with MSE on labelled architectures; predicts a score (larger ranks higher).",
  optionsSchema: schema,
  pkg: PKG,
  minTrainingSize: 10,
  metricDescription: 'GCN-predicted value of the label it was fitted on (e.g. accuracy); larger ranks higher',
  createModel: gcnModel,
});
