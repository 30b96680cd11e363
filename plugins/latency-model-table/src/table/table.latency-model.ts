import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, defineLatencyModel, type ArchGraph, type Architecture, type LatencyModel, type SearchSpace } from '@nasx/contracts';
import { tableSchema, type TableOptions } from './table.schema';

const PKG = '@nasx/latency-model-table';
const ID = 'table';
/** Cells of NAS-Bench-201: every table has one row per cell, in NB201 index order. */
const NB201_CELLS = 15_625;

/** A table layout: where it is in the data directory and how its columns name devices. */
interface Layout {
  readonly file: string;
  readonly title: string;
  /** The device a column holds, or undefined for a column that is not a latency. */
  device(column: string): string | undefined;
}

/** The layouts read (see the README): HELP's 27 device settings, HW-NAS-Bench-360's Pi 5 and Pixel runtimes. */
export const LATENCY_TABLES: readonly Layout[] = [
  {
    file: 'hw-latency-help/nb201_latency_ms_help.csv.gz',
    title: 'HELP (Lee et al., NeurIPS 2021)',
    device: (c) => (c === 'index' || c === 'arch_str' ? undefined : c),
  },
  {
    file: 'hw-nas-bench-360/nb201_pi5_pixel_latency_energy.csv.gz',
    title: 'HW-NAS-Bench-360 (Raspberry Pi 5, Pixel)',
    device: (c) => (c.endsWith('_lat_ms_median') ? c.slice(0, -'_lat_ms_median'.length) : undefined),
  },
];

/** Files with an `arch_str` column in NB201 index order, for tables that have only the index. */
const INDEX_SOURCES = ['hw-latency-help/nb201_latency_ms_help.csv.gz', 'nas-bench-201/nb201_test_acc_200ep_nats.csv.gz'];

/** Parsed tables by file, kept while the file is unchanged (several models of a run read the same one). */
const parsed = new Map<string, { stamp: string; table: { header: string[]; rows: string[][] } }>();

function readRows(file: string): { header: string[]; rows: string[][] } {
  const st = fs.statSync(file);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = parsed.get(file);
  if (hit?.stamp === stamp) return hit.table;
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trimEnd();
  const lines = text.split('\n');
  const table = { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
  // At most two tables (a latency table and the index of cell strings) stay in memory.
  if (parsed.size >= 2) parsed.delete(parsed.keys().next().value!);
  parsed.set(file, { stamp, table });
  return table;
}

/** The header line of a gzipped CSV, inflating only the start of the file. */
function headerOf(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(65_536, fs.fstatSync(fd).size));
    fs.readSync(fd, head, 0, head.length, 0);
    const text = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
    return text.split('\n')[0]!.split(',');
  } finally {
    fs.closeSync(fd);
  }
}

/** Every device the tables in `dataDir` know, with the file and column of each. */
export function knownDevices(dataDir: string): Map<string, { file: string; column: number }> {
  const out = new Map<string, { file: string; column: number }>();
  for (const layout of LATENCY_TABLES) {
    const file = path.join(dataDir, layout.file);
    if (!fs.existsSync(file)) continue;
    const header = headerOf(file);
    header.forEach((c, i) => {
      const device = layout.device(c);
      if (device && !out.has(device)) out.set(device, { file, column: i });
    });
  }
  return out;
}

/**
 * Measured latency of NAS-Bench-201 cells on a device, looked up by the cell's official string:
 * HELP's tables (15 GPU settings, 4 server CPUs, 4 phones, and HW-NAS-Bench's pixel3, raspi4,
 * eyeriss, fpga; CIFAR-10 input) and HW-NAS-Bench-360's Raspberry Pi 5 / Pixel runtimes.
 */
