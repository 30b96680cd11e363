// Generated from nb101.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `nb101.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const nb101Schema = {
  "title": "NAS-Bench-101 search space options",
  "description": "Options of the nb101 search space (NAS-Bench-101 cell: at most 7 vertices and 9 edges, interior ops conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3; keys are the official module hashes).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "encoding": {
      "description": "What encode() returns. adjacency: the 21 upper-triangle bits of the 7x7 matrix (pruned cells padded, output at index 6) plus a one-hot op per interior vertex, 36 values. path: the path encoding of BANANAS (White et al.), one indicator per input-to-output op sequence, 364 values, isomorphism-invariant.",
      "enum": [
        "adjacency",
        "path"
      ],
      "default": "adjacency"
    },
    "mutationRate": {
      "description": "NB101's mutation_rate (REA example, mutate_spec): each of the 21 edge bits of the 7-vertex matrix flips with probability mutationRate/7 and each of the 5 interior ops changes with probability mutationRate/5, retried until the child is valid and has another hash.",
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 5,
      "default": 1
    },
    "sampling": {
      "description": "How sample() draws in the unrestricted space. random-spec: NB101's random_spec (uniform 0/1 7x7 upper-triangular matrix and uniform ops, redrawn until valid), which favours small cells (about 10% are the input-output cell and 0.3% have 7 vertices, against 85% of the 423,624 cells). uniform: uniform over the 423,624 cells (loads the index). A space restricted by keys or keysFrom always samples uniformly over its cells.",
      "enum": [
        "random-spec",
        "uniform"
      ],
      "default": "random-spec"
    },
    "keys": {
      "description": "Restrict sample, mutate, neighbours and enumerate to these cells, given by their 32-hex module hashes (loads the index). Use either keys or keysFrom, not both.",
      "type": "array",
      "items": {
        "type": "string",
        "pattern": "^[0-9a-fA-F]{32}$",
        "description": "An NB101 module hash (32 hex digits)."
      },
      "minItems": 2,
      "uniqueItems": true
    },
    "keysFrom": {
      "description": "Restrict the space to the cells whose module hashes fill one column of a CSV (or .csv.gz) file, e.g. the NB101 table of a tabular estimator, so that every sampled cell has a row there. Loads the index. Use either keys or keysFrom, not both.",
      "type": "object",
      "additionalProperties": false,
      "required": [
        "file"
      ],
      "properties": {
        "file": {
          "description": "CSV or .csv.gz file with a header row; a relative path is resolved against the run's data directory (NASX_DATA, --data-dir or the config's dataDir), e.g. nas-bench-101/nb101_first20001_by_hash_nasbenchvis.csv.gz.",
          "type": "string",
          "minLength": 1
        },
        "column": {
          "description": "Header name of the column that holds the 32-hex module hashes.",
          "type": "string",
          "minLength": 1,
          "default": "module_hash"
        }
      }
    },
    "loadIndex": {
      "description": "Load the hash index (read from the cache, or built once and cached: about 10-30 s on first use on a machine) when the space is created, so that parse() accepts a bare 32-hex module hash. keys, keysFrom and enumerate() load it anyway.",
      "type": "boolean",
      "default": false
    },
    "cacheDir": {
      "description": "Folder of the index cache file (nb101-index-v1.bin, 8.5 MB); a relative path is resolved against the config file's folder. Default: nasx’s user cache folder (NASX_CACHE_DIR, else the user cache folder + /nasx: ~/.cache/nasx on Linux); NASX_CACHE_DIR=off keeps no cache.",
      "type": "string",
      "minLength": 1
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Nb101Options = OptionsFromSchema<typeof nb101Schema>;
