// Generated from score-table.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `score-table.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const scoreTableSchema = {
  "title": "score-table estimator options",
  "description": "Serves the scores of a file as an estimator, so a proxy computed once is never paid for again: any `nasx score` output (CSV or JSON lines, optionally gzipped), or NASLib's NAS-Bench-201 zero-cost table (nas-bench-suite-zero/zc_nasbench201.csv.gz). A cell the file lacks is an error naming the cell and the file; a file scored in another search space is refused when the run starts.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "file"
  ],
  "properties": {
    "file": {
      "type": "string",
      "minLength": 1,
      "description": "The score file: an absolute path, or a path relative to the config file's folder, else to the data directory (e.g. \"nas-bench-suite-zero/zc_nasbench201.csv.gz\")."
    },
    "metric": {
      "type": "string",
      "minLength": 1,
      "default": "score",
      "description": "Column served as the estimator's metric: \"score\" (a nasx score file's objective) or any metric column of the file (e.g. \"naswot\"); for NASLib's table one of its proxy columns (e.g. \"nwot\", \"synflow\")."
    },
    "dataset": {
      "type": "string",
      "enum": [
        "cifar10",
        "cifar100",
        "imagenet16-120"
      ],
      "description": "For NASLib's table only, which has one block of rows per dataset: the dataset whose scores are served. A nasx score file holds one task's scores and takes no dataset."
    },
    "direction": {
      "type": "string",
      "enum": [
        "maximize",
        "minimize"
      ],
      "description": "Whether a larger value is better. Default: the metric's known direction, else maximize (NASWOT, SynFlow and the other zero-cost proxies rank larger first)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type ScoreTableOptions = OptionsFromSchema<typeof scoreTableSchema>;