export class TableLatencyModel implements LatencyModel {
  readonly id = ID;
  readonly devices: readonly string[];
  /** Every latency is a row of a measured table (exact Pareto fronts can score the whole space). */
  readonly tabulated = true;
  /**
   * Energy of one inference in mJ, present only when the device's table has an energy column
   * (HW-NAS-Bench-360's `<device>_energy_mj`: the Raspberry Pi 5 runtimes), so the kernel reports
   * `energy_mj` exactly for those devices.
   */
  readonly energy?: (arch: Architecture | ArchGraph, device: string) => number;
  private readonly byArch = new Map<string, number>();
  private readonly energyByArch = new Map<string, number>();
  /**
   * The same latencies (and energies) in arrays indexed by the genotype read as a number, where the
   * genotype is a short vector of small integers (NAS-Bench-201's six edge ops, `{ ops: [...] }`):
   * formatting each cell's string and hashing it held `predict` to ≈ 100,000/s, an array lookup
   * does not. Built from the space's own `parse` of every row, and only kept when that numbering
   * is one-to-one; otherwise the strings serve.
   */
  private dense?: { readonly base: number; readonly length: number; readonly ms: Float64Array; readonly mj?: Float64Array };

  constructor(
    private readonly space: SearchSpace,
    private readonly device: string,
    dataDir: string,
  ) {
    const known = knownDevices(dataDir);
    this.devices = [...known.keys()];
    if (known.size === 0) {
      throw new NasxError('data', `latency model "${ID}": no latency table in ${dataDir}`, {
        pkg: PKG,
        contribution: ID,
        fix: `put one of ${LATENCY_TABLES.map((l) => l.file).join(', ')} in the data directory (--data-dir, dataDir or NASX_DATA)`,
      });
    }
    const source = known.get(device);
    if (!source) {
      throw new NasxError('config', `latency model "${ID}": unknown device "${device}"`, {
        pkg: PKG,
        contribution: ID,
        fix: `set device to one of: ${this.devices.join(', ')}`,
      });
    }
    const { header, rows } = readRows(source.file);
    if (rows.length !== NB201_CELLS) {
      throw new NasxError('data', `latency model "${ID}": ${source.file} has ${rows.length} rows, not one per NAS-Bench-201 cell (${NB201_CELLS})`, {
        pkg: PKG,
        contribution: ID,
        fix: 'use the table as published (one row per cell, in NB201 index order)',
      });
    }
    let archColumn = header.indexOf('arch_str');
    let archRows = rows;
    if (archColumn < 0) {
      const index = INDEX_SOURCES.map((f) => path.join(dataDir, f)).find((f) => fs.existsSync(f));
      if (!index) {
        throw new NasxError(
          'data',
          `latency model "${ID}": ${source.file} identifies cells by NB201 index only, and no table with their strings is in ${dataDir}`,
          {
            pkg: PKG,
            contribution: ID,
            fix: `add ${INDEX_SOURCES.join(' or ')} (nasx data fetch nb201 writes the second)`,
          },
        );
      }
      const read = readRows(index);
      archColumn = read.header.indexOf('arch_str');
      archRows = read.rows;
    }
    const energyColumn = header.indexOf(`${device}_energy_mj`);
    rows.forEach((row, i) => {
      const ms = Number(row[source.column]);
      if (!Number.isFinite(ms) || ms < 0) {
        throw new NasxError('data', `latency model "${ID}": ${source.file}, row ${i + 2}: "${row[source.column]}" is not a latency in ms`, {
          pkg: PKG,
          contribution: ID,
          fix: 'use the table as published',
        });
      }
      const cell = archRows[i]![archColumn]!;
      this.byArch.set(cell, ms);
      if (energyColumn >= 0) {
        const mj = Number(row[energyColumn]);
        if (!Number.isFinite(mj) || mj < 0) {
          throw new NasxError('data', `latency model "${ID}": ${source.file}, row ${i + 2}: "${row[energyColumn]}" is not an energy in mJ`, {
            pkg: PKG,
            contribution: ID,
            fix: 'use the table as published',
          });
        }
        this.energyByArch.set(cell, mj);
      }
    });
    if (energyColumn >= 0) this.energy = (arch, d) => this.fast(arch, d, this.dense?.mj) ?? this.lookup(arch, d, this.energyByArch);
    this.dense = this.denseIndex(energyColumn >= 0);
  }

  private static opsOf(genotype: unknown): unknown[] | undefined {
    const ops = (genotype as { ops?: unknown } | null)?.ops;
    return Array.isArray(ops) ? ops : undefined;
  }

