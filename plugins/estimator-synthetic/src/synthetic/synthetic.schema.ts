// Generated from synthetic.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `synthetic.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const syntheticSchema = {
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "noise": {
      "type": "number",
      "minimum": 0,
      "default": 1,
      "description": "Amplitude of the deterministic pseudo-noise added per architecture (0: a smooth landscape)."
    },
    "seed": {
      "type": "integer",
      "minimum": 0,
      "default": 0,
      "description": "Seed of the pseudo-noise, so different seeds give different (but fixed) landscapes."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type SyntheticOptions = OptionsFromSchema<typeof syntheticSchema>;
