// Generated from size.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `size.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const sizeSchema = {
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "numClasses": {
      "type": "integer",
      "minimum": 1,
      "description": "Classes of the classifier head when the run has no task (default 10)."
    },
    "inputShape": {
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1
      },
      "minItems": 3,
      "maxItems": 3,
      "description": "Per-sample input shape, channels first, when the run has no task (default [3, 32, 32])."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type SizeOptions = OptionsFromSchema<typeof sizeSchema>;
