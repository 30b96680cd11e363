import { tf } from '@nasx/tensor';
import { definePredictorEstimator } from '../estimator/predictor-estimator';
import { withSchemaDefaults, type OptionsFromSchema, type OptionsInput } from '@nasx/contracts';
import { PREDICTOR_COMMON_SCHEMA_PROPERTIES } from '../estimator/predictor-options';
import { GcnGraphEncoder } from '../features/gcn-graph.encoder';
import { addDense, dense, propagate } from '../model/nn';
import { ParameterSet } from '../model/parameter-set';
import type { GraphModelDefinition } from '../model/predictor-model';

/** Options schema of the tiny test predictor. */
const tinySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PREDICTOR_COMMON_SCHEMA_PROPERTIES,
    epochs: { type: 'integer', minimum: 1, default: 20, description: 'Training epochs.' },
    loss: { type: 'string', enum: ['mse', 'pairwise-logistic', 'pairwise-hinge'], default: 'mse', description: 'Training loss.' },
    targets: { type: 'string', enum: ['quantile-normal', 'standardize'], default: 'standardize', description: 'Regression targets.' },
  },
} as const;

/** Options of the tiny test predictor. */
export type TinyOptions = OptionsFromSchema<typeof tinySchema>;

/**
 * A tiny model for the helper's tests: mean of the nodes' one-hot features → 8 ReLU units → score.
 * It can count op tokens, which is all the toy space's score needs.
 */
export function tinyModel(options: OptionsInput<TinyOptions>): GraphModelDefinition {
  const o = withSchemaDefaults<TinyOptions>(tinySchema, options);
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
    training: { loss: o.loss, targets: o.targets, epochs: o.epochs, batchSize: 8, learningRate: 0.02, weightDecay: 0, schedule: 'cosine' },
  };
}

/** The tiny predictor as a contribution. */
export const tinyPredictorEstimator = definePredictorEstimator<TinyOptions>({
  id: 'tiny-predictor',
  title: 'Tiny predictor (tests)',
  description: 'Mean of one-hot node tokens through a small MLP; for the predictor helper tests.',
  optionsSchema: tinySchema,
  pkg: '@nasx/predictors',
  minTrainingSize: 10,
  metricDescription: 'tiny predictor score (larger ranks higher)',
  createModel: tinyModel,
});
