import { withSchemaDefaults, type OptionsInput } from '@nasx/contracts';
import { RenasFeatureEncoder, definePredictorEstimator, type GraphModelDefinition } from '@nasx/predictors';
import { createRenasNetwork } from './renas.network';
import { renasSchema, type RenasOptions } from './renas.schema';

const PKG = '@nasx/estimator-renas';
const ID = 'renas';

export type { RenasOptions } from './renas.schema';

/** The schema defaults, for callers that skip the kernel's validation (tests, scripts). */
export const RENAS_DEFAULTS: RenasOptions = withSchemaDefaults<RenasOptions>(renasSchema, {});

/**
 * The ReNAS model for options: the feature tensor of `@nasx/predictors` (type, FLOPs and params
 * matrices), the CNN of {@link createRenasNetwork}, trained with the pairwise ranking loss
 * (Xu et al. 2021, Sec. 3.3) and Adam, so it learns the order of the labels, not their values.
 */
export function renasModel(options: OptionsInput<RenasOptions>): GraphModelDefinition {
  const o = withSchemaDefaults<RenasOptions>(renasSchema, options);
  return {
    kind: 'renas',
    fitEncoder: (graphs) => RenasFeatureEncoder.fit(graphs, { maxNodes: o.maxNodes }),
    restoreEncoder: (state) => RenasFeatureEncoder.fromJSON(state),
    createNetwork: (encoder, seed) => createRenasNetwork(encoder as RenasFeatureEncoder, o, seed),
    training: {
      loss: o.loss === 'hinge' ? 'pairwise-hinge' : 'pairwise-logistic',
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.lr,
      weightDecay: o.weightDecay,
      schedule: 'constant',
    },
  };
}

/** The `renas` estimator contribution: a ReNAS relativistic predictor that implements `Predictor`. */
export const renasEstimator = definePredictorEstimator<RenasOptions>({
  id: ID,
  title: 'ReNAS predictor',
  description:
    "Xu et al. 2021: a CNN over the architecture's N×N feature tensor (type, FLOPs and parameter matrices), trained with a pairwise ranking loss; predicts a score (larger ranks higher).",
  optionsSchema: renasSchema,
  pkg: PKG,
  minTrainingSize: 10,
  metricDescription: 'ReNAS relative score (unitless, only its order means something); larger ranks higher',
  createModel: renasModel,
});
