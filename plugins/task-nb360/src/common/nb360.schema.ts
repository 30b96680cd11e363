// Generated from nb360.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `nb360.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const nb360Schema = {
  "title": "NAS-Bench-360 task options",
  "description": "A NAS-Bench-360 task (Tu et al., NeurIPS 2022 Datasets and Benchmarks) read from a data directory: the task's full release files, or a small real sample where one exists. Synthetic data of the task's exact shapes is available for tests and is labelled synthetic wherever it appears.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "dataDir": {
      "description": "Folder holding the task's files (the NAS-Bench-360 release layout, or the sample files); a relative path resolves against the config file's folder. Default: the run's data directory (--data-dir, config dataDir, or NASX_DATA).",
      "type": "string",
      "minLength": 1
    },
    "source": {
      "description": "Which data to read. auto: the full release files when present, else the real sample where the task has one; full / sample: only that (an error names the missing file); synthetic: generated data with the task's exact shapes and label structure, for tests and demos only (never a result).",
      "enum": [
        "auto",
        "full",
        "sample",
        "synthetic"
      ],
      "default": "auto"
    },
    "limit": {
      "description": "Use at most this many training samples (after windowing or splitting; proteins for PSICOV), a seeded subset, for small and fast runs. Default: all.",
      "type": "integer",
      "minimum": 2
    },
    "validationLimit": {
      "description": "Use at most this many validation samples (records for ECG, proteins for PSICOV). Default: all.",
      "type": "integer",
      "minimum": 1
    },
    "augment": {
      "description": "Augment training batches as NAS-Bench-360 trains the task, where it does (CIFAR-100: random 4-pixel padded crop, horizontal flip and a 16-pixel cutout). Applied only to the train split in shuffled epochs; validation and test are never augmented.",
      "type": "boolean",
      "default": true
    },
    "syntheticSize": {
      "description": "Samples per split of synthetic data (train; validation and test get a quarter each).",
      "type": "integer",
      "minimum": 8,
      "default": 256
    },
    "seed": {
      "description": "Seed of the task's own splits and of synthetic data, to keep them the same whatever the run seed.",
      "type": "integer",
      "minimum": 0,
      "default": 0
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Nb360Options = OptionsFromSchema<typeof nb360Schema>;
