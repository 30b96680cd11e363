// Generated from nsga2.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `nsga2.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const nsga2Schema = {
  "title": "NSGA-II options",
  "description": "Options of NSGA-II (Deb, Pratap, Agarwal & Meyarivan, IEEE TEC 2002) for a multi-objective run (objective type multi).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "population": {
      "type": "integer",
      "minimum": 2,
      "default": 20,
      "description": "Population size N: the first N results (random samples) form the initial population; each later generation is N children, and the best N of parents and children survive."
    },
    "crossover": {
      "type": "string",
      "enum": [
        "auto",
        "space",
        "uniform",
        "none"
      ],
      "default": "auto",
      "description": "How two parents make a child: \"space\" uses the space's crossover, \"uniform\" takes each of the space's decisions() from either parent with probability 1/2, \"none\" copies the first parent (mutation only); \"auto\" is the first of these the space supports."
    },
    "crossoverProbability": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.2,
      "description": "Probability that a child is a crossover of its two parents rather than a copy of the first. Deb et al. used 0.9; on NAS-Bench-201 (tools/bench/pareto) a child mostly made by mutation does better, so the default is 0.2."
    },
    "mutationProbability": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 1,
      "description": "Probability that a child is then mutated once with the space's mutate (for NAS-Bench-201: one edge set to a different op)."
    },
    "eliminateDuplicates": {
      "type": "boolean",
      "default": true,
      "description": "Remake a child (up to 100 tries) whose architecture key was already proposed in this run, as pymoo's eliminate_duplicates does; in a discrete space a repeated child costs a generation slot and adds nothing."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Nsga2Options = OptionsFromSchema<typeof nsga2Schema>;
