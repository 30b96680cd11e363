import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('fillBernoulli draws the same stream as next(): the same mask, and the same state after it', () => {
    for (const [seed, p] of [
      [0, 0.4],
      [7, 0.5],
      [123456, 0.999],
      [3, 0],
      [9, 1],
    ] as const) {
      const fast = new SeededRandom(seed, 'dropout');
      const slow = new SeededRandom(seed, 'dropout');
      const mask = fast.fillBernoulli(new Float32Array(10_001), p, 2.5);
      const expected = Float32Array.from({ length: 10_001 }, () => (slow.next() < p ? 2.5 : 0));
      expect(mask).toEqual(expected);
      expect(fast.uint32()).toBe(slow.uint32());
      // Not a constant mask (except at p = 0 and 1): the fraction kept follows p.
      const kept = mask.filter((v) => v !== 0).length / mask.length;
      expect(Math.abs(kept - p)).toBeLessThan(0.02);
    }
  });

  it('fillUniform and next() share one stream', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const u = a.fillUniform(new Float32Array(100), 1);
    u.forEach((v) => expect(v).toBeCloseTo(b.next() * 2 - 1, 6));
  });
});
