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
      "description": "M: distinct architectures sampled and scored by the proxy; the best P become the initial population. Default 2 × population, as the paper (Mellor et al. 2021, §4.1: 20 sampled for a population of 10). Scoring them does not count against the evaluation budget."
    },
    "samplesFrom": {
      "type": "string",
      "enum": [
        "space",
        "proxy"
      ],
      "default": "space",
      "description": "Where the M samples are drawn: \"space\" samples the search space; \"proxy\" draws them uniformly, without repeats, from the architectures the proxy can score (a score table of part of the space, e.g. NASLib's 725 NB201 cells)."
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
      "default": false,
      "description": "Draw the S tournament members with replacement, or without (the default: AREA's Algorithm 2 samples the sub-population without replacement, unlike REA's Algorithm 1)."
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
