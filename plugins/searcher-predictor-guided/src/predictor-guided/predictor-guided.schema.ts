// Generated from predictor-guided.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `predictor-guided.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const predictorGuidedSchema = {
  "type": "object",
  "additionalProperties": false,
  "description": "Options of predictor-guided search (BANANAS without the ensemble: White, Neiswanger & Savani, AAAI 2021, Algorithm 1; NASLib's predictor-guided optimizer). Defaults follow NASLib's BANANAS configuration on NAS-Bench-201 (10 initial, 10 per batch, 100 candidates).",
  "properties": {
    "predictor": {
      "type": "string",
      "default": "predictor",
      "description": "Name of the run's auxiliary estimator that is the predictor (config key estimators.<name>, e.g. \"predictor: { use: gcn }\"). It must be a Predictor (have fit); it is refitted on every evaluated (architecture, objective) pair."
    },
    "initial": {
      "type": "integer",
      "minimum": 1,
      "default": 10,
      "description": "Random architectures (distinct keys) proposed before the first fit. At least the predictor's minTrainingSize."
    },
    "candidates": {
      "type": "integer",
      "minimum": 1,
      "default": 100,
      "description": "Size of the candidate pool the predictor scores at each refit (before removing duplicates and evaluated architectures)."
    },
    "pool": {
      "type": "string",
      "enum": [
        "sample",
        "mutate",
        "both",
        "all"
      ],
      "default": "both",
      "description": "How the candidate pool is made: \"sample\" draws random architectures, \"mutate\" applies one space.mutate to the top evaluated architectures (BANANAS's acquisition optimiser), \"both\" takes half of each, \"all\" scores every unevaluated architecture of the space (spaces that enumerate; the ReNAS protocol: fit once, take the predictor's best of the whole space; candidates is then ignored)."
    },
    "parents": {
      "type": "integer",
      "minimum": 1,
      "default": 5,
      "description": "How many of the best evaluated architectures the mutations start from (round-robin)."
    },
    "batch": {
      "type": "integer",
      "minimum": 1,
      "default": 10,
      "description": "k: the top-k unevaluated candidates by predicted score that are proposed from one pool."
    },
    "refitEvery": {
      "type": "integer",
      "minimum": 1,
      "default": 10,
      "description": "Refit the predictor once this many new results have been told since the last fit (and build a new pool); a pool that runs out earlier is rebuilt with the current model."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type PredictorGuidedOptions = OptionsFromSchema<typeof predictorGuidedSchema>;
