/**
 * CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of TFRecord framing
 * (tensorflow/core/lib/hash/crc32c.h). Slicing-by-8 tables: 8 bytes per step, because TFRecord
 * files reach gigabytes (NAS-Bench-101's full release is 1.95 GB) and the byte-at-a-time loop is
 * the bottleneck of reading them.
 */

const POLY = 0x82f63b78;

/** T[k][b]: CRC of byte b followed by k zero bytes (slicing-by-8). */
const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const prev = t[(k - 1) * 256 + b]!;
      t[k * 256 + b] = (t[prev & 0xff]! ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

/**
 * CRC-32C of `data[start..end)`, continuing from `crc` (the CRC of the bytes before; 0 to start).
 *
 * @example
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283, the standard check value
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  const t = TABLES;
  let c = ~crc >>> 0;
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    const lo = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + (hi & 0xff)]! ^
      t[2 * 256 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[(hi >>> 24) & 0xff]!;
  }
  for (; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** TFRecord's masked CRC (`crc32c::Mask`): rotate right by 15 and add 0xa282ead8, so a CRC of data holding CRCs stays strong. */
export function maskCrc32c(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
