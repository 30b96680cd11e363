// Generated from table.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `table.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const tableSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Latency table options",
  "description": "Options of the table latency model: measured per-architecture latencies of NAS-Bench-201 cells on one device, read from the data directory.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "device": {
      "type": "string",
      "minLength": 1,
      "default": "pixel3",
      "description": "The device to answer for: a column of a table in the data directory, e.g. pixel3, raspi4, gold_6226, 1080ti_1 (HELP) or pi5_litert_cifar100, pixel_litert_cifar100 (HW-NAS-Bench-360). An unknown device is refused with the list of known ones."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type TableOptions = OptionsFromSchema<typeof tableSchema>;
