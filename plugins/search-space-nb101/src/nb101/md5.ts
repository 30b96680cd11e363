/**
 * MD5 (RFC 1321) over a byte buffer, written for the NB101 module hash: millions of digests of
 * short messages (10–260 bytes) during enumeration, where `node:crypto`'s per-call objects
 * (createHash → update → digest, about 3 µs) cost several times the compression itself. No
 * allocation per call: the caller writes the message into {@link Md5.buffer} and reads the digest
 * from {@link Md5.digest}. The 64 steps are unrolled with their constants inlined (generated from
 * RFC 1321 §3.4; K[i] = floor(|sin(i + 1)| · 2^32)). `md5.spec.ts` checks it against `node:crypto`
 * on random inputs of every length up to 300 bytes.
 */

/** Lower-case hex digits as char codes. */
const HEX_CODES = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
/** Two hex characters per byte value. */
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));
/** True on little-endian hosts, where message words can be read through an Int32Array view. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * A reusable MD5 computer. Write up to `capacity` message bytes into `buffer`, call
 * {@link compute}(length); the digest is in `digest` as 4 little-endian words (a, b, c, d), i.e.
 * digest byte k is `(digest[k >> 2] >>> 8·(k & 3)) & 255`.
 */
export class Md5 {
  /** Message bytes (plus room for padding). */
  readonly buffer: Uint8Array;
  /** The last digest: words a, b, c, d. */
  readonly digest = new Int32Array(4);
  /** `buffer` as little-endian words (a copy on big-endian hosts, filled per block). */
  private readonly words: Int32Array;

  constructor(readonly capacity = 1024) {
    const size = (capacity + 72 + 63) & ~63;
    this.buffer = new Uint8Array(size);
    this.words = LITTLE_ENDIAN ? new Int32Array(this.buffer.buffer) : new Int32Array(16);
  }

