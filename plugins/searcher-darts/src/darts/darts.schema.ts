// Generated from darts.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `darts.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const dartsSchema = {
  "title": "DARTS options",
  "description": "Options of the darts searcher (Liu, Simonyan & Yang, ICLR 2019): the supernet's continuous relaxation trained by alternating weight steps (training split, SGD) and architecture steps (validation split, Adam). Defaults are the paper's CIFAR-10 search settings as NAS-Bench-201 ran them (50 epochs, C = 16, N = 5); on a CPU use a smaller skeleton and limits.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "order": {
      "enum": [
        "first",
        "second"
      ],
      "default": "second",
      "description": "Architecture gradient: first order (∇α L_val at the current weights, DARTS-V1) or second order (after one virtual weight step, DARTS-V2; about three times the work per step)."
    },
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10000,
      "default": 50,
      "description": "Search epochs; one pass over the (limited) training split each."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "maximum": 4096,
      "default": 64,
      "description": "Images per weight step and per architecture step."
    },
    "trainLimit": {
      "type": "integer",
      "minimum": 1,
      "description": "Weight steps use at most this many training images per epoch (default: the whole split)."
    },
    "valLimit": {
      "type": "integer",
      "minimum": 1,
      "description": "Architecture steps use at most this many validation images per epoch (default: the whole split)."
    },
    "learningRate": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.025,
      "description": "Weights: SGD learning rate at the start of the cosine schedule (also ξ of the virtual step)."
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
      "default": 0.0003,
      "description": "Architecture parameters α: Adam learning rate."
    },
    "archWeightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.001,
      "description": "Architecture parameters α: L2 penalty added to their gradient."
    },
    "macro": {
      "type": "object",
      "description": "Supernet skeleton (NB201: channels and cellsPerStage; default 16 and 5, as NAS-Bench-201's DARTS run).",
      "additionalProperties": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1024
      }
    },
    "split": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "edge"
      ],
      "description": "Few-shot DARTS (Zhao et al., ICML 2021): one sub-supernet per operation of this edge (pinned there, the other edges relaxed), each searched for all the epochs; the pick is the sub-supernet whose relaxed network validates best. The budget must cover every sub-supernet's evaluations (5 × epochs on NB201 with evaluate: epoch).",
      "properties": {
        "edge": {
          "type": "integer",
          "minimum": 0,
          "description": "The decision (NB201: cell edge 0..5, in the order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2) to split on; the paper splits edge 0."
        }
      }
    },
    "evaluate": {
      "enum": [
        "epoch",
        "end"
      ],
      "default": "epoch",
      "description": "When the decoded architecture goes to the run's estimator: after every epoch (its trajectory, e.g. its NB201 accuracy per epoch) or once at the end."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type DartsOptions = OptionsFromSchema<typeof dartsSchema>;
