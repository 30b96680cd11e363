// Generated from ctnas.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `ctnas.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const ctnasSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "CTNAS controller options",
  "description": "Options of the CTNAS searcher (Chen et al., CVPR 2021): the comparator that rewards the controller, the REINFORCE controller and the curriculum baseline updating.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "comparator": {
      "type": "string",
      "minLength": 1,
      "default": "comparator",
      "description": "Name of a named estimator of the run that implements compare(a, b) = P(a better than b), e.g. `estimators: { comparator: { use: ctnas, options: { labels: { estimator: truth, samples: 200 } } } }`."
    },
    "stepsPerProposal": {
      "type": "integer",
      "minimum": 1,
      "default": 10,
      "description": "Controller updates (each: sample one architecture, reward = comparator P(it beats the baseline), one REINFORCE step) run before each proposal; they cost comparator calls, not evaluations."
    },
    "baselineInterval": {
      "type": "integer",
      "minimum": 1,
      "default": 20,
      "description": "Controller updates between two baseline updates (the reference code's evaluate_controller_freq)."
    },
    "baselineCandidates": {
      "type": "integer",
      "minimum": 2,
      "default": 10,
      "description": "Architectures sampled from the controller at each baseline update; the new baseline is the one of them and the current baseline with the largest summed comparator probability of beating the others (the reference code's n_derive = 10)."
    },
    "lr": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.05,
      "description": "Adam learning rate of the controller's logits."
    },
    "entropyWeight": {
      "type": "number",
      "minimum": 0,
      "default": 0.0005,
      "description": "Weight of the entropy bonus in the policy loss (the reference code's entropy_coeff)."
    },
    "rewardBaselineDecay": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.9,
      "description": "Decay of the moving average of rewards subtracted from each reward (REINFORCE variance reduction); b ← decay·b + (1 − decay)·r after each step, starting at 0; 1 keeps b = 0, which is what the reference code does."
    },
    "exploreEvery": {
      "type": "integer",
      "minimum": 0,
      "default": 0,
      "description": "Data exploration (CTNAS Sec. 3.4): after every this many measured proposals, refit the comparator on its training data plus every measured proposal (the told objective values as labels, so they must be on the labels' scale). 0: off, the comparator stays as fitted in prepare. Needs a comparator that can be refitted (fit, trainingData), e.g. ctnas."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type CtnasOptions = OptionsFromSchema<typeof ctnasSchema>;
