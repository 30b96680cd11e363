/**
 * Data pickles (`.pkl`, `.pkl.gz`, NumPy object arrays) as plain values: the streaming pickle reader
 * ({@link readPickle}, which executes no code) followed by a conversion of what it records —
 * NumPy arrays, dtypes and scalars become {@link NdArray}s and numbers; the classes a data file
 * has no business naming are an error naming the class.
 *
 * Values: `None` → `null`; `bool`, `int` (a number; beyond 2⁵³ a `bigint`), `float` → numbers;
 * `str` → strings; `bytes` → `Uint8Array`; Python 2 `str` → latin-1 strings; `list`, `tuple`,
 * `set` → arrays; `dict` → a plain object when every key is a string, a `Map` otherwise; NumPy
 * `ndarray` → {@link NdArray} (C order); NumPy scalars → numbers; SciPy `csr_matrix` →
 * {@link SparseCsr}; `collections.defaultdict` → a dict.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { ByteSource, TruncatedInputError } from './byte-source';
import { dataError, decodeElements, fortranToC, parseDescr, sizeOf, type NdArray } from './ndarray';
import { PickleError, PyDict, PyGlobal, PyObject, readPickle, type PickleOptions } from './pickle.reader';
import { SpilledBytes, diskArray, type DiskArray } from './spill';

const RECONSTRUCT = new Set(['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', 'numpy.ndarray']);
const FROMBUFFER = new Set(['numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer']);
const SCALAR = new Set(['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar']);
const CSR = new Set(['scipy.sparse.csr.csr_matrix', 'scipy.sparse._csr.csr_matrix', 'scipy.sparse._arrays.csr_array', 'scipy.sparse._csr.csr_array']);

/**
 * A SciPy CSR sparse matrix (`scipy.sparse.csr_matrix`, e.g. the Planetoid citation graphs' node
 * features): row `i`'s stored entries are `data[indptr[i] … indptr[i+1])` in columns `indices[…]`.
 */
export interface SparseCsr {
  readonly format: 'csr';
  readonly shape: readonly [number, number];
  readonly data: NdArray;
  readonly indices: NdArray;
  readonly indptr: NdArray;
}

/** True for what {@link loadPickle} makes of a pickled SciPy CSR matrix. */
export function isSparseCsr(v: unknown): v is SparseCsr {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === 'csr' && 'indptr' in v;
}

const latin1Bytes = (s: string): Uint8Array => {
  const b = Buffer.from(s, 'latin1');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

/** The NumPy type string of a pickled `numpy.dtype(code, …)` with its BUILD state `(3, byteorder, …)`. */
function descrOf(dtype: unknown, file: string): string {
  if (!(dtype instanceof PyObject) || dtype.module !== 'numpy' || dtype.name !== 'dtype')
    throw dataError(file, 'holds a NumPy array without a readable dtype', 'save the array again with numpy (pickle protocol 2-5)');
  const code = String(dtype.args[0]);
  if (code.startsWith('O')) return '|O';
  const order = Array.isArray(dtype.state) ? String(dtype.state[1] ?? '|') : '|';
  return `${order === '=' ? '<' : order}${code}`;
}

/** The bytes of a pickled buffer: bytes, a Python 2 str, or `_codecs.encode(str, 'latin1')`. */
function bytesOf(raw: unknown, file: string): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') return latin1Bytes(raw);
  if (raw instanceof PyObject && raw.module === '_codecs' && raw.name === 'encode') return latin1Bytes(String(raw.args[0]));
  throw dataError(file, 'holds a NumPy array whose data is not a byte string', 'save the array again with numpy (pickle protocol 2-5)');
}

function arrayOf(shape: readonly unknown[], dtype: unknown, fortran: boolean, raw: unknown, file: string, seen: Map<unknown, unknown>): NdArray | DiskArray {
  const dims = shape.map(Number);
  const descr = descrOf(dtype, file);
  if (raw instanceof SpilledBytes) return diskArray(raw, descr, dims, fortran, file);
  if (descr === '|O') {
    const items = (raw as unknown[]).map((v) => plain(v, file, seen));
    return { dtype: 'O', shape: dims, data: fortran ? fortranToC(items, dims) : items };
  }
  const { dtype: d, little } = parseDescr(descr, file);
  const data = decodeElements(bytesOf(raw, file), d, little, sizeOf(dims));
  return { dtype: d, shape: dims, data: fortran ? fortranToC(data, dims) : data };
}

