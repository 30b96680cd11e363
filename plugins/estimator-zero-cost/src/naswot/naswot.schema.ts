// Generated from naswot.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `naswot.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const naswotSchema = {
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "version": {
      "type": "string",
      "enum": [
        "v2",
        "v1"
      ],
      "default": "v2",
      "description": "v2 (ICML 2021): log-determinant of the Hamming kernel of binary ReLU codes. v1 (arXiv 2006.04647v1): the eigenvalue score of the correlation of per-sample input Jacobians (the same as jacob-cov)."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 2,
      "default": 128,
      "description": "Images in the mini-batch (the paper uses 128); drawn uniformly from the task's training split once, the same for every architecture."
    },
    "init": {
      "type": "string",
      "enum": [
        "pytorch",
        "kaiming-normal"
      ],
      "default": "pytorch",
      "description": "Weight initialisation of the scored network."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type NaswotOptions = OptionsFromSchema<typeof naswotSchema>;
