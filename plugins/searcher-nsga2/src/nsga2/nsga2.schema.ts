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
      "description": "Probability that the child is then mutated (see mutation)."
    },
    "mutation": {
      "type": "string",
      "enum": [
        "auto",
        "space",
        "per-decision"
      ],
      "default": "space",
      "description": "How a child is mutated: \"space\" makes one random change with the space's mutate (NAS-Bench-201: one edge set to a different op); \"per-decision\" changes each of the space's decisions() with probability 1/n (n decisions), to a uniformly chosen other value, and at least one (pymoo's bit-flip and polynomial mutations use the same 1/n rate); \"auto\" is \"per-decision\" where the space has decisions(), else \"space\"."
    },
    "eliminateDuplicates": {
      "type": "boolean",
      "default": true,
      "description": "Remake a child (up to 100 tries) that was already proposed in this run (by the run's evaluation key: the canonical key, or the exact genotype in runs with latency models), as pymoo's eliminate_duplicates does; in a discrete space a repeated child costs a generation slot and adds nothing."
    },
    "archiveProbability": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0,
      "description": "Probability that a parent is drawn from the elitist archive (every non-dominated result evaluated so far, by a binary tournament on crowding distance within it) instead of by the usual tournament in the population. Archive-based elitism as in SPEA2 and PAES; 0 is Deb et al.'s NSGA-II."
    },
    "localSearchProbability": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.3,
      "description": "Probability that a child is instead a not yet proposed neighbour (one change: the space's neighbours(), else one decision changed, else its mutate) of an archive member picked by a crowding tournament: the Pareto local search of LOMONAS (Phan & Luong, GECCO 2023) inside NSGA-II. Members whose neighbours have all been proposed are skipped; when none is left the child is bred as usual. 0 is Deb et al.'s NSGA-II; on NAS-Bench-201 (tools/bench/pareto) 0.3 gave the best mean and the smallest spread over seeds, hence the default."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Nsga2Options = OptionsFromSchema<typeof nsga2Schema>;