/** What the reader recorded → plain values (see the file header). */
function plain(v: unknown, file: string, seen: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (seen.has(v)) return seen.get(v);
  if (v instanceof PyGlobal) {
    throw dataError(
      file,
      `names the Python class ${v.module}.${v.name}, which a data file reader does not construct`,
      'store the data as built-in types and NumPy arrays (lists, dicts, ndarrays), or convert it with numpy.save',
    );
  }
  if (v instanceof PyObject) {
    const full = `${v.module}.${v.name}`;
    if (RECONSTRUCT.has(full)) {
      const state = v.state as unknown[] | undefined;
      if (!Array.isArray(state)) throw dataError(file, 'holds a NumPy array without its state', 'save the array again with numpy');
      const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
      const out = arrayOf(shape as unknown[], dtype, fortran === true, raw, file, seen);
      seen.set(v, out);
      return out;
    }
    if (FROMBUFFER.has(full)) {
      const [buf, dtype, shape, order] = v.args;
      return arrayOf(shape as unknown[], dtype, order === 'F', buf, file, seen);
    }
    if (SCALAR.has(full)) {
      const { dtype, little } = parseDescr(descrOf(v.args[0], file), file);
      return decodeElements(bytesOf(v.args[1], file), dtype, little, 1)[0];
    }
    if (v.module === 'numpy' && v.name === 'dtype') return descrOf(v, file);
    if (CSR.has(full)) {
      const state = v.state instanceof PyDict ? v.state : undefined;
      const get = (k: string) => (state ? plain(state.get(k), file, seen) : undefined);
      const shape = get('_shape') as number[] | undefined;
      const [data, indices, indptr] = [get('data'), get('indices'), get('indptr')] as (NdArray | undefined)[];
      if (!shape || shape.length !== 2 || !data || !indices || !indptr)
        throw dataError(
          file,
          'holds a SciPy sparse matrix without its shape, data, indices or indptr',
          'save the matrix again with scipy (pickle protocol 2-5)',
        );
      const out: SparseCsr = { format: 'csr', shape: [Number(shape[0]), Number(shape[1])], data, indices, indptr };
      seen.set(v, out);
      return out;
    }
    if (full === '_codecs.encode') return bytesOf(v, file);
    throw dataError(
      file,
      `names the Python class ${full}, which a data file reader does not construct`,
      'store the data as built-in types and NumPy arrays (lists, dicts, ndarrays), or convert it with numpy.save',
    );
  }
  if (Array.isArray(v) || v instanceof Set) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(plain(x, file, seen));
    return out;
  }
  if (v instanceof PyDict || v instanceof Map) {
    if ([...v.keys()].every((k) => typeof k === 'string')) {
      const out: Record<string, unknown> = {};
      seen.set(v, out);
      for (const [k, x] of v) out[k as string] = plain(x, file, seen);
      return out;
    }
    const out = new Map<unknown, unknown>();
    seen.set(v, out);
    for (const [k, x] of v) out.set(plain(k, file, seen), plain(x, file, seen));
    return out;
  }
  return v;
}

/** Reads one pickle from `src` (named `file` in errors) into plain values. */
export async function readPlain(src: ByteSource, file: string, spill?: PickleOptions['spill']): Promise<unknown> {
  let value: unknown;
  try {
    value = await readPickle(src, spill ? { spill } : {});
  } catch (e) {
    if (e instanceof PickleError || e instanceof TruncatedInputError) {
      throw dataError(
        file,
        `is not a readable pickle (${e.message.replace(`${file}, `, '').replace(`${file}: `, '')})`,
        "replace the file with an intact copy, written by Python's pickle (protocol 0-5)",
      );
    }
    if ((e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR')
      throw dataError(file, `is a damaged gzip file (${(e as Error).message})`, 'download the file again');
    throw e;
  }
  return plain(value, file, new Map());
}

/** Unpickles `bytes` (the contents of `file`, named in errors) into plain values. */
export async function unpickle(bytes: Uint8Array, file = '<pickle>'): Promise<unknown> {
  let data = bytes;
  if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
  const src = new ByteSource(
    (async function* () {
      yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    })(),
    file,
  );
  return readPlain(src, file);
}

/**
 * Reads a pickle (`.pkl`; a gzip file, such as `.pkl.gz` or NAS-Bench-360's `s2_cifar100.gz`, is
 * gunzipped as it streams) into plain values. A file is read as a stream: neither the file nor its
 * decompressed bytes are held whole, only the values they decode to.
 */
export async function loadPickle(source: string | Uint8Array, name = typeof source === 'string' ? source : '<pickle>'): Promise<unknown> {
  if (typeof source !== 'string') return unpickle(source, name);
  return readPickleFile(source, name);
}

/** {@link loadPickle} of a file, its large byte strings handed to `spill` (see {@link unpackPickle}). */
export async function readPickleFile(file: string, name = file, spill?: PickleOptions['spill']): Promise<unknown> {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw dataError(name, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) return readPlain(ByteSource.ofFile(file), name, spill);
  const gunzip = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(zlib.createGunzip({ chunkSize: 1 << 20 }));
  try {
    return await readPlain(new ByteSource(gunzip, name), name, spill);
  } finally {
    gunzip.destroy();
  }
}
