/**
 * MATLAB `.mat` files, level 5 (MATLAB v5–v7, what `scipy.io.savemat` writes, compressed or not):
 * the numeric variables, each returned as `scipy.io.loadmat` returns it — MATLAB's shape, values in
 * C order — optionally sliced while it is read (`slices`), so that a strided subsample of a variable
 * larger than memory (the Darcy-flow files: 1024 × 421 × 421 doubles per variable) is read in one
 * streamed pass holding only the selected values. MATLAB v7.3 files are HDF5: read them with an HDF5
 * reader (the `h5wasm` package) or save them again with `-v7`.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { dataError, sizeOf, type NdArray } from './ndarray';

/** `start:stop:step` along one axis (`stop` exclusive; defaults: the whole axis). */
export interface AxisSlice {
  readonly start?: number;
  readonly stop?: number;
  readonly step?: number;
}

export interface LoadMatOptions {
  /** Variables to read (default: every numeric one). Asking for a missing one is an error. */
  readonly variables?: readonly string[];
  /** Per variable, a slice per axis of its MATLAB shape (missing axes: whole). */
  readonly slices?: Readonly<Record<string, readonly AxisSlice[]>>;
  /** Return floating-point data as float32 (halves memory), default float64 as scipy does. */
  readonly float32?: boolean;
}

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 } as const;
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };
/** mxClass → numpy-style dtype of the returned array. */
const MX_DTYPE: Record<number, string> = { 6: 'f8', 7: 'f4', 8: 'i1', 9: 'u1', 10: 'i2', 11: 'u2', 12: 'i4', 13: 'u4', 14: 'i8', 15: 'u8' };

/** Exactly-n-bytes reads from a file region or from an inflating stream. */
interface ByteReader {
  read(n: number): Promise<Buffer>;
  skip(n: number): Promise<void>;
  readonly position: number;
  close?(): void;
}

function fileReader(fd: number, start: number, end: number, file: string): ByteReader {
  let pos = start;
  return {
    get position() {
      return pos - start;
    },
    async read(n) {
      if (pos + n > end) throw dataError(file, `ends inside a data element (byte ${pos})`, 'the file is truncated: download or write it again');
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = fs.readSync(fd, buf, got, n - got, pos + got);
        if (r === 0) throw dataError(file, `ends inside a data element (byte ${pos + got})`, 'the file is truncated: download or write it again');
        got += r;
      }
      pos += n;
      return buf;
    },
    async skip(n) {
      pos += n;
    },
  };
}

function inflateReader(start: number, length: number, file: string): ByteReader {
  const input = fs.createReadStream(file, { start, end: start + length - 1, highWaterMark: 1 << 20 });
  const inflate = zlib.createInflate({ chunkSize: 1 << 20 });
  input.on('error', (e) => inflate.destroy(e));
  const it = input.pipe(inflate)[Symbol.asyncIterator]();
  let carry: Buffer = Buffer.alloc(0);
  let pos = 0;
  const more = async () => {
    const r = await it.next();
    if (r.done) throw dataError(file, 'ends inside a compressed variable', 'the file is truncated: download or write it again');
    carry = carry.length ? Buffer.concat([carry, r.value as Buffer]) : (r.value as Buffer);
  };
  return {
    get position() {
      return pos;
    },
    close() {
      input.destroy();
      inflate.destroy();
    },
    async read(n) {
      while (carry.length < n) await more();
      const out = carry.subarray(0, n);
      carry = carry.subarray(n);
      pos += n;
      return out;
    },
    async skip(n) {
      let left = n;
      while (left > 0) {
        if (carry.length === 0) await more();
        const k = Math.min(left, carry.length);
        carry = carry.subarray(k);
        left -= k;
      }
      pos += n;
    },
  };
}

