import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Architecture, MetricName } from '@nasx/contracts';
import { NB101_COLUMNS, NB101_FULL_TABLE, NB101_ONLY108_TABLE } from '../upstream/nb101/nb101.release';
import { tabularError, type ColumnSource, type LoadedFile, type TabularAdapter } from './benchmark-table';
import { parseCsv } from '@nasx/data';

/** The 20,001-cell slice read from `<data dir>/nas-bench-101/` when no converted release is there (see the README of this package for columns). */
export const NB101_FILE = 'nb101_first20001_by_hash_nasbenchvis.csv.gz';
/** Tables converted from the official release ({@link convertNb101}), most complete first: the first present is read, before the slice. */
export const NB101_CONVERTED_FILES = [NB101_FULL_TABLE, NB101_ONLY108_TABLE] as const;
/** Cells of NAS-Bench-101 (distinct module hashes; Ying et al., ICML 2019, §2.3). */
export const NB101_CELLS = 423_624;
/** The NB101 training budgets with validation accuracy in the table. */
export const NB101_EPOCHS = [4, 12, 36, 108] as const;
/** NB101 trained on CIFAR-10 only. */
export const NB101_DATASETS = ['cifar10'] as const;

/** A lower-case 32-hex module hash. */
const HASH = /^[0-9a-f]{32}$/;

/**
 * How each read column becomes the reported number: accuracies are fractions in the file and
 * percentages here (like the NB201 tables); parameters are counts in the file and millions here
 * (the `params` convention of `METRICS`); training time stays in seconds.
 */
function columnScale(column: string): number {
  if (column === NB101_COLUMNS.params) return 1e-6;
  return /^(val|test)_acc_/.test(column) ? 100 : 1;
}

const valAcc = (epochs: number): ColumnSource => ({
  file: NB101_FILE,
  column: `val_acc_${epochs}ep`,
  description: `CIFAR-10 validation accuracy after ${epochs} epochs (NAS-Bench-101, one training run per cell)`,
});

/** Which column answers each metric (NB101 has no test accuracy in this table). */
const NB101_SOURCES: { readonly [metric: MetricName]: ColumnSource } = {
  ...Object.fromEntries(NB101_EPOCHS.map((e) => [`val_acc@${e}`, valAcc(e)])),
  'train_time_s@108': {
    file: NB101_FILE,
    column: 'train_time_108ep_s',
    description: "training time of the 108-epoch run on NB101's TPU, seconds",
    unit: 's',
    direction: 'minimize',
  },
  params: { file: NB101_FILE, column: 'trainable_params', description: 'trainable parameters, millions', unit: 'M', direction: 'minimize' },
};

/**
 * Row code of an NB101 architecture: its key is the module hash (the nb101 search space keys
 * architectures by NB101's `hash_spec`), looked up in the file's hash column. A cell outside the
 * table fails that trial with a `NasxError('data')` that says how to restrict the space.
 */
function codeOf(arch: Architecture, file: LoadedFile): number {
  if (arch.space !== 'nb101') {
    throw tabularError(
      'architecture',
      `architecture "${arch.key}" is from search space "${arch.space}", but benchmark "nb101" reads NAS-Bench-101 tables, which only have nb101 cells`,
      {
        fix: 'use the nb101 search space with benchmark "nb101", or an estimator made for that space',
      },
    );
  }
  const code = file.codeOfKey!.get(arch.key);
  if (code !== undefined) return code;
  if (typeof arch.key !== 'string' || !HASH.test(arch.key)) {
    throw tabularError('architecture', `nb101 architecture key ${JSON.stringify(arch.key)} is not a module hash (32 lower-case hex digits)`, {
      fix: "build architectures with the nb101 search space, which keys them by NB101's module hash",
    });
  }
  throw notInTable(arch.key, file);
}

/** Smallest and largest hash of each loaded file (for the "not in the table" message). */
const RANGE = new WeakMap<LoadedFile, { readonly first: string; readonly last: string }>();

