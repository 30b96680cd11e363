/**
 * Uncompressed tar archives (POSIX ustar, with GNU long names and pax path records), read by
 * offset: the directory is one pass over the 512-byte headers (the members' data is skipped, not
 * read), and each member is then read in place from the archive — a release shipped as a multi-GB
 * `.tar` (NAS-Bench-360's deepCR Cosmic data) is used without unpacking it.
 */
import * as fs from 'node:fs';
import { dataError } from './ndarray';

/** One regular file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive (`/`-separated, as stored). */
  readonly name: string;
  /** Offset of the member's data in the archive. */
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;

function text(b: Buffer, from: number, len: number): string {
  const end = b.indexOf(0, from);
  return b.toString('utf8', from, end < 0 || end > from + len ? from + len : end);
}

/** A numeric header field: octal text, or GNU base-256 (first byte 0x80) for values past 8 GiB. */
function numberField(b: Buffer, from: number, len: number): number {
  if (b[from]! & 0x80) {
    let v = 0;
    for (let i = from + 1; i < from + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = text(b, from, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** The `path` record of a pax extended header (`<len> path=<value>\n` records). */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = parseInt(data.toString('utf8', at, space), 10);
    if (!(len > 0)) break;
    const record = data.toString('utf8', space + 1, at + len - 1);
    if (record.startsWith('path=')) return record.slice(5);
    at += len;
  }
  return undefined;
}

/** The regular files of the tar archive `file`, in archive order. */
export function readTarDirectory(file: string): TarEntry[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw dataError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  try {
    const total = fs.fstatSync(fd).size;
    const entries: TarEntry[] = [];
    const header = Buffer.alloc(BLOCK);
    let at = 0;
    let longName: string | undefined;
    while (at + BLOCK <= total) {
      fs.readSync(fd, header, 0, BLOCK, at);
      if (header.every((v) => v === 0)) break; // end-of-archive blocks
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
      const stored = numberField(header, 148, 8);
      if (stored !== sum)
        throw dataError(file, `is not a tar archive (bad header checksum at byte ${at})`, 'use the uncompressed .tar of the release, intact (re-download it)');
      const size = numberField(header, 124, 12);
      const type = String.fromCharCode(header[156]! || 0x30);
      const data = at + BLOCK;
      if (data + size > total)
        throw dataError(file, `is truncated: member at byte ${at} needs ${size} bytes of ${total - data} left`, 'download the archive again');
      const readData = () => {
        const b = Buffer.alloc(size);
        fs.readSync(fd, b, 0, size, data);
        return b;
      };
      if (type === 'L') longName = text(readData(), 0, size);
      else if (type === 'x') longName = paxPath(readData()) ?? longName;
      else {
        if (type === '0' || type === '7') {
          const magic = header.toString('latin1', 257, 262);
          const prefix = magic === 'ustar' ? text(header, 345, 155) : '';
          const short = text(header, 0, 100);
          entries.push({ name: longName ?? (prefix ? `${prefix}/${short}` : short), offset: data, size });
        }
        longName = undefined;
      }
      at = data + Math.ceil(size / BLOCK) * BLOCK;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a ustar archive of `members` (names up to 100 bytes) — for tests and small exports. */
export function writeTar(file: string, members: readonly { readonly name: string; readonly data: Uint8Array }[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const m of members) {
      const h = Buffer.alloc(BLOCK);
      if (Buffer.byteLength(m.name) > 100) throw new RangeError(`writeTar: name longer than 100 bytes: ${m.name}`);
      h.write(m.name, 0, 'utf8');
      h.write('0000644\0', 100, 'latin1');
      h.write('0000000\0', 108, 'latin1');
      h.write('0000000\0', 116, 'latin1');
      h.write(`${m.data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
      h.write('00000000000\0', 136, 'latin1');
      h[156] = 0x30;
      h.write('ustar\0' + '00', 257, 'latin1');
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += h[i]!;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      fs.writeSync(fd, h);
      fs.writeSync(fd, m.data);
      const pad = (BLOCK - (m.data.length % BLOCK)) % BLOCK;
      if (pad) fs.writeSync(fd, Buffer.alloc(pad));
    }
    fs.writeSync(fd, Buffer.alloc(2 * BLOCK));
  } finally {
    fs.closeSync(fd);
  }
}
