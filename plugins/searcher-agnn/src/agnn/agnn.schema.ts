// Generated from agnn.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `agnn.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const agnnSchema = {
  "title": "AGNN searcher options",
  "description": "Options of the agnn searcher: AGNN's reinforced conservative controller (Zhou et al., Auto-GNN, 2019). The controllers follow GraphNAS's (100 hidden units, Adam 3.5e-4, entropy weight 1e-4, baseline decay 0.95).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "hidden": {
      "description": "Hidden units of each class's LSTM controller (also the size of its choice embeddings).",
      "type": "integer",
      "minimum": 1,
      "maximum": 1024,
      "default": 100
    },
    "lr": {
      "description": "Adam learning rate of the controllers.",
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1,
      "default": 0.00035
    },
    "entropyWeight": {
      "description": "Weight of the entropy bonus added to each controller's policy-gradient objective.",
      "type": "number",
      "minimum": 0,
      "default": 0.0001
    },
    "baselineDecay": {
      "description": "Decay of each controller's moving-average reward baseline b (advantage = reward - b; after each update b = decay * b + (1 - decay) * reward).",
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.95
    },
    "initial": {
      "description": "Architectures sampled uniformly at random and evaluated before the explorer starts; the best of them is the first architecture it modifies.",
      "type": "integer",
      "minimum": 1,
      "default": 1
    },
    "classSelection": {
      "description": "How the action guider picks the class to change: entropy, a class drawn in proportion to its controller's decision entropy (normalised by its number of choices), so that undecided controllers are asked more often and converged ones rarely; uniform, a class at random.",
      "enum": [
        "entropy",
        "uniform"
      ],
      "default": "entropy"
    },
    "explore": {
      "description": "Probability of picking the class uniformly at random instead (with classSelection entropy).",
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.1
    },
    "share": {
      "description": "Name the best architecture as each child's parent, so an estimator that shares parameters (train-graph with inherit) starts from its trained weights (AGNN's constrained parameter sharing). false: children are plain proposals.",
      "type": "boolean",
      "default": true
    },
    "redraws": {
      "description": "Times the chosen controller samples again when its values equal the parent's (the child would be the parent itself); after that the child is proposed anyway.",
      "type": "integer",
      "minimum": 0,
      "default": 10
    },
    "failedReward": {
      "description": "Reward of a child whose trial failed (it did not fit in memory, training diverged), given to the controller that proposed it so that it learns to avoid such children: worst, the lowest reward any child has earned so far (a failure before the first success teaches nothing); or a number in the objective's units (GraphNAS scores a child that runs out of GPU memory as accuracy 0).",
      "anyOf": [
        {
          "const": "worst"
        },
        {
          "type": "number"
        }
      ],
      "default": "worst"
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type AgnnOptions = OptionsFromSchema<typeof agnnSchema>;