function notInTable(key: string, file: LoadedFile): Error {
  const keys = file.keyOfCode!;
  let range = RANGE.get(file);
  if (!range) {
    let first = keys[0]!;
    let last = keys[0]!;
    for (const k of keys) {
      if (k < first) first = k;
      if (k > last) last = k;
    }
    range = { first, last };
    RANGE.set(file, range);
  }
  const { first, last } = range;
  const rows = keys.length;
  const partial = rows < NB101_CELLS;
  const slice = path.basename(file.path) === NB101_FILE;
  const name = path.basename(file.path);
  return tabularError(
    'data',
    `NB101 cell ${key} is not in the table ${file.path}: it holds ${rows.toLocaleString('en-US')} of NAS-Bench-101's ${NB101_CELLS.toLocaleString('en-US')} cells` +
      (partial
        ? ` (module hashes ${first} to ${last}${slice ? `; the shared ${NB101_FILE} holds only the 20,001 smallest hashes, so most random cells are not in it` : ''})`
        : ''),
    {
      file: file.path,
      fix:
        "restrict the search space to the table's cells: space: { use: nb101, options: { keysFrom: { file: nas-bench-101/" +
        `${name}, column: module_hash } } } (relative to the data directory; or give the table's absolute path), or ` +
        (slice
          ? `convert the official release into ${NB101_FULL_TABLE} (see NB101_RELEASE), which has every cell`
          : 'convert the official release again (this table is incomplete)'),
    },
  );
}

/**
 * Parses the NB101 table: `module_hash` and the requested value columns, scaled as in
 * {@link columnScale}. Codes are file rows; every hash must be 32 lower-case hex digits and
 * occur once.
 */
function parseNb101File(text: string, file: string, columns: readonly string[]): Omit<LoadedFile, 'path' | 'loadMs'> {
  const spec: { [name: string]: 'number' | 'string' } = { module_hash: 'string' };
  for (const c of columns) spec[c] = 'number';
  const csv = parseCsv(text, file, spec);
  if (csv.rows === 0) throw tabularError('data', `${file} has no rows`, { file, fix: 'replace it with an intact copy' });
  const hashes = csv.strings.get('module_hash')!;
  const codeOfKey = new Map<string, number>();
  const n = csv.rows;
  const indexOfCode = new Int32Array(n);
  const lineOfCode = new Int32Array(n);
  const keyOfCode = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    // A copy, not a slice of the file's text: slices would keep the whole decompressed text
    // (about 100-180 MB for a converted release table) alive for as long as the keys live.
    const h = flatCopy(hashes[r]!);
    if (!HASH.test(h))
      throw tabularError('data', `${file}:${r + 2}: module_hash "${h}" is not 32 lower-case hex digits`, {
        file,
        line: r + 2,
        fix: 'replace it with an intact copy',
      });
    const seen = codeOfKey.get(h);
    if (seen !== undefined)
      throw tabularError('data', `${file}:${r + 2}: module hash ${h} appears twice (also line ${seen + 2})`, {
        file,
        line: r + 2,
        fix: 'replace it with an intact copy',
      });
    codeOfKey.set(h, r);
    keyOfCode[r] = h;
    indexOfCode[r] = r;
    lineOfCode[r] = r + 2;
  }
  const out = new Map<string, Float64Array>();
  for (const c of columns) {
    const col = csv.numbers.get(c)!;
    const scale = columnScale(c);
    const scaled = new Float64Array(n);
    for (let r = 0; r < n; r++) scaled[r] = col[r]! * scale;
    out.set(c, scaled);
  }
  return { columns: out, indexOfCode, lineOfCode, codeOfKey, keyOfCode };
}

/** `s` as a string of its own (V8 flattens the concatenation, and the slice then refers to that copy only). */
function flatCopy(s: string): string {
  return ` ${s}`.slice(1);
}

/**
 * The NAS-Bench-101 adapter (Ying et al., ICML 2019), keyed by module hash; `info.index` is the
 * row in the table (NB101 has no official index). As exported it reads the 20,001-cell slice
 * (CIFAR-10 validation accuracy at 4, 12, 36 and 108 epochs, 108-epoch training time, parameters);
 * {@link TabularAdapter.select} switches to a table converted from the official release when the
 * data directory has one ({@link NB101_CONVERTED_FILES}), which adds test accuracy and the
 * training time of every budget, for all 423,624 cells.
 */
export const nb101Adapter: TabularAdapter = {
  benchmark: 'nb101',
  space: 'nb101',
  title: 'NAS-Bench-101',
  subdir: 'nas-bench-101',
  fetchId: 'nb101',
  size: 20_001,
  datasets: NB101_DATASETS,
  sources: (dataset) => (dataset === 'cifar10' ? NB101_SOURCES : undefined),
  code: codeOf,
  describe: (code, file) => `cell ${file.keyOfCode?.[code] ?? `row ${code}`}`,
  defaultReport: () => ['val_acc@108'],
  trainSeconds: { metric: 'train_time_s@108', epochs: 108 },
  parseFile: parseNb101File,
  select: selectNb101Table,
  moreMetrics: `test accuracy and the training time of each budget need the official release converted into ${NB101_FULL_TABLE} (see NB101_RELEASE and convertNb101 of this package)`,
};

