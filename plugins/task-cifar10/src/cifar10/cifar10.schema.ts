// Generated from cifar10.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `cifar10.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const cifar10Schema = {
  "title": "CIFAR-10 task options",
  "description": "CIFAR-10 read from a data directory (the official binary version or the gzipped sample layout). The training images are split (seeded) into train and validation splits; the test split is the test images.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "dataDir": {
      "description": "Folder holding cifar-10-batches-bin/ or cifar10-sample/ (or their files directly); a relative path resolves against the config file's folder. Default: the run's data directory (--data-dir, config dataDir, or NASX_DATA).",
      "type": "string",
      "minLength": 1
    },
    "validationFraction": {
      "description": "Fraction of the training images used that form the validation split (val_acc is measured on it). The default 0.5 is NAS-Bench-201's cifar10-valid protocol (25,000 / 25,000). Ignored when validationSize is set.",
      "type": "number",
      "exclusiveMinimum": 0,
      "exclusiveMaximum": 1,
      "default": 0.5
    },
    "validationSize": {
      "description": "Number of training images in the validation split; overrides validationFraction.",
      "type": "integer",
      "minimum": 1
    },
    "stratify": {
      "description": "Split class by class, so that train and validation have the class proportions of the training images used (within 2 images per class). false: one uniformly random split.",
      "type": "boolean",
      "default": true
    },
    "limit": {
      "description": "Use only the first this-many training images (file order), for small and fast runs; only the files needed are read. Default: all.",
      "type": "integer",
      "minimum": 2
    },
    "testLimit": {
      "description": "Use only the first this-many test images (file order). Default: all.",
      "type": "integer",
      "minimum": 1
    },
    "normalize": {
      "description": "Per-channel normalisation (x - mean) / std of values in [0, 1]. cifar10: the standard CIFAR-10 values of the NAS-Bench-201 code, mean (125.3, 123.0, 113.9)/255, std (63.0, 62.1, 66.7)/255; train-split: mean and std of the training split (computed at load); none: values stay in [0, 1].",
      "enum": [
        "cifar10",
        "train-split",
        "none"
      ],
      "default": "cifar10"
    },
    "augment": {
      "description": "Augment training batches as NAS-Bench-201 does: random horizontal flip and a random 32x32 crop of the image zero-padded by 4 pixels. Applied only to the train split, and only in shuffled epochs (batches called with an rng); validation and test are never augmented.",
      "type": "boolean",
      "default": false
    },
    "seed": {
      "description": "Seed of the train/validation split, to keep the same split whatever the run seed. Default: a stream forked from the run seed.",
      "type": "integer",
      "minimum": 0
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type Cifar10Options = OptionsFromSchema<typeof cifar10Schema>;
