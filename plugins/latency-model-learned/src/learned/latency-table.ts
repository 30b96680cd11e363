import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError } from '@nasx/contracts';

/** Package and contribution named in every error of this plugin. */
export const PKG = '@nasx/latency-model-learned';
export const ID = 'learned';

/** Where the training latencies are, relative to the data directory (HELP's layout, see the README). */
export const HELP_NB201_TABLE = 'hw-latency-help/nb201_latency_ms_help.csv.gz';

/** HELP's meta-training devices for NAS-Bench-201 (HayeonLee/HELP, `script/run_meta_training_nasbench201.sh`). */
export const HELP_META_TRAIN_DEVICES: readonly string[] = [
  '1080ti_1',
  '1080ti_32',
  '1080ti_256',
  'silver_4114',
  'silver_4210r',
  'samsung_a50',
  'pixel3',
  'essential_ph_1',
  'samsung_s7',
];
/** HELP's meta-validation devices (not used for training; listed for the benchmark). */
export const HELP_META_VALID_DEVICES: readonly string[] = ['titanx_1', 'titanx_32', 'titanx_256', 'gold_6240'];
/** HELP's meta-test (unseen) devices. */
export const HELP_META_TEST_DEVICES: readonly string[] = ['titan_rtx_256', 'gold_6226', 'fpga', 'pixel2', 'raspi4', 'eyeriss'];

/**
 * A per-architecture latency table in HELP's layout: columns `index`, `arch_str`, then one
 * latency column in milliseconds per device; one row per architecture.
 */
export class LatencyTable {
  private constructor(
    readonly file: string,
    /** The architectures' string forms, by row. */
    readonly archs: readonly string[],
    /** Device names, in column order. */
    readonly devices: readonly string[],
    private readonly columns: ReadonlyMap<string, Float64Array>,
  ) {}

  /** Reads `file` (gzipped or plain CSV); a missing or malformed file is a `data` error naming it. */
  static read(file: string): LatencyTable {
    if (!fs.existsSync(file)) {
      throw new NasxError('data', `latency model "${ID}": the latency table ${file} does not exist`, {
        pkg: PKG,
        contribution: ID,
        file,
        fix: `put HELP's table at ${HELP_NB201_TABLE} in the data directory (--data-dir, dataDir or NASX_DATA)`,
      });
    }
    const raw = fs.readFileSync(file);
    const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8').trimEnd();
    const lines = text.split(/\r?\n/);
    const header = lines[0]!.split(',');
    const archColumn = header.indexOf('arch_str');
    const bad = (line: number, what: string): NasxError =>
      new NasxError('data', `latency model "${ID}": ${file}, line ${line}: ${what}`, {
        pkg: PKG,
        contribution: ID,
        file,
        line,
        fix: 'use the table as published: columns index, arch_str, then one latency in ms per device',
      });
    if (archColumn < 0) throw bad(1, 'no arch_str column');
    const deviceColumns = header.map((name, i) => ({ name, i })).filter((c) => c.name !== 'index' && c.i !== archColumn);
    if (deviceColumns.length === 0) throw bad(1, 'no device column');
    const rows = lines.length - 1;
    const columns = new Map(deviceColumns.map((c) => [c.name, new Float64Array(rows)]));
    const archs: string[] = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const cells = lines[r + 1]!.split(',');
      if (cells.length !== header.length) throw bad(r + 2, `${cells.length} fields, the header has ${header.length}`);
      archs[r] = cells[archColumn]!;
      for (const c of deviceColumns) {
        const ms = Number(cells[c.i]);
        if (!Number.isFinite(ms) || ms < 0) throw bad(r + 2, `"${cells[c.i]}" in column ${c.name} is not a latency in ms`);
        columns.get(c.name)![r] = ms;
      }
    }
    return new LatencyTable(file, archs, [...columns.keys()], columns);
  }

  /** The table in `dataDir`, HELP's NAS-Bench-201 layout. */
  static inDataDir(dataDir: string): LatencyTable {
    return LatencyTable.read(path.join(dataDir, HELP_NB201_TABLE));
  }

  /** Latencies of a device by row; an unknown device is a `config` error listing the known ones. */
  latencies(device: string, where = 'device'): Float64Array {
    const col = this.columns.get(device);
    if (!col) {
      throw new NasxError('config', `latency model "${ID}": unknown device "${device}" (${where}) in ${this.file}`, {
        pkg: PKG,
        contribution: ID,
        fix: `use one of the devices of the table: ${this.devices.join(', ')}`,
      });
    }
    return col;
  }
}
