/**
 * Writes `.npy` files and stored (uncompressed) `.npz` archives that NumPy reads, streaming each
 * array's rows so that an archive larger than memory can be produced (zip64 records are written
 * when offsets or sizes pass 4 GiB, or on request).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { itemSize, sizeOf, type NumericData, type NumericDtype } from './ndarray';

/** The `.npy` header (format 1.0, padded to 64 bytes) of a C-order little-endian array. */
export function npyHeader(dtype: NumericDtype, shape: readonly number[]): Buffer {
  const descr = dtype === 'u1' || dtype === 'i1' || dtype === 'b1' ? `|${dtype}` : `<${dtype}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + text.length + 1;
  text += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10 + text.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(text.length, 8);
  head.write(text, 10, 'latin1');
  return head;
}

/** Little-endian bytes of a typed array (`i8`/`u8` data is given as float64 values). */
function bytesOf(data: NumericData, dtype: NumericDtype): Buffer {
  if (dtype === 'i8' || dtype === 'u8') {
    const out = Buffer.alloc(data.length * 8);
    for (let i = 0; i < data.length; i++) {
      if (dtype === 'i8') out.writeBigInt64LE(BigInt(Math.round(data[i]!)), i * 8);
      else out.writeBigUInt64LE(BigInt(Math.round(data[i]!)), i * 8);
    }
    return out;
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes a whole array as a `.npy` file. */
export function saveNpy(file: string, dtype: NumericDtype, shape: readonly number[], data: NumericData): void {
  fs.writeFileSync(file, Buffer.concat([npyHeader(dtype, shape), bytesOf(data, dtype)]));
}

/** One member of an archive: its rows come from `rows(start, count)`, produced in order. */
export interface NpzMember {
  readonly dtype: NumericDtype;
  readonly shape: readonly number[];
  /** Rows `start … start + count − 1` (row = first axis), flattened. */
  rows(start: number, count: number): NumericData;
}

/**
 * Writes a stored `.npz` archive of `members`, `chunkRows` rows at a time (memory: one chunk).
 * `zip64` forces zip64 records (otherwise used only where sizes or offsets need them).
 */
export function writeNpz(file: string, members: Readonly<Record<string, NpzMember>>, options: { chunkRows?: number; zip64?: boolean } = {}): void {
  const fd = fs.openSync(file, 'w');
  let offset = 0;
  const write = (b: Buffer, at?: number) => {
    fs.writeSync(fd, b, 0, b.length, at ?? offset);
    if (at === undefined) offset += b.length;
  };
  const central: Buffer[] = [];
  try {
    for (const [name, m] of Object.entries(members)) {
      const fileName = Buffer.from(`${name}.npy`, 'utf8');
      const header = npyHeader(m.dtype, m.shape);
      const size = header.length + sizeOf(m.shape) * itemSize(m.dtype);
      const big = options.zip64 === true || size >= 0xffffffff || offset >= 0xffffffff;
      const localAt = offset;
      const local = Buffer.alloc(30 + fileName.length + (big ? 20 : 0));
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(big ? 45 : 20, 4);
      local.writeUInt16LE(0, 6); // flags
      local.writeUInt16LE(0, 8); // stored
      local.writeUInt32LE(0x00210000, 10); // time/date (1980-01-01)
      local.writeUInt32LE(big ? 0xffffffff : size, 18);
      local.writeUInt32LE(big ? 0xffffffff : size, 22);
      local.writeUInt16LE(fileName.length, 26);
      local.writeUInt16LE(big ? 20 : 0, 28);
      fileName.copy(local, 30);
      if (big) {
        local.writeUInt16LE(0x0001, 30 + fileName.length);
        local.writeUInt16LE(16, 32 + fileName.length);
        local.writeBigUInt64LE(BigInt(size), 34 + fileName.length);
        local.writeBigUInt64LE(BigInt(size), 42 + fileName.length);
      }
      write(local);
      let crc = zlib.crc32(header);
      write(header);
      const rows = m.shape[0] ?? 1;
      const chunk = options.chunkRows ?? 4096;
      for (let s = 0; s < rows; s += chunk) {
        const n = Math.min(chunk, rows - s);
        const b = bytesOf(m.rows(s, n), m.dtype);
        crc = zlib.crc32(b, crc);
        write(b);
      }
      local.writeUInt32LE(crc >>> 0, 14);
      write(local.subarray(14, 18), localAt + 14);
      const cd = Buffer.alloc(46 + fileName.length + (big ? 28 : 0));
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(big ? 45 : 20, 4);
      cd.writeUInt16LE(big ? 45 : 20, 6);
      cd.writeUInt32LE(0x00210000, 12);
      cd.writeUInt32LE(crc >>> 0, 16);
      cd.writeUInt32LE(big ? 0xffffffff : size, 20);
      cd.writeUInt32LE(big ? 0xffffffff : size, 24);
      cd.writeUInt16LE(fileName.length, 28);
      cd.writeUInt16LE(big ? 28 : 0, 30);
      cd.writeUInt32LE(big ? 0xffffffff : localAt, 42);
      fileName.copy(cd, 46);
      if (big) {
        const x = 46 + fileName.length;
        cd.writeUInt16LE(0x0001, x);
        cd.writeUInt16LE(24, x + 2);
        cd.writeBigUInt64LE(BigInt(size), x + 4);
        cd.writeBigUInt64LE(BigInt(size), x + 12);
        cd.writeBigUInt64LE(BigInt(localAt), x + 20);
      }
      central.push(cd);
    }
    const cdAt = offset;
    const cdBytes = Buffer.concat(central);
    write(cdBytes);
    const count = central.length;
    const big = options.zip64 === true || cdAt >= 0xffffffff || count >= 0xffff;
    if (big) {
      const z = Buffer.alloc(56 + 20);
      z.writeUInt32LE(0x06064b50, 0);
      z.writeBigUInt64LE(44n, 4);
      z.writeUInt16LE(45, 12);
      z.writeUInt16LE(45, 14);
      z.writeBigUInt64LE(BigInt(count), 24);
      z.writeBigUInt64LE(BigInt(count), 32);
      z.writeBigUInt64LE(BigInt(cdBytes.length), 40);
      z.writeBigUInt64LE(BigInt(cdAt), 48);
      z.writeUInt32LE(0x07064b50, 56);
      z.writeBigUInt64LE(BigInt(offset), 64);
      z.writeUInt32LE(1, 72);
      write(z);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(big ? 0xffff : count, 8);
    end.writeUInt16LE(big ? 0xffff : count, 10);
    end.writeUInt32LE(big ? 0xffffffff : cdBytes.length, 12);
    end.writeUInt32LE(big ? 0xffffffff : cdAt, 16);
    write(end);
  } finally {
    fs.closeSync(fd);
  }
}
