import type { ArrayBatchPart, Batch, BatchOptions, DataSplit } from '@nasx/contracts';
import { seededIntSource, type IntSource } from './split';

type Typed = ArrayBatchPart['data'];

/**
 * `k` distinct indices of `0 … n−1` drawn uniformly (a partial Fisher–Yates shuffle), ascending.
 * All of them when `k ≥ n`.
 */
export function sampleIndices(n: number, k: number, rng: IntSource): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, k).sort();
}

function gather(part: ArrayBatchPart, rows: ArrayLike<number>, start: number, count: number): ArrayBatchPart {
  const n = part.shape[0] ?? 0;
  const len = n ? part.data.length / n : 0;
  const Ctor = part.data.constructor as new (length: number) => Typed;
  const out = new Ctor(count * len);
  for (let k = 0; k < count; k++) {
    const i = rows[start + k]!;
    out.set(part.data.subarray(i * len, (i + 1) * len), k * len);
  }
  return { data: out, shape: [count, ...part.shape.slice(1)], dtype: part.dtype };
}

/** Rows `rows` (ascending) of a split's fixed-order pass, concatenated. */
async function readRows(split: DataSplit, rows: Int32Array): Promise<Batch> {
  const xs: ArrayBatchPart[] = [];
  const ys: ArrayBatchPart[] = [];
  let seen = 0;
  let next = 0;
  for await (const b of split.batches({ batchSize: 512 })) {
    const size = b.y.shape[0] ?? 0;
    const picked: number[] = [];
    while (next < rows.length && rows[next]! < seen + size) picked.push(rows[next++]! - seen);
    if (picked.length) {
      xs.push(gather(b.x, picked, 0, picked.length));
      ys.push(gather(b.y, picked, 0, picked.length));
    }
    seen += size;
    if (next >= rows.length) break;
  }
  if (next < rows.length) throw new Error(`the split delivered ${seen} samples, fewer than its size ${split.size}`);
  const concat = (parts: ArrayBatchPart[]): ArrayBatchPart => {
    const first = parts[0]!;
    const Ctor = first.data.constructor as new (length: number) => Typed;
    const out = new Ctor(parts.reduce((s, p) => s + p.data.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return { data: out, shape: [rows.length, ...first.shape.slice(1)], dtype: first.dtype };
  };
  return { x: concat(xs), y: concat(ys) };
}

/**
 * A fixed subset of `limit` samples of a split for low-fidelity work, drawn uniformly at random
 * (the same subset in every run and process: the draw has its own fixed seed), read once in the
 * split's fixed order and kept in memory; each `batches()` call reshuffles it by its `rng`. Batch
 * `indices` number the subset's samples `0 … limit−1`. The split itself when it has no more than
 * `limit` samples.
 *
 * Not the split's first `limit` samples: a split may be stored class by class (the embedded
 * MNIST's is, in its source order), and a prefix would hold only the first few classes.
 * Random augmentation the task applies while writing samples is frozen at read time.
 */
export function subsetSplit(split: DataSplit, limit: number | undefined): DataSplit {
  if (limit === undefined || limit >= split.size) return split;
  const rows = sampleIndices(split.size, limit, seededIntSource(0x5eed));
  let cached: Promise<Batch> | undefined;
  return {
    size: limit,
    batches(options: BatchOptions): AsyncIterable<Batch> {
      return {
        async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
          cached ??= readRows(split, rows);
          const all = await cached;
          const identity = Array.from({ length: limit }, (_, i) => i);
          const order = options.rng ? options.rng.shuffle(identity) : identity;
          let count = 0;
          for (let start = 0; start < limit; start += options.batchSize) {
            if (options.limit !== undefined && count >= options.limit) return;
            const b = Math.min(options.batchSize, limit - start);
            if (options.dropLast && b < options.batchSize) return;
            count++;
            yield { x: gather(all.x, order, start, b), y: gather(all.y, order, start, b), indices: Int32Array.from(order.slice(start, start + b)) };
          }
        },
      };
    },
  };
}
