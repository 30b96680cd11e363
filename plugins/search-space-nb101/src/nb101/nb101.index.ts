import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '@nasx/contracts';
import { bswap32 } from './md5';
import { forEachNb101Class, type Nb101EnumerationStats } from './nb101.enumerate';
import { NB101_UNIQUE_SIZE, type Nb101Cell } from './nb101.genotype';
import { Nb101Hasher } from './nb101.hash';

/**
 * The index of the whole NB101 space: every module hash (sorted) and one cell per hash, built from
 * {@link forEachNb101Class} and cached on disk in a compact binary file so the build (~10–20 s
 * of hashing) is paid once per machine. Lookups are binary searches over the sorted hashes.
 *
 * Memory: 16 bytes of hash + 4 bytes of cell per entry, 8.5 MB for the 423,624 cells.
 * A cell packs into 32 bits: edge bits (21) | vertex count << 21 (3) | Σ label_t·3^t << 24 (8).
 */
export class Nb101Index {
  /** Number of cells (distinct hashes). */
  readonly size: number;

  private constructor(
    /** Hashes as big-endian words (unsigned order = hex order), 4 per cell, ascending. */
    private readonly words: Uint32Array,
    /** Packed cells in hash order. */
    private readonly packed: Uint32Array,
    /** Cells dropped at build time because their hash equalled another's (0 for NB101). */
    readonly collisions: number,
    /** Enumeration counts when built in this process. */
    readonly stats?: Nb101EnumerationStats,
  ) {
    this.size = packed.length;
  }

  /**
   * Enumerates and hashes every cell (one core, ~10–20 s). With `maxVertices` < 7, only the cells
   * of at most that many vertices (a partial index, for tests: 2,532 cells up to 5 vertices); such
   * an index is never written to or read from the disk cache.
   */
  static build(options: { readonly maxVertices?: number } = {}): Nb101Index {
    let capacity = options.maxVertices === undefined ? NB101_UNIQUE_SIZE : 1024;
    let words = new Uint32Array(4 * capacity);
    let packed = new Uint32Array(capacity);
    let count = 0;
    const hasher = new Nb101Hasher();
    const stats = forEachNb101Class((n, bits, labels) => {
      if (count === capacity) {
        capacity *= 2;
        const w = new Uint32Array(4 * capacity);
        w.set(words);
        words = w;
        const p = new Uint32Array(capacity);
        p.set(packed);
        packed = p;
      }
      const d = hasher.hash(n, bits, labels);
      for (let w = 0; w < 4; w++) words[4 * count + w] = bswap32(d[w]!);
      let code = 0;
      for (let t = n - 3; t >= 0; t--) code = code * 3 + labels[t]!;
      packed[count] = (bits | (n << 21) | (code << 24)) >>> 0;
      count++;
    }, options);
    // Sort by hash: the first word (exact in a float64 together with the entry number, < 2^20),
    // then the rare runs of equal first words by all four words.
    if (count >= 1 << 20) throw new Error(`nb101 index: ${count} cells exceed the sort key range`);
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = words[4 * i]! * 1048576 + i;
    keys.sort();
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = keys[i]! % 1048576;
    const cmp = (a: number, b: number): number => {
      for (let w = 0; w < 4; w++) {
        const x = words[4 * a + w]!;
        const y = words[4 * b + w]!;
        if (x !== y) return x < y ? -1 : 1;
      }
      return a - b;
    };
    for (let i = 0; i < count;) {
      let j = i + 1;
      while (j < count && words[4 * order[j]!] === words[4 * order[i]!]) j++;
      if (j - i > 1) order.subarray(i, j).sort(cmp);
      i = j;
    }
    // Copy in order, dropping repeated hashes (keeps the first cell enumerated).
    const sortedWords = new Uint32Array(4 * count);
    const sortedPacked = new Uint32Array(count);
    let m = 0;
    for (let r = 0; r < count; r++) {
      const i = order[r]!;
      if (m > 0 && sameHash(words, 4 * i, sortedWords, 4 * (m - 1))) continue;
      for (let w = 0; w < 4; w++) sortedWords[4 * m + w] = words[4 * i + w]!;
      sortedPacked[m] = packed[i]!;
      m++;
    }
    return new Nb101Index(sortedWords.subarray(0, 4 * m), sortedPacked.subarray(0, m), count - m, stats);
  }

