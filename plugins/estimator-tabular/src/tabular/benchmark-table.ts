import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, isNasxError, type Architecture, type Direction, type ErrorLocation, type MetricName } from '@nasx/contracts';

/** Package name, stamped on every error. */
export const PKG = '@nasx/estimator-tabular';
/** Contribution id, stamped on every error. */
export const CONTRIBUTION = 'tabular';

/** A user-facing error located in this package and contribution. */
export function tabularError(kind: NasxError['kind'], message: string, where: ErrorLocation & { fix?: string; cause?: unknown } = {}): NasxError {
  return new NasxError(kind, message, { pkg: PKG, contribution: CONTRIBUTION, ...where });
}

/** Where one metric of one dataset is stored. */
export interface ColumnSource {
  /** File name inside the benchmark folder, e.g. `nb201_test_acc_200ep_nats.csv.gz`. */
  readonly file: string;
  /** Column of that file. */
  readonly column: string;
  /** What the number is, for metric declarations and the README. */
  readonly description: string;
  /** Display unit of the metric (default `%`: accuracies are reported in percent). */
  readonly unit?: string;
  /** Whether larger is better (default `maximize`). */
  readonly direction?: Direction;
}

/** One table file, parsed into columns indexed by the adapter's row code. */
export interface LoadedFile {
  /** Absolute path it was read from. */
  readonly path: string;
  /** Value columns by column name, indexed by code; `NaN` = missing in the file. */
  readonly columns: ReadonlyMap<string, Float64Array>;
  /** The benchmark's own index of each code (NB201: the `index` column). */
  readonly indexOfCode: Int32Array;
  /** 1-based line of each code's row in the decompressed file (for error messages). */
  readonly lineOfCode: Int32Array;
  /** Milliseconds spent reading, decompressing and parsing it. */
  readonly loadMs: number;
  /**
   * For tables keyed by a string (NB101: the module hash, i.e. `Architecture.key`): the code of
   * each key, and the key of each code. Absent when codes follow from the genotype (NB201).
   */
  readonly codeOfKey?: ReadonlyMap<string, number>;
  readonly keyOfCode?: readonly string[];
}

/**
 * One tabular benchmark (NB201, NB101): which files hold which (dataset, metric), and how an
 * architecture of its space maps to a dense row code. The generic {@link BenchmarkTable} does the
 * caching, the lookups and the errors.
 */
export interface TabularAdapter {
  /** Option value, e.g. `nb201`. */
  readonly benchmark: string;
  /** `Architecture.space` it answers for. */
  readonly space: string;
  /** Human name, e.g. `NAS-Bench-201`. */
  readonly title: string;
  /** Conventional folder under the data root, e.g. `nas-bench-201`. */
  readonly subdir: string;
  /** The dataset contribution whose `nasx data fetch <id>` writes the files, if there is one. */
  readonly fetchId?: string;
  /** Number of row codes (NB201: 5^6 = 15,625); columns have this length. NB101: rows of the file as shipped. */
  readonly size: number;
  /** Datasets with at least one metric. */
  readonly datasets: readonly string[];
  /** The metrics a dataset has (`val_acc@12`, `test_acc@200`, …) and where each lives. */
  sources(dataset: string): { readonly [metric: MetricName]: ColumnSource } | undefined;
  /**
   * Dense row code of an architecture in `file` (a loaded file of this adapter); a
   * `NasxError('architecture')` if it is not of this space. NB201 ignores `file` (codes follow
   * from the genotype); NB101 looks the module hash up in `file.codeOfKey` and throws
   * `NasxError('data')` when the table lacks it.
   */
  code(arch: Architecture, file: LoadedFile): number;
  /** Text form of a code for messages (NB201: the arch string; NB101: the module hash). */
  describe(code: number, file: LoadedFile): string;
  /** Metrics reported beside the primary one when the `report` option is not given (NB201: `test_acc@200`). */
  defaultReport?(dataset: string): readonly MetricName[];
  /**
   * The metric that holds the training time (seconds) of `epochs` epochs, when the table has
   * one (NB101 slice: `train_time_s@108`); estimates then cost that time, pro rata for other
   * epochs. A function picks it for the primary metric's epochs (a converted NB101 release
   * times every budget).
   */
  readonly trainSeconds?:
    { readonly metric: MetricName; readonly epochs: number } | ((epochs: number) => { readonly metric: MetricName; readonly epochs: number } | undefined);
  /**
   * For benchmarks with several table editions: the adapter for what `dataDir` (the data root,
   * as given to the estimator) holds, e.g. NB101's converted full release instead of its slice.
   * Called before anything else; returns this adapter when nothing better is there.
   */
  select?(dataDir: string | undefined): TabularAdapter;
  /** Appended to the fix when a metric is refused: where the metrics this edition lacks can be had. */
  readonly moreMetrics?: string;
  /** Parses one decompressed file, reading the given value columns, into code order. */
  parseFile(text: string, file: string, columns: readonly string[]): Omit<LoadedFile, 'path' | 'loadMs'>;
}