/** A data element's tag: its type and byte count, and whether it is the small (4-byte) form. */
async function readTag(r: ByteReader, little: boolean): Promise<{ type: number; bytes: number; small?: Buffer }> {
  const t = await r.read(8);
  const first = little ? t.readUInt32LE(0) : t.readUInt32BE(0);
  if (first >>> 16 !== 0) {
    const bytes = first >>> 16;
    return { type: first & 0xffff, bytes, small: t.subarray(4, 4 + bytes) };
  }
  return { type: first, bytes: little ? t.readUInt32LE(4) : t.readUInt32BE(4) };
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;

/** Reads a whole small element's payload (flags, dims, name). */
async function readSmallElement(r: ByteReader, little: boolean): Promise<{ type: number; data: Buffer }> {
  const tag = await readTag(r, little);
  if (tag.small) return { type: tag.type, data: Buffer.from(tag.small) };
  const data = await r.read(tag.bytes);
  await r.skip(pad8(tag.bytes));
  return { type: tag.type, data };
}

function numberReader(type: number, little: boolean): (b: Buffer, at: number) => number {
  switch (type) {
    case MI.INT8:
      return (b, at) => b.readInt8(at);
    case MI.UINT8:
      return (b, at) => b[at]!;
    case MI.INT16:
      return little ? (b, at) => b.readInt16LE(at) : (b, at) => b.readInt16BE(at);
    case MI.UINT16:
      return little ? (b, at) => b.readUInt16LE(at) : (b, at) => b.readUInt16BE(at);
    case MI.INT32:
      return little ? (b, at) => b.readInt32LE(at) : (b, at) => b.readInt32BE(at);
    case MI.UINT32:
      return little ? (b, at) => b.readUInt32LE(at) : (b, at) => b.readUInt32BE(at);
    case MI.SINGLE:
      return little ? (b, at) => b.readFloatLE(at) : (b, at) => b.readFloatBE(at);
    case MI.DOUBLE:
      return little ? (b, at) => b.readDoubleLE(at) : (b, at) => b.readDoubleBE(at);
    case MI.INT64:
      return little ? (b, at) => Number(b.readBigInt64LE(at)) : (b, at) => Number(b.readBigInt64BE(at));
    default:
      return little ? (b, at) => Number(b.readBigUInt64LE(at)) : (b, at) => Number(b.readBigUInt64BE(at));
  }
}

/** Output array for a variable of mxClass `cls`. */
function outputArray(cls: number, n: number, float32: boolean): NdArray['data'] & { [i: number]: number } {
  switch (cls) {
    case 6:
      return float32 ? new Float32Array(n) : new Float64Array(n);
    case 7:
      return new Float32Array(n);
    case 8:
      return new Int8Array(n);
    case 9:
      return new Uint8Array(n);
    case 10:
      return new Int16Array(n);
    case 11:
      return new Uint16Array(n);
    case 12:
      return new Int32Array(n);
    case 13:
      return new Uint32Array(n);
    default:
      return new Float64Array(n);
  }
}

/** Reads one miMATRIX element's body (after its tag): a numeric variable, or `undefined` to skip it. */
async function readMatrix(
  r: ByteReader,
  little: boolean,
  bodyBytes: number,
  file: string,
  wanted: (name: string) => boolean,
  options: LoadMatOptions,
): Promise<{ name: string; array?: NdArray }> {
  const startPos = r.position;
  const flags = await readSmallElement(r, little);
  const flag0 = little ? flags.data.readUInt32LE(0) : flags.data.readUInt32BE(0);
  const cls = flag0 & 0xff;
  const complex = (flag0 & 0x0800) !== 0;
  const dimsEl = await readSmallElement(r, little);
  const dims = Array.from({ length: dimsEl.data.length / 4 }, (_, i) => (little ? dimsEl.data.readInt32LE(i * 4) : dimsEl.data.readInt32BE(i * 4)));
  const nameEl = await readSmallElement(r, little);
  const name = nameEl.data.toString('latin1');
  const rest = () => r.skip(bodyBytes - (r.position - startPos));
  if (!wanted(name) || !(cls in MX_DTYPE)) {
    await rest();
    return { name };
  }
  if (complex) throw dataError(file, `variable "${name}" is complex, which this reader does not support`, 'save the real part (real(x)) in its own variable');
  const slices = options.slices?.[name] ?? [];
  const axes = dims.map((d, k) => {
    const s = slices[k] ?? {};
    const start = s.start ?? 0;
    const stop = Math.min(s.stop ?? d, d);
    const step = s.step ?? 1;
    if (!(Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step) && start >= 0 && step >= 1 && start <= stop)) {
      throw dataError(
        file,
        `slice ${JSON.stringify(s)} of axis ${k} of "${name}" (size ${d}) is not valid`,
        'give start ≤ stop within the axis and a positive step',
      );
    }
    return { start, step, count: Math.max(0, Math.ceil((stop - start) / step)) };
  });
  const outShape = axes.map((a) => a.count);
  const out = outputArray(cls, sizeOf(outShape), options.float32 === true);
  // C-order strides of the output.
  const outStride = outShape.map((_, k) => sizeOf(outShape.slice(k + 1)));
  const tag = await readTag(r, little);
  const size = MI_SIZE[tag.type];
  if (size === undefined)
    throw dataError(
      file,
      `variable "${name}" stores its data as element type ${tag.type}`,
      'save the variable as a numeric array with scipy.io.savemat or MATLAB -v7',
    );
  const total = sizeOf(dims);
  if (tag.bytes !== total * size)
    throw dataError(file, `variable "${name}" holds ${tag.bytes} bytes for ${total} values`, 'the file is damaged: write it again');
  const read = numberReader(tag.type, little);
  // Walk the stored (column-major) order; idx are MATLAB indices, first axis fastest.
  const d = dims.length;
  const idx = new Array<number>(d).fill(0);
  const sel = (k: number, i: number) =>
    i >= axes[k]!.start && (i - axes[k]!.start) % axes[k]!.step === 0 && (i - axes[k]!.start) / axes[k]!.step < axes[k]!.count;
  const chunkValues = Math.max(1, Math.floor((1 << 20) / size));
  let done = 0;
  const rowSelected = new Array<boolean>(d).fill(false);
  const refresh = () => {
    for (let k = 1; k < d; k++) rowSelected[k] = sel(k, idx[k]!);
  };
  refresh();
  const small = tag.small;
  while (done < total) {
    const n = Math.min(chunkValues, total - done);
    const buf = small ? small : await r.read(n * size);
    for (let v = 0; v < n; v++) {
      let ok = sel(0, idx[0]!);
      for (let k = 1; ok && k < d; k++) ok = rowSelected[k]!;
      if (ok) {
        let o = 0;
        for (let k = 0; k < d; k++) o += ((idx[k]! - axes[k]!.start) / axes[k]!.step) * outStride[k]!;
        out[o] = read(buf, v * size);
      }
      for (let k = 0; k < d; k++) {
        if (++idx[k]! < dims[k]!) {
          if (k > 0) refresh();
          break;
        }
        idx[k] = 0;
      }
    }
    done += n;
  }
  if (!small) await r.skip(pad8(tag.bytes));
  await rest();
  return { name, array: { dtype: cls === 6 && options.float32 ? 'f4' : MX_DTYPE[cls]!, shape: outShape, data: out } };
}

