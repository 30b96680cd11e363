// Generated from ghn.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `ghn.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const ghnSchema = {
  "title": "GHN-2 estimator options",
  "description": "A graph hypernetwork (GHN-2, Knyazev et al. NeurIPS 2021) meta-trained once per run in prepare, then predicting all parameters of each estimated architecture in one forward pass. Defaults are CPU-sized; the paper's settings are given per option.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "train": {
      "description": "Meta-training: which graphs, how many, and the schedule.",
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "properties": {
        "graphs": {
          "description": "Meta-train on generated networks (deepnets, as GHN-2 on DeepNets-1M) or on samples of the run's own search space (space, as GHN-1 on its NAS space).",
          "type": "string",
          "enum": [
            "deepnets",
            "space"
          ],
          "default": "deepnets"
        },
        "count": {
          "description": "Number of distinct training graphs (DeepNets-1M: 10^6).",
          "type": "integer",
          "minimum": 1,
          "default": 256
        },
        "deepnets": {
          "description": "Ranges of the generated training networks (as the deepnets space's options).",
          "type": "object",
          "additionalProperties": false,
          "default": {},
          "properties": {
            "channels": {
              "description": "First-stage widths to draw from.",
              "type": "array",
              "items": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1024
              },
              "minItems": 1,
              "default": [
                8,
                12,
                16
              ]
            },
            "layers": {
              "description": "Number of cells [min, max].",
              "type": "array",
              "items": {
                "type": "integer",
                "minimum": 1,
                "maximum": 40
              },
              "minItems": 2,
              "maxItems": 2,
              "default": [
                3,
                6
              ]
            },
            "nodes": {
              "description": "Intermediate nodes per cell [min, max].",
              "type": "array",
              "items": {
                "type": "integer",
                "minimum": 1,
                "maximum": 8
              },
              "minItems": 2,
              "maxItems": 2,
              "default": [
                1,
                4
              ]
            },
            "stem": {
              "description": "Stem widths as multiples of channels.",
              "type": "array",
              "items": {
                "type": "integer",
                "minimum": 1,
                "maximum": 8
              },
              "minItems": 1,
              "default": [
                1,
                2,
                3
              ]
            }
          }
        },
        "epochs": {
          "description": "Passes over the training graphs (GHN-2: 300 over DeepNets-1M).",
          "type": "integer",
          "minimum": 1,
          "default": 2
        },
        "metaBatch": {
          "description": "Graphs per meta-training step (GHN-2: 8).",
          "type": "integer",
          "minimum": 1,
          "default": 4
        },
        "batchSize": {
          "description": "Images per meta-training step, shared by the meta-batch's networks (GHN-2: 64).",
          "type": "integer",
          "minimum": 1,
          "default": 32
        },
        "lr": {
          "description": "Adam learning rate (GHN-2: 1e-3).",
          "type": "number",
          "exclusiveMinimum": 0,
          "default": 0.001
        },
        "weightDecay": {
          "description": "L2 weight decay (GHN-2: 1e-5).",
          "type": "number",
          "minimum": 0,
          "default": 0.00001
        },
        "gradClip": {
          "description": "Global gradient-norm clip (GHN-2: 5; 0 = none).",
          "type": "number",
          "minimum": 0,
          "default": 5
        },
        "trainLimit": {
          "description": "Training images used (the first n of the task's training split), held in memory.",
          "type": "integer",
          "minimum": 1,
          "default": 10000
        },
        "checkpointEvery": {
          "description": "Meta-training steps between checkpoints in the run's state folder (a killed run resumes from the last).",
          "type": "integer",
          "minimum": 1,
          "default": 25
        }
      }
    },
    "ghn": {
      "description": "The hypernetwork's architecture.",
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "properties": {
        "hidden": {
          "description": "Node state size (GHN-2: 32); a multiple of 4.",
          "type": "integer",
          "minimum": 4,
          "multipleOf": 4,
          "default": 32
        },
        "maxShape": {
          "description": "Largest tensor decoded at once [o, i, k, k]; larger tensors are tiled (GHN-2 on CIFAR-10: [64, 64, 11, 11]).",
          "type": "array",
          "items": {
            "type": "integer",
            "minimum": 1,
            "maximum": 512
          },
          "minItems": 4,
          "maxItems": 4,
          "default": [
            64,
            64,
            5,
            5
          ]
        },
        "virtualEdges": {
          "description": "Longest shortest path of a virtual edge, s_max (GHN-2: 50; 1 = none, GHN-1).",
          "type": "integer",
          "minimum": 1,
          "default": 50
        },
        "layerNorm": {
          "description": "Layer-normalise node states before decoding (GHN-2: true).",
          "type": "boolean",
          "default": true
        },
        "weightNorm": {
          "description": "Operation-dependent normalisation of predicted parameters (GHN-2: true).",
          "type": "boolean",
          "default": true
        }
      }
    },
    "macro": {
      "description": "Skeleton settings of the estimated architectures' networks, as their builder documents them (nb201: channels, cellsPerStage).",
      "type": "object",
      "additionalProperties": {
        "type": "integer",
        "minimum": 1
      },
      "default": {}
    },
    "valLimit": {
      "description": "Validation images an estimate is measured on (the first n).",
      "type": "integer",
      "minimum": 1,
      "default": 1000
    },
    "evalBatchSize": {
      "description": "Images per evaluation batch (batch norm uses each batch's statistics).",
      "type": "integer",
      "minimum": 2,
      "default": 250
    },
    "baseline": {
      "description": "Also report init_acc: the same network's accuracy with seeded random parameters (what predicted parameters must beat); with fineTune, also init_finetune_acc, the same fine-tuning from those random parameters.",
      "type": "boolean",
      "default": false
    },
    "fineTune": {
      "description": "Train from the predicted parameters for some SGD steps and report ghn_finetune_acc (GHN-2 Sec. 5.2).",
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "properties": {
        "steps": {
          "description": "SGD steps (0: no fine-tuning).",
          "type": "integer",
          "minimum": 0,
          "default": 0
        },
        "lr": {
          "description": "SGD learning rate.",
          "type": "number",
          "exclusiveMinimum": 0,
          "default": 0.025
        },
        "momentum": {
          "description": "SGD momentum.",
          "type": "number",
          "minimum": 0,
          "maximum": 1,
          "default": 0.9
        },
        "batchSize": {
          "description": "Images per step.",
          "type": "integer",
          "minimum": 1,
          "default": 64
        },
        "at": {
          "description": "Steps after which to also measure the validation accuracy, reported as a curve in the estimate's info (fineTune.steps, fineTune.ghn and, with baseline, fineTune.init).",
          "type": "array",
          "items": {
            "type": "integer",
            "minimum": 0
          },
          "default": []
        },
        "orthogonalize": {
          "description": "Before fine-tuning, replace each convolution and linear weight (but the classifier) by the orthogonal factor of its QR decomposition: GHN-orth (Knyazev 2022, 'Pretraining a Neural Network before Knowing Its Architecture'), which restores the diversity of predicted filters. Applied to the random start of baseline too.",
          "type": "boolean",
          "default": false
        },
        "noise": {
          "description": "Before fine-tuning (and before orthogonalize), add Gaussian noise of standard deviation noise x sd(correlations between a weight's filters) to each transformed weight (GHN-orth's beta; its reference fine-tuning uses 3e-5). 0: none.",
          "type": "number",
          "minimum": 0,
          "default": 0
        },
        "fromLayer": {
          "description": "Transform (orthogonalize, noise) only the convolution and linear weights from this one on, counted from 1 in forward order (GHN-orth's layer: its ResNet-50 fine-tuning transforms from layer 37).",
          "type": "integer",
          "minimum": 1,
          "default": 1
        }
      }
    },
    "seed": {
      "description": "Seed of the GHN, its training graphs and data order (default: drawn from the run's seed).",
      "type": "integer",
      "minimum": 0
    },
    "load": {
      "description": "A trained GHN to use instead of meta-training: the ghn.json in the ghn/ folder of a run's state folder (relative to the config file). Its setup must match.",
      "type": "string",
      "minLength": 1
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type GhnOptions = OptionsFromSchema<typeof ghnSchema>;