  /** Position of a 32-hex hash (lower or upper case), or −1 when it is not an NB101 cell. */
  find(hash: string): number {
    if (typeof hash !== 'string' || hash.length !== 32) return -1;
    const q0 = parseWord(hash, 0);
    const q1 = parseWord(hash, 8);
    const q2 = parseWord(hash, 16);
    const q3 = parseWord(hash, 24);
    if (q0 < 0 || q1 < 0 || q2 < 0 || q3 < 0) return -1;
    const words = this.words;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const o = 4 * mid;
      let c = compare(words[o]!, q0);
      if (c === 0) c = compare(words[o + 1]!, q1);
      if (c === 0) c = compare(words[o + 2]!, q2);
      if (c === 0) c = compare(words[o + 3]!, q3);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The hash at a position (32 lower-case hex chars). */
  hashAt(i: number): string {
    const o = 4 * i;
    let s = '';
    for (let w = 0; w < 4; w++) s += (this.words[o + w]! + 0x100000000).toString(16).slice(1);
    return s;
  }

  /** The cell at a position (a representative of its isomorphism class). */
  cellAt(i: number): Nb101Cell {
    return unpackCell(this.packed[i]!);
  }

  /** The packed cell at a position (see the class comment). */
  packedAt(i: number): number {
    return this.packed[i]!;
  }

  /** The cache file's bytes (see {@link Nb101Index.fromBuffer}). */
  toBuffer(): Buffer {
    const n = this.size;
    const payload = Buffer.alloc(20 * n);
    for (let i = 0; i < 4 * n; i++) payload.writeUInt32BE(this.words[i]!, 4 * i);
    for (let i = 0; i < n; i++) payload.writeUInt32LE(this.packed[i]!, 16 * n + 4 * i);
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(FORMAT_VERSION, 16);
    header.writeUInt32LE(n, 20);
    header.writeUInt32LE(this.collisions, 24);
    crypto.createHash('md5').update(payload).digest().copy(header, 32);
    return Buffer.concat([header, payload]);
  }

  /**
   * Reads a cache file's bytes: header `nasx-nb101-index` (16 bytes), format version, count,
   * collisions, reserved (u32 LE each), MD5 of the payload (16 bytes); payload: the hashes (16
   * bytes each, ascending), then the packed cells (u32 LE). Returns a reason string when the bytes
   * are not a complete index of this format.
   */
  static fromBuffer(buf: Buffer): Nb101Index | string {
    if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 16) !== MAGIC) return 'not an nb101 index file';
    const version = buf.readUInt32LE(16);
    if (version !== FORMAT_VERSION) return `format version ${version}, expected ${FORMAT_VERSION}`;
    const n = buf.readUInt32LE(20);
    if (n !== NB101_UNIQUE_SIZE) return `${n} cells, expected ${NB101_UNIQUE_SIZE}`;
    if (buf.length !== HEADER_BYTES + 20 * n) return `truncated (${buf.length} bytes, expected ${HEADER_BYTES + 20 * n})`;
    const payload = buf.subarray(HEADER_BYTES);
    if (!crypto.createHash('md5').update(payload).digest().equals(buf.subarray(32, 48))) return 'checksum mismatch (corrupt file)';
    const words = new Uint32Array(4 * n);
    for (let i = 0; i < 4 * n; i++) words[i] = payload.readUInt32BE(4 * i);
    const packed = new Uint32Array(n);
    for (let i = 0; i < n; i++) packed[i] = payload.readUInt32LE(16 * n + 4 * i);
    for (let i = 1; i < n; i++) if (compare(words[4 * i]!, words[4 * i - 4]!) < 0) return 'hashes out of order (corrupt file)';
    return new Nb101Index(words, packed, buf.readUInt32LE(24));
  }
}

const MAGIC = 'nasx-nb101-index';
/** Bump when the file layout or the enumeration's choice of representatives changes. */
const FORMAT_VERSION = 1;
const HEADER_BYTES = 48;
/** File name of the cache inside the cache directory. */
export const NB101_INDEX_FILE = `nb101-index-v${FORMAT_VERSION}.bin`;

/** The packed form of a cell (see {@link Nb101Index}). */
export function packCell(cell: Nb101Cell): number {
  let code = 0;
  for (let t = cell.n - 3; t >= 0; t--) code = code * 3 + cell.labels[t]!;
  return (cell.bits | (cell.n << 21) | (code << 24)) >>> 0;
}

