import { tf } from '@nasx/tensor';
import { definePredictorEstimator } from '../estimator/predictor-estimator';
import { PREDICTOR_COMMON_SCHEMA_PROPERTIES, type PredictorCommonOptions } from '../estimator/predictor-options';
import { GcnGraphEncoder } from '../features/gcn-graph.encoder';
import { addDense, dense, propagate } from '../model/nn';
import { ParameterSet } from '../model/parameter-set';
import type { GraphModelDefinition, PredictorLoss } from '../model/predictor-model';
import type { TargetTransform } from '../model/target-transform';

/** Options of the tiny test predictor. */
export interface TinyOptions extends PredictorCommonOptions {
  readonly epochs?: number;
  readonly loss?: PredictorLoss;
  readonly targets?: TargetTransform;
}

/**
 * A tiny model for the helper's tests: mean of the nodes' one-hot features → 8 ReLU units → score.
 * It can count op tokens, which is all the toy space's score needs.
 */
export function tinyModel(o: TinyOptions): GraphModelDefinition {
  return {
    kind: 'tiny',
    fitEncoder: (graphs) => GcnGraphEncoder.fit(graphs, { maxNodes: o.maxNodes }),
    restoreEncoder: (state) => GcnGraphEncoder.fromJSON(state),
    createNetwork(encoder, seed) {
      const F = (encoder as GcnGraphEncoder).featureWidth;
      const params = new ParameterSet(seed);
      addDense(params, 'fc', F, 8);
      addDense(params, 'out', 8, 1);
      return {
        parameters: params,
        forward(inputs) {
          const x = inputs['features'] as tf.Tensor3D;
          const mask = inputs['mask'] as tf.Tensor3D;
          const [B] = x.shape;
          const weights = tf.div(tf.transpose(mask, [0, 2, 1]), tf.sum(mask, 1, true)) as tf.Tensor3D;
          const pooled = tf.reshape(propagate(weights, x), [B, F]) as tf.Tensor2D;
          return tf.reshape(dense(params, 'out', tf.relu(dense(params, 'fc', pooled))), [B]);
        },
      };
    },
    training: { loss: o.loss ?? 'mse', targets: o.targets ?? 'standardize', epochs: o.epochs ?? 20, batchSize: 8, learningRate: 0.02, weightDecay: 0, schedule: 'cosine' },
  };
}

/** The tiny predictor as a contribution. */
export const tinyPredictorEstimator = definePredictorEstimator<TinyOptions>({
  id: 'tiny-predictor',
  title: 'Tiny predictor (tests)',
  description: 'Mean of one-hot node tokens through a small MLP; for the predictor helper tests.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...PREDICTOR_COMMON_SCHEMA_PROPERTIES,
      epochs: { type: 'integer', minimum: 1, default: 20, description: 'Training epochs.' },
      loss: { type: 'string', enum: ['mse', 'pairwise-logistic', 'pairwise-hinge'], default: 'mse', description: 'Training loss.' },
      targets: { type: 'string', enum: ['quantile-normal', 'standardize'], default: 'standardize', description: 'Regression targets.' },
    },
  },
  pkg: '@nasx/predictors',
  minTrainingSize: 10,
  metricDescription: 'tiny predictor score (larger ranks higher)',
  createModel: tinyModel,
});
