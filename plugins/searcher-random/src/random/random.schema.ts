// Generated from random.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `random.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const randomSchema = {
  "title": "Random search options",
  "description": "Options of the random searcher: uniform samples from the search space (Li & Talwalkar, UAI 2019 baseline).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "unique": {
      "type": "boolean",
      "default": false,
      "description": "Never propose two architectures with the same key (equivalent cells, e.g. isomorphic NAS-Bench-201 cells, count as one); the searcher finishes on its own when every key has been proposed."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type RandomOptions = OptionsFromSchema<typeof randomSchema>;
