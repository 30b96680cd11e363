import { NasxError, type Batch, type BatchOptions, type DataSplit, type ErrorLocation, type Rng } from '@nasx/contracts';
import { classCounts, shuffleInPlace } from './split';

/** What a task's `load()` hands a split: its samples, and how to write one as floats. */
export interface SplitContents {
  /** Index of each sample in its source (the data file), ascending. */
  readonly indices: Int32Array;
  /** Class of each sample, aligned with `indices`. */
  readonly labels: Int32Array;
  /**
   * Writes sample `i` (0 … size-1) as a normalised, flattened image into `out` at `offset`.
   * `rng` is the one given to `batches()`, for random augmentation; absent in fixed order.
   */
  write(i: number, out: Float32Array, offset: number, rng: Rng | undefined): void;
}

/**
 * One split of an image-classification task: its size is known when the task is created, its
 * samples once the task's `load()` has run (`batches()` awaits that itself). Batches are NCHW
 * float32 images and int32 class ids, batch first.
 */
export class ImageSplit implements DataSplit {
  private contents: SplitContents | undefined;
  private readonly sampleLength: number;

  constructor(
    /** `train`, `validation` or `test`. */
    readonly name: string,
    readonly size: number,
    /** Per-sample input shape, e.g. `[3, 32, 32]`. */
    readonly sampleShape: readonly number[],
    private readonly ensureLoaded: () => Promise<void>,
    private readonly where: ErrorLocation,
  ) {
    this.sampleLength = sampleShape.reduce((a, b) => a * b, 1);
  }

  /** Called by the task's `load()`. */
  fill(contents: SplitContents): void {
    if (contents.indices.length !== this.size || contents.labels.length !== this.size) {
      throw new NasxError('run', `the ${this.name} split expected ${this.size} samples, the data gave ${contents.indices.length}`, this.where);
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
        for (let start = 0; start < n; start += batchSize) {
          if (limit !== undefined && count >= limit) return;
          const b = Math.min(batchSize, n - start);
          if (dropLast && b < batchSize) return;
          const x = new Float32Array(b * len);
          const y = new Int32Array(b);
          const indices = order.slice(start, start + b);
          for (let k = 0; k < b; k++) {
            const i = indices[k]!;
            contents.write(i, x, k * len, rng);
            y[k] = contents.labels[i]!;
          }
          count++;
          yield { x: { data: x, shape: [b, ...self.sampleShape], dtype: 'float32' }, y: { data: y, shape: [b], dtype: 'int32' }, indices };
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
