/**
 * NumPy's legacy `RandomState` (MT19937) as far as data splits need it: `permutation(n)` and
 * scikit-learn's `train_test_split(..., random_state=seed)`, bit-for-bit. Benchmarks published with a
 * split drawn this way (NAS-Bench-360's ECG records) can then be reproduced exactly, not just in size.
 */

/** The Mersenne Twister MT19937 seeded as NumPy's `RandomState(seed)` (`init_genrand`). */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) throw new RangeError(`Mt19937: seed must be an integer in 0 … 2^32 − 1, got ${seed}`);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      // 1812433253 · prev + i, modulo 2^32, without losing bits to float rounding.
      this.mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  /** The next 32-bit output. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in 0 … max (inclusive), NumPy's legacy `rk_interval`: masked draws, rejected above max. */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new RangeError('Mt19937.interval: max above 2^32 − 1 is not supported');
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= max) return v;
    }
  }
}

/** `np.random.RandomState(seed).permutation(n)`. */
export function numpyPermutation(n: number, seed: number): Int32Array {
  const out = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Mt19937(seed);
  // RandomState.shuffle: Fisher–Yates from the end, j = rk_interval(i).
  for (let i = n - 1; i > 0; i--) {
    const j = rng.interval(i);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * The row indices scikit-learn's `train_test_split(range(n), test_size=testFraction, random_state=seed)`
 * returns (`ShuffleSplit`: n_test = ⌈testFraction · n⌉, test = permutation[:n_test], train = the rest),
 * each in scikit-learn's order.
 */
export function sklearnTrainTestSplit(n: number, testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`sklearnTrainTestSplit: testFraction must be in (0, 1), got ${testFraction}`);
  const nTest = Math.ceil(testFraction * n);
  const nTrain = n - nTest;
  if (nTrain < 1 || nTest < 1) throw new RangeError(`sklearnTrainTestSplit: ${n} rows cannot be split with test fraction ${testFraction}`);
  const perm = numpyPermutation(n, seed);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest, nTest + nTrain) };
}
