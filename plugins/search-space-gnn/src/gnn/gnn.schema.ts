// Generated from gnn.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `gnn.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const gnnSchema = {
  "title": "GNN search space options",
  "description": "Options of the gnn search space (AGNN / GraphNAS's message-passing layers, Zhou et al. 2019, Gao et al. 2019).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "layers": {
      "description": "Message-passing layers per network; the last outputs the task's classes (AGNN and GraphNAS search 2-layer networks on Cora, Citeseer and Pubmed).",
      "type": "integer",
      "minimum": 1,
      "maximum": 6,
      "default": 2
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type GnnOptions = OptionsFromSchema<typeof gnnSchema>;
