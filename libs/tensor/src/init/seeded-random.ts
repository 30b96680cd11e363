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
 * A small seeded generator for weight initialisation: xoshiro128** (Blackman & Vigna 2018) with
 * its state expanded from (seed, label) by SplitMix32. Each parameter gets its own stream labelled
 * by its name, so a parameter's initial values depend only on the seed and its name — the stem of
 * two architectures built with the same seed starts identical, and adding a layer does not shift
 * the values of the others.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, label = '') {
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
