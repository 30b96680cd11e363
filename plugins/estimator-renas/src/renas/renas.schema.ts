// Generated from renas.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `renas.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const renasSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "ReNAS predictor options",
  "description": "Options of the renas predictor (Xu et al. 2021): where its labels come from, the CNN and the training.",
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
    "channels": {
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1
      },
      "minItems": 1,
      "maxItems": 6,
      "default": [
        16,
        32
      ],
      "description": "Output channels of the 3×3 convolutions, each followed by batch norm and ReLU (the authors' code: [38, 128] for a 19-channel NAS-Bench-101 tensor)."
    },
    "fc": {
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1
      },
      "maxItems": 6,
      "default": [
        120,
        84
      ],
      "description": "Widths of the hidden fully connected layers before the score (the authors' code: [120, 84], LeNet's)."
    },
    "loss": {
      "type": "string",
      "enum": [
        "logistic",
        "hinge"
      ],
      "default": "logistic",
      "description": "φ of the pairwise ranking loss φ(sign(y_i − y_j)·(s_i − s_j)): logistic log(1 + e^(−z)) (the authors' code) or hinge max(0, 1 − z)."
    },
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "default": 70,
      "description": "Training epochs (the authors' code: 200)."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 2,
      "default": 64,
      "description": "Architectures per mini-batch; the ranking loss compares every pair inside a batch (the authors' code: 1024, i.e. the whole training set of 424)."
    },
    "lr": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.001,
      "description": "Adam learning rate (the authors' code: 1e-3, constant)."
    },
    "weightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0,
      "description": "L2 penalty added to the gradient, as PyTorch Adam weight_decay (the authors' code: 0)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type RenasOptions = OptionsFromSchema<typeof renasSchema>;
