// Generated from train-graph.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `train-graph.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const trainGraphSchema = {
  "title": "Graph training estimator options",
  "description": "Options of the train-graph estimator: full-batch training of a graph neural network on a transductive graph task (Cora, Citeseer, Pubmed), with Adam, an L2 penalty, dropout and GCN's or GAT's early stopping. The defaults are AGNN's and GraphNAS's child training (200 epochs, Adam 0.005, weight decay 5e-4, dropout 0.6).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "epochs": {
      "description": "Training epochs, one full-batch Adam step each (at most, with early stopping).",
      "type": "integer",
      "minimum": 1,
      "default": 200
    },
    "lr": {
      "description": "Adam's learning rate (GAT and AGNN: 0.005; GCN: 0.01).",
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.005
    },
    "weightDecay": {
      "description": "L2 coefficient: the loss gains weightDecay * sum(w^2) / 2 (PyTorch Adam's weight_decay; GCN, GAT: 5e-4).",
      "type": "number",
      "minimum": 0,
      "default": 0.0005
    },
    "weightDecayScope": {
      "description": "Parameters the L2 penalty covers: all of them (GAT), or those of the first layer only (GCN).",
      "enum": [
        "all",
        "first-layer"
      ],
      "default": "all"
    },
    "dropout": {
      "description": "Dropout rate on each layer's input and on the attention coefficients (GCN: 0.5; GAT: 0.6).",
      "type": "number",
      "minimum": 0,
      "maximum": 0.95,
      "default": 0.6
    },
    "earlyStopping": {
      "description": "none: train every epoch and keep the last weights. window (GCN): stop when the validation loss exceeds the mean of the previous patience epochs. patience (GAT): stop after patience epochs without a better validation accuracy or loss, and keep the weights at which both were best.",
      "enum": [
        "none",
        "window",
        "patience"
      ],
      "default": "none"
    },
    "patience": {
      "description": "The window (GCN: 10) or the patience (GAT: 100) of earlyStopping, in epochs.",
      "type": "integer",
      "minimum": 1,
      "default": 100
    },
    "inherit": {
      "description": "Parameter sharing: when the searcher names the architecture a proposal was derived from (AGNN's conservative explorer), start from that architecture's trained weights wherever AGNN's homogeneity holds (same parameter shape, same attention and activation in that layer; skip and combine weights are not shared), and train inheritEpochs instead of epochs. false: every network starts from its initialisation.",
      "type": "boolean",
      "default": true
    },
    "inheritEpochs": {
      "description": "Training epochs of a network that inherited weights (AGNN trains such children for fewer epochs).",
      "type": "integer",
      "minimum": 1,
      "default": 50
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type TrainGraphOptions = OptionsFromSchema<typeof trainGraphSchema>;
