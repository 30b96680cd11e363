import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, operatorKey, parseOperatorTable, type NetworkOpAttrs } from '@nasx/contracts';

const PKG = '@nasx/latency-model-lut';
const ID = 'lut';

/** An operator table read from a file: the latency of each operator key, per device. */
export interface LoadedTable {
  /** Layout the file was read as. */
  readonly layout: 'nasx' | 'tfnas' | 'proxylessnas';
  readonly file: string;
  /** Devices of the table, in file order. */
  readonly devices: readonly string[];
  /** Latency in ms of each operator key, per device (with the operator's attributes where the loader built the key). */
  readonly byDevice: ReadonlyMap<string, ReadonlyMap<string, TableEntry>>;
  /** Entries left out on purpose, per device: key → why (shown when an architecture needs one). */
  readonly refused: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** How the numbers were measured, per device. */
  readonly provenance: ReadonlyMap<string, string>;
}

/** One operator of a table: its latency, and the node its key was built from (saves parsing the key again). */
export interface TableEntry {
  readonly ms: number;
  readonly node?: { readonly op: string; readonly attrs: Attrs };
}

/** Built-in tables: files of the data directory with a known layout. */
export const BUILTIN_TABLES: Readonly<Record<string, string>> = {
  tfnas: 'latency-luts/tfnas_mbconv_latency_lut.csv.gz',
  proxylessnas: 'latency-luts/proxylessnas_pixel1_mbconv_lut.csv',
};

const TFNAS_HEADER = 'device,op,input_h,input_w,cin,cout,mid_channels,expansion,kernel,stride,se_channels,activation,latency_ms';
const PROXYLESS_HEADER = 'op,input_h,input_w,cin,output_h,output_w,cout,expansion,kernel,stride,idskip,count,mean_ms,var_ms2,key';
const TFNAS_COLUMNS = TFNAS_HEADER.split(',');
const PROXYLESS_COLUMNS = PROXYLESS_HEADER.split(',');

const TFNAS_PROVENANCE: Record<string, string> = {
  gpu: 'TF-NAS (Hu et al., ECCV 2020) lookup table: NVIDIA Titan RTX, batch 32, PyTorch 1.1 + cuDNN 7.6, mean of forward calls',
  cpu: 'TF-NAS (Hu et al., ECCV 2020) lookup table: Intel Xeon Gold 6130, batch 1, PyTorch 1.1, 1 MKL thread, mean of forward calls',
};
const PROXYLESS_PROVENANCE =
  'ProxylessNAS (Cai et al., ICLR 2019) mobile lookup table: Google Pixel 1, TensorFlow Lite, batch 1, mean of 139–949 runs per operator';

type Attrs = Partial<NetworkOpAttrs> & { input: number[] };
const key = (op: string, attrs: Attrs): string => operatorKey({ op, attrs: attrs as never });
const entry = (op: string, attrs: Attrs, ms: number): [string, TableEntry] => [key(op, attrs), { ms, node: { op, attrs } }];

/** TF-NAS's `base_fixed_layers` row times these five operators together (TF-NAS `latency_pkl/make_lat_lut_example.py`). */
export function tfnasFixedLayers(): [string, Attrs][] {
  return [
    ['conv', { input: [3, 224, 224], cout: 32, kernel: 3, stride: 2, activation: 'relu' }],
    // MBInvertedResBlock(32, mid 32, se 8, 16, k3, s1): no expansion, SE of 8 = 0.25 of its 32 inputs.
    ['mbconv', { input: [32, 112, 112], cout: 16, kernel: 3, stride: 1, expansion: 1, se: 0.25, skip: 'none', activation: 'relu' }],
    ['conv', { input: [320, 7, 7], cout: 1280, kernel: 1, stride: 1, activation: 'swish' }],
    ['global_pool', { input: [1280, 7, 7] }],
    ['dense', { input: [1280], cout: 1000 }],
  ];
}

/** ProxylessNAS's fixed layers: the stem (`Conv`, a 3×3 conv per its `first_conv`), the feature-mix `Conv_1`, and `Logits` (pool + FC). */
export function proxylessFixedLayers(): Record<'conv' | 'conv1' | 'pool' | 'logits', [string, Attrs]> {
  return {
    conv: ['conv', { input: [3, 224, 224], cout: 32, kernel: 3, stride: 2, activation: 'relu6' }],
    conv1: ['conv', { input: [320, 7, 7], cout: 1280, kernel: 1, stride: 1, activation: 'relu6' }],
    pool: ['global_pool', { input: [1280, 7, 7] }],
    logits: ['dense', { input: [1280], cout: 1000 }],
  };
}