/** Inverse of {@link packCell}. */
export function unpackCell(p: number): Nb101Cell {
  const n = (p >>> 21) & 7;
  let code = p >>> 24;
  const labels: number[] = [];
  for (let t = 0; t < n - 2; t++) {
    labels.push(code % 3);
    code = (code - (code % 3)) / 3;
  }
  return { n, bits: p & 0x1fffff, labels };
}

function sameHash(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  return a[i] === b[j] && a[i + 1] === b[j + 1] && a[i + 2] === b[j + 2] && a[i + 3] === b[j + 3];
}

function compare(x: number, y: number): number {
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The unsigned word of 8 hex chars at `at`, or −1 if one is not a hex digit. */
function parseWord(s: string, at: number): number {
  let x = 0;
  for (let i = at; i < at + 8; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    x = x * 16 + d;
  }
  return x;
}

/**
 * The directory of the on-disk cache: `override` (resolved against `baseDir`), else nasx's user
 * cache folder as the kernel passes it (`deps.cacheDir`), else — the space used as a library, without
 * the kernel — the same folder found the kernel's way: `$NASX_CACHE_DIR`, else the system's user
 * cache folder + `/nasx` (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows). Undefined (no cache) with `NASX_CACHE_DIR=off`.
 */
export function nb101CacheDir(override?: string, baseDir = process.cwd(), userCache?: string): string | undefined {
  if (override) return path.resolve(baseDir, override);
  if (userCache !== undefined) return userCache;
  const env = process.env['NASX_CACHE_DIR'];
  if (env === 'off') return undefined;
  if (env) return path.resolve(env);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env['LOCALAPPDATA'] ?? path.join(home, 'AppData', 'Local'), 'nasx', 'Cache');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'nasx');
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'nasx');
}

/** How {@link loadNb101Index} got the index. */
export interface Nb101IndexLoad {
  readonly index: Nb101Index;
  /** `memory`: already loaded in this process; `disk`: read from the cache; `built`: enumerated now. */
  readonly source: 'memory' | 'disk' | 'built';
  /** The cache file (read, written, or that could not be written), or undefined with `cache: false`. */
  readonly file?: string;
  readonly ms: number;
}

/** Indexes loaded in this process, by cache file (`''` for an uncached build). */
const LOADED = new Map<string, Nb101Index>();

/**
 * The NB101 index, once per process: from memory, else from the cache file in `cacheDir`
 * ({@link nb101CacheDir}), else built and written there (atomically: a temporary file renamed into
 * place, so concurrent builders cannot leave a torn file). A missing, stale or corrupt cache is
 * rebuilt; a cache that cannot be written is reported with `logger.warn` and the run goes on.
 */
export function loadNb101Index(options: { readonly cacheDir?: string | false; readonly logger?: Logger } = {}): Nb101IndexLoad {
  const t0 = performance.now();
  const dir = options.cacheDir === false ? undefined : (options.cacheDir ?? nb101CacheDir());
  const file = dir === undefined ? undefined : path.join(dir, NB101_INDEX_FILE);
  const memo = LOADED.get(file ?? '');
  if (memo) return { index: memo, source: 'memory', file, ms: performance.now() - t0 };
  const logger = options.logger;
  if (file !== undefined && fs.existsSync(file)) {
    let got: Nb101Index | string;
    try {
      got = Nb101Index.fromBuffer(fs.readFileSync(file));
    } catch (e) {
      got = (e as Error).message;
    }
    if (typeof got !== 'string') {
      LOADED.set(file, got);
      return { index: got, source: 'disk', file, ms: performance.now() - t0 };
    }
    logger?.warn(`nb101: ignoring the index cache ${file} (${got}); rebuilding it`);
  }
  logger?.info(
    `nb101: building the index of all ${NB101_UNIQUE_SIZE.toLocaleString('en-US')} cells (once${file ? ' per machine; cached in ' + file : ''}, about 10-30 s)`,
  );
  const index = Nb101Index.build();
  if (file !== undefined) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(tmp, index.toBuffer());
      fs.renameSync(tmp, file);
    } catch (e) {
      logger?.warn(
        `nb101: could not write the index cache ${file} (${(e as Error).message}); the index will be rebuilt next time. Set NASX_CACHE_DIR or the space's cacheDir option to a writable folder.`,
      );
    }
  }
  LOADED.set(file ?? '', index);
  return { index, source: 'built', file, ms: performance.now() - t0 };
}

/** Forget the indexes loaded in this process (tests). */
export function clearNb101IndexMemo(): void {
  LOADED.clear();
}
