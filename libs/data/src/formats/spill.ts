/**
 * Pickles larger than memory: {@link unpackPickle} reads a pickle (gzip or plain) as a stream and
 * writes every large byte string — in practice the data of large NumPy arrays — to one file as it
 * arrives, so the arrays come back as {@link DiskArray}s whose rows are read a range at a time, like
 * a `.npy` file's. NAS-Bench-360's Spherical release is such a pickle (a gzip of 60,000 images of
 * 3 × 60 × 60, 2.6 GB as float32).
 *
 * The unpacked file is kept in a cache folder (a task passes nasx's user cache, `deps.cacheDir`)
 * beside a small manifest (the pickle's structure, its small arrays inline), keyed by the pickle's
 * path, size and modification time, so the next run reads the manifest instead of decompressing
 * again. Files are written under temporary names and renamed into place, so processes unpacking the
 * same pickle at once (the workers of a pool) cannot leave a torn file. Without a cache folder
 * (`NASX_CACHE_DIR=off`) the file goes to the system's temporary folder and is deleted when the
 * process exits.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ByteSource } from './byte-source';
import { dataError, itemSize, parseDescr, sizeOf, type NdArray, type NumericDtype } from './ndarray';
import { rowSourceAt, type ArrayRowSource } from './npy';
import { readPickleFile } from './pickle';

/** Byte strings at least this long are written to disk by {@link unpackPickle} (64 MiB). */
export const SPILL_MIN_BYTES = 64 * 1024 * 1024;

/** Bumped when the unpacked file or its manifest changes layout. */
const UNPACK_FORMAT = 1;

/** A byte string of a pickle that was written to `file` at `offset` instead of being held. */
export class SpilledBytes {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly length: number,
  ) {}
}

/** A NumPy array of a pickle left on disk (C order): open it to read row ranges (the first axis). */
export interface DiskArray {
  readonly kind: 'disk-array';
  /** NumPy's type string (`<f4`, `|u1`, …). */
  readonly descr: string;
  readonly dtype: NumericDtype;
  readonly shape: readonly number[];
  readonly file: string;
  readonly offset: number;
  /** A reader of row ranges over its own file descriptor; close it when done. */
  open(): ArrayRowSource;
}

/** True for an array {@link unpackPickle} left on disk. */
export function isDiskArray(v: unknown): v is DiskArray {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'disk-array';
}

