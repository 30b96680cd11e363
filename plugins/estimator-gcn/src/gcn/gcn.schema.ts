// Generated from gcn.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `gcn.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const gcnSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "GCN predictor options",
  "description": "Options of the gcn predictor (Wen et al. 2020): where its labels come from, the network and the training.",
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
      "default": 3,
      "description": "Graph convolution layers (Wen et al. 2020, as their reference implementation: 3)."
    },
    "hidden": {
      "type": "integer",
      "minimum": 1,
      "default": 144,
      "description": "Width of each graph convolution (Wen et al. 2020, as their reference implementation: 144)."
    },
    "mlpHidden": {
      "type": "integer",
      "minimum": 1,
      "default": 128,
      "description": "Width of the hidden layer of the MLP head after pooling (reference implementation: 128)."
    },
    "dropout": {
      "type": "number",
      "minimum": 0,
      "maximum": 0.9,
      "default": 0.1,
      "description": "Dropout rate after each graph convolution and in the head (reference implementation: 0.1)."
    },
    "targets": {
      "type": "string",
      "enum": [
        "quantile-normal",
        "standardize"
      ],
      "default": "quantile-normal",
      "description": "Regression targets: `quantile-normal` replaces each label by the normal quantile of its rank (only the order matters; the score is on that scale); `standardize` uses (label − mean)/std as Wen et al. and predicts in the label's units."
    },
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "default": 70,
      "description": "Training epochs (reference implementation: 300; 70 fits 424 NAS-Bench-201 cells in about 20 s on the wasm backend)."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "default": 32,
      "description": "Architectures per mini-batch (reference implementation: 10); the last incomplete batch of an epoch is dropped, as there."
    },
    "lr": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.002,
      "description": "Adam learning rate, annealed to 0 by a cosine schedule over the epochs (reference implementation: 1e-4 over 300 epochs of batches of 10)."
    },
    "weightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.001,
      "description": "L2 penalty added to the gradient, as PyTorch Adam weight_decay (reference implementation: 1e-3)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type GcnOptions = OptionsFromSchema<typeof gcnSchema>;