/** Loaded files by absolute path: shared by every estimator and run of the process. */
const FILE_CACHE = new Map<string, LoadedFile>();

/** Forget every loaded table (tests, long-lived processes whose data changed). */
export function clearTableCache(): void {
  FILE_CACHE.clear();
}

/** Every value column of `file` that some dataset of the adapter reads. */
function columnsOf(adapter: TabularAdapter, file: string): string[] {
  const out = new Set<string>();
  for (const d of adapter.datasets) {
    for (const s of Object.values(adapter.sources(d) ?? {})) if (s.file === file) out.add(s.column);
  }
  return [...out];
}

/** Reads, gunzips (when the name ends in `.gz`) and parses one file, once per process. */
export function loadFile(adapter: TabularAdapter, dir: string, file: string): LoadedFile {
  const full = path.resolve(dir, file);
  const cached = FILE_CACHE.get(full);
  if (cached) return cached;
  const t0 = performance.now();
  let raw: Buffer;
  try {
    raw = fs.readFileSync(full);
  } catch (e) {
    throw tabularError('data', `cannot read ${full}: ${(e as Error).message}`, { file: full, fix: missingFix(adapter), cause: e });
  }
  let text: string;
  try {
    text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  } catch (e) {
    throw tabularError('data', `${full} is not a readable gzip file (${(e as Error).message})`, { file: full, fix: 'replace it with an intact copy' });
  }
  let parsed: Omit<LoadedFile, 'path' | 'loadMs'>;
  try {
    parsed = adapter.parseFile(text, full, columnsOf(adapter, file));
  } catch (e) {
    if (isNasxError(e)) throw e.at({ pkg: PKG, contribution: CONTRIBUTION });
    throw e;
  }
  const loaded: LoadedFile = { ...parsed, path: full, loadMs: performance.now() - t0 };
  FILE_CACHE.set(full, loaded);
  return loaded;
}

function missingFix(adapter: TabularAdapter): string {
  const fetch = adapter.fetchId ? `get the tables with "nasx data fetch ${adapter.fetchId} --data-dir <dir>", then ` : '';
  return `${fetch}set NASX_DATA (or --data-dir, or the config's dataDir) to the folder that holds ${adapter.subdir}/, or set this estimator's "dataDir" option to it`;
}

/** All files an adapter can read, in a stable order. */
export function adapterFiles(adapter: TabularAdapter): string[] {
  const out = new Set<string>();
  for (const d of adapter.datasets) for (const s of Object.values(adapter.sources(d) ?? {})) out.add(s.file);
  return [...out];
}

/**
 * The folder that holds an adapter's files: `<dataDir>/<subdir>` (e.g. `data/nas-bench-201`), or
 * `dataDir` itself when the user pointed straight at that folder. Throws `NasxError('data')`
 * naming the directory, the expected file names and the fix when it or one of `files` is missing.
 */
