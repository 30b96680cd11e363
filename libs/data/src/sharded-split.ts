import { NasxError, type Batch, type BatchOptions, type DataSplit, type ErrorLocation, type Rng } from '@nasx/contracts';
import { shuffleInPlace } from './split';

/** A typed array of one of the dtypes data files hold. */
export type RowArray = Float32Array | Float64Array | Int32Array | Int16Array | Uint8Array | Int8Array | Uint16Array;

/**
 * Rows of a large array on disk (a `.npy` file, an array of a `.npz` archive, an HDF5 dataset),
 * read a range at a time: what a {@link ShardedSplit} streams from.
 */
export interface RowSource {
  /** Number of rows (samples). */
  readonly rows: number;
  /** Values per row. */
  readonly rowLength: number;
  /** Rows `start … start + count − 1`, flattened (row-major). */
  read(start: number, count: number): Promise<RowArray>;
}

/** Rows `start … start + count − 1` of `source` as a source of its own (a split of one file). */
export function rowRange(source: RowSource, start: number, count: number): RowSource {
  if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= source.rows)) {
    throw new RangeError(`rowRange: rows ${start} … ${start + count - 1} are not within 0 … ${source.rows - 1}`);
  }
  return { rows: count, rowLength: source.rowLength, read: (s, n) => source.read(start + s, n) };
}

/** The rows of an array held in memory as a {@link RowSource} (`rowLength` values a row): small targets beside streamed inputs. */
export function arrayRows(data: RowArray, rowLength = 1): RowSource {
  if (!(Number.isInteger(rowLength) && rowLength >= 1) || data.length % rowLength !== 0) {
    throw new RangeError(`arrayRows: ${data.length} values are not whole rows of ${rowLength}`);
  }
  const rows = data.length / rowLength;
  return {
    rows,
    rowLength,
    read(start, count) {
      if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= rows)) {
        return Promise.reject(new RangeError(`arrayRows: rows ${start} … ${start + count - 1} are not within 0 … ${rows - 1}`));
      }
      return Promise.resolve(data.subarray(start * rowLength, (start + count) * rowLength));
    },
  };
}

/** How a {@link ShardedSplit} turns stored rows into a sample's input and target. */
export interface ShardedContents {
  readonly inputs: RowSource;
  /** Targets: rows of values (`targetShape`) or one class id per row. */
  readonly targets: RowSource;
  /** Writes input row `i` of `rows` (the shard read) as the sample's float32 input into `out` at `at`. Default: a copy. */
  writeInput?(rows: RowArray, i: number, out: Float32Array, at: number, rng: Rng | undefined): void;
}

/**
 * A split streamed from disk in shards: for data sets too large to hold (NAS-Bench-360's DeepSEA and
 * FSD50K releases), at most one shard of rows (plus one batch) is in memory at a time. An epoch
 * visits the shards in a random order (with `rng`; else in file order) and the rows of each shard in
 * a random order, so every sample appears exactly once per epoch — a shuffle local to a shard, as
 * streaming loaders (WebDataset, TFRecord readers) do. Batches are float32 inputs in the task's
 * layout and int32 class ids, or float32 targets `[N, ...targetShape]`.
 */
export class ShardedSplit implements DataSplit {
  /** The largest number of bytes of rows held at once in any epoch so far (a shard's inputs and targets). */
  peakBytesHeld = 0;
  private readonly sampleLength: number;
  private readonly targetLength: number;

  constructor(
    readonly name: string,
    private readonly contents: ShardedContents,
    /** Per-sample input shape. */
    readonly sampleShape: readonly number[],
    /** Rows per shard read. */
    readonly shardRows: number,
    private readonly where: ErrorLocation,
    /** Per-sample target shape of value targets; absent: one class id per row. */
    readonly targetShape?: readonly number[],
    /**
     * Read ahead while the current part is consumed, so training does not wait on the disk (or on
     * decoding): `true` reads the next part, a number `d` the next `d` parts. The memory bound stays
     * one shard: each read is `1/(d + 1)` of a shard and at most `d + 1` are held (the one consumed
     * and those arriving). More depth absorbs reads whose time varies (FSD50K's audio features,
     * computed in threads that share the cores with training).
     */
    readonly prefetch: boolean | number = true,
  ) {
    this.sampleLength = sampleShape.reduce((a, b) => a * b, 1);
    this.targetLength = targetShape ? targetShape.reduce((a, b) => a * b, 1) : 1;
    if (!Number.isInteger(shardRows) || shardRows < 1) throw new NasxError('run', `${name}: shardRows must be a positive integer, got ${shardRows}`, where);
    if (contents.inputs.rows !== contents.targets.rows) {
      throw new NasxError('data', `the ${name} split has ${contents.inputs.rows} input rows but ${contents.targets.rows} target rows`, where);
    }
    if (contents.targets.rowLength !== this.targetLength) {
      throw new NasxError('data', `the ${name} split's targets have ${contents.targets.rowLength} values a row, expected ${this.targetLength}`, where);
    }
  }

