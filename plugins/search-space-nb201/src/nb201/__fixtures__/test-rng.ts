import type { Rng } from '@nasx/contracts';

/**
 * A small seeded {@link Rng} for this package's tests (mulberry32), until the kernel's generator
 * is available to plugins' tests. Deterministic per seed; not for production runs.
 */
export function testRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | undefined;
  const u32 = (): number => {
    // mulberry32 (Tommy Ettinger): one 32-bit state word, fine statistical quality for tests.
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const rng: Rng = {
    seed: seed >>> 0,
    next: () => u32() / 4294967296,
    int: (maxExclusive) => {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) throw new RangeError(`int(${maxExclusive}): need a positive integer`);
      return Math.floor(rng.next() * maxExclusive);
    },
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[rng.int(items.length)]!;
    },
    shuffle: (items) => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    sampleIndices: (n, k) => {
      if (k > n) throw new RangeError(`sampleIndices(${n}, ${k}): k > n`);
      return rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, k);
    },
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // Box–Muller; 1 - next() avoids log(0).
      const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
      const a = 2 * Math.PI * rng.next();
      spare = r * Math.sin(a);
      return r * Math.cos(a);
    },
    fork: (label) => {
      let h = 0x811c9dc5 ^ rng.seed;
      for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
      return testRng(h >>> 0);
    },
  };
  return rng;
}
