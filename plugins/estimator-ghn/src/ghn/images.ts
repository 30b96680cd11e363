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

/**
 * `limit` samples of `split` drawn uniformly at random (reservoir sampling over one pass, seeded by
 * `rng`), kept in the split's order; the whole split when it is no larger. Not simply the first
 * `limit`: a split may be stored class by class (the embedded MNIST's is), and its first 1,000
 * validation images hold five of the ten digits.
 */
export async function loadImages(split: DataSplit, limit: number, rng: Rng): Promise<ImageSet> {
  const n = Math.min(limit, split.size);
  const chosen: { index: number; x: Float32Array; y: number }[] = [];
  let shape: number[] = [];
  let seen = 0;
  for await (const b of split.batches({ batchSize: 500 })) {
    shape = b.x.shape.slice(1) as number[];
    const per = shape.reduce((a, c) => a * c, 1);
    const data = b.x.data as Float32Array;
    for (let k = 0; k < b.y.data.length; k++, seen++) {
      // Algorithm R: the i-th sample replaces a random kept one with probability n / (i + 1).
      const slot = seen < n ? seen : rng.int(seen + 1);
      if (slot < n) chosen[slot] = { index: seen, x: data.slice(k * per, (k + 1) * per), y: Number(b.y.data[k]) };
    }
  }
  chosen.sort((a, b) => a.index - b.index);
  const per = shape.reduce((a, c) => a * c, 1);
  const x = new Float32Array(chosen.length * per);
  chosen.forEach((c, i) => x.set(c.x, i * per));
  return { x, y: Int32Array.from(chosen.map((c) => c.y)), shape, size: chosen.length };
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
