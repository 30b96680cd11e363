// Generated from autodeeplab.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `autodeeplab.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const autodeeplabSchema = {
  "title": "Auto-DeepLab searcher options",
  "description": "Options of the autodeeplab searcher (Liu et al., CVPR 2019): the hierarchical supernet (cell and network level) trained by alternating weight steps (SGD) and architecture steps on α and β (Adam), on two disjoint halves of the training split. Defaults follow the paper's Cityscapes search (40 epochs, architecture steps from epoch 20, F = 8) except where a CPU needs smaller numbers; blocks and layers come from the space's options.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10000,
      "default": 40,
      "description": "Search epochs; one pass over the (limited) training split each."
    },
    "warmupEpochs": {
      "type": "integer",
      "minimum": 0,
      "default": 20,
      "description": "Epochs of weight steps only before the architecture steps start (the paper: 20 of 40, so that α and β are not fitted to untrained weights)."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 2,
      "maximum": 4096,
      "default": 8,
      "description": "Images per weight step and per architecture step."
    },
    "trainLimit": {
      "type": "integer",
      "minimum": 2,
      "description": "Use at most this many training images per epoch, halved between weight and architecture steps (default: the whole split)."
    },
    "learningRate": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.025,
      "description": "Weights: SGD learning rate at the start of the cosine schedule."
    },
    "minLearningRate": {
      "type": "number",
      "minimum": 0,
      "default": 0.001,
      "description": "Weights: learning rate at the end of the cosine schedule."
    },
    "momentum": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.9,
      "description": "Weights: SGD momentum."
    },
    "weightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.0003,
      "description": "Weights: L2 penalty."
    },
    "gradClip": {
      "type": "number",
      "minimum": 0,
      "default": 5,
      "description": "Weights: gradient clipped to this global norm (0: no clipping)."
    },
    "archLearningRate": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.003,
      "description": "α and β: Adam learning rate (the paper: 0.003)."
    },
    "archWeightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.001,
      "description": "α and β: L2 penalty added to their gradient (the paper: 0.001)."
    },
    "order": {
      "enum": [
        "first",
        "second"
      ],
      "default": "first",
      "description": "Architecture gradient: first order, as the paper searches, or second order through one plain virtual weight step (DARTS eq. 6)."
    },
    "macro": {
      "type": "object",
      "additionalProperties": false,
      "description": "Supernet skeleton: filterMultiplier F (channels per block at rate 4; the paper searches with 8), stemChannels, asppChannels, asppRate (the ASPP branch's atrous rate is asppRate / rate, at least 1).",
      "properties": {
        "filterMultiplier": {
          "type": "integer",
          "minimum": 1,
          "maximum": 256,
          "description": "F: channels per block at rate 4 (F·2^level at deeper levels)."
        },
        "stemChannels": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1024,
          "description": "Channels of the stem's convolutions."
        },
        "asppChannels": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1024,
          "description": "Channels of the ASPP head's branches."
        },
        "asppRate": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1024,
          "description": "Atrous rate of the ASPP head's 3x3 branch at rate 1 (divided by the level's rate)."
        }
      }
    },
    "evaluate": {
      "enum": [
        "epoch",
        "end"
      ],
      "default": "end",
      "description": "When the decoded architecture goes to the run's estimator: once at the end (with the train estimator: the retraining of the found network) or after every epoch."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type AutodeeplabOptions = OptionsFromSchema<typeof autodeeplabSchema>;
