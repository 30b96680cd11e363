// Generated from deepnets.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `deepnets.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const deepnetsSchema = {
  "title": "DeepNets search space options",
  "description": "Ranges of the generated DARTS-style networks (DeepNets-1M's axes of diversity: width, depth, cell size, wiring, operations), CPU-sized by default.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "channels": {
      "description": "Widths of the first stage's cells to draw from (doubled by each of the two reduction cells). DeepNets-1M uses 16-64 for CIFAR-10.",
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1024
      },
      "minItems": 1,
      "default": [
        8,
        12,
        16
      ]
    },
    "layers": {
      "description": "Smallest and largest number of cells [min, max]; cells at 1/3 and 2/3 of the depth reduce (from 3 cells on).",
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1,
        "maximum": 40
      },
      "minItems": 2,
      "maxItems": 2,
      "default": [
        3,
        6
      ]
    },
    "nodes": {
      "description": "Smallest and largest number of intermediate nodes per cell [min, max] (DARTS: 4).",
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8
      },
      "minItems": 2,
      "maxItems": 2,
      "default": [
        1,
        4
      ]
    },
    "stem": {
      "description": "Stem widths as multiples of channels to draw from (DARTS: 3).",
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1,
        "maximum": 8
      },
      "minItems": 1,
      "default": [
        1,
        2,
        3
      ]
    },
    "ops": {
      "description": "Cell operations to draw from.",
      "type": "array",
      "items": {
        "type": "string",
        "enum": [
          "skip",
          "max_pool_3x3",
          "avg_pool_3x3",
          "conv_1x1",
          "conv_3x3",
          "conv_5x5",
          "sep_conv_3x3",
          "sep_conv_5x5",
          "se"
        ]
      },
      "minItems": 1,
      "uniqueItems": true,
      "default": [
        "skip",
        "max_pool_3x3",
        "avg_pool_3x3",
        "conv_1x1",
        "conv_3x3",
        "conv_5x5",
        "sep_conv_3x3",
        "sep_conv_5x5",
        "se"
      ]
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type DeepnetsOptions = OptionsFromSchema<typeof deepnetsSchema>;
