// Generated from autodeeplab.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `autodeeplab.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const autodeeplabSchema = {
  "title": "Auto-DeepLab search space options",
  "description": "Options of the autodeeplab search space (Liu et al., CVPR 2019): how many blocks a cell has and how many cells the network path has. The paper searches B = 5 blocks over L = 12 layers.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "blocks": {
      "description": "Blocks per cell (B). Each block adds two operations on two of the cell's inputs or earlier blocks.",
      "type": "integer",
      "minimum": 1,
      "maximum": 8,
      "default": 5
    },
    "layers": {
      "description": "Cells along the network path (L), each at down-sampling rate 4, 8, 16 or 32.",
      "type": "integer",
      "minimum": 1,
      "maximum": 24,
      "default": 12
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type AutodeeplabOptions = OptionsFromSchema<typeof autodeeplabSchema>;