  /** Digest of `buffer[0 .. length)`; pads in place (bytes after `length` are overwritten). */
  compute(length: number): Int32Array {
    const buf = this.buffer;
    if (length > this.capacity) throw new RangeError(`md5: message of ${length} bytes exceeds the buffer capacity ${this.capacity}`);
    // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian integer.
    let end = length;
    buf[end++] = 0x80;
    while ((end & 63) !== 56) buf[end++] = 0;
    const bits = length * 8;
    buf[end++] = bits & 255;
    buf[end++] = (bits >>> 8) & 255;
    buf[end++] = (bits >>> 16) & 255;
    buf[end++] = (bits >>> 24) & 255;
    const high = (bits - (bits >>> 0)) / 4294967296;
    buf[end++] = high & 255;
    buf[end++] = (high >>> 8) & 255;
    buf[end++] = (high >>> 16) & 255;
    buf[end++] = (high >>> 24) & 255;

    let a0 = 0x67452301 | 0;
    let b0 = 0xefcdab89 | 0;
    let c0 = 0x98badcfe | 0;
    let d0 = 0x10325476 | 0;
    const m = this.words;
    for (let off = 0; off < end; off += 64) {
      let o = off >> 2;
      if (!LITTLE_ENDIAN) {
        for (let j = 0; j < 16; j++) {
          const p = off + 4 * j;
          m[j] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
        }
        o = 0;
      }
      const w0 = m[o]!,
        w1 = m[o + 1]!,
        w2 = m[o + 2]!,
        w3 = m[o + 3]!,
        w4 = m[o + 4]!,
        w5 = m[o + 5]!,
        w6 = m[o + 6]!,
        w7 = m[o + 7]!;
      const w8 = m[o + 8]!,
        w9 = m[o + 9]!,
        w10 = m[o + 10]!,
        w11 = m[o + 11]!,
        w12 = m[o + 12]!,
        w13 = m[o + 13]!,
        w14 = m[o + 14]!,
        w15 = m[o + 15]!;
      let a = a0;
      let b = b0;
      let c = c0;
      let d = d0;
      let t: number;
      t = (a + ((b & c) | (~b & d)) + (0xd76aa478 | 0) + w0) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + ((a & b) | (~a & c)) + (0xe8c7b756 | 0) + w1) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + ((d & a) | (~d & b)) + (0x242070db | 0) + w2) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + ((c & d) | (~c & a)) + (0xc1bdceee | 0) + w3) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + ((b & c) | (~b & d)) + (0xf57c0faf | 0) + w4) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + ((a & b) | (~a & c)) + (0x4787c62a | 0) + w5) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + ((d & a) | (~d & b)) + (0xa8304613 | 0) + w6) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + ((c & d) | (~c & a)) + (0xfd469501 | 0) + w7) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + ((b & c) | (~b & d)) + (0x698098d8 | 0) + w8) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + ((a & b) | (~a & c)) + (0x8b44f7af | 0) + w9) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + ((d & a) | (~d & b)) + (0xffff5bb1 | 0) + w10) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + ((c & d) | (~c & a)) + (0x895cd7be | 0) + w11) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + ((b & c) | (~b & d)) + (0x6b901122 | 0) + w12) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + ((a & b) | (~a & c)) + (0xfd987193 | 0) + w13) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + ((d & a) | (~d & b)) + (0xa679438e | 0) + w14) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + ((c & d) | (~c & a)) + (0x49b40821 | 0) + w15) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + ((d & b) | (~d & c)) + (0xf61e2562 | 0) + w1) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + ((c & a) | (~c & b)) + (0xc040b340 | 0) + w6) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + ((b & d) | (~b & a)) + (0x265e5a51 | 0) + w11) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + ((a & c) | (~a & d)) + (0xe9b6c7aa | 0) + w0) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + ((d & b) | (~d & c)) + (0xd62f105d | 0) + w5) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + ((c & a) | (~c & b)) + (0x02441453 | 0) + w10) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + ((b & d) | (~b & a)) + (0xd8a1e681 | 0) + w15) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + ((a & c) | (~a & d)) + (0xe7d3fbc8 | 0) + w4) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + ((d & b) | (~d & c)) + (0x21e1cde6 | 0) + w9) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + ((c & a) | (~c & b)) + (0xc33707d6 | 0) + w14) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + ((b & d) | (~b & a)) + (0xf4d50d87 | 0) + w3) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + ((a & c) | (~a & d)) + (0x455a14ed | 0) + w8) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + ((d & b) | (~d & c)) + (0xa9e3e905 | 0) + w13) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + ((c & a) | (~c & b)) + (0xfcefa3f8 | 0) + w2) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + ((b & d) | (~b & a)) + (0x676f02d9 | 0) + w7) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + ((a & c) | (~a & d)) + (0x8d2a4c8a | 0) + w12) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + (b ^ c ^ d) + (0xfffa3942 | 0) + w5) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + (0x8771f681 | 0) + w8) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + (0x6d9d6122 | 0) + w11) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + (0xfde5380c | 0) + w14) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (b ^ c ^ d) + (0xa4beea44 | 0) + w1) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + (0x4bdecfa9 | 0) + w4) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + (0xf6bb4b60 | 0) + w7) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + (0xbebfbc70 | 0) + w10) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (b ^ c ^ d) + (0x289b7ec6 | 0) + w13) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + (0xeaa127fa | 0) + w0) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + (0xd4ef3085 | 0) + w3) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + (0x04881d05 | 0) + w6) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (b ^ c ^ d) + (0xd9d4d039 | 0) + w9) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + (0xe6db99e5 | 0) + w12) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + (0x1fa27cf8 | 0) + w15) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + (0xc4ac5665 | 0) + w2) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (c ^ (b | ~d)) + (0xf4292244 | 0) + w0) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + (0x432aff97 | 0) + w7) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + (0xab9423a7 | 0) + w14) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + (0xfc93a039 | 0) + w5) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      t = (a + (c ^ (b | ~d)) + (0x655b59c3 | 0) + w12) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + (0x8f0ccc92 | 0) + w3) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + (0xffeff47d | 0) + w10) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + (0x85845dd1 | 0) + w1) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      t = (a + (c ^ (b | ~d)) + (0x6fa87e4f | 0) + w8) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + (0xfe2ce6e0 | 0) + w15) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + (0xa3014314 | 0) + w6) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + (0x4e0811a1 | 0) + w13) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      t = (a + (c ^ (b | ~d)) + (0xf7537e82 | 0) + w4) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + (0xbd3af235 | 0) + w11) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + (0x2ad7d2bb | 0) + w2) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + (0xeb86d391 | 0) + w9) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      a0 = (a0 + a) | 0;
      b0 = (b0 + b) | 0;
      c0 = (c0 + c) | 0;
      d0 = (d0 + d) | 0;
    }
    const out = this.digest;
    out[0] = a0;
    out[1] = b0;
    out[2] = c0;
    out[3] = d0;
    return out;
  }
}

/** Writes the 32 lower-case hex chars of a digest (4 LE words at `words[at..at+4)`) into `dest` at `pos`. */
export function writeHex(words: Int32Array, at: number, dest: Uint8Array, pos: number): void {
  for (let w = 0; w < 4; w++) {
    const x = words[at + w]!;
    for (let k = 0; k < 4; k++) {
      const byte = (x >>> (8 * k)) & 255;
      dest[pos++] = HEX_CODES[byte >>> 4]!;
      dest[pos++] = HEX_CODES[byte & 15]!;
    }
  }
}

/** The 32-char lower-case hex string of a digest (4 LE words at `words[at..at+4)`). */
export function digestHex(words: Int32Array, at = 0): string {
  let s = '';
  for (let w = 0; w < 4; w++) {
    const x = words[at + w]!;
    s += HEX_PAIRS[x & 255]! + HEX_PAIRS[(x >>> 8) & 255]! + HEX_PAIRS[(x >>> 16) & 255]! + HEX_PAIRS[(x >>> 24) & 255]!;
  }
  return s;
}

/** Byte-swaps a 32-bit word (LE digest word → the big-endian word whose unsigned order is the hex order). */
export function bswap32(x: number): number {
  return (((x & 255) << 24) | (((x >>> 8) & 255) << 16) | (((x >>> 16) & 255) << 8) | ((x >>> 24) & 255)) >>> 0;
}
