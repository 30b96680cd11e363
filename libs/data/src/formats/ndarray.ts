import { NasxError } from '@nasx/contracts';

export const DATA_PKG = '@nasx/data';

/** The element types of the arrays data files hold, named as NumPy's `dtype.str` without byte order. */
export type NumericDtype = 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'b1';

/** A typed array of any numeric dtype (64-bit integers read as `Float64Array`, exact below 2⁵³). */
export type NumericData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * An n-dimensional array read from a file, in C (row-major) order whatever the file's order.
 * Numeric arrays hold a typed array; NumPy object arrays (`dtype` `O`) hold the unpickled values;
 * string arrays (`U`/`S`) hold strings.
 */
export interface NdArray {
  /** `f4`, `f8`, `i8`, … (see {@link NumericDtype}), `O` (objects) or `U<n>` / `S<n>` (strings). */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: NumericData | readonly unknown[];
}

/** True when `a` holds numbers in a typed array. */
export function isNumeric(a: NdArray): a is NdArray & { readonly data: NumericData } {
  return ArrayBuffer.isView(a.data);
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes per element of a numeric dtype. */
export function itemSize(dtype: NumericDtype): number {
  return Number(dtype.slice(1));
}

/** Parses a NumPy type string such as `<f4`, `|u1`, `>i8`: the dtype and whether it is little-endian. */
export function parseDescr(descr: string, file: string): { dtype: NumericDtype; little: boolean } {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const dtype = m ? (`${m[2]}${m[3]}` as NumericDtype) : undefined;
  const known: readonly string[] = ['f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'b1'];
  if (!m || !dtype || !known.includes(dtype)) {
    throw new NasxError('data', `${file}: arrays of NumPy dtype "${descr}" cannot be read (numeric types f4, f8, i1-i8, u1-u8 and bool can)`, {
      pkg: DATA_PKG,
      file,
      fix: 'convert the array to float32, float64 or an integer type (array.astype(...)) and save it again',
    });
  }
  return { dtype, little: m[1] !== '>' };
}

/**
 * Decodes `count` elements of `dtype` from `bytes` (any alignment, either byte order) into a typed
 * array of its own: int64/uint64 become float64.
 */
export function decodeElements(bytes: Uint8Array, dtype: NumericDtype, little: boolean, count: number): NumericData {
  const size = itemSize(dtype);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * size);
  switch (dtype) {
    case 'f4': {
      if (little && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4));
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, little);
      return out;
    }
    case 'f8': {
      if (little && bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 8));
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, little);
      return out;
    }
    case 'i1':
      return new Int8Array(bytes.slice(0, count).buffer);
    case 'u1':
    case 'b1':
      return bytes.slice(0, count);
    case 'i2': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, little);
      return out;
    }
    case 'u2': {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, little);
      return out;
    }
    case 'i4': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, little);
      return out;
    }
    case 'u4': {
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, little);
      return out;
    }
    case 'i8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, little));
      return out;
    }
    case 'u8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(i * 8, little));
      return out;
    }
  }
}

/** A Fortran-order (column-major) array of `shape` in C order. */
export function fortranToC<T extends NumericData | unknown[]>(data: T, shape: readonly number[]): T {
  const n = sizeOf(shape);
  if (shape.length < 2) return data;
  const out = (ArrayBuffer.isView(data) ? new (data.constructor as new (n: number) => NumericData)(n) : new Array<unknown>(n)) as T;
  const d = shape.length;
  const idx = new Array<number>(d).fill(0);
  // Walk the C-order output; keep the Fortran offset in step.
  const fStride = new Array<number>(d);
  fStride[0] = 1;
  for (let k = 1; k < d; k++) fStride[k] = fStride[k - 1]! * shape[k - 1]!;
  let f = 0;
  for (let c = 0; c < n; c++) {
    (out as unknown as { [i: number]: unknown })[c] = (data as unknown as { [i: number]: unknown })[f];
    for (let k = d - 1; k >= 0; k--) {
      idx[k]!++;
      f += fStride[k]!;
      if (idx[k]! < shape[k]!) break;
      f -= fStride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/** A data error about `file`. */
export function dataError(file: string, message: string, fix: string): NasxError {
  return new NasxError('data', `${file}: ${message}`, { pkg: DATA_PKG, file, fix });
}
