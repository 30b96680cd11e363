// Generated from assisted-regularized-evolution.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `assisted-regularized-evolution.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const assistedRegularizedEvolutionSchema = {
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "proxy": {
      "type": "string",
      "default": "proxy",
      "description": "Name of the run's auxiliary estimator that ranks the N samples (config key estimators.<name>, e.g. a NASWOT or other zero-cost estimator). Its first metric is the ranking score."
    },
    "samples": {
      "type": "integer",
      "minimum": 1,
      "default": 1000,
      "description": "N: distinct architectures sampled and scored by the proxy; the best P become the initial population. Scoring them does not count against the evaluation budget."
    },
    "population": {
      "type": "integer",
      "minimum": 1,
      "default": 10,
      "description": "Population size P of the evolution (and the number of proxy-ranked seeds)."
    },
    "sampleSize": {
      "type": "integer",
      "minimum": 1,
      "default": 3,
      "description": "Tournament sample size S (at most population)."
    },
    "tournamentReplacement": {
      "type": "boolean",
      "default": true,
      "description": "Draw the S tournament members with replacement (Real et al., Algorithm 1) or without."
    },
    "mutation": {
      "type": "string",
      "enum": [
        "space"
      ],
      "default": "space",
      "description": "How a child is made from its parent: \"space\" uses the search space's mutate."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type AssistedRegularizedEvolutionOptions = OptionsFromSchema<typeof assistedRegularizedEvolutionSchema>;
