// Generated from regularized-evolution.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `regularized-evolution.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const regularizedEvolutionSchema = {
  "title": "Regularized evolution options",
  "description": "Options of aging evolution (Real et al., AAAI 2019, Algorithm 1). Defaults are NAS-Bench-201's REA baseline (Dong & Yang, ICLR 2020): population 10, sample size 3.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "population": {
      "type": "integer",
      "minimum": 1,
      "default": 10,
      "description": "Population size P: the searcher keeps the P most recently told architectures and removes the oldest as each new one arrives. The first P proposals are random samples. NAS-Bench-201's REA used 10; Real et al. used 100 on NASNet-scale runs."
    },
    "sampleSize": {
      "type": "integer",
      "minimum": 1,
      "default": 3,
      "description": "Tournament sample size S (at most population): each new proposal mutates the best of S members drawn from the current population. Larger S is greedier."
    },
    "tournamentReplacement": {
      "type": "boolean",
      "default": true,
      "description": "Draw the S tournament members with replacement (Algorithm 1 of Real et al. and NAS-Bench-201's reference code) or without (NNI 3's RegularizedEvolution)."
    },
    "mutation": {
      "type": "string",
      "enum": [
        "space"
      ],
      "default": "space",
      "description": "How a child is made from its parent: \"space\" uses the search space's mutate (for NAS-Bench-201, one edge set to a different op, as in the paper's NB201 baseline)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type RegularizedEvolutionOptions = OptionsFromSchema<typeof regularizedEvolutionSchema>;
