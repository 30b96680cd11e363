// Generated from lut.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `lut.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const lutSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Operator lookup table options",
  "description": "Options of the lut latency model: the latency of a network is the sum of its operators' latencies in a lookup table (MnasNet, FBNet, ProxylessNAS).",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "table"
  ],
  "properties": {
    "table": {
      "type": "string",
      "minLength": 1,
      "description": "The lookup table: a built-in name (tfnas: TF-NAS's Titan RTX / Xeon table; proxylessnas: ProxylessNAS's Pixel 1 table, both from latency-luts/ in the data directory), or a file — nasx's own layout written by nasx latency profile, or a TF-NAS / ProxylessNAS CSV — given absolute, or relative to the data directory or else to the config file's folder."
    },
    "device": {
      "type": "string",
      "minLength": 1,
      "description": "The device of the table to answer for (tfnas: gpu or cpu; proxylessnas: pixel1; a nasx table: its '# device:' line). May be left out when the table has one device; an unknown device is refused with the list of the table's devices."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type LutOptions = OptionsFromSchema<typeof lutSchema>;