  private denseIndex(withEnergy: boolean): TableLatencyModel['dense'] {
    const cells = [...this.byArch.keys()].map((cell) => ({ cell, ops: TableLatencyModel.opsOf(this.space.parse(cell).genotype) }));
    const length = cells[0]?.ops?.length ?? 0;
    if (length === 0 || cells.some((c) => !c.ops || c.ops.length !== length || c.ops.some((o) => !Number.isInteger(o) || (o as number) < 0))) return undefined;
    const base = Math.max(...cells.flatMap((c) => c.ops as number[])) + 1;
    if (base ** length > 1_000_000) return undefined;
    const ms = new Float64Array(base ** length).fill(NaN);
    const mj = withEnergy ? new Float64Array(base ** length).fill(NaN) : undefined;
    for (const { cell, ops } of cells) {
      let i = 0;
      for (let e = length - 1; e >= 0; e--) i = i * base + (ops![e] as number);
      if (!Number.isNaN(ms[i]!)) return undefined; // two cells, one number: not one-to-one
      ms[i] = this.byArch.get(cell)!;
      if (mj) mj[i] = this.energyByArch.get(cell)!;
    }
    return { base, length, ms, mj };
  }

  /** The value of an architecture from the arrays, or undefined (then the checked string path answers). */
  private fast(target: Architecture | ArchGraph, device: string, values: Float64Array | undefined): number | undefined {
    const d = this.dense;
    if (!d || !values || device !== this.device || (target as Architecture).space !== 'nb201') return undefined;
    const ops = TableLatencyModel.opsOf((target as Architecture).genotype);
    if (!ops || ops.length !== d.length) return undefined;
    let i = 0;
    for (let e = d.length - 1; e >= 0; e--) {
      const o = ops[e];
      if (typeof o !== 'number' || !(o >= 0 && o < d.base) || (o | 0) !== o) return undefined;
      i = i * d.base + o;
    }
    const v = values[i]!;
    return Number.isNaN(v) ? undefined : v;
  }

  predict(target: Architecture | ArchGraph, device: string): number {
    return this.fast(target, device, this.dense?.ms) ?? this.lookup(target, device, this.byArch);
  }

  private lookup(target: Architecture | ArchGraph, device: string, values: ReadonlyMap<string, number>): number {
    if (device !== this.device) {
      throw new NasxError('config', `latency model "${ID}" was created for device "${this.device}", not "${device}"`, {
        pkg: PKG,
        contribution: ID,
        fix: 'add another latency entry with that device',
      });
    }
    if (!('genotype' in target) || target.space !== 'nb201') {
      throw new NasxError('architecture', `latency model "${ID}" has measured latencies of NAS-Bench-201 cells only`, {
        pkg: PKG,
        contribution: ID,
        fix: 'search the nb201 space, or use a latency model that reads the architecture graph',
      });
    }
    const ms = values.get(this.space.format(target));
    if (ms === undefined) {
      throw new NasxError('architecture', `latency model "${ID}": ${this.space.format(target)} is not in the table`, { pkg: PKG, contribution: ID });
    }
    return ms;
  }
}

/** The `table` latency-model contribution. */
export const tableLatencyModel = defineLatencyModel<TableOptions>({
  id: ID,
  title: 'Measured latency table (NAS-Bench-201)',
  description:
    'Measured per-cell latency of NAS-Bench-201 networks on a device, from the HELP tables (GPUs, CPUs, phones, HW-NAS-Bench pixel3/raspi4/eyeriss/fpga) and HW-NAS-Bench-360 (Raspberry Pi 5, Pixel) in the data directory.',
  optionsSchema: tableSchema,
  listDevices: ({ dataDir }) => {
    if (!dataDir) return [];
    return [...knownDevices(dataDir)].map(([device, { file }]) => {
      const layout = LATENCY_TABLES.find((l) => file.endsWith(l.file));
      const energy = headerOf(file).includes(`${device}_energy_mj`);
      return { device, options: { device }, source: `${layout?.title ?? 'table'}: ${path.relative(dataDir, file)}${energy ? ', with energy' : ''}` };
    });
  },
  create: (options, { space, dataDir }) => {
    if (!dataDir) {
      throw new NasxError('data', `latency model "${ID}" reads its tables from the data directory, and none is set`, {
        pkg: PKG,
        contribution: ID,
        fix: 'give --data-dir, set dataDir in the config, or set NASX_DATA',
      });
    }
    return new TableLatencyModel(space, options.device, dataDir);
  },
});
