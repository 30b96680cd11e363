// Global lookups (Math.imul) are slow inside vm contexts such as jest's; a module-level alias is not.
const imul = Math.imul;

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The seeded generator of initial weights, batch orders and masks: xoshiro128** (Blackman & Vigna
 * 2018) with its state expanded from (seed, label) by SplitMix32. Streams with different labels
 * are independent: each parameter gets its own stream labelled by its name, so a parameter's
 * initial values depend only on the seed and its name — the stem of two architectures built with
 * the same seed starts identical, and adding a layer does not shift the values of the others.
 * Pure JavaScript: the same numbers on every backend.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(
    readonly seed: number,
    label = '',
  ) {
    let s = (Math.trunc(seed) ^ fnv1a(label)) | 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = imul(z ^ (z >>> 16), 0x85ebca6b);
      z = imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** An independent stream for `label`. */
  fork(label: string): SeededRandom {
    return new SeededRandom(this.uint32() ^ fnv1a(label), label);
  }

  /** Uniform 32-bit unsigned integer (the same stream {@link fillUniform} draws from). */
  uint32(): number {
    const { a, b } = this;
    const r = imul(rotl(imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    this.c ^= a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** Fills `out` with U(−bound, bound) (32 random bits per value; state kept in locals for speed). */
  fillUniform(out: Float32Array, bound: number): Float32Array {
    let { a, b, c, d } = this;
    const scale = (2 * bound) / 4294967296;
    for (let i = 0; i < out.length; i++) {
      const r = imul(rotl(imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      out[i] = r * scale - bound;
    }
    Object.assign(this, { a, b, c, d });
    return out;
  }

  /** Fills `out` with N(0, std²) (Box–Muller over {@link fillUniform}'s stream). */
  fillNormal(out: Float32Array, std: number): Float32Array {
    const u = this.fillUniform(new Float32Array(out.length + (out.length % 2)), 0.5);
    for (let i = 0; i < out.length; i += 2) {
      const u1 = u[i]! + 0.5 || Number.MIN_VALUE; // (0, 1]
      const r = std * Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * (u[i + 1]! + 0.5);
      out[i] = r * Math.cos(theta);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
