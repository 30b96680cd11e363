// Generated from ctnas.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `ctnas.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const ctnasSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "CTNAS comparator (NAC) options",
  "description": "Options of the ctnas Neural Architecture Comparator (Chen et al., CVPR 2021): where its labels come from, the network and the pairwise training.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "labels": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "estimator",
        "samples"
      ],
      "description": "Fit the predictor in prepare(): sample `samples` distinct architectures from the space, label them with the named estimator `estimator` (its metric `metric`, default its primary metric; a metric to minimise is negated) and fit. The fitted model is saved in the run folder, so a resumed run reloads it. Without labels the predictor must be fitted by code (fit()).",
      "properties": {
        "estimator": {
          "type": "string",
          "minLength": 1,
          "description": "Name of a named estimator of the run (under `estimators:` in the config, listed before this one when this one is named too)."
        },
        "metric": {
          "type": "string",
          "minLength": 1,
          "description": "Metric of that estimator to learn (default: the estimator's primary metric)."
        },
        "samples": {
          "type": "integer",
          "minimum": 10,
          "description": "Distinct architectures (by key) to sample and label, e.g. 424 (0.1 % of NAS-Bench-101, as ReNAS) or 100–400 for NAS-Bench-201."
        }
      }
    },
    "seed": {
      "type": "integer",
      "minimum": 0,
      "description": "Seed of the initial weights, the batch order and dropout (default: drawn from the run's seed)."
    },
    "maxNodes": {
      "type": "integer",
      "minimum": 1,
      "description": "Graph size the model is built for (default: the largest training graph); larger graphs are rejected with an architecture error."
    },
    "layers": {
      "type": "integer",
      "minimum": 1,
      "maximum": 8,
      "default": 2,
      "description": "Graph convolution layers of the shared encoder (the CTNAS reference NAC: 2)."
    },
    "hidden": {
      "type": "integer",
      "minimum": 1,
      "default": 64,
      "description": "Width of each graph convolution, i.e. of each architecture's embedding (the CTNAS reference NAC: 128)."
    },
    "mlpHidden": {
      "type": "integer",
      "minimum": 0,
      "default": 64,
      "description": "Width of the hidden layer of the MLP on the concatenated embeddings; 0 gives a single linear layer, as the CTNAS reference code."
    },
    "antisymmetric": {
      "type": "boolean",
      "default": true,
      "description": "Score a pair as m([e_a, e_b]) − m([e_b, e_a]) before the sigmoid, so compare(a, b) + compare(b, a) = 1 and compare(a, a) = 0.5 exactly; false scores m([e_a, e_b]) alone, as the paper (its NAC learns the symmetry only from data)."
    },
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "default": 60,
      "description": "Training epochs."
    },
    "pairsPerEpoch": {
      "type": "integer",
      "minimum": 0,
      "default": 2048,
      "description": "Ordered pairs (with different labels) sampled per epoch; 0 uses every ordered pair of the training set each epoch."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 2,
      "default": 256,
      "description": "Pairs per mini-batch."
    },
    "lr": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.002,
      "description": "Adam learning rate, annealed to 0 by a cosine schedule over the epochs."
    },
    "weightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.0005,
      "description": "L2 penalty added to the gradient, as PyTorch Adam weight_decay (the CTNAS reference code: 5e-4)."
    },
    "referenceSize": {
      "type": "integer",
      "minimum": 1,
      "default": 64,
      "description": "Training architectures in the fixed reference set of estimate(): the estimate of an architecture is its mean probability of beating them."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type CtnasOptions = OptionsFromSchema<typeof ctnasSchema>;
