// Generated from proxy.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `proxy.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const proxySchema = {
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "batchSize": {
      "type": "integer",
      "minimum": 2,
      "default": 64,
      "description": "Images in the one mini-batch the proxy looks at (drawn uniformly from the task's training split once, the same for every architecture). NASLib's default is 64."
    },
    "init": {
      "type": "string",
      "enum": [
        "pytorch",
        "kaiming-normal"
      ],
      "default": "pytorch",
      "description": "Weight initialisation of the scored network (PyTorch's defaults, as NAS-Bench-201 and NASLib)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type ProxyOptions = OptionsFromSchema<typeof proxySchema>;