function dataError(file: string, line: number, message: string): NasxError {
  return new NasxError('data', `${file}, line ${line}: ${message}`, { file, line, pkg: PKG, contribution: ID, fix: 'use the table as published, unedited' });
}

function readText(file: string): string {
  const bytes = fs.readFileSync(file);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
}

function num(file: string, line: number, column: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n)) throw dataError(file, line, `column ${column} is "${value ?? ''}", not a number`);
  return n;
}

/**
 * TF-NAS: MBInvertedResBlock rows keyed by input size, channels, mid channels, kernel, stride, SE
 * width and activation, mapped to `mbconv` keys with expansion = mid / cin and se = SE width / cin
 * (NetworkOpAttrs: SE ratio of the block's input channels); the block has an identity skip when
 * stride is 1 and cin = cout, as TF-NAS's block does. Negative entries (linear extrapolation at
 * widths below 8, see the README) are refused, not clamped.
 */
function readTfnas(file: string, lines: string[], only: string | undefined): LoadedTable {
  const byDevice = new Map<string, Map<string, TableEntry>>();
  const skipped = new Set<string>();
  const refused = new Map<string, Map<string, string>>();
  const of = <V>(m: Map<string, Map<string, V>>, d: string) => m.get(d) ?? m.set(d, new Map()).get(d)!;
  lines.forEach((l, i) => {
    if (i === 0 || !l.trim()) return;
    const c = l.split(',');
    const line = i + 1;
    const device = c[0]!;
    if (!device) throw dataError(file, line, 'no device');
    if (only !== undefined && device !== only) {
      skipped.add(device);
      return;
    }
    const ms = num(file, line, 'latency_ms', c[12]);
    if (c[1] === 'base_fixed_layers') {
      tfnasFixedLayers().forEach(([op, attrs], j) => of(byDevice, device).set(...entry(op, attrs, j === 0 ? ms : 0)));
      return;
    }
    if (c[1] !== 'MBInvertedResBlock') throw dataError(file, line, `op "${c[1]}" is neither MBInvertedResBlock nor base_fixed_layers`);
    const [h, w, cin, cout, mid] = [2, 3, 4, 5, 6].map((j) => num(file, line, TFNAS_COLUMNS[j]!, c[j]));
    const [kernel, stride, se] = [8, 9, 10].map((j) => num(file, line, TFNAS_COLUMNS[j]!, c[j]));
    const activation = c[11];
    if (activation !== 'relu' && activation !== 'swish') throw dataError(file, line, `activation "${activation}" is neither relu nor swish`);
    const [k, e] = entry(
      'mbconv',
      {
        input: [cin!, h!, w!],
        cout,
        kernel,
        stride,
        expansion: mid! / cin!,
        se: se! / cin!,
        skip: stride === 1 && cin === cout ? 'identity' : 'none',
        activation,
      },
      ms,
    );
    if (ms < 0) {
      of(refused, device).set(k, `TF-NAS's entry is ${ms} ms, negative: a linear extrapolation at ${mid} mid channels, not a measurement`);
      return;
    }
    of(byDevice, device).set(k, e);
  });
  const devices = [...new Set([...byDevice.keys(), ...refused.keys(), ...skipped])];
  return {
    layout: 'tfnas',
    file,
    devices,
    byDevice,
    refused,
    provenance: new Map(devices.map((d) => [d, `${TFNAS_PROVENANCE[d] ?? `TF-NAS lookup table, device ${d}`} (${path.basename(file)})`])),
  };
}

/**
 * ProxylessNAS (mobile_trim.yaml's layout): `expanded_conv` rows map to `mbconv` keys (relu6, no
 * SE, identity skip when idskip is 1); `Conv` is the 3×3 stem, `Conv_1` the 1×1 feature-mix conv,
 * and `Logits` (global pool + FC, timed together) is put on the `dense` key, the pool costing 0.
 */
