/**
 * NumPy `.npz` archives (zip files of `.npy` members, zip64 included): members loaded whole, or
 * streamed a row range at a time. A stored member (`numpy.savez`) is read at any offset; a deflated
 * one (`numpy.savez_compressed`) cannot seek, so it is inflated forward from the last position read
 * (restarting from its start when a range before it is asked for): sequential reads cost one pass,
 * and memory stays at the rows asked for plus one inflated chunk either way.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { RowArray } from '../sharded-split';
import { dataError, decodeElements, itemSize, parseDescr, sizeOf, type NdArray, type NumericDtype } from './ndarray';
import { decodeNpyData, parseNpyHeader, rowSourceAt, type ArrayRowSource, type NpyHeader } from './npy';

/** One member of a zip archive. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** An open `.npz` archive. */
export interface NpzArchive {
  readonly file: string;
  /** Member arrays, without the `.npy` extension (`x_train`, `y_train`, …). */
  readonly names: readonly string[];
  /** The header of a member (shape, dtype) without reading its data. */
  header(name: string): Promise<NpyHeader>;
  /** A member read whole. */
  load(name: string): Promise<NdArray>;
  /** A member streamed a row range at a time. */
  open(name: string): Promise<ArrayRowSource>;
  close(): void;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** The members of the zip archive open as `fd` (zip64 aware), from its central directory at the end of the file. */
export function readZipDirectory(fd: number, file: string): ZipEntry[] {
  const bad = (what: string) =>
    dataError(file, `is not a readable .npz (zip) archive (${what})`, 'write it with numpy.savez or numpy.savez_compressed, or replace it with an intact copy');
  const size = fs.fstatSync(fd).size;
  const tailLen = Math.min(size, 65557);
  const tail = readAt(fd, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record');
  let entries = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw bad('zip64 locator missing');
    const z64 = Number(tail.readBigUInt64LE(loc + 8));
    const rec = readAt(fd, z64, 56);
    if (rec.readUInt32LE(0) !== 0x06064b50) throw bad('zip64 end record missing');
    entries = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  const cd = readAt(fd, cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw bad('damaged central directory');
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressed = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (uncompressed === 0xffffffff) {
          uncompressed = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    out.push({ name, method, compressedSize, size: uncompressed, localHeaderOffset });
    p = xEnd + commentLen;
  }
  return out;
}

/** Forward-only inflation of one deflated member, restartable. */
class InflateCursor {
  private it?: AsyncIterator<Buffer>;
  private pos = 0;
  private carry?: Buffer;
  private queue: Promise<unknown> = Promise.resolve();
  /** Bytes inflated in all, restarts included (the cost of out-of-order reads). */
  inflated = 0;

  constructor(
    private readonly file: string,
    private readonly start: number,
    private readonly length: number,
  ) {}

  private restart(): void {
    const input = fs.createReadStream(this.file, { start: this.start, end: this.start + this.length - 1, highWaterMark: 1 << 20 });
    const inflate = zlib.createInflateRaw({ chunkSize: 1 << 20 });
    input.on('error', (e) => inflate.destroy(e));
    this.it = input.pipe(inflate)[Symbol.asyncIterator]();
    this.pos = 0;
    this.carry = undefined;
  }

  /** Uncompressed bytes `from … from + length − 1`. */
  read(from: number, length: number): Promise<Buffer> {
    const run = this.queue.then(() => this.readNow(from, length));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readNow(from: number, length: number): Promise<Buffer> {
    if (!this.it || from < this.pos) this.restart();
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      let chunk = this.carry;
      this.carry = undefined;
      if (!chunk) {
        const r = await this.it!.next();
        if (r.done)
          throw dataError(
            this.file,
            `ends inside a compressed member (at byte ${this.pos} of its data)`,
            'the archive is truncated: download or write it again',
          );
        chunk = r.value;
        this.inflated += chunk.length;
      }
      const chunkStart = this.pos;
      const want = from + filled;
      if (chunkStart + chunk.length <= want) {
        this.pos = chunkStart + chunk.length;
        continue;
      }
      const s = want - chunkStart;
      const take = Math.min(chunk.length - s, length - filled);
      chunk.copy(out, filled, s, s + take);
      filled += take;
      if (s + take < chunk.length) {
        this.carry = chunk.subarray(s + take);
        this.pos = chunkStart + s + take;
      } else {
        this.pos = chunkStart + chunk.length;
      }
    }
    return out;
  }
}

/** Opens a `.npz` archive: its member list now, members when asked for. */
/**
 * The bytes of one member of the zip archive open as `fd` (stored or deflated), read whole — for
 * archives of many small files (NAS-Bench-360's `protein.zip`), used without unpacking.
 */
export function readZipMember(fd: number, file: string, e: ZipEntry): Buffer {
  if (e.method !== 0 && e.method !== 8)
    throw dataError(file, `stores "${e.name}" with zip method ${e.method}`, 'use the archive of the release (stored or deflated members)');
  const local = readAt(fd, e.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50)
    throw dataError(file, `has a damaged local header for "${e.name}"`, 'replace the archive with an intact copy');
  const start = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const raw = readAt(fd, start, e.compressedSize);
  if (raw.length < e.compressedSize) throw dataError(file, `is truncated inside "${e.name}"`, 'download the archive again');
  try {
    return e.method === 0 ? raw : zlib.inflateRawSync(raw);
  } catch (err) {
    throw dataError(file, `has a damaged member "${e.name}" (${(err as Error).message})`, 'download the archive again');
  }
}

export async function openNpz(file: string): Promise<NpzArchive> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw dataError(file, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(fd, file);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  const byName = new Map(entries.map((e) => [e.name.replace(/\.npy$/, ''), e]));
  const sources: ArrayRowSource[] = [];
  const entry = (name: string): ZipEntry & { dataStart: number } => {
    const e = byName.get(name);
    if (!e)
      throw dataError(
        file,
        `has no array "${name}" (it holds ${[...byName.keys()].join(', ') || 'nothing'})`,
        `use the archive of the release, whose arrays include ${name}`,
      );
    if (e.method !== 0 && e.method !== 8)
      throw dataError(file, `stores "${name}" with zip method ${e.method}`, 'write the archive with numpy.savez or numpy.savez_compressed');
    const local = readAt(fd, e.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50) throw dataError(file, `has a damaged local header for "${name}"`, 'replace the archive with an intact copy');
    return { ...e, dataStart: e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28) };
  };
  const headerOf = async (e: ZipEntry & { dataStart: number }, cursor?: InflateCursor): Promise<NpyHeader> => {
    const first = e.method === 0 ? readAt(fd, e.dataStart, Math.min(e.size, 12)) : await cursor!.read(0, Math.min(e.size, 12));
    const len = first[6] === 1 ? first.readUInt16LE(8) + 10 : first.readUInt32LE(8) + 12;
    const head = e.method === 0 ? readAt(fd, e.dataStart, Math.min(e.size, len)) : await cursor!.read(0, Math.min(e.size, len));
    return parseNpyHeader(head, `${file}:${e.name}`);
  };
  return {
    file,
    names: [...byName.keys()],
    async header(name) {
      const e = entry(name);
      return headerOf(e, e.method === 8 ? new InflateCursor(file, e.dataStart, e.compressedSize) : undefined);
    },
    async load(name) {
      const e = entry(name);
      const raw = readAt(fd, e.dataStart, e.compressedSize);
      const bytes = e.method === 0 ? raw : zlib.inflateRawSync(raw);
      const header = parseNpyHeader(bytes, `${file}:${e.name}`);
      return await decodeNpyData(header, bytes.subarray(header.dataOffset), `${file}:${e.name}`);
    },
    async open(name) {
      const e = entry(name);
      if (e.method === 0) {
        const header = await headerOf(e);
        const src = rowSourceAt(fd, `${file}:${e.name}`, { ...header, dataOffset: e.dataStart + header.dataOffset }, false);
        sources.push(src);
        return src;
      }
      const cursor = new InflateCursor(file, e.dataStart, e.compressedSize);
      const header = await headerOf(e, cursor);
      const where = `${file}:${e.name}`;
      const { dtype, little } = parseDescr(header.descr, where);
      if (header.fortranOrder && header.shape.length > 1) {
        throw dataError(where, 'stores its array in Fortran order, which cannot be read a row at a time', 'save it in C order to stream it, or load it whole');
      }
      const rows = header.shape[0] ?? 1;
      const rowLength = sizeOf(header.shape.slice(1));
      const rowBytes = rowLength * itemSize(dtype);
      let maxReadBytes = 0;
      const src: ArrayRowSource & { readonly inflatedBytes: number } = {
        rows,
        rowLength,
        shape: header.shape,
        dtype: dtype as NumericDtype,
        get maxReadBytes() {
          return maxReadBytes;
        },
        get inflatedBytes() {
          return cursor.inflated;
        },
        async read(start, count): Promise<RowArray> {
          if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= rows)) {
            throw new RangeError(`${where}: rows ${start} … ${start + count - 1} are not within 0 … ${rows - 1}`);
          }
          maxReadBytes = Math.max(maxReadBytes, count * rowBytes);
          const bytes = await cursor.read(header.dataOffset + start * rowBytes, count * rowBytes);
          return decodeElements(bytes, dtype, little, count * rowLength) as RowArray;
        },
        close() {},
      };
      return src;
    },
    close() {
      for (const s of sources) s.close();
      fs.closeSync(fd);
    },
  };
}
