import type { Batch, DataSplit } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { loadImages } from './images';

/** 1,000 one-pixel "images" stored class by class, as the embedded MNIST's splits are. */
const sorted: DataSplit = {
  size: 1000,
  batches: (o) => ({
    async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
      for (let s = 0; s < 1000; s += o.batchSize) {
        const n = Math.min(o.batchSize, 1000 - s);
        const idx = Array.from({ length: n }, (_, k) => s + k);
        yield {
          x: { data: Float32Array.from(idx), shape: [n, 1, 1, 1], dtype: 'float32' },
          y: { data: Int32Array.from(idx.map((i) => Math.floor(i / 100))), shape: [n], dtype: 'int32' },
        };
      }
    },
  }),
};

describe('loadImages', () => {
  it('draws a limited subset uniformly over the split (every class of a class-sorted split), in split order, reproducibly', async () => {
    const a = await loadImages(sorted, 100, createRng(1));
    expect(a.size).toBe(100);
    expect(new Set(a.y)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    // Each image is its own index: increasing, and labelled as its class.
    const xs = Array.from(a.x);
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
    xs.forEach((v, i) => expect(a.y[i]).toBe(Math.floor(v / 100)));
    expect(Array.from((await loadImages(sorted, 100, createRng(1))).x)).toEqual(xs);
    // No more than the split: all of it, in order.
    expect(Array.from((await loadImages(sorted, 5000, createRng(1))).x)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