function readProxyless(file: string, lines: string[]): LoadedTable {
  const table = new Map<string, TableEntry>();
  const fixed = proxylessFixedLayers();
  const put = ([op, attrs]: [string, Attrs], ms: number) => table.set(...entry(op, attrs, ms));
  lines.forEach((l, i) => {
    if (i === 0 || !l.trim()) return;
    const c = l.split(',');
    const line = i + 1;
    const ms = num(file, line, 'mean_ms', c[12]);
    if (ms < 0) throw dataError(file, line, `mean_ms is ${ms}, negative`);
    const op = c[0];
    if (op === 'Conv') put(fixed.conv, ms);
    else if (op === 'Conv_1') put(fixed.conv1, ms);
    else if (op === 'Logits') {
      put(fixed.logits, ms);
      put(fixed.pool, 0);
    } else if (op === 'expanded_conv') {
      const [h, w, cin, , , cout, expansion, kernel, stride, idskip] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((j) => num(file, line, PROXYLESS_COLUMNS[j]!, c[j]));
      put(['mbconv', { input: [cin!, h!, w!], cout, kernel, stride, expansion, se: 0, skip: idskip === 1 ? 'identity' : 'none', activation: 'relu6' }], ms);
    } else throw dataError(file, line, `op "${op}" is none of Conv, Conv_1, Logits, expanded_conv`);
  });
  return {
    layout: 'proxylessnas',
    file,
    devices: ['pixel1'],
    byDevice: new Map([['pixel1', table]]),
    refused: new Map(),
    provenance: new Map([['pixel1', `${PROXYLESS_PROVENANCE} (${path.basename(file)})`]]),
  };
}

function readNasx(file: string, text: string): LoadedTable {
  const { meta, rows } = parseOperatorTable(text, file);
  const table = new Map<string, TableEntry>();
  for (const r of rows) table.set(r.key, { ms: r.ms });
  const device = String(meta.device);
  const extra = Object.entries(meta)
    .filter(([k]) => !['device', 'backend', 'batch'].includes(k))
    .map(([k, v]) => `${k} ${v}`);
  return {
    layout: 'nasx',
    file,
    devices: [device],
    byDevice: new Map([[device, table]]),
    refused: new Map(),
    provenance: new Map([[device, `${meta.backend}, batch ${meta.batch}${extra.length ? `, ${extra.join(', ')}` : ''} (${path.basename(file)})`]]),
  };
}

/**
 * Reads an operator table in any of the three layouts, recognised by its first lines. With `only`,
 * the entries of other devices of a multi-device table are not kept (their names are).
 */
export function readOperatorTable(file: string, only?: string): LoadedTable {
  const text = readText(file);
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  if (first === TFNAS_HEADER) return readTfnas(file, lines, only);
  if (first === PROXYLESS_HEADER) return readProxyless(file, lines);
  if (first.startsWith('#') || first === 'key,latency_ms,samples') return readNasx(file, text);
  throw new NasxError('data', `${file} is not an operator latency table nasx reads (its first line is "${first.slice(0, 80)}")`, {
    file,
    line: 1,
    pkg: PKG,
    contribution: ID,
    fix: 'give a table written by nasx latency profile, or the TF-NAS / ProxylessNAS tables of latency-luts/ (table: tfnas or proxylessnas)',
  });
}

/** Where `table` points: a built-in name in the data directory, an absolute path, or a path relative to the data directory, else to the config's folder. */
export function resolveTable(table: string, dataDir: string | undefined, configDir: string): string {
  const builtin = BUILTIN_TABLES[table];
  const tried: string[] = [];
  if (builtin) {
    if (!dataDir) {
      throw new NasxError('data', `latency model "${ID}": the built-in table "${table}" is ${builtin} in the data directory, and none is set`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/options/table',
        fix: 'give --data-dir, set dataDir in the config, or set NASX_DATA',
      });
    }
    const file = path.join(dataDir, builtin);
    if (fs.existsSync(file)) return file;
    tried.push(file);
  } else if (path.isAbsolute(table)) {
    if (fs.existsSync(table)) return table;
    tried.push(table);
  } else {
    for (const base of [dataDir, configDir]) {
      if (!base) continue;
      const file = path.resolve(base, table);
      if (fs.existsSync(file)) return file;
      tried.push(file);
    }
  }
  throw new NasxError('data', `latency model "${ID}": no operator table "${table}" (looked for ${tried.join(' and ')})`, {
    pkg: PKG,
    contribution: ID,
    pointer: '/options/table',
    fix: `give a built-in table (${Object.keys(BUILTIN_TABLES).join(', ')}, in the data directory) or the path of a table written by nasx latency profile`,
  });
}
