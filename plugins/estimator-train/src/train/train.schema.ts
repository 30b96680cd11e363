// Generated from train.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `train.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const trainSchema = {
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "description": "Passes over the (possibly limited) training split. Default 1 when neither epochs nor steps is set; with steps alone, as many epochs as the steps need. A multi-fidelity searcher's requested epochs replace this value."
    },
    "steps": {
      "type": "integer",
      "minimum": 1,
      "description": "Maximum optimiser steps. Alone it is the budget; with epochs (or a requested fidelity) it caps them. The cosine schedule spans exactly the steps run."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "default": 64,
      "description": "Samples per optimiser step (a smaller last batch of an epoch is kept)."
    },
    "microBatch": {
      "type": "integer",
      "minimum": 1,
      "description": "Samples per forward/backward pass; gradients are summed over a batch's micro-batches (batch norm then sees micro-batch statistics). Default: the whole batch, or what fits the backend's memory budget."
    },
    "dataParallel": {
      "type": "integer",
      "minimum": 1,
      "maximum": 64,
      "default": 1,
      "description": "Replica threads training one network together (data parallelism): each step's micro-batches are dealt to them, gradients combined through shared memory, every replica applying the same update; equal to one thread with micro-batches of ceil(batchSize / dataParallel) samples up to float32 round-off. Counts against the cores: workers × dataParallel may not exceed them (workers: auto uses floor(cores / dataParallel) workers). 1: no replicas."
    },
    "lr": {
      "type": "number",
      "minimum": 0,
      "default": 0.1,
      "description": "Initial learning rate of SGD (NB201: 0.1)."
    },
    "minLr": {
      "type": "number",
      "minimum": 0,
      "default": 0,
      "description": "Final learning rate of the cosine schedule."
    },
    "schedule": {
      "type": "string",
      "enum": [
        "cosine",
        "constant"
      ],
      "default": "cosine",
      "description": "Learning-rate schedule over the steps run: cosine annealing per iteration (NB201) or constant."
    },
    "momentum": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.9,
      "description": "SGD momentum (NB201: 0.9)."
    },
    "nesterov": {
      "type": "boolean",
      "default": true,
      "description": "Nesterov momentum (NB201: true)."
    },
    "weightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.0005,
      "description": "Weight decay on every parameter, batch norm and biases included (NB201: 5e-4)."
    },
    "init": {
      "type": "string",
      "enum": [
        "pytorch",
        "kaiming-normal"
      ],
      "default": "pytorch",
      "description": "Weight initialisation of the trained network (pytorch: what NB201 trained with)."
    },
    "trainLimit": {
      "type": "integer",
      "minimum": 1,
      "description": "Train on a fixed subset of this many examples of the training split (drawn uniformly, the same in every run; reshuffled every epoch), for low-fidelity estimates. Default: the whole split."
    },
    "valLimit": {
      "type": "integer",
      "minimum": 1,
      "description": "Evaluate on a fixed subset of this many examples of the validation split (drawn uniformly, the same in every run). Default: the whole split."
    },
    "evalBatchSize": {
      "type": "integer",
      "minimum": 1,
      "default": 256,
      "description": "Samples per batch when evaluating on the validation split (speed only, no effect on the result)."
    },
    "macro": {
      "type": "object",
      "additionalProperties": false,
      "description": "Skeleton overrides passed to the network builder, for cheap proxies-by-training (NB201: channels 16, cellsPerStage 5; Auto-DeepLab: filterMultiplier, stemChannels, asppChannels, asppRate). A builder refuses settings it does not take.",
      "properties": {
        "channels": {
          "type": "integer",
          "minimum": 1,
          "description": "Channels of the first stage (doubled at each of the two reductions); NB201: 16."
        },
        "cellsPerStage": {
          "type": "integer",
          "minimum": 1,
          "description": "Cells per stage (three stages); NB201: 5."
        },
        "filterMultiplier": {
          "type": "integer",
          "minimum": 1,
          "description": "Auto-DeepLab: channels per cell block at rate 4 (F; doubled per level); default 8."
        },
        "stemChannels": {
          "type": "integer",
          "minimum": 1,
          "description": "Auto-DeepLab: channels of the stem's convolutions; default 32."
        },
        "asppChannels": {
          "type": "integer",
          "minimum": 1,
          "description": "Auto-DeepLab: channels of the ASPP head's branches; default 32."
        },
        "asppRate": {
          "type": "integer",
          "minimum": 1,
          "description": "Auto-DeepLab: atrous rate of the ASPP head's 3x3 branch, divided by the level's down-sampling rate (at least 1); default 24."
        }
      }
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type TrainOptions = OptionsFromSchema<typeof trainSchema>;
