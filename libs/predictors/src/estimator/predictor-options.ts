import type { JsonSchema, OptionsFromSchema } from '@nasx/contracts';

/**
 * The JSON Schema properties of {@link PredictorCommonOptions}. Each predictor plugin's schema
 * file holds them verbatim (the manifest points at the file, so it cannot import them); the
 * plugins' specs check that they stay identical to these.
 */
export const PREDICTOR_COMMON_SCHEMA_PROPERTIES = {
  labels: {
    type: 'object',
    additionalProperties: false,
    required: ['estimator', 'samples'],
    description:
      'Fit the predictor in prepare(): sample `samples` distinct architectures from the space, label them with the named estimator `estimator` (its metric `metric`, default its primary metric; a metric to minimise is negated) and fit. The fitted model is saved in the run folder, so a resumed run reloads it. Without labels the predictor must be fitted by code (fit()).',
    properties: {
      estimator: {
        type: 'string',
        minLength: 1,
        description: 'Name of a named estimator of the run (under `estimators:` in the config, listed before this one when this one is named too).',
      },
      metric: { type: 'string', minLength: 1, description: "Metric of that estimator to learn (default: the estimator's primary metric)." },
      samples: {
        type: 'integer',
        minimum: 10,
        description: 'Distinct architectures (by key) to sample and label, e.g. 424 (0.1 % of NAS-Bench-101, as ReNAS) or 100–400 for NAS-Bench-201.',
      },
    },
  },
  seed: { type: 'integer', minimum: 0, description: "Seed of the initial weights, the batch order and dropout (default: drawn from the run's seed)." },
  maxNodes: {
    type: 'integer',
    minimum: 1,
    description: 'Graph size the model is built for (default: the largest training graph); larger graphs are rejected with an architecture error.',
  },
} as const satisfies { readonly [name: string]: JsonSchema };

/** Options every predictor estimator has, derived from {@link PREDICTOR_COMMON_SCHEMA_PROPERTIES}. */
export type PredictorCommonOptions = OptionsFromSchema<{ type: 'object'; additionalProperties: false; properties: typeof PREDICTOR_COMMON_SCHEMA_PROPERTIES }>;

/** Where a predictor's training labels come from (option `labels`). */
export type PredictorLabelsOptions = NonNullable<PredictorCommonOptions['labels']>;
