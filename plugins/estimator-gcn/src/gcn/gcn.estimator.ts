import { withSchemaDefaults, type OptionsInput } from '@nasx/contracts';
import { GcnGraphEncoder, definePredictorEstimator, type GraphModelDefinition } from '@nasx/predictors';
import { createGcnNetwork } from './gcn.network';
import { gcnSchema, type GcnOptions } from './gcn.schema';

const PKG = '@nasx/estimator-gcn';
const ID = 'gcn';

export type { GcnOptions } from './gcn.schema';

/** The schema defaults, for callers that skip the kernel's validation (tests, scripts). */
export const GCN_DEFAULTS: GcnOptions = withSchemaDefaults<GcnOptions>(gcnSchema, {});

/**
 * The GCN model for options: graph features from `ArchGraph` (one-hot op tokens, FLOPs/params
 * when the space provides them, both edge directions), the network of {@link createGcnNetwork},
 * MSE with Adam and a cosine learning rate as Wen et al. train it, on rank-based targets by default
 * (`targets: quantile-normal`; `standardize` is their (label − mean)/std, see the README).
 */
export function gcnModel(options: OptionsInput<GcnOptions>): GraphModelDefinition {
  const o = withSchemaDefaults<GcnOptions>(gcnSchema, options);
  return {
    kind: 'gcn',
    fitEncoder: (graphs) => GcnGraphEncoder.fit(graphs, { maxNodes: o.maxNodes }),
    restoreEncoder: (state) => GcnGraphEncoder.fromJSON(state),
    createNetwork: (encoder, seed) => createGcnNetwork(encoder as GcnGraphEncoder, o, seed),
    training: {
      loss: 'mse',
      targets: o.targets,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.lr,
      weightDecay: o.weightDecay,
      schedule: 'cosine',
      dropLast: true,
    },
  };
}

/** The `gcn` estimator contribution: a GCN performance predictor that implements `Predictor`. */
export const gcnEstimator = definePredictorEstimator<GcnOptions>({
  id: ID,
  title: 'GCN predictor',
  description:
    "Wen et al. 2020 neural predictor: a graph convolutional network over the cell's op graph, trained with MSE on labelled architectures; predicts a score (larger ranks higher).",
  optionsSchema: gcnSchema,
  pkg: PKG,
  minTrainingSize: 10,
  metricDescription: 'GCN-predicted value of the label it was fitted on (e.g. accuracy); larger ranks higher',
  createModel: gcnModel,
});