  get size(): number {
    return this.contents.inputs.rows;
  }

  batches(options: BatchOptions): AsyncIterable<Batch> {
    const { batchSize, limit, dropLast = false, rng } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new NasxError('run', `${this.name}.batches(): batchSize must be a positive integer, got ${String(batchSize)}`, this.where);
    }
    const self = this;
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
        const { inputs, targets } = self.contents;
        const n = self.size;
        const shards = Math.ceil(n / self.shardRows);
        const order = Int32Array.from({ length: shards }, (_, i) => i);
        if (rng) shuffleInPlace(order, rng);
        const len = self.sampleLength;
        const tlen = self.targetLength;
        let x = new Float32Array(batchSize * len);
        let yv = self.targetShape ? new Float32Array(batchSize * tlen) : undefined;
        let yc = self.targetShape ? undefined : new Int32Array(batchSize);
        let idx = new Int32Array(batchSize);
        let filled = 0;
        let count = 0;
        const emit = (b: number): Batch => {
          const batch: Batch = {
            x: { data: b === batchSize ? x : x.slice(0, b * len), shape: [b, ...self.sampleShape], dtype: 'float32' },
            y: yv
              ? { data: b === batchSize ? yv : yv.slice(0, b * tlen), shape: [b, ...self.targetShape!], dtype: 'float32' }
              : { data: b === batchSize ? yc! : yc!.slice(0, b), shape: [b], dtype: 'int32' },
            indices: b === batchSize ? idx : idx.slice(0, b),
          };
          x = new Float32Array(batchSize * len);
          if (yv) yv = new Float32Array(batchSize * tlen);
          else yc = new Int32Array(batchSize);
          idx = new Int32Array(batchSize);
          return batch;
        };
        const depth = self.prefetch === true ? 1 : self.prefetch === false ? 0 : Math.max(0, Math.floor(self.prefetch));
        const readRows = Math.max(1, Math.ceil(self.shardRows / (depth + 1)));
        const parts = Math.ceil(n / readRows);
        const partOrder = Int32Array.from({ length: parts }, (_, i) => i);
        if (rng) {
          // Shard order shuffled; the parts of a shard stay together so a shard is still one contiguous read budget.
          const perShard = Math.ceil(self.shardRows / readRows);
          let k = 0;
          for (const shard of order) for (let p = shard * perShard; p < Math.min(parts, (shard + 1) * perShard); p++) partOrder[k++] = p;
        }
        const read = (part: number) => {
          const start = part * readRows;
          const rows = Math.min(readRows, n - start);
          return Promise.all([inputs.read(start, rows), targets.read(start, rows)]).then(([xs, ys]) => ({ start, rows, xs, ys }));
        };
        // Reads in flight, in consumption order: the part consumed now, then up to `depth` ahead.
        const ahead: ReturnType<typeof read>[] = [];
        let requested = 0;
        const fillTo = (n: number) => {
          while (requested < parts && ahead.length < n) {
            const r = read(partOrder[requested++]!);
            r.catch(() => undefined); // awaited (and thrown) in turn
            ahead.push(r);
          }
        };
        fillTo(depth + 1);
        for (let p = 0; p < parts; p++) {
          const { start, rows, xs, ys } = await ahead.shift()!;
          fillTo(depth);
          const held = 1 + ahead.length;
          self.peakBytesHeld = Math.max(self.peakBytesHeld, held * (xs.byteLength + ys.byteLength));
          const within = Int32Array.from({ length: rows }, (_, i) => i);
          if (rng) shuffleInPlace(within, rng);
          for (const i of within) {
            if (self.contents.writeInput) self.contents.writeInput(xs, i, x, filled * len, rng);
            else for (let k = 0; k < len; k++) x[filled * len + k] = xs[i * len + k]!;
            if (yv) for (let k = 0; k < tlen; k++) yv[filled * tlen + k] = ys[i * tlen + k]!;
            else yc![filled] = ys[i]!;
            idx[filled] = start + i;
            if (++filled === batchSize) {
              if (limit !== undefined && count >= limit) return;
              count++;
              filled = 0;
              yield emit(batchSize);
            }
          }
          fillTo(1); // without read-ahead, the next part is read once this one is consumed
        }
        if (filled > 0 && !dropLast && (limit === undefined || count < limit)) yield emit(filled);
      },
    };
  }
}
