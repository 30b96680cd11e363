import { NasxError, type Batch, type BatchOptions, type DataSplit, type ErrorLocation, type Rng } from '@nasx/contracts';
import { classCounts, shuffleInPlace } from './split';

/** What a task's `load()` hands a split: its samples, and how to write one as floats. */
export interface SplitContents {
  /** Index of each sample in its source (the data file), ascending. */
  readonly indices: Int32Array;
  /** Class of each sample, aligned with `indices` (a split with value targets may leave it empty). */
  readonly labels: Int32Array;
  /**
   * Writes sample `i` (0 … size-1) as a normalised, flattened input into `out` at `offset`.
   * `rng` is the one given to `batches()`, for random augmentation; absent in fixed order.
   */
  write(i: number, out: Float32Array, offset: number, rng: Rng | undefined): void;
  /**
   * Splits with value targets (a `targetShape`): writes sample `i`'s target, flattened, into `out`
   * at `offset` — a multi-label vector, a regression value, a dense output map.
   */
  writeTarget?(i: number, out: Float32Array, offset: number): void;
  /**
   * Samples built from data read on demand (PSICOV's proteins, read from the release archive as
   * batches need them): loads what samples `indices` need before they are written. `batches()`
   * calls it for each batch, and already for the next batch while the current one is consumed, so
   * the reading overlaps training.
   */
  prepare?(indices: Int32Array): Promise<void>;
}

/**
 * One split of a task held in memory: its size is known when the task is created, its samples once
 * the task's `load()` has run (`batches()` awaits that itself). Batches are float32 inputs in the
 * task's layout (NCHW images, `[N, C, L]` sequences) and int32 class ids, or — with a
 * `targetShape` — float32 targets `[N, ...targetShape]`, batch first.
 */
export class ImageSplit implements DataSplit {
  private contents: SplitContents | undefined;
  private readonly sampleLength: number;
  private readonly targetLength: number;

  constructor(
    /** `train`, `validation` or `test`. */
    readonly name: string,
    readonly size: number,
    /** Per-sample input shape, e.g. `[3, 32, 32]`. */
    readonly sampleShape: readonly number[],
    private readonly ensureLoaded: () => Promise<void>,
    private readonly where: ErrorLocation,
    /** Per-sample target shape of a split with value targets (e.g. `[1, 85, 85]`, `[36]`); absent: class ids. */
    readonly targetShape?: readonly number[],
  ) {
    this.sampleLength = sampleShape.reduce((a, b) => a * b, 1);
    this.targetLength = targetShape ? targetShape.reduce((a, b) => a * b, 1) : 1;
  }

  /** Called by the task's `load()`. */
  fill(contents: SplitContents): void {
    const labelsOk = this.targetShape ? contents.labels.length === 0 || contents.labels.length === this.size : contents.labels.length === this.size;
    if (contents.indices.length !== this.size || !labelsOk) {
      throw new NasxError('run', `the ${this.name} split expected ${this.size} samples, the data gave ${contents.indices.length}`, this.where);
    }
    if (this.targetShape && !contents.writeTarget) {
      throw new NasxError(
        'run',
        `the ${this.name} split has value targets [${this.targetShape.join(', ')}] but its contents cannot write them (a task plugin bug)`,
        this.where,
      );
    }
    this.contents = contents;
  }

  /** True once `load()` has filled the split. */
  get loaded(): boolean {
    return this.contents !== undefined;
  }

  /** Index of each sample in its source file, ascending (after `load()`). */
  get indices(): Int32Array {
    return this.loadedContents().indices;
  }

  /** Class id of each sample, aligned with {@link indices} (after `load()`). */
  get labels(): Int32Array {
    return this.loadedContents().labels;
  }

  /** Samples per class (after `load()`). */
  classCounts(numClasses: number): number[] {
    return classCounts(this.loadedContents().labels, numClasses);
  }

  /**
   * The split once, in batches: shuffled by `rng` when given (training), else in ascending
   * source order. Every sample appears exactly once unless `limit` or `dropLast` cut the epoch short.
   */
  batches(options: BatchOptions): AsyncIterable<Batch> {
    const { batchSize, limit, dropLast = false, rng } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new NasxError('run', `${this.name}.batches(): batchSize must be a positive integer, got ${String(batchSize)}`, this.where);
    }
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new NasxError('run', `${this.name}.batches(): limit must be a non-negative integer, got ${String(limit)}`, this.where);
    }
    const self = this;
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
        await self.ensureLoaded();
        const contents = self.loadedContents();
        const n = self.size;
        const order = new Int32Array(n);
        for (let i = 0; i < n; i++) order[i] = i;
        if (rng) shuffleInPlace(order, rng);
        const len = self.sampleLength;
        let count = 0;
        const prepare = contents.prepare?.bind(contents);
        const batchAt = (start: number) => order.slice(start, Math.min(n, start + batchSize));
        let ready = prepare && n > 0 ? prepare(batchAt(0)) : undefined;
        for (let start = 0; start < n; start += batchSize) {
          if (limit !== undefined && count >= limit) return;
          const b = Math.min(batchSize, n - start);
          if (dropLast && b < batchSize) return;
          const x = new Float32Array(b * len);
          const indices = order.slice(start, start + b);
          if (ready) {
            await ready;
            // The next batch's data loads while this one is written and trained on.
            const next = start + batchSize;
            ready = next < n && (limit === undefined || count + 1 < limit) ? prepare!(batchAt(next)) : undefined;
            ready?.catch(() => undefined); // awaited (and thrown) at the next batch
          }
          for (let k = 0; k < b; k++) contents.write(indices[k]!, x, k * len, rng);
          count++;
          const input = { data: x, shape: [b, ...self.sampleShape], dtype: 'float32' } as const;
          if (self.targetShape) {
            const t = self.targetLength;
            const y = new Float32Array(b * t);
            for (let k = 0; k < b; k++) contents.writeTarget!(indices[k]!, y, k * t);
            yield { x: input, y: { data: y, shape: [b, ...self.targetShape], dtype: 'float32' }, indices };
          } else {
            const y = new Int32Array(b);
            for (let k = 0; k < b; k++) y[k] = contents.labels[indices[k]!]!;
            yield { x: input, y: { data: y, shape: [b], dtype: 'int32' }, indices };
          }
        }
      },
    };
  }

  private loadedContents(): SplitContents {
    if (!this.contents) {
      throw new NasxError('run', `the ${this.name} split is not loaded yet`, {
        ...this.where,
        fix: 'await task.load() before reading indices or labels (batches() loads by itself)',
      });
    }
    return this.contents;
  }
}
