// Generated from measured.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `measured.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const measuredSchema = {
  "title": "Measured latency options",
  "description": "Options of the measured latency model: each architecture's network is built with @nasx/tensor and its inference timed on the local TensorFlow.js backend.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "backend": {
      "description": "TensorFlow.js backend to time on: auto (the fastest installed: tfjs-node-gpu, tfjs-node, wasm, cpu) or one of them. The device name is local-<backend as TensorFlow.js names it>, e.g. local-wasm.",
      "enum": [
        "auto",
        "tensorflow-gpu",
        "tensorflow",
        "wasm",
        "cpu"
      ],
      "default": "auto"
    },
    "device": {
      "description": "The device to answer for; only local-<backend> exists (e.g. local-wasm). Optional: given, it is checked against the backend in use.",
      "type": "string",
      "minLength": 1
    },
    "warmup": {
      "description": "Untimed forward passes per architecture before timing (kernel set-up, weight packing, caches).",
      "type": "integer",
      "minimum": 0,
      "default": 3
    },
    "repeats": {
      "description": "Timed forward passes per architecture; the median is the latency.",
      "type": "integer",
      "minimum": 1,
      "default": 10
    },
    "statistic": {
      "description": "What the latency is of the timed passes: median, or min (the least disturbed pass; more stable on a busy machine, where passes longer than the scheduler's time slice get preempted).",
      "enum": [
        "median",
        "min"
      ],
      "default": "median"
    },
    "batch": {
      "description": "Batch size of a timed pass (1: the single-image latency MnasNet and the latency tables report).",
      "type": "integer",
      "minimum": 1,
      "default": 1
    },
    "inputShape": {
      "description": "Input shape [channels, height, width] of the timed networks. Default: the shape of the space's network-level graphs (mnas: its inputShape option), else NAS-Bench-201's CIFAR-10 [3, 32, 32] for nb201.",
      "type": "array",
      "items": {
        "type": "integer",
        "minimum": 1,
        "description": "One dimension."
      },
      "minItems": 3,
      "maxItems": 3
    },
    "numClasses": {
      "description": "Classes of the timed networks' classifier. Default: as the space's network-level graphs (mnas: its numClasses option), else 10 for nb201 (CIFAR-10).",
      "type": "integer",
      "minimum": 1
    },
    "seed": {
      "description": "Seed of the networks' weights and of the timed input (latency does not depend on values; fixed for reproducibility).",
      "type": "integer",
      "default": 0
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type MeasuredOptions = OptionsFromSchema<typeof measuredSchema>;
