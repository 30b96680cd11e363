/**
 * NumPy `.npy` files (format versions 1.0–3.0): whole arrays, object arrays (their pickled payload
 * unpickled), and a streamed reader of row ranges for arrays too large to hold.
 */
import * as fs from 'node:fs';
import type { RowArray, RowSource } from '../sharded-split';
import { dataError, decodeElements, fortranToC, itemSize, parseDescr, sizeOf, type NdArray, type NumericDtype } from './ndarray';
import { unpickle } from './pickle';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The header of a `.npy` file. */
export interface NpyHeader {
  /** The type string as written (`<f4`, `|O`, `<U7`, …). */
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Offset of the data from the start of the file (or of the member). */
  readonly dataOffset: number;
}

/** Parses the header at the start of `head` (at least the first 10 bytes plus the header's length). */
export function parseNpyHeader(head: Uint8Array, file: string): NpyHeader {
  const bad = (what: string) =>
    dataError(
      file,
      `is not a NumPy .npy file (${what})`,
      'write the array with numpy.save (or numpy.savez for archives), or replace the file with an intact copy',
    );
  if (head.length < 10 || MAGIC.some((b, i) => head[i] !== b)) throw bad('no \\x93NUMPY magic');
  const major = head[6]!;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw bad(`format version ${major}`);
  const headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (head.length < start + headerLen) throw bad('truncated header');
  const text = Buffer.from(head.subarray(start, start + headerLen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`unreadable header ${JSON.stringify(text.trim())}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`shape (${shapeText})`);
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + headerLen };
}

/** Decodes the data part of a `.npy` (`bytes` from the data offset on) per its header. */
export async function decodeNpyData(header: NpyHeader, bytes: Uint8Array, file: string): Promise<NdArray> {
  const { descr, shape, fortranOrder } = header;
  const n = sizeOf(shape);
  if (descr === '|O' || descr === 'O') {
    const value = await unpickle(bytes, file);
    const items = value && typeof value === 'object' && 'data' in value && Array.isArray((value as NdArray).data) ? (value as NdArray) : undefined;
    const data = items ? items.data : [value];
    return { dtype: 'O', shape, data: fortranOrder ? fortranToC([...data], shape) : data };
  }
  const str = /^([<>|=])([US])(\d+)$/.exec(descr);
  if (str) {
    const width = Number(str[3]);
    const charBytes = str[2] === 'U' ? 4 : 1;
    const out: string[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) {
      let s = '';
      for (let c = 0; c < width; c++) {
        const at = (i * width + c) * charBytes;
        const code = charBytes === 4 ? view.getUint32(at, str[1] !== '>') : bytes[at]!;
        if (code === 0) break;
        s += String.fromCodePoint(code);
      }
      out.push(s);
    }
    return { dtype: `${str[2]}${width}`, shape, data: fortranOrder ? fortranToC(out, shape) : out };
  }
  const { dtype, little } = parseDescr(descr, file);
  if (bytes.length < n * itemSize(dtype)) {
    throw dataError(
      file,
      `holds ${bytes.length} data bytes where its header announces ${n * itemSize(dtype)} (shape [${shape.join(', ')}], ${descr})`,
      'the file is truncated: download or write it again',
    );
  }
  const data = decodeElements(bytes, dtype, little, n);
  return { dtype, shape, data: fortranOrder ? fortranToC(data, shape) : data };
}

/** Reads a whole `.npy` file (or the bytes of one). */
export async function loadNpy(source: string | Uint8Array, name = typeof source === 'string' ? source : '<npy>'): Promise<NdArray> {
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? fs.readFileSync(source) : source;
  } catch (e) {
    throw dataError(name, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  const header = parseNpyHeader(bytes, name);
  return decodeNpyData(header, bytes.subarray(header.dataOffset), name);
}

/** A {@link RowSource} over an array on disk, with what was read. */
export interface ArrayRowSource extends RowSource {
  readonly shape: readonly number[];
  readonly dtype: NumericDtype;
  /** The largest single read, in bytes: the reader never holds more than the rows asked for. */
  readonly maxReadBytes: number;
  close(): void;
}

/**
 * Rows of the numeric array at `dataOffset` of an open file, read a range at a time (row = the first
 * axis). C-order arrays only.
 */
export function rowSourceAt(fd: number, file: string, header: NpyHeader, ownsFd: boolean): ArrayRowSource {
  const { dtype, little } = parseDescr(header.descr, file);
  if (header.fortranOrder && header.shape.length > 1) {
    throw dataError(
      file,
      'stores its array in Fortran order, which cannot be read a row at a time',
      'save it in C order (numpy.ascontiguousarray) to stream it, or load it whole',
    );
  }
  const rows = header.shape[0] ?? 1;
  const rowLength = sizeOf(header.shape.slice(1));
  const rowBytes = rowLength * itemSize(dtype);
  let maxReadBytes = 0;
  let open = true;
  return {
    rows,
    rowLength,
    shape: header.shape,
    dtype,
    get maxReadBytes() {
      return maxReadBytes;
    },
    async read(start: number, count: number): Promise<RowArray> {
      if (!open) throw dataError(file, 'was read after its reader was closed', 'keep the reader open while the split is in use');
      if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= rows)) {
        throw new RangeError(`${file}: rows ${start} … ${start + count - 1} are not within 0 … ${rows - 1}`);
      }
      const bytes = Buffer.allocUnsafe(count * rowBytes);
      maxReadBytes = Math.max(maxReadBytes, bytes.length);
      let got = 0;
      while (got < bytes.length) {
        const { bytesRead } = await new Promise<{ bytesRead: number }>((resolve, reject) =>
          fs.read(fd, bytes, got, bytes.length - got, header.dataOffset + start * rowBytes + got, (err, bytesRead) =>
            err ? reject(err) : resolve({ bytesRead }),
          ),
        );
        if (bytesRead === 0) throw dataError(file, `ends before row ${start + count - 1}`, 'the file is truncated: download or write it again');
        got += bytesRead;
      }
      return decodeElements(bytes, dtype, little, count * rowLength) as RowArray;
    },
    close() {
      if (open && ownsFd) fs.closeSync(fd);
      open = false;
    },
  };
}

/** Opens a `.npy` file for reading row ranges without loading it. */
export function openNpy(file: string): ArrayRowSource {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw dataError(file, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  try {
    const head = Buffer.alloc(Math.min(65536 + 12, fs.fstatSync(fd).size));
    fs.readSync(fd, head, 0, head.length, 0);
    return rowSourceAt(fd, file, parseNpyHeader(head, file), true);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}