/**
 * The table a data directory holds: the first of {@link NB101_CONVERTED_FILES} present in
 * `<dataDir>/nas-bench-101/` (or `<dataDir>`), with the metrics its header has; otherwise the
 * slice adapter itself.
 */
function selectNb101Table(dataDir: string | undefined): TabularAdapter {
  if (dataDir === undefined || dataDir === '') return nb101Adapter;
  // The folder resolveBenchmarkDir will read: the subfolder if it exists, else the root itself.
  const root = path.resolve(dataDir);
  const sub = path.join(root, nb101Adapter.subdir);
  const dir = fs.existsSync(sub) && fs.statSync(sub).isDirectory() ? sub : root;
  for (const file of NB101_CONVERTED_FILES) {
    const full = path.join(dir, file);
    if (fs.existsSync(full)) return convertedAdapter(file, readHeader(full));
  }
  return nb101Adapter;
}

/** The header row of a gzipped CSV, from its first 64 kB. */
function readHeader(file: string): string[] {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(1 << 16);
      head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
    const text = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
    const end = text.indexOf('\n');
    if (end < 0) throw new Error('no complete header row in its first 64 kB');
    return text.slice(0, end).replace(/\r$/, '').split(',');
  } catch (e) {
    throw tabularError('data', `cannot read the header of the NB101 table ${file}: ${(e as Error).message}`, {
      file,
      fix: 'convert the official release again with convertNb101 (the file is damaged)',
      cause: e,
    });
  }
}

/** The adapter of a converted table whose header is `header`: one metric per column present. */
function convertedAdapter(file: string, header: readonly string[]): TabularAdapter {
  const has = new Set(header);
  if (!has.has(NB101_COLUMNS.hash)) {
    throw tabularError('data', `${file} has no "${NB101_COLUMNS.hash}" column (its header: ${header.join(',')})`, {
      file,
      fix: 'convert the official release again with convertNb101',
    });
  }
  const epochs = header
    .map((c) => /^val_acc_(\d+)ep$/.exec(c)?.[1])
    .filter((e): e is string => e !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const sources: { [metric: MetricName]: ColumnSource } = {};
  const runs = 'mean of its NAS-Bench-101 training runs, usually 3';
  for (const e of epochs) {
    sources[`val_acc@${e}`] = { file, column: NB101_COLUMNS.valAcc(e), description: `CIFAR-10 validation accuracy after ${e} epochs (${runs})` };
    if (has.has(NB101_COLUMNS.testAcc(e))) {
      sources[`test_acc@${e}`] = { file, column: NB101_COLUMNS.testAcc(e), description: `CIFAR-10 test accuracy after ${e} epochs (${runs})` };
    }
    if (has.has(NB101_COLUMNS.trainTime(e))) {
      sources[`train_time_s@${e}`] = {
        file,
        column: NB101_COLUMNS.trainTime(e),
        description: `training time of the ${e}-epoch runs on NB101's TPU, seconds (${runs})`,
        unit: 's',
        direction: 'minimize',
      };
    }
  }
  if (has.has(NB101_COLUMNS.params)) {
    sources['params'] = { file, column: NB101_COLUMNS.params, description: 'trainable parameters, millions', unit: 'M', direction: 'minimize' };
  }
  const longest = epochs.at(-1);
  return {
    ...nb101Adapter,
    size: NB101_CELLS,
    sources: (dataset) => (dataset === 'cifar10' ? sources : undefined),
    defaultReport: () => (sources['test_acc@108'] ? ['val_acc@108', 'test_acc@108'] : longest !== undefined ? [`val_acc@${longest}`] : []),
    // Each budget has its own training time; other budgets cost the longest one's pro rata.
    trainSeconds: (e) =>
      sources[`train_time_s@${e}`]
        ? { metric: `train_time_s@${e}`, epochs: e }
        : longest !== undefined && sources[`train_time_s@${longest}`]
          ? { metric: `train_time_s@${longest}`, epochs: longest }
          : undefined,
    select: undefined,
    moreMetrics: undefined,
  };
}
