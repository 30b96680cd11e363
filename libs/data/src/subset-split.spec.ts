import type { Batch, BatchOptions, DataSplit } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { seededIntSource } from './split';
import { sampleIndices, subsetSplit } from './subset-split';

/** 1,000 samples stored class by class (100 of each digit, like the embedded MNIST's source order); x = [i, −i]. */
function classSorted(): DataSplit & { reads: number } {
  const n = 1000;
  const split = {
    size: n,
    reads: 0,
    batches(o: BatchOptions): AsyncIterable<Batch> {
      split.reads++;
      return {
        async *[Symbol.asyncIterator]() {
          for (let s = 0; s < n; s += o.batchSize) {
            const b = Math.min(o.batchSize, n - s);
            const x = Float32Array.from({ length: 2 * b }, (_, k) => (k % 2 ? -1 : 1) * (s + (k >> 1)));
            const y = Int32Array.from({ length: b }, (_, k) => Math.floor((s + k) / 100));
            yield { x: { data: x, shape: [b, 2], dtype: 'float32' as const }, y: { data: y, shape: [b], dtype: 'int32' as const } };
          }
        },
      };
    },
  };
  return split;
}

async function collect(split: DataSplit, o: BatchOptions): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of split.batches(o)) out.push(b);
  return out;
}

describe('subsetSplit: a fixed, uniformly drawn subset for low-fidelity estimates', () => {
  it('draws from every class of a class-sorted split, not its first classes', async () => {
    const sub = subsetSplit(classSorted(), 200);
    expect(sub.size).toBe(200);
    const [b] = await collect(sub, { batchSize: 200 });
    const counts = new Array(10).fill(0);
    for (const y of b!.y.data) counts[y]++;
    // Hypergeometric draw of 200 from 10 × 100: every class present, none far from 20.
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...counts)).toBeLessThanOrEqual(32);
    // Inputs stay aligned with their labels, and each source sample appears once.
    const sources = new Set<number>();
    for (let k = 0; k < 200; k++) {
      const src = b!.x.data[2 * k]!;
      expect(b!.x.data[2 * k + 1]).toBe(-src);
      expect(b!.y.data[k]).toBe(Math.floor(src / 100));
      sources.add(src);
    }
    expect(sources.size).toBe(200);
  });

  it('is the same subset in every call and for every instance; the source is read once per instance', async () => {
    const source = classSorted();
    const a = subsetSplit(source, 50);
    const first = await collect(a, { batchSize: 16 });
    const again = await collect(a, { batchSize: 16 });
    const other = await collect(subsetSplit(classSorted(), 50), { batchSize: 16 });
    const xs = (bs: Batch[]) => bs.flatMap((b) => Array.from(b.x.data));
    expect(xs(again)).toEqual(xs(first));
    expect(xs(other)).toEqual(xs(first));
    expect(source.reads).toBe(1);
    expect(first.map((b) => b.y.shape[0])).toEqual([16, 16, 16, 2]);
    expect(first.flatMap((b) => Array.from(b.indices!))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('reshuffles by the rng of each call, keeps indices with their samples, and honours limit and dropLast', async () => {
    const sub = subsetSplit(classSorted(), 50);
    const fixed = (await collect(sub, { batchSize: 50 }))[0]!;
    const shuffled = await collect(sub, { batchSize: 16, rng: createRng(3), dropLast: true });
    expect(shuffled.map((b) => b.y.shape[0])).toEqual([16, 16, 16]);
    const order = shuffled.flatMap((b) => Array.from(b.indices!));
    expect(order).not.toEqual([...order].sort((p, q) => p - q));
    for (const b of shuffled) {
      b.indices!.forEach((i, k) => expect(b.x.data[2 * k]).toBe(fixed.x.data[2 * i]));
    }
    expect(await collect(sub, { batchSize: 16, rng: createRng(3), limit: 2 })).toHaveLength(2);
  });

  it('is the split itself when the limit covers it', () => {
    const source = classSorted();
    expect(subsetSplit(source, 1000)).toBe(source);
    expect(subsetSplit(source, undefined)).toBe(source);
  });

  it('sampleIndices: k distinct ascending indices, each index equally likely', () => {
    const rng = seededIntSource(7);
    const hits = new Array(10).fill(0);
    for (let t = 0; t < 2000; t++) {
      const s = sampleIndices(10, 3, rng);
      expect(new Set(s).size).toBe(3);
      expect(Array.from(s)).toEqual(Array.from(s).sort((p, q) => p - q));
      for (const i of s) hits[i]++;
    }
    // 600 expected per index; a biased draw (e.g. the first three) would be 2000 or 0.
    for (const h of hits) expect(Math.abs(h - 600)).toBeLessThan(90);
    expect(Array.from(sampleIndices(4, 9, rng))).toEqual([0, 1, 2, 3]);
  });
});
