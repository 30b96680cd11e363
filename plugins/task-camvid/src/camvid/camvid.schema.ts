// Generated from camvid.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `camvid.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const camvidSchema = {
  "title": "CamVid options",
  "description": "Options of the camvid task: CamVid road scenes (Brostow et al. 2009) in SegNet's 11 classes plus void, read from the data directory in the camvid-small layout (gzip of uint8 NCHW images and NHW class masks, 90×120). Research-use data: for tests and demos.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "dataDir": {
      "type": "string",
      "minLength": 1,
      "description": "Folder holding camvid_header.json and the camvid_{val,test}_* files (or a camvid-small/ folder with them); relative to the config file. Default: the run's data directory."
    },
    "validationSize": {
      "type": "integer",
      "minimum": 1,
      "default": 50,
      "description": "Images of the SegNet val files that form the validation split (the first ones); the rest of them form the test split. The training split is SegNet's test files (the sample ships no train files)."
    },
    "limit": {
      "type": "integer",
      "minimum": 1,
      "description": "At most this many training images (a seeded subset)."
    },
    "augment": {
      "type": "boolean",
      "default": true,
      "description": "Flip training images (and their masks) left-right at random in shuffled epochs."
    },
    "seed": {
      "type": "integer",
      "minimum": 0,
      "description": "Seed of the training subset (limit). Default: a stream forked from the run seed."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type CamvidOptions = OptionsFromSchema<typeof camvidSchema>;
