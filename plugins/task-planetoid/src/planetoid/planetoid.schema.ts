// Generated from planetoid.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `planetoid.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const planetoidSchema = {
  "title": "Planetoid task options",
  "description": "Options of the cora, citeseer and pubmed tasks (Planetoid citation graphs, Yang et al. 2016; the public split of Kipf & Welling 2017).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "dataDir": {
      "description": "Folder holding the graph: Planetoid's ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index} files (as kimiyoung/planetoid and PyTorch Geometric's <Name>/raw/ have them), or nasx's one-file layout <name>.json.gz; also looked for in its planetoid/, <name>/ and <Name>/raw/ folders. A relative path resolves against the config file's folder. Default: the run's data directory (--data-dir, config dataDir, or NASX_DATA).",
      "type": "string",
      "minLength": 1
    },
    "features": {
      "description": "Node features: auto uses the graph's features when its files have them (Pubmed's one-file layout has none: then each node is its own one-hot feature); none always uses the feature-free variant.",
      "enum": [
        "auto",
        "none"
      ],
      "default": "auto"
    },
    "normalizeFeatures": {
      "description": "Row-normalise the node features so that each row sums to 1 (Kipf & Welling's preprocess_features, used by GCN and GAT).",
      "type": "boolean",
      "default": true
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type PlanetoidOptions = OptionsFromSchema<typeof planetoidSchema>;
