import type { ArrayBatchPart, Batch, BatchOptions, DataSplit } from '@nasx/contracts';

type Typed = ArrayBatchPart['data'];

function gather(part: ArrayBatchPart, order: readonly number[], start: number, count: number): ArrayBatchPart {
  const n = part.shape[0] ?? 0;
  const len = n ? part.data.length / n : 0;
  const Ctor = part.data.constructor as new (length: number) => Typed;
  const out = new Ctor(count * len);
  for (let k = 0; k < count; k++) {
    const i = order[start + k]!;
    out.set(part.data.subarray(i * len, (i + 1) * len), k * len);
  }
  return { data: out, shape: [count, ...part.shape.slice(1)], dtype: part.dtype };
}

/**
 * The first `limit` examples of a split, read once (in the split's fixed order) and kept in memory
 * as typed arrays: a fixed subset for low-fidelity estimates, reshuffled by the `rng` of each
 * `batches()` call. Returns the split itself when it has no more than `limit` examples.
 *
 * Random augmentation the task applies while writing samples is frozen at read time (no rng is
 * passed when the subset is read); MNIST and CIFAR-10 in this workspace have none.
 */
export function limitSplit(split: DataSplit, limit: number | undefined): DataSplit {
  if (limit === undefined || limit >= split.size) return split;
  let cached: Promise<Batch> | undefined;
  const load = async (): Promise<Batch> => {
    for await (const b of split.batches({ batchSize: limit, limit: 1 })) return b;
    throw new Error('the split delivered no batch');
  };
  return {
    size: limit,
    batches(options: BatchOptions): AsyncIterable<Batch> {
      return {
        async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
          cached ??= load();
          const all = await cached;
          const n = all.y.shape[0] ?? 0;
          const identity = Array.from({ length: n }, (_, i) => i);
          const order = options.rng ? options.rng.shuffle(identity) : identity;
          let count = 0;
          for (let start = 0; start < n; start += options.batchSize) {
            if (options.limit !== undefined && count >= options.limit) return;
            const b = Math.min(options.batchSize, n - start);
            if (options.dropLast && b < options.batchSize) return;
            count++;
            yield { x: gather(all.x, order, start, b), y: gather(all.y, order, start, b) };
          }
        },
      };
    },
  };
}
