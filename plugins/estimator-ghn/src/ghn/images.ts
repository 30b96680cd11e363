import type { DataSplit, Rng } from '@nasx/contracts';
import { tf } from '@nasx/tensor';

/** The first `limit` samples of an image split, held in memory (NCHW float32, integer labels). */
export interface ImageSet {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** Per-sample shape `[C, H, W]`. */
  readonly shape: readonly number[];
  readonly size: number;
}

/** Reads the first `limit` samples of `split` in its fixed order. */
export async function loadImages(split: DataSplit, limit: number): Promise<ImageSet> {
  const n = Math.min(limit, split.size);
  let x: Float32Array | undefined;
  const y = new Int32Array(n);
  let shape: number[] = [];
  let filled = 0;
  for await (const b of split.batches({ batchSize: Math.min(n, 500) })) {
    shape = b.x.shape.slice(1) as number[];
    const per = shape.reduce((a, c) => a * c, 1);
    x ??= new Float32Array(n * per);
    const take = Math.min(b.y.data.length, n - filled);
    x.set((b.x.data as Float32Array).subarray(0, take * per), filled * per);
    for (let k = 0; k < take; k++) y[filled + k] = Number(b.y.data[k]);
    filled += take;
    if (filled >= n) break;
  }
  return { x: x ?? new Float32Array(0), y: y.subarray(0, filled), shape, size: filled };
}

/** Samples `idx` of a set as tensors `[n, C, H, W]` and labels `[n]`. */
export function imageBatch(set: ImageSet, idx: ArrayLike<number>): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const per = set.shape.reduce((a, c) => a * c, 1);
  const x = new Float32Array(idx.length * per);
  const y = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    x.set(set.x.subarray(i * per, (i + 1) * per), k * per);
    y[k] = set.y[i]!;
  }
  return { x: tf.tensor4d(x, [idx.length, ...set.shape] as [number, number, number, number]), labels: tf.tensor1d(y, 'int32') };
}

/** The set in fixed order, in batches of `batchSize` (the last may be smaller). */
export function fixedBatches(set: ImageSet, batchSize: number): { x: tf.Tensor4D; labels: tf.Tensor1D }[] {
  const out: { x: tf.Tensor4D; labels: tf.Tensor1D }[] = [];
  for (let s = 0; s < set.size; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.size - s) }, (_, k) => s + k);
    // A batch of one has no batch statistics: fold it into the previous batch.
    if (idx.length < 2 && out.length) {
      const prev = out.pop()!;
      tf.dispose([prev.x, prev.labels]);
      const start = s - batchSize;
      out.push(
        imageBatch(
          set,
          Array.from({ length: set.size - start }, (_, k) => start + k),
        ),
      );
    } else out.push(imageBatch(set, idx));
  }
  return out;
}

/**
 * Batch `step` of a shuffled stream over the set: epoch `⌊step / perEpoch⌋` is a permutation drawn
 * from `rng.fork('epoch-<e>')`, so any step's batch is known without replaying the ones before it
 * (a resumed meta-training sees the batches the uninterrupted one would have).
 */
export function streamBatch(set: ImageSet, batchSize: number, rng: Rng, step: number, cache: Map<number, number[]>): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const perEpoch = Math.max(1, Math.floor(set.size / batchSize));
  const epoch = Math.floor(step / perEpoch);
  let order = cache.get(epoch);
  if (!order) {
    cache.clear();
    order = rng.fork(`epoch-${epoch}`).shuffle(Array.from({ length: set.size }, (_, i) => i));
    cache.set(epoch, order);
  }
  const at = (step % perEpoch) * batchSize;
  return imageBatch(set, order.slice(at, Math.min(at + batchSize, set.size)));
}
