// Generated from nb201.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `nb201.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const nb201Schema = {
  "title": "NAS-Bench-201 search space options",
  "description": "Options of the nb201 search space (NAS-Bench-201 cell: 6 edges, each one of 5 ops).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "ops": {
      "description": "Ops an edge may take; a subset restricts the space (e.g. without \"none\": 4^6 = 4,096 cells). Sampling, mutation, neighbours, enumeration and decisions stay inside the subset, and parse/validate reject cells outside it. At least 2 ops, so that mutation can change an edge. Encodings, graphs and keys stay those of the full space.",
      "type": "array",
      "items": {
        "enum": [
          "none",
          "skip_connect",
          "nor_conv_1x1",
          "nor_conv_3x3",
          "avg_pool_3x3"
        ],
        "description": "One NAS-Bench-201 op."
      },
      "uniqueItems": true,
      "minItems": 2,
      "maxItems": 5,
      "default": [
        "none",
        "skip_connect",
        "nor_conv_1x1",
        "nor_conv_3x3",
        "avg_pool_3x3"
      ]
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Nb201Options = OptionsFromSchema<typeof nb201Schema>;