/** The {@link DiskArray} of an array whose data was spilled (`raw`), checked against its shape and dtype. */
export function diskArray(raw: SpilledBytes, descr: string, shape: readonly number[], fortran: boolean, file: string): DiskArray {
  const { dtype } = parseDescr(descr, file);
  if (raw.length !== sizeOf(shape) * itemSize(dtype)) {
    throw dataError(
      file,
      `holds a NumPy array of shape [${shape.join(', ')}] (${descr}) with ${raw.length} bytes of data`,
      'replace the file with an intact copy',
    );
  }
  if (fortran && shape.length > 1) {
    throw dataError(
      file,
      `holds a ${raw.length}-byte array in Fortran order, which cannot be read a row at a time`,
      'save it in C order (numpy.ascontiguousarray)',
    );
  }
  const header = { descr, fortranOrder: false, shape, dataOffset: raw.offset };
  return {
    kind: 'disk-array',
    descr,
    dtype,
    shape,
    file: raw.file,
    offset: raw.offset,
    open(): ArrayRowSource {
      let fd: number;
      try {
        fd = fs.openSync(raw.file, 'r');
      } catch (e) {
        throw dataError(
          raw.file,
          `cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
          'delete it: the pickle it was unpacked from is unpacked again',
        );
      }
      return rowSourceAt(fd, raw.file, header, true);
    },
  };
}

/** What {@link unpackPickle} returns. */
export interface UnpackedPickle {
  /** The pickle's value as {@link loadPickle} gives it, with large arrays as {@link DiskArray}s. */
  readonly value: unknown;
  /** `cache`: read from an earlier unpacking; `unpacked`: decompressed now. */
  readonly from: 'cache' | 'unpacked';
  /** The file holding the spilled arrays, if any. */
  readonly file?: string;
}

/** What a cache folder of {@link unpackPickle} holds: one entry per unpacked pickle. */
export interface UnpackedEntry {
  /** The unpacked data file. */
  readonly file: string;
  readonly bytes: number;
  /** The pickle it came from (absolute path, size, modification time), from the manifest. */
  readonly source?: { readonly file: string; readonly size: number; readonly mtimeMs: number };
  /** False when the pickle is gone or changed since (the entry will not be used again). */
  readonly current: boolean;
}

/** The unpacked pickles in `dir` (see {@link unpackPickle}), for `nasx cache`. */
export function listUnpacked(dir: string): UnpackedEntry[] {
  if (!fs.existsSync(dir)) return [];
  const out: UnpackedEntry[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.bin'))
    .sort()) {
    const file = path.join(dir, name);
    let source: UnpackedEntry['source'];
    try {
      const m = JSON.parse(fs.readFileSync(file.replace(/\.bin$/, '.json'), 'utf8')) as { source?: UnpackedEntry['source'] };
      source = m.source;
    } catch {
      source = undefined;
    }
    let current = false;
    if (source) {
      try {
        const st = fs.statSync(source.file);
        current = st.size === source.size && st.mtimeMs === source.mtimeMs;
      } catch {
        current = false;
      }
    }
    out.push({ file, bytes: fs.statSync(file).size, ...(source ? { source } : {}), current });
  }
  return out;
}

/** Options of {@link unpackPickle}. */
export interface UnpackOptions {
  /** Byte strings at least this long go to disk (default {@link SPILL_MIN_BYTES}). */
  readonly minBytes?: number;
  /**
   * Folder that keeps the unpacked files between runs (a task passes `unpacked/` of the kernel's
   * `deps.cacheDir`); without one they go to a temporary folder of the process, deleted at its exit.
   */
  readonly dir?: string;
}

/**
 * Reads the pickle `file` with its large arrays on disk (see the file header): at most a megabyte of
 * an array is held while unpacking, and none after.
 */
export async function unpackPickle(file: string, options: UnpackOptions = {}): Promise<UnpackedPickle> {
  const minBytes = options.minBytes ?? SPILL_MIN_BYTES;
  let stat: fs.Stats;
  let real: string;
  try {
    real = fs.realpathSync(file);
    stat = fs.statSync(real);
  } catch (e) {
    throw dataError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  const cache = options.dir;
  const dir = cache ?? temporaryDir();
  const key = createHash('sha256').update(`${UNPACK_FORMAT}\0${real}\0${stat.size}\0${stat.mtimeMs}\0${minBytes}`).digest('hex').slice(0, 20);
  const base = path.join(dir, `${path.basename(file)}-${key}`);
  const bin = `${base}.bin`;
  const manifest = `${base}.json`;
  const cached = readManifest(manifest, bin);
  if (cached !== undefined) return { value: cached, from: 'cache', file: bin };

  const roomFix = `free disk space in ${dir} (it needs about the size of the pickle's arrays, decompressed) or set NASX_CACHE_DIR (or TMPDIR, with NASX_CACHE_DIR=off) to a folder with room`;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw dataError(file, `cannot be unpacked into ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, roomFix);
  }
  const tmp = `${bin}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let position = 0;
  let value: unknown;
  try {
    value = await readPickleFile(file, file, {
      minBytes,
      async write(n: number, src: ByteSource): Promise<SpilledBytes> {
        const at = position;
        for (let left = n; left > 0;) {
          const chunk = await src.take(Math.min(left, 1 << 20));
          for (let off = 0; off < chunk.length;) off += fs.writeSync(fd, chunk, off, chunk.length - off, position + off);
          position += chunk.length;
          left -= chunk.length;
        }
        return new SpilledBytes(bin, at, n);
      },
    });
    fs.closeSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw dataError(file, `cannot be unpacked into ${dir}: the disk is full`, roomFix);
    throw e;
  }
  if (position === 0) {
    fs.rmSync(tmp, { force: true });
    return { value, from: 'unpacked' };
  }
  fs.renameSync(tmp, bin);
  const json = serialize(value);
  if (json !== undefined && cache !== undefined) {
    const tmpManifest = `${manifest}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      const source = { file: real, size: stat.size, mtimeMs: stat.mtimeMs };
      fs.writeFileSync(tmpManifest, JSON.stringify({ format: UNPACK_FORMAT, bytes: position, source, value: json }));
      fs.renameSync(tmpManifest, manifest);
    } catch {
      fs.rmSync(tmpManifest, { force: true }); // no manifest: the next run unpacks again
    }
  }
  return { value, from: 'unpacked', file: bin };
}

let tempDir: string | undefined;
/** A folder of this process's own, removed when it exits (no cache). */
function temporaryDir(): string {
  if (tempDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-unpacked-'));
    tempDir = dir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
const TYPED: Record<string, new (b: ArrayBuffer) => Typed> = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
};

/** The manifest form of a value, or undefined when it holds something the manifest does not keep (a Map, a sparse matrix, a bigint). */
function serialize(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
  if (Array.isArray(v)) {
    const out = v.map(serialize);
    return out.some((x, i) => x === undefined && v[i] !== undefined) ? undefined : out;
  }
  if (isDiskArray(v)) return { $disk: { descr: v.descr, shape: v.shape, offset: v.offset } };
  if (ArrayBuffer.isView(v)) {
    const ctor = v.constructor.name;
    return ctor in TYPED ? { $typed: ctor, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : undefined;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    if (isNdArrayLike(o)) {
      const data = serialize(o['data']);
      return data === undefined ? undefined : { $nd: { dtype: o['dtype'], shape: o['shape'], data } };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const s = serialize(x);
      if (s === undefined) return undefined;
      out[k] = s;
    }
    return { $obj: out };
  }
  return undefined;
}

function isNdArrayLike(o: Record<string, unknown>): o is Record<string, unknown> & NdArray {
  const keys = Object.keys(o);
  return keys.length === 3 && typeof o['dtype'] === 'string' && Array.isArray(o['shape']) && 'data' in o;
}

/** The value of a manifest, its disk arrays in `bin`; undefined when absent, unreadable or not matching `bin`. */
function readManifest(manifest: string, bin: string): unknown {
  try {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { format?: unknown; bytes?: unknown; value?: unknown };
    if (m.format !== UNPACK_FORMAT || fs.statSync(bin).size !== m.bytes) return undefined;
    return revive(m.value, bin);
  } catch {
    return undefined;
  }
}

function revive(v: unknown, bin: string): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => revive(x, bin));
  const o = v as Record<string, unknown>;
  if ('$num' in o) return Number(o['$num']);
  if ('$typed' in o) {
    const bytes = Buffer.from(String(o['b64']), 'base64');
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    return new TYPED[String(o['$typed'])]!(copy);
  }
  if ('$disk' in o) {
    const d = o['$disk'] as { descr: string; shape: number[]; offset: number };
    const { dtype } = parseDescr(d.descr, bin);
    return diskArray(new SpilledBytes(bin, d.offset, sizeOf(d.shape) * itemSize(dtype)), d.descr, d.shape, false, bin);
  }
  if ('$nd' in o) {
    const nd = o['$nd'] as { dtype: string; shape: number[]; data: unknown };
    return { dtype: nd.dtype, shape: nd.shape, data: revive(nd.data, bin) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o['$obj'] as Record<string, unknown>)) out[k] = revive(x, bin);
  return out;
}
