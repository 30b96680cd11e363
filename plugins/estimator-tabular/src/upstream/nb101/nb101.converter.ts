import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { NasxError, isNasxError } from '@nasx/contracts';
import { readTfRecords } from '@nasx/data';
import { PKG } from '../../tabular/benchmark-table';
import { decodeModelMetrics, ProtobufDecodeError } from './model-metrics.decoder';
import { MAX_VERTICES, Nb101Aggregator, OPS, type PackedCell } from './nb101.aggregator';
import { NB101_COLUMNS, NB101_OPS_SEPARATOR } from './nb101.release';

/** Where {@link convertNb101} is. */
export interface Nb101ConvertProgress {
  /** `read`: streaming the TFRecord file; `write`: writing the sorted table. */
  readonly phase: 'read' | 'write';
  /** Input bytes read so far. */
  readonly bytes: number;
  /** Input size when known (a file path, or the `totalBytes` option). */
  readonly totalBytes?: number;
  /** Records read so far. */
  readonly records: number;
  /** Distinct module hashes so far. */
  readonly models: number;
  /** Table rows written (phase `write`). */
  readonly rows: number;
}

/** Options of {@link convertNb101}. */
export interface ConvertNb101Options {
  /** The upstream `.tfrecord`: a file path, or its bytes as an async stream (e.g. a download). */
  readonly source: string | AsyncIterable<Uint8Array>;
  /** Name of a stream source in messages (default: the path, or `NAS-Bench-101 TFRecord stream`). */
  readonly sourceName?: string;
  /** Size of a stream source, for progress (a path is measured). */
  readonly totalBytes?: number;
  /** The gzipped CSV table to write (e.g. `<data dir>/nas-bench-101/nb101_full.csv.gz`). Written to `<output>.partial`, renamed when complete. */
  readonly output: string;
  /** Aborting stops the conversion and removes the partial output. */
  readonly signal?: AbortSignal;
  /** Called about every 65,536 records, at each phase change and at the end. */
  readonly onProgress?: (progress: Nb101ConvertProgress) => void;
}

/** What {@link convertNb101} read and wrote. */
export interface Nb101ConvertResult {
  readonly output: string;
  /** Records read (one training run of one cell at one budget each). */
  readonly records: number;
  /** Distinct module hashes: rows of the table. */
  readonly models: number;
  /** Training budgets found, ascending. */
  readonly epochs: readonly number[];
  /** Fewest and most runs per (cell, budget) present, by budget. */
  readonly repeats: { readonly [epochs: number]: { readonly min: number; readonly max: number } };
  /** True if the records of each hash formed one contiguous run in the file. */
  readonly hashesAdjacent: boolean;
  /** Records whose graph or parameter count differs from the first record of their hash (the first is kept, as upstream's api.py does). */
  readonly inconsistent: number;
  /** Runs whose final evaluation lacks a value (its mean becomes an empty field). */
  readonly missingValues: number;
  /** Input bytes read. */
  readonly bytes: number;
  /** Peak bytes of the per-cell store. */
  readonly storeBytes: number;
}

const PROGRESS_EVERY = 1 << 16;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const HASH = /^[0-9a-f]{32}$/;
const OP_INDEX: ReadonlyMap<string, number> = new Map(OPS.map((op, i) => [op, i]));

/**
 * Converts an official NAS-Bench-101 TFRecord (`nasbench_full.tfrecord` or
 * `nasbench_only108.tfrecord`) into the gzipped CSV table the tabular estimator reads: one row
 * per module hash, ascending, with the cell (`module_adjacency`, `module_operations`),
 * `trainable_params` and, for each training budget in the file, the mean over repeats of the
 * final validation accuracy, test accuracy and training time (`val_acc_108ep`, `test_acc_108ep`,
 * `train_time_108ep_s`, fractions and seconds) and the number of repeats (`repeats_108ep`).
 *
 * Each record is upstream's JSON row `[module_hash, epochs, raw_adjacency, raw_operations,
 * raw_metrics]`, read as `nasbench/api.py` reads it: the final evaluation is
 * `evaluation_data[2]`, the parameters come from the first record of a hash. Streams the input;
 * memory grows with the number of cells only (see {@link Nb101Aggregator}). Bad input is a
 * `NasxError('data')` naming the source, the record and its byte offset.
 */
