import type { JsonSchema } from '@nasx/contracts';

/** Where a predictor's training labels come from (option `labels`). */
export interface PredictorLabelsOptions {
  /** Name of one of the run's named estimators (`estimators:` in the config). */
  readonly estimator: string;
  /** Metric of that estimator to learn (default: its primary metric). */
  readonly metric?: string;
  /** Distinct architectures (by key) to sample from the space and label. */
  readonly samples: number;
}

/** Options every predictor estimator has (each plugin's schema file repeats these properties). */
export interface PredictorCommonOptions {
  readonly labels?: PredictorLabelsOptions;
  /** Seed of initialisation, batch order and dropout (default: drawn from the run's seed). */
  readonly seed?: number;
  /** Padded graph size (default: the largest training graph). */
  readonly maxNodes?: number;
}

/**
 * The JSON Schema properties of {@link PredictorCommonOptions}. Each predictor plugin's schema
 * file holds them verbatim (the manifest points at the file, so it cannot import them); the
 * plugins' specs check that they stay identical to these.
 */
export const PREDICTOR_COMMON_SCHEMA_PROPERTIES: { readonly [name: string]: JsonSchema } = {
  labels: {
    type: 'object',
    additionalProperties: false,
    required: ['estimator', 'samples'],
    description:
      'Fit the predictor in prepare(): sample `samples` distinct architectures from the space, label them with the named estimator `estimator` (its metric `metric`, default its primary metric; a metric to minimise is negated) and fit. The fitted model is saved in the run folder, so a resumed run reloads it. Without labels the predictor must be fitted by code (fit()).',
    properties: {
      estimator: { type: 'string', minLength: 1, description: 'Name of a named estimator of the run (under `estimators:` in the config, listed before this one when this one is named too).' },
      metric: { type: 'string', minLength: 1, description: "Metric of that estimator to learn (default: the estimator's primary metric)." },
      samples: { type: 'integer', minimum: 10, description: 'Distinct architectures (by key) to sample and label, e.g. 424 (0.1 % of NAS-Bench-101, as ReNAS) or 100–400 for NAS-Bench-201.' },
    },
  },
  seed: { type: 'integer', minimum: 0, description: "Seed of the initial weights, the batch order and dropout (default: drawn from the run's seed)." },
  maxNodes: { type: 'integer', minimum: 1, description: 'Graph size the model is built for (default: the largest training graph); larger graphs are rejected with an architecture error.' },
};
