import { Nb101Aggregator, parseHash } from './nb101.aggregator';

/** Seeded xorshift32, for hashes and values. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

describe('Nb101Aggregator', () => {
  it('matches a Map-based reference through many growths and rehashes, records of each hash spread over the input', () => {
    const rand = rng(7);
    const hex = (): string =>
      Array.from({ length: 4 }, () =>
        Math.floor(rand() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      ).join('');
    const hashes = Array.from({ length: 5_000 }, hex);
    // Hashes that share their first word (the table slot) must still be told apart.
    hashes.push(`${hashes[0]!.slice(0, 8)}${'0'.repeat(24)}`, `${hashes[0]!.slice(0, 8)}${'1'.repeat(24)}`);
    const runs: [string, number, number, number, number][] = [];
    for (const h of hashes) for (const e of [12, 108]) for (let r = 0; r < (h.endsWith('0') ? 2 : 3); r++) runs.push([h, e, rand(), rand(), 1000 * rand()]);
    for (let i = runs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [runs[i], runs[j]] = [runs[j]!, runs[i]!];
    }
    const agg = new Nb101Aggregator(16);
    const ref = new Map<string, { [e: number]: number[][] }>();
    for (const [h, e, val, test, time] of runs) {
      const err = agg.add(h, e, { n: 2, bits: 1, labels: 0 }, 1234, { val, test, time });
      if (err !== undefined) throw new Error(err);
      ((ref.get(h) ?? ref.set(h, {}).get(h)!)[e] ??= []).push([val, test, time]);
    }
    expect(agg.size).toBe(hashes.length);
    expect(agg.epochs).toEqual([12, 108]);
    expect(agg.inconsistent).toBe(0);
    const rows = agg.sortedRows();
    expect(Array.from(rows, (r) => agg.hashOf(r))).toEqual([...hashes].sort());
    const got: unknown[] = [];
    const want: unknown[] = [];
    for (const r of rows) {
      const h = agg.hashOf(r);
      for (const e of [12, 108]) {
        const list = ref.get(h)![e]!;
        const mean = (k: number): number => list.reduce((s, x) => s + x[k]!, 0) / list.length;
        const m = agg.meanOf(r, e);
        got.push(m.repeats, m.val, m.test, m.time);
        want.push(list.length, mean(0), mean(1), mean(2));
      }
    }
    expect(got).toEqual(want);
    expect(agg.meanOf(rows[0]!, 36)).toEqual({ repeats: 0, val: NaN, test: NaN, time: NaN });
  });

  it('keeps the first graph and parameter count of a hash and counts the records that disagree', () => {
    const agg = new Nb101Aggregator();
    const h = 'ab'.repeat(16);
    const v = { val: 0.9, test: 0.8, time: 10 };
    agg.add(h, 108, { n: 3, bits: 0b101, labels: 2 }, 100, v);
    agg.add(h, 108, { n: 3, bits: 0b101, labels: 2 }, 100, v);
    agg.add(h, 108, { n: 3, bits: 0b111, labels: 2 }, 100, v);
    agg.add(h, 108, { n: 3, bits: 0b101, labels: 2 }, 101, v);
    expect(agg.inconsistent).toBe(2);
    expect(agg.cellOf(0)).toEqual({ n: 3, bits: 0b101, labels: 2 });
    expect(agg.paramsOf(0)).toBe(100);
    expect(agg.meanOf(0, 108).repeats).toBe(4);
  });

  it('refuses a malformed hash and a ninth budget', () => {
    const agg = new Nb101Aggregator();
    const cell = { n: 2, bits: 1, labels: 0 };
    const v = { val: 0, test: 0, time: 0 };
    expect(agg.add('ABC', 4, cell, 1, v)).toMatch(/is not 32 lower-case hex digits/);
    expect(agg.add('A'.repeat(32), 4, cell, 1, v)).toMatch(/is not 32 lower-case hex digits/);
    for (let e = 1; e <= 8; e++) expect(agg.add('0'.repeat(32), e, cell, 1, v)).toBeUndefined();
    expect(agg.add('0'.repeat(32), 9, cell, 1, v)).toMatch(/a 9th training budget \(9 epochs; seen: 1, 2, 3, 4, 5, 6, 7, 8\)/);
    const words = new Uint32Array(4);
    expect(parseHash('00005c142e6f48ac74fdcf73e3439874', words, 0)).toBe(true);
    expect(Array.from(words)).toEqual([0x00005c14, 0x2e6f48ac, 0x74fdcf73, 0xe3439874]);
  });
});
