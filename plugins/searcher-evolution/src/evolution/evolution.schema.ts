// Generated from evolution.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `evolution.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const evolutionSchema = {
  "title": "SPOS evolutionary search options",
  "description": "Options of the evolutionary search of Single-Path One-Shot NAS (Guo et al., ECCV 2020) as RLNAS (Zhang et al., ICCV 2021) runs it on NAS-Bench-201 under its angle metric; the defaults are that code's (population 100, top-k 30, 50 mutations with per-decision probability 0.1, 50 crossovers, 20 generations).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "populationSize": {
      "type": "integer",
      "minimum": 1,
      "default": 100,
      "description": "Architectures evaluated per generation. The first generation is random; later ones are mutations and crossovers of the top-k, filled up with random architectures."
    },
    "topK": {
      "type": "integer",
      "minimum": 1,
      "default": 30,
      "description": "Parents: the best k architectures of all generations so far (not only the last)."
    },
    "mutations": {
      "type": "integer",
      "minimum": 0,
      "default": 50,
      "description": "Children per generation made by mutation: a top-k parent with each decision redrawn uniformly with probability mutationProbability."
    },
    "mutationProbability": {
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1,
      "default": 0.1,
      "description": "Probability that a mutation redraws each decision."
    },
    "crossovers": {
      "type": "integer",
      "minimum": 0,
      "default": 50,
      "description": "Children per generation made by uniform crossover of two top-k parents (each decision from either)."
    },
    "generations": {
      "type": "integer",
      "minimum": 1,
      "default": 20,
      "description": "Generations; after the last the searcher is done (the run ends even if the evaluation budget is not spent)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type EvolutionOptions = OptionsFromSchema<typeof evolutionSchema>;