/** Reads the numeric variables of a level-5 `.mat` file (see {@link LoadMatOptions}). */
export async function loadMat(file: string, options: LoadMatOptions = {}): Promise<Record<string, NdArray>> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw dataError(file, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(128);
    fs.readSync(fd, head, 0, 128, 0);
    const text = head.toString('latin1', 0, 116);
    const hdf5 = Buffer.alloc(8);
    if (size > 520) fs.readSync(fd, hdf5, 0, 8, 512);
    if (text.startsWith('MATLAB 7.3') || hdf5.toString('latin1', 1, 4) === 'HDF') {
      throw dataError(
        file,
        'is a MATLAB v7.3 (HDF5) file, which this level-5 reader does not read',
        "save it again as level 5 (MATLAB: save(f, '-v7'); Python: scipy.io.savemat), or read it with an HDF5 reader",
      );
    }
    const endian = head.toString('latin1', 126, 128);
    if (!text.startsWith('MATLAB') || (endian !== 'IM' && endian !== 'MI')) {
      throw dataError(
        file,
        'is not a MATLAB level-5 .mat file (no "MATLAB" header)',
        'write it with scipy.io.savemat or MATLAB save, or replace it with an intact copy',
      );
    }
    const little = endian === 'IM';
    const want = options.variables ? new Set(options.variables) : undefined;
    const wanted = (n: string) => !want || want.has(n);
    const out: Record<string, NdArray> = {};
    const top = fileReader(fd, 128, size, file);
    while (128 + top.position + 8 <= size) {
      const tag = await readTag(top, little);
      if (tag.type === MI.COMPRESSED) {
        const start = 128 + top.position;
        const inner = inflateReader(start, tag.bytes, file);
        try {
          const innerTag = await readTag(inner, little);
          if (innerTag.type === MI.MATRIX) {
            const v = await readMatrix(inner, little, innerTag.bytes, file, wanted, options);
            if (v.array) out[v.name] = v.array;
          }
        } finally {
          inner.close?.();
        }
        await top.skip(tag.bytes);
      } else if (tag.type === MI.MATRIX) {
        const v = await readMatrix(top, little, tag.bytes, file, wanted, options);
        if (v.array) out[v.name] = v.array;
        await top.skip(pad8(tag.bytes));
      } else {
        await top.skip(tag.small ? 0 : tag.bytes + pad8(tag.bytes));
      }
    }
    for (const name of options.variables ?? []) {
      if (!out[name])
        throw dataError(
          file,
          `has no numeric variable "${name}" (it holds ${Object.keys(out).join(', ') || 'none that is read'})`,
          `use the file of the release, which holds ${name}`,
        );
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