export async function convertNb101(options: ConvertNb101Options): Promise<Nb101ConvertResult> {
  const { signal, onProgress, output } = options;
  const name = options.sourceName ?? (typeof options.source === 'string' ? options.source : 'NAS-Bench-101 TFRecord stream');
  let totalBytes = options.totalBytes;
  let input: AsyncIterable<Uint8Array>;
  if (typeof options.source === 'string') {
    const file = options.source;
    try {
      totalBytes ??= fs.statSync(file).size;
    } catch (e) {
      throw new NasxError('data', `cannot read the NAS-Bench-101 file ${file}: ${(e as Error).message}`, {
        file,
        pkg: PKG,
        fix: 'download nasbench_full.tfrecord or nasbench_only108.tfrecord (see NB101_RELEASE) and give its path',
        cause: e,
      });
    }
    input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  } else input = options.source;

  let bytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of input) {
      bytes += chunk.length;
      yield chunk;
    }
  }

  const store = new Nb101Aggregator();
  let records = 0;
  let runs = 0;
  let lastHash = '';
  let missingValues = 0;
  const progress = (phase: 'read' | 'write', rows: number): void =>
    onProgress?.({ phase, bytes, ...(totalBytes === undefined ? {} : { totalBytes }), records, models: store.size, rows });

  for await (const rec of readTfRecords(counted(), { name, signal, fix: 'download the file again and compare its SHA-256 with NB101_RELEASE' })) {
    const where = `${name}: record ${rec.index} (byte offset ${rec.offset})`;
    const bad = (message: string, cause?: unknown): NasxError =>
      new NasxError('data', `${where}: ${message}`, {
        file: name,
        pkg: PKG,
        fix: 'this is not an intact NAS-Bench-101 release file: download nasbench_full.tfrecord or nasbench_only108.tfrecord again and compare its SHA-256',
        cause,
      });
    let row: unknown;
    try {
      row = JSON.parse(UTF8.decode(rec.data));
    } catch (e) {
      throw bad(`is not a UTF-8 JSON row (${(e as Error).message})`, e);
    }
    if (!Array.isArray(row) || row.length !== 5) throw bad('is not a JSON list [module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]');
    const [hash, epochs, adjacency, operations, metrics] = row as unknown[];
    if (typeof hash !== 'string' || !HASH.test(hash)) throw bad(`module_hash ${JSON.stringify(hash)} is not 32 lower-case hex digits`);
    if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs <= 0) throw bad(`epochs ${JSON.stringify(epochs)} is not a positive integer`);
    const cell = packCell(adjacency, operations);
    if (typeof cell === 'string') throw bad(cell);
    if (typeof metrics !== 'string') throw bad('raw_metrics is not a base64 string');
    let m;
    try {
      m = decodeModelMetrics(Buffer.from(metrics, 'base64'));
    } catch (e) {
      if (e instanceof ProtobufDecodeError) throw bad(`raw_metrics is not a ModelMetrics protobuf: ${e.message} (byte ${e.at} of the message)`, e);
      throw e;
    }
    const final = m.evaluationData[2];
    if (final === undefined) throw bad(`ModelMetrics has ${m.evaluationData.length} evaluations; NAS-Bench-101 records have 3 (start, halfway, final)`);
    const val = final.validationAccuracy ?? NaN;
    const test = final.testAccuracy ?? NaN;
    const time = final.trainingTime ?? NaN;
    if (val !== val || test !== test || time !== time) missingValues++;
    const err = store.add(hash, epochs, cell, m.trainableParameters ?? NaN, { val, test, time });
    if (err !== undefined) throw bad(err);
    if (hash !== lastHash) {
      runs++;
      lastHash = hash;
    }
    records++;
    if ((records & (PROGRESS_EVERY - 1)) === 0) progress('read', 0);
  }
  progress('write', 0);

  const epochList = store.epochs;
  const repeats: { [epochs: number]: { min: number; max: number } } = {};
  const rows = store.sortedRows();
  const partial = `${output}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  let written = 0;
  let nextProgress = PROGRESS_EVERY;
  function* lines(): Generator<string> {
    const header: string[] = [NB101_COLUMNS.hash, NB101_COLUMNS.adjacency, NB101_COLUMNS.operations, NB101_COLUMNS.params];
    for (const e of epochList) header.push(NB101_COLUMNS.valAcc(e), NB101_COLUMNS.testAcc(e), NB101_COLUMNS.trainTime(e), NB101_COLUMNS.repeats(e));
    let text = `${header.join(',')}\n`;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      const c = store.cellOf(r);
      let line = `${store.hashOf(r)},${adjacencyText(c)},${operationsText(c)},${num(store.paramsOf(r))}`;
      for (const e of epochList) {
        const mean = store.meanOf(r, e);
        if (mean.repeats > 0) {
          const got = (repeats[e] ??= { min: mean.repeats, max: mean.repeats });
          if (mean.repeats < got.min) got.min = mean.repeats;
          if (mean.repeats > got.max) got.max = mean.repeats;
        }
        line += `,${num(mean.val)},${num(mean.test)},${num(mean.time)},${mean.repeats}`;
      }
      text += `${line}\n`;
      written++;
      if (text.length >= 1 << 16) {
        yield text;
        text = '';
        signal?.throwIfAborted();
        if (written >= nextProgress) {
          progress('write', written);
          nextProgress += PROGRESS_EVERY;
        }
      }
    }
    if (text) yield text;
  }
  try {
    await pipeline(Readable.from(lines()), zlib.createGzip(), fs.createWriteStream(partial), signal ? { signal } : {});
    fs.renameSync(partial, output);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    if (isNasxError(e) || signal?.aborted) throw signal?.aborted && !isNasxError(e) ? (signal.reason ?? e) : e;
    throw new NasxError('data', `cannot write the NAS-Bench-101 table ${output}: ${(e as Error).message}`, {
      file: output,
      pkg: PKG,
      fix: 'check that the folder is writable and has space',
      cause: e,
    });
  }
  progress('write', written);
  return {
    output,
    records,
    models: store.size,
    epochs: epochList,
    repeats,
    hashesAdjacent: runs === store.size,
    inconsistent: store.inconsistent,
    missingValues,
    bytes,
    storeBytes: store.bytes,
  };
}

/** Shortest round-trip decimal; NaN (missing) is an empty field. */
function num(x: number): string {
  return x === x ? String(x) : '';
}

/**
 * Upstream's `raw_adjacency` (row-major `0`/`1` chars of the n×n module matrix) and
 * `raw_operations` (comma-separated labels) as a packed cell, or an error message.
 */
export function packCell(adjacency: unknown, operations: unknown): PackedCell | string {
  if (typeof adjacency !== 'string') return 'raw_adjacency is not a string';
  const n = Math.round(Math.sqrt(adjacency.length));
  if (n * n !== adjacency.length || n < 2 || n > MAX_VERTICES) {
    return `raw_adjacency has ${adjacency.length} entries; NB101 matrices are n×n with 2 ≤ n ≤ ${MAX_VERTICES}`;
  }
  let bits = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const ch = adjacency.charCodeAt(i * n + j);
      if (ch === 49) {
        if (j <= i) return `raw_adjacency has an edge ${i} → ${j}; NB101 matrices are upper-triangular`;
        bits |= 1 << (i + ((j * (j - 1)) >> 1));
      } else if (ch !== 48) return `raw_adjacency holds ${JSON.stringify(adjacency[i * n + j])}; entries are 0 or 1`;
    }
  }
  if (typeof operations !== 'string') return 'raw_operations is not a string';
  const ops = operations.split(',');
  if (ops.length !== n) return `raw_operations has ${ops.length} labels for ${n} vertices`;
  if (ops[0] !== 'input' || ops[n - 1] !== 'output') return `raw_operations ${JSON.stringify(operations)} must start with input and end with output`;
  let labels = 0;
  for (let v = 1; v < n - 1; v++) {
    const l = OP_INDEX.get(ops[v]!);
    if (l === undefined) return `raw_operations has the unknown op ${JSON.stringify(ops[v])} (NB101 ops: ${OPS.join(', ')})`;
    labels |= l << (2 * (v - 1));
  }
  return { n, bits, labels };
}

function adjacencyText(c: PackedCell): string {
  let s = '';
  for (let i = 0; i < c.n; i++) for (let j = 0; j < c.n; j++) s += j > i && (c.bits >>> (i + ((j * (j - 1)) >> 1))) & 1 ? '1' : '0';
  return s;
}

function operationsText(c: PackedCell): string {
  const ops = ['input'];
  for (let v = 1; v < c.n - 1; v++) ops.push(OPS[(c.labels >>> (2 * (v - 1))) & 3]!);
  ops.push('output');
  return ops.join(NB101_OPS_SEPARATOR);
}
