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
    },
    "surrogate": {
      "type": "string",
      "enum": [
        "auto",
        "quadratic",
        "linear",
        "none"
      ],
      "default": "auto",
      "description": "Surrogate-assisted offspring selection (MSuNAS, Lu et al., ECCV 2020): each proposal breeds surrogateCandidates new offspring the usual way, predicts each objective for them with a ridge regression per objective fitted only on this run's evaluated results (features: the space's encode() vector, \"quadratic\" adding every pairwise product of its entries, \"linear\" not), and proposes the one with the largest predicted hypervolume improvement over the evaluated non-dominated set. \"auto\" is \"quadratic\" for encodings of at most 64 entries (NAS-Bench-201: 30), else \"linear\"; \"none\" breeds one child per proposal as Deb et al. do (the searcher's behaviour before this option)."
    },
    "surrogateCandidates": {
      "type": "integer",
      "minimum": 2,
      "default": 20,
      "description": "How many distinct new offspring are bred per proposal for the surrogate to choose from (ignored with surrogate \"none\")."
    },
    "surrogateCandidatesFrom": {
      "type": "string",
      "enum": [
        "same-parents",
        "population"
      ],
      "default": "same-parents",
      "description": "Where the surrogate's candidates come from: \"same-parents\" picks the parents (or the archive member whose neighbours local search tries) once, as NSGA-II would, and breeds all candidates from them, so the surrogate chooses the child but not the region (pre-selection); \"population\" breeds each candidate from its own parents, so the surrogate also chooses where on the front to search."
    },
    "surrogateExploration": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.1,
      "description": "Probability that a proposal is a bred child evaluated without the surrogate's choice (pure exploration, so that regions the surrogate underrates keep being sampled; ignored with surrogate \"none\")."
    },
    "surrogateTargets": {
      "type": "string",
      "enum": [
        "quantile-normal",
        "raw"
      ],
      "default": "quantile-normal",
      "description": "What each objective's model regresses on: \"quantile-normal\" replaces the results by the normal quantiles of their ranks (rank-Gauss, so a long tail of failed cells, NAS-Bench-201's 10 % accuracies, does not dominate the squared error) and maps predictions back through the told results (linearly beyond the best and worst); \"raw\" fits the objective values themselves."
    },
    "surrogateImprovement": {
      "type": "string",
      "enum": [
        "objectives",
        "scores"
      ],
      "default": "objectives",
      "description": "Where the predicted hypervolume improvement is measured: \"scores\" on the models' scale (with quantile-normal targets, each objective replaced by the rank-Gauss score of its value among the results told so far, so the measure is free of units and a long tail of bad results, NAS-Bench-201's 10 % accuracies, does not outweigh the region where the good results are), \"objectives\" in the objectives' own units (on NAS-Bench-201, tools/bench/pareto, seeds 1000–1019, the two were within noise of each other, objectives slightly ahead). The reference point is the worst told value of each objective, on the same scale."
    },
    "surrogateOptimism": {
      "type": "number",
      "minimum": 0,
      "default": 0.5,
      "description": "How many residual standard deviations (each objective model's root-mean-square error on the results it was fitted on) are added to every predicted objective before the hypervolume improvement is computed: an optimistic bound (Emmerich et al., IEEE TEC 2006), so candidates predicted just behind the front are still evaluated. 0 ranks by the predictions themselves; on NAS-Bench-201 (tools/bench/pareto, seeds 1000+) 0.5 did better than 0, 1 and 2."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Nsga2Options = OptionsFromSchema<typeof nsga2Schema>;
