// Generated from learned.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `learned.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const learnedSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Learned latency model options",
  "description": "Options of the learned latency model: a predictor over the architecture graph, trained on measured latencies of some devices (tables in the data directory), answering for one target device, either one it was trained on or an unseen one adapted from a few of its measurements.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "device"
  ],
  "properties": {
    "device": {
      "type": "string",
      "minLength": 1,
      "description": "The device to predict for. A device among train.devices is predicted by its own output; any other device needs adapt (a few of its measurements). With adapt.samples it must be a column of the latency table (an unknown one is refused with the list of known ones); with adapt.file it can be any name."
    },
    "train": {
      "type": "object",
      "additionalProperties": false,
      "default": {},
      "description": "What the predictor is trained on: measured latencies of NAS-Bench-201 cells from hw-latency-help/nb201_latency_ms_help.csv.gz in the data directory.",
      "properties": {
        "devices": {
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "minItems": 1,
          "uniqueItems": true,
          "description": "Devices (table columns) whose latencies train the predictor. Default: the target device alone when the table has it and adapt is not given; otherwise HELP's nine meta-training devices (1080ti_1, 1080ti_32, 1080ti_256, silver_4114, silver_4210r, samsung_a50, pixel3, essential_ph_1, samsung_s7)."
        },
        "cells": {
          "type": "integer",
          "minimum": 10,
          "default": 900,
          "description": "How many cells of each training device, a seeded sample of the table's rows (HELP and the acceptance protocol use 900)."
        }
      }
    },
    "adapt": {
      "type": "object",
      "additionalProperties": false,
      "description": "Few-shot adaptation to a device the predictor was not trained on: its latency is fitted as a combination of the training devices' predicted latencies (robust ridge regression in log space) from a few of its measurements. Give samples or file.",
      "properties": {
        "samples": {
          "type": "integer",
          "minimum": 3,
          "description": "Measure this many seeded-random cells of the target device from the latency table (HELP uses 10; the acceptance protocol 20)."
        },
        "file": {
          "type": "string",
          "minLength": 1,
          "description": "A CSV file (relative to the config file) with a header and columns arch (the space's string form of an architecture, e.g. an NB201 cell string) and latency_ms: the target device's measurements. At least 3 rows."
        },
        "lambda": {
          "type": "number",
          "minimum": 0,
          "default": 0.3,
          "description": "Ridge penalty of the adaptation fit on the standardised per-device predictions (0.3: best mean Spearman rho on HELP's meta-validation devices from 10 and 20 measurements)."
        },
        "loss": {
          "type": "string",
          "enum": [
            "huber",
            "l2"
          ],
          "default": "huber",
          "description": "Loss of the adaptation fit: huber (Huber's M-estimator, k = 1.345 robust standard deviations: a slow or coarsely quantised measurement among a handful does not tilt the fit) or l2 (plain ridge regression)."
        }
      }
    },
    "seed": {
      "type": "integer",
      "minimum": 0,
      "default": 0,
      "description": "Seed of the training-cell sample, the adaptation sample, the initial weights and the batch order: equal seeds give equal predictors."
    },
    "hidden": {
      "type": "integer",
      "minimum": 4,
      "maximum": 1024,
      "default": 128,
      "description": "Width of the two hidden layers of the predictor network."
    },
    "epochs": {
      "type": "integer",
      "minimum": 1,
      "maximum": 5000,
      "default": 30,
      "description": "Training epochs (passes over the training cells of every device)."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "default": 64,
      "description": "Mini-batch size of the training."
    },
    "learningRate": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 0.003,
      "description": "Adam learning rate, annealed to 0 by a cosine schedule."
    },
    "loss": {
      "type": "string",
      "enum": [
        "l1",
        "mse"
      ],
      "default": "l1",
      "description": "Training loss on standardised log-latency: l1 (regression to the median, robust to measurement drift and outliers) or mse."
    },
    "ensemble": {
      "type": "integer",
      "minimum": 1,
      "maximum": 16,
      "default": 1,
      "description": "Networks trained independently (different initial weights and batch order) whose predicted standardised log-latencies are averaged. Averaging steadies the outputs that an adaptation combines (3 networks: mean rho 0.9766 against 0.9760 for one on the meta-validation devices, within the spread of the seeds); training time grows and prediction throughput falls in proportion, so one network is the default."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type LearnedOptions = OptionsFromSchema<typeof learnedSchema>;
