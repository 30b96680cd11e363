// Generated from tabular.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `tabular.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const tabularSchema = {
  "title": "tabular estimator options",
  "description": "Answers from tabular NAS benchmark ground truth read from a data directory (NAS-Bench-201 or NAS-Bench-101). The primary metric is \"<metric>@<epochs>\"; combinations the tables lack are refused when the run starts, with the list of available ones.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "benchmark": {
      "description": "Which tabular benchmark to read. nb201: NAS-Bench-201 / NATS-Bench topology space (15,625 cells; needs the nb201 search space). nb101: NAS-Bench-101 (cifar10; needs the nb101 search space). It reads nas-bench-101/nb101_full.csv.gz (or nb101_only108.csv.gz), converted from the official release with convertNb101: val_acc, test_acc and train_time_s at 4/12/36/108 epochs (means over repeats) and params for all 423,624 cells. Without one it reads the 20,001-cell slice nb101_first20001_by_hash_nasbenchvis.csv.gz: val_acc at 4/12/36/108 epochs, train_time_s@108 and params for the smallest module hashes only, so restrict the space with its keysFrom option.",
      "enum": [
        "nb201",
        "nb101"
      ],
      "default": "nb201"
    },
    "dataset": {
      "description": "Dataset the benchmark trained on: cifar10, cifar100 or imagenet16-120 (nb101: cifar10 only).",
      "enum": [
        "cifar10",
        "cifar100",
        "imagenet16-120"
      ],
      "default": "cifar10"
    },
    "metric": {
      "description": "Primary metric: validation (val_acc) or test (test_acc) accuracy, in percent. Search on val_acc and report test_acc to avoid selecting on the test set.",
      "enum": [
        "val_acc",
        "test_acc"
      ],
      "default": "val_acc"
    },
    "epochs": {
      "description": "Training budget of the primary metric: nb201 12 (low fidelity) or 200 (full), with val_acc@200 only for cifar10 (the cifar10-valid split); nb101 4, 12, 36 or 108 (full); test_acc needs a converted release table.",
      "enum": [
        4,
        12,
        36,
        108,
        200
      ],
      "default": 12
    },
    "report": {
      "description": "Extra metrics reported beside the primary one, each a metric of the same dataset: \"<val_acc|test_acc>@<epochs>\" (e.g. \"test_acc@200\"), and for nb101 also \"train_time_s@<epochs>\" (seconds; the slice has 108 only) and \"params\" (millions). Default: [\"test_acc@200\"] for nb201; for nb101 [\"val_acc@108\", \"test_acc@108\"] with a converted release table, [\"val_acc@108\"] with the slice.",
      "type": "array",
      "items": {
        "type": "string",
        "pattern": "^((val_acc|test_acc|train_time_s)@[0-9]+|params)$",
        "description": "A metric name such as \"test_acc@200\", \"train_time_s@108\" or \"params\"."
      },
      "uniqueItems": true
    },
    "dataDir": {
      "description": "Data directory holding nas-bench-201/ or nas-bench-101/ (or that folder itself); relative paths resolve against the config file's folder. Default: the run's data directory (--data-dir, config dataDir, or NASX_DATA).",
      "type": "string",
      "minLength": 1
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type TabularOptions = OptionsFromSchema<typeof tabularSchema>;
