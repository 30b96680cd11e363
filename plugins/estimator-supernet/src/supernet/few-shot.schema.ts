// Generated from few-shot.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `few-shot.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const fewShotSchema = {
  "title": "few-shot estimator options",
  "description": "Few-shot NAS (Zhao et al., ICML 2021): trains the one-shot supernet, splits it on the operation of the chosen edges into sub-supernets that start from its weights, trains each on its part of the space, and estimates an architecture with the sub-supernet that contains it.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "macro": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "channels": {
          "type": "integer",
          "minimum": 1,
          "default": 8,
          "description": "Channels of the first stage (NB201: 16)."
        },
        "cellsPerStage": {
          "type": "integer",
          "minimum": 1,
          "default": 1,
          "description": "Cells per stage (NB201: 5)."
        }
      },
      "default": {
        "channels": 8,
        "cellsPerStage": 1
      },
      "description": "Skeleton of the supernet. The default is CPU-sized: 8 channels and 1 cell per stage (NB201's networks and the papers' supernets: 16 and 5), which trains an epoch of 2,000 CIFAR-10 images in seconds."
    },
    "epochs": {
      "type": "integer",
      "minimum": 0,
      "default": 30,
      "description": "Epochs of supernet training over the (possibly limited) training split (SPOS on NB201: 250; few-shot NAS's one-shot supernet: 600). 0 only with init: the given supernet is split as it is."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "default": 64,
      "description": "Samples per step; each step trains one sampled path."
    },
    "lr": {
      "type": "number",
      "minimum": 0,
      "default": 0.025,
      "description": "Initial learning rate (SPOS and few-shot NAS on NB201: 0.025)."
    },
    "minLr": {
      "type": "number",
      "minimum": 0,
      "default": 0.001,
      "description": "Final learning rate of the cosine schedule (0.001)."
    },
    "momentum": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.9,
      "description": "SGD momentum."
    },
    "nesterov": {
      "type": "boolean",
      "default": true,
      "description": "Nesterov momentum."
    },
    "weightDecay": {
      "type": "number",
      "minimum": 0,
      "default": 0.0005,
      "description": "Weight decay (SPOS config: 5e-4; few-shot NAS: 1e-4)."
    },
    "dataParallel": {
      "type": "integer",
      "minimum": 1,
      "maximum": 64,
      "default": 1,
      "description": "Replica threads training the supernet together (the same path on each, gradients combined through shared memory). 1: one thread."
    },
    "trainLimit": {
      "type": "integer",
      "minimum": 1,
      "description": "Train on a fixed subset of this many samples of the training split, drawn uniformly (the same in every run). Default: all."
    },
    "seed": {
      "type": "integer",
      "minimum": 0,
      "description": "Seed of the supernet's initial weights, batch order and sampled paths. Default: drawn from the run's seed."
    },
    "load": {
      "type": "string",
      "minLength": 1,
      "description": "A trained supernet to use instead of training one: the `supernet.json` file of another run's state folder (relative to the config file's folder). It must be of the same space, skeleton, task shape and schedule; otherwise the run stops with an error saying what differs."
    },
    "init": {
      "type": "string",
      "minLength": 1,
      "description": "Start from a trained supernet's weights instead of a random initialisation: the `supernet.json` of another run's state folder (relative to the config file's folder), one-shot or few-shot (its one-shot weights, the parent of its sub-supernets). It must be of the same space, skeleton and task shape; its schedule may differ. This estimator's schedule then runs from those weights with its learning rate restarted: training a supernet on, or, with `epochs: 0`, splitting it directly. The same total epochs from one parent, one-shot with init against few-shot with init, compares the split with training on. Not with load."
    },
    "calibrationBatches": {
      "type": "integer",
      "minimum": 0,
      "default": 2,
      "description": "Training batches (of evalBatchSize) that recalibrate a path's batch-norm statistics before it is evaluated; the same batches for every path. 0: normalise with each evaluation batch's own statistics, as the few-shot NAS authors evaluated (track_running_stats=False)."
    },
    "evalBatchSize": {
      "type": "integer",
      "minimum": 1,
      "default": 250,
      "description": "Samples per evaluation pass."
    },
    "evalSplit": {
      "enum": [
        "validation",
        "test"
      ],
      "default": "validation",
      "description": "The split a path is evaluated on. validation: the task's validation split, held out of the training images, as a search should judge architectures. test: the task's test split, as the few-shot NAS authors evaluated their NAS-Bench-201 supernets (on the 10,000 CIFAR-10 test images), to reproduce their rank correlations; a search that picks by it has used the test data, so report its picks on data it did not see. Not part of the supernet's setup: a supernet trained once can be evaluated on either (load)."
    },
    "valLimit": {
      "type": "integer",
      "minimum": 1,
      "description": "Evaluate paths on a fixed subset of this many samples of the evaluation split (evalSplit), drawn uniformly (the same in every run). Default: all."
    },
    "split": {
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "description": "How the supernet is split.",
      "properties": {
        "edges": {
          "type": "array",
          "items": {
            "type": "integer",
            "minimum": 0
          },
          "minItems": 1,
          "uniqueItems": true,
          "default": [
            0
          ],
          "description": "Decisions (NB201: edges 0..5 in arch-string order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2) whose choice each sub-supernet fixes: [0] gives the paper's 5 sub-supernets, [0, 1] 25."
        },
        "epochs": {
          "type": "integer",
          "minimum": 1,
          "default": 10,
          "description": "Epochs each sub-supernet trains after the split (the one-shot supernet trains `epochs` before it). Total training: epochs + sub-supernets × split.epochs."
        },
        "lr": {
          "type": "number",
          "minimum": 0,
          "description": "Initial learning rate of each sub-supernet's cosine schedule (to minLr, or to it when lower, over split.epochs). Default: lr, the one-shot schedule's (a restart). A lower value fine-tunes the one-shot weights instead."
        }
      }
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type FewShotOptions = OptionsFromSchema<typeof fewShotSchema>;