export function resolveBenchmarkDir(adapter: TabularAdapter, dataDir: string | undefined, files: readonly string[]): string {
  const expected = files.join(', ');
  if (dataDir === undefined || dataDir === '') {
    throw tabularError('data', `no data directory is configured; the ${adapter.title} tables (${expected}) are read from <data dir>/${adapter.subdir}/`, {
      fix: missingFix(adapter),
    });
  }
  const root = path.resolve(dataDir);
  if (!isDir(root)) {
    throw tabularError('data', `the data directory ${root} does not exist; expected ${path.join(root, adapter.subdir)}/ with ${expected}`, {
      file: root,
      fix: missingFix(adapter),
    });
  }
  const sub = path.join(root, adapter.subdir);
  const dir = isDir(sub) ? sub : files.some((f) => fs.existsSync(path.join(root, f))) ? root : sub;
  const absent = files.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (absent.length) {
    throw tabularError('data', `${dir} lacks ${absent.join(', ')} (the ${adapter.title} tables this configuration reads: ${expected})`, {
      file: path.join(dir, absent[0]!),
      fix: `${missingFix(adapter)}; the files are documented in the README of ${PKG}${adapter.moreMetrics ? ` (${adapter.moreMetrics})` : ''}`,
    });
  }
  return dir;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * One dataset of one benchmark in one data directory. Columns load on first use (or
 * {@link BenchmarkTable.load}) and are shared through the process-wide cache.
 *
 * @example
 * const t = openBenchmarkTable({ benchmark: 'nb201', dataset: 'cifar10', dataDir: process.env.NASX_DATA });
 * t.lookup(arch, 'test_acc@200'); // 94.37333333333333 for the best cell
 */
export class BenchmarkTable {
  /** Metrics this dataset has, e.g. `['test_acc@200', 'val_acc@200', 'test_acc@12', 'val_acc@12']`. */
  readonly metrics: readonly MetricName[];
  private readonly sources: { readonly [metric: MetricName]: ColumnSource };
  private readonly columns = new Map<MetricName, Float64Array>();
  private readonly files = new Map<MetricName, LoadedFile>();
  /** Column and file per metric, one map read on the fast path. */
  private readonly entries = new Map<MetricName, { readonly col: Float64Array; readonly file: LoadedFile }>();

  constructor(
    readonly adapter: TabularAdapter,
    readonly dataset: string,
    /** Folder holding the files (already resolved and checked). */
    readonly dir: string,
  ) {
    const sources = adapter.sources(dataset);
    if (!sources) {
      throw tabularError('config', `${adapter.title} has no dataset "${dataset}"`, { fix: `use one of ${adapter.datasets.join(', ')}` });
    }
    this.sources = sources;
    this.metrics = Object.keys(sources);
  }

  /** Benchmark id (`nb201`). */
  get benchmark(): string {
    return this.adapter.benchmark;
  }

  /** Where a metric of this dataset is stored, or `undefined` if the tables lack it. */
  source(metric: MetricName): ColumnSource | undefined {
    return Object.prototype.hasOwnProperty.call(this.sources, metric) ? this.sources[metric] : undefined;
  }

  /** Loads the files of the given metrics (default: all of this dataset's); returns the files. */
  load(metrics: readonly MetricName[] = this.metrics): LoadedFile[] {
    const out = new Set<LoadedFile>();
    for (const m of metrics) {
      this.column(m);
      out.add(this.files.get(m)!);
    }
    return [...out];
  }

  /** A metric's values indexed by row code (loads its file on first use); `NaN` = missing. */
  column(metric: MetricName): Float64Array {
    const got = this.columns.get(metric);
    if (got) return got;
    const src = this.source(metric);
    if (!src) {
      throw tabularError('config', `${this.adapter.title} has no ${metric} for ${this.dataset}`, { fix: `use one of ${this.metrics.join(', ')}` });
    }
    const file = loadFile(this.adapter, this.dir, src.file);
    const col = file.columns.get(src.column)!;
    this.columns.set(metric, col);
    this.files.set(metric, file);
    this.entries.set(metric, { col, file });
    return col;
  }

  /** Any loaded file of this dataset (all list every cell); loads one only if none is loaded yet. */
  private anyFile(): LoadedFile {
    for (const f of this.files.values()) return f;
    this.column(this.metrics[0]!);
    return this.files.get(this.metrics[0]!)!;
  }

  /** Dense row code of an architecture (throws `NasxError('architecture')` for another space). */
  code(arch: Architecture): number {
    return this.adapter.code(arch, this.anyFile());
  }

  /** The benchmark's own index of an architecture (NB201: 0..15624 in the official order; NB101: the table row). */
  index(arch: Architecture): number {
    const file = this.anyFile();
    return file.indexOfCode[this.adapter.code(arch, file)]!;
  }

  /**
   * The fast path: one metric of one architecture, synchronously (no allocation). Throws
   * `NasxError('architecture')` for a foreign architecture and `NasxError('data')` when the
   * table's cell is empty.
   */
  lookup(arch: Architecture, metric: MetricName): number {
    let e = this.entries.get(metric);
    if (e === undefined) {
      this.column(metric);
      e = this.entries.get(metric)!;
    }
    const code = this.adapter.code(arch, e.file);
    const v = e.col[code]!;
    if (v !== v) throw this.missing(code, metric);
    return v;
  }

  /** Like {@link lookup} by row code (for whole-table scans). */
  lookupCode(code: number, metric: MetricName): number {
    let col = this.columns.get(metric);
    if (col === undefined) col = this.column(metric);
    const v = col[code]!;
    if (v !== v) throw this.missing(code, metric);
    return v;
  }

  private missing(code: number, metric: MetricName): NasxError {
    const src = this.sources[metric]!;
    const file = this.files.get(metric)!;
    const others = this.metrics.filter((m) => m !== metric);
    return tabularError(
      'data',
      `${this.adapter.title} has no ${metric} on ${this.dataset} for ${this.adapter.describe(code, file)} (index ${file.indexOfCode[code]}): the "${src.column}" field is empty`,
      {
        file: file.path,
        line: file.lineOfCode[code],
        fix: `this trial cannot be scored from the table; other metrics of this dataset: ${others.join(', ') || 'none'}`,
      },
    );
  }
}
