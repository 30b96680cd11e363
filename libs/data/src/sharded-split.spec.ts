import type { Batch } from '@nasx/contracts';
import { seededIntSource } from './split';
import { ShardedSplit, rowRange, type RowSource } from './sharded-split';

const WHERE = { pkg: '@nasx/data' };

/** An in-memory source that records every read. */
function source(rows: number, rowLength: number, value: (r: number, k: number) => number, reads: [number, number][] = []): RowSource {
  return {
    rows,
    rowLength,
    async read(start, count) {
      reads.push([start, count]);
      return Float32Array.from({ length: count * rowLength }, (_, i) => value(start + Math.floor(i / rowLength), i % rowLength));
    },
  };
}

async function all(split: ShardedSplit, opts: Parameters<ShardedSplit['batches']>[0]): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of split.batches(opts)) out.push(b);
  return out;
}

const rng = (seed: number) =>
  ({
    ...seededIntSource(seed),
    fork: () => rng(seed + 1),
    next: () => 0,
    uniform: () => 0,
    normal: () => 0,
    shuffle: <T>(a: T[]) => a,
    choice: <T>(a: T[]) => a[0]!,
  }) as never;

describe('ShardedSplit: streaming a large array in shards', () => {
  it('without prefetch it reads whole shards, one at a time; with it the next read starts before the current part is consumed', async () => {
    const reads: [number, number][] = [];
    const plain = new ShardedSplit(
      'train',
      { inputs: source(103, 4, (r) => r, reads), targets: source(103, 1, (r) => r % 7) },
      [1, 4],
      20,
      WHERE,
      undefined,
      false,
    );
    const seen = (await all(plain, { batchSize: 16 })).flatMap((b) => Array.from(b.indices!));
    expect(seen).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(reads.map(([, n]) => n)).toEqual([20, 20, 20, 20, 20, 3]);
    expect(plain.peakBytesHeld).toBe(20 * 5 * 4);

    const log: string[] = [];
    const slow = (rows: number, len: number) => ({
      rows,
      rowLength: len,
      read: async (start: number, count: number) => {
        log.push(`read ${start}`);
        await new Promise((r) => setTimeout(r, 5));
        return new Float32Array(count * len);
      },
    });
    const fetched = new ShardedSplit('train', { inputs: slow(40, 2), targets: slow(40, 1) }, [2], 20, WHERE);
    for await (const b of fetched.batches({ batchSize: 10 })) log.push(`batch ${b.indices![0]}`);
    // The second part (rows 10…19) is requested before the first batch of rows 0…9 is handed out.
    expect(log.indexOf('read 10')).toBeLessThan(log.indexOf('batch 0'));
    expect(log.filter((l) => l.startsWith('batch'))).toEqual(['batch 0', 'batch 10', 'batch 20', 'batch 30']);
  });

  it('prefetch d reads d parts ahead, each 1/(d + 1) of a shard, so at most one shard is held', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const slow = (rows: number, len: number, logged: boolean) => ({
      rows,
      rowLength: len,
      read: async (start: number, count: number) => {
        if (logged) log.push(`read ${start}+${count}`);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return new Float32Array(count * len);
      },
    });
    const split = new ShardedSplit('train', { inputs: slow(48, 2, true), targets: slow(48, 1, false) }, [2], 24, WHERE, undefined, 3);
    const seen: number[] = [];
    for await (const b of split.batches({ batchSize: 6 })) {
      if (seen.length === 0) expect(log).toEqual(['read 0+6', 'read 6+6', 'read 12+6', 'read 18+6']);
      seen.push(...Array.from(b.indices!));
    }
    expect(seen).toEqual(Array.from({ length: 48 }, (_, i) => i));
    expect(log).toHaveLength(8);
    expect(most).toBe(8); // four parts ahead, inputs and targets each
    expect(split.peakBytesHeld).toBe(24 * 3 * 4);
  });

  it('every sample once per epoch, shuffled across and within shards, reading one shard at a time', async () => {
    const reads: [number, number][] = [];
    const split = new ShardedSplit('train', { inputs: source(103, 4, (r, k) => r * 10 + k, reads), targets: source(103, 1, (r) => r % 7) }, [1, 4], 20, WHERE);
    const batches = await all(split, { batchSize: 16, rng: rng(1) });
    const seen = batches.flatMap((b) => Array.from(b.indices!));
    expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(seen).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(batches.map((b) => b.x.shape[0])).toEqual([16, 16, 16, 16, 16, 16, 7]);
    // Inputs and class ids belong to the index they report.
    for (const b of batches) {
      b.indices!.forEach((r, j) => {
        expect(Array.from((b.x.data as Float32Array).subarray(j * 4, j * 4 + 4))).toEqual([r * 10, r * 10 + 1, r * 10 + 2, r * 10 + 3]);
        expect(b.y.data[j]).toBe(r % 7);
      });
    }
    // Prefetching reads half a shard at a time, two in flight at most.
    expect(reads.map(([, n]) => n).sort((a, b) => a - b)).toEqual([3, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    // Still one shard of inputs (20 rows × 4 floats) and targets (20 × 1) at most: 400 bytes.
    expect(split.peakBytesHeld).toBe(20 * 5 * 4);
    const again = (await all(split, { batchSize: 16, rng: rng(2) })).flatMap((b) => Array.from(b.indices!));
    expect(again).not.toEqual(seen);
  });

  it('without an rng: file order; limit and dropLast cut the epoch; value targets keep their shape', async () => {
    const split = new ShardedSplit('test', { inputs: source(10, 2, (r) => r), targets: source(10, 3, (r, k) => r + k / 10) }, [2], 4, WHERE, [3]);
    const batches = await all(split, { batchSize: 3 });
    expect(batches.flatMap((b) => Array.from(b.indices!))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches[0]!.y.shape).toEqual([3, 3]);
    expect(Array.from(batches[1]!.y.data)).toEqual([3, 3.1, 3.2, 4, 4.1, 4.2, 5, 5.1, 5.2].map(Math.fround));
    expect((await all(split, { batchSize: 3, dropLast: true })).length).toBe(3);
    expect((await all(split, { batchSize: 3, limit: 2 })).length).toBe(2);
  });

  it('rowRange splits one file into train and validation parts', async () => {
    const file = source(50, 1, (r) => r);
    const val = rowRange(file, 40, 10);
    const split = new ShardedSplit(
      'validation',
      {
        inputs: val,
        targets: rowRange(
          source(50, 1, (r) => r % 2),
          40,
          10,
        ),
      },
      [1],
      8,
      WHERE,
    );
    const xs = (await all(split, { batchSize: 100 }))[0]!;
    expect(Array.from(xs.x.data)).toEqual(Array.from({ length: 10 }, (_, i) => 40 + i));
    expect(() => rowRange(file, 45, 10)).toThrow(RangeError);
  });

  it('refuses inputs and targets of different lengths', () => {
    expect(() => new ShardedSplit('train', { inputs: source(10, 1, () => 0), targets: source(9, 1, () => 0) }, [1], 4, WHERE)).toThrow(
      /10 input rows but 9 target rows/,
    );
  });
});
