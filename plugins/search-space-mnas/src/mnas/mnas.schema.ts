// Generated from mnas.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `mnas.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const mnasSchema = {
  "title": "MnasNet search space options",
  "description": "Options of the mnas search space (MnasNet's factorised hierarchical space, Tan et al., CVPR 2019). They set the concrete shapes of the network-level graphs (toGraph) and of the operator list (operators) that latency lookup tables are keyed by; networks built for a task use the task's shapes.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "inputShape": {
      "description": "Input image shape, channels first [channels, height, width], of the graphs and operators. Default: ImageNet's 224x224 RGB, as MnasNet's mobile latency targets.",
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1,
        "description": "One dimension."
      },
      "minItems": 3,
      "maxItems": 3,
      "default": [
        3,
        224,
        224
      ]
    },
    "numClasses": {
      "description": "Classes of the classifier (the last dense op of the graphs). Default: ImageNet's 1000.",
      "type": "integer",
      "minimum": 1,
      "default": 1000
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type MnasOptions = OptionsFromSchema<typeof mnasSchema>;
