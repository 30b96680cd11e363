import type { ByteSource } from './byte-source';

/**
 * A streaming reader of Python pickles (protocols 0–5), enough for what `torch.save` writes:
 * dicts, lists, tuples, sets, ints, floats, strings, bytes, None/bools, the memo,
 * GLOBAL/STACK_GLOBAL with REDUCE/NEWOBJ/BUILD (`collections.OrderedDict` and `defaultdict` become dicts; other
 * classes become {@link PyObject} records) and persistent ids (torch storages, handed to
 * `persistentLoad`). Opcode semantics follow CPython's `Lib/pickle.py` (`_Unpickler.load_*`).
 *
 * Why streaming with a reduce hook: NAS-Bench-201 v1.1 is a 4.7 GB pickle of ~300,000 training
 * records, each a dict of per-epoch dicts, which Python itself loads into many GB. The caller's
 * {@link PickleOptions.reduce} sees every dict when it is complete (inserted into its parent) and
 * may return a small replacement: the original is cleared in place, and the memo entries created
 * while it was read are released, so memory holds only what the caller kept.
 */

/** A Python dict (`dict`, `OrderedDict`): keys are primitives, or frozen arrays for tuples (by identity). */
export class PyDict extends Map<unknown, unknown> {
  /** @internal The next memo index when the reader created it: where its span of the memo starts. */
  memoStart = -1;
}

/** An instance of a class the reader does not model: its class, constructor arguments and state. */
export class PyObject {
  state: unknown = undefined;
  constructor(
    readonly module: string,
    readonly name: string,
    readonly args: readonly unknown[],
  ) {}
}

/** A global (class or function) named by GLOBAL / STACK_GLOBAL. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Options of {@link readPickle}. */
export interface PickleOptions {
  /**
   * Called with each dict once complete (when it goes into its parent container, or is the
   * result); a return value other than the dict itself replaces it (see the file header).
   */
  readonly reduce?: (dict: PyDict) => unknown;
  /** Resolves a persistent id (torch: a storage record); without it, persistent ids are refused. */
  readonly persistentLoad?: (pid: unknown) => unknown;
  /** Checked every 64 Ki opcodes. */
  readonly signal?: AbortSignal;
  /** Called every 64 Ki opcodes with the input offset (for progress). */
  readonly onOffset?: (offset: number) => void;
  /**
   * Byte strings of at least `minBytes` (BINBYTES, BINBYTES8, BYTEARRAY8, a Python 2 BINSTRING; not the
   * SHORT_ forms, below 256 bytes) are
   * handed to `write`, which consumes exactly `n` bytes from `src` (to disk, say) and returns what
   * stands for them in the result, so a pickle of arrays larger than memory can be read.
   */
  readonly spill?: { readonly minBytes: number; write(n: number, src: ByteSource): Promise<unknown> };
}

const ABSENT = Symbol('absent');

const BLOCK_BITS = 16;
const BLOCK = 1 << BLOCK_BITS;

/**
 * The unpickler's memo, indexed by memo position, in blocks of 2^16 slots. Releasing a reduced
 * dict's span moves the values worth keeping into {@link ReleasedValues} (4 bytes a slot) and
 * frees every block that holds no live entry, so the memo of a 4.7 GB pickle stays small.
 */
class Memo {
  max = -1;
  private readonly blocks: (unknown[] | undefined)[] = [];
  private readonly live: number[] = [];
  private readonly released = new ReleasedValues();
  /**
   * Released intervals [start, end), by the block of their start: a release scans past the inner
   * ones, so it is O(span); a freed block's intervals go with it.
   */
  private readonly skips: (Map<number, number> | undefined)[] = [];

  put(idx: number, v: unknown): void {
    const b = idx >>> BLOCK_BITS;
    let arr = this.blocks[b];
    if (!arr) {
      arr = this.blocks[b] = new Array<unknown>(BLOCK).fill(ABSENT);
      this.live[b] = 0;
    }
    const i = idx & (BLOCK - 1);
    if (arr[i] === ABSENT) this.live[b]!++;
    arr[i] = v;
    if (idx > this.max) this.max = idx;
  }

  get(idx: number): unknown {
    const arr = this.blocks[idx >>> BLOCK_BITS];
    const v = arr ? arr[idx & (BLOCK - 1)] : ABSENT;
    return v !== ABSENT ? v : this.released.get(idx);
  }

  /** Releases the slots `[start, max]`: immutable values are kept compactly, everything else goes. */
  release(start: number): void {
    for (let idx = start; idx <= this.max; idx++) {
      const b = idx >>> BLOCK_BITS;
      const skip = this.skips[b];
      const jump = skip?.get(idx);
      if (jump !== undefined) {
        skip!.delete(idx);
        idx = jump - 1;
        continue;
      }
      const arr = this.blocks[b];
      if (!arr) {
        idx = ((b + 1) << BLOCK_BITS) - 1;
        continue;
      }
      const i = idx & (BLOCK - 1);
      const v = arr[i];
      if (v === ABSENT) continue;
      // Containers, tuples and the reduced dict itself go: a record is not read twice, and a
      // later read of one fails with a clear error instead of keeping every record alive.
      if (ReleasedValues.keeps(v)) this.released.set(idx, v);
      arr[i] = ABSENT;
      if (--this.live[b]! === 0 && b < this.max >>> BLOCK_BITS) {
        this.blocks[b] = undefined;
        this.skips[b] = undefined;
        this.released.seal(b);
      }
    }
    if (start <= this.max) {
      const b = start >>> BLOCK_BITS;
      (this.skips[b] ?? (this.skips[b] = new Map())).set(start, this.max + 1);
    }
  }

  /** Without releasing (memo positions reused): only `original` becomes `replacement`. */
  replace(start: number, original: unknown, replacement: unknown): void {
    for (let idx = start; idx <= this.max; idx++) {
      const arr = this.blocks[idx >>> BLOCK_BITS];
      if (arr && arr[idx & (BLOCK - 1)] === original) arr[idx & (BLOCK - 1)] = replacement;
    }
  }
}

/**
 * The immutable values of released memo spans (strings, globals, tuples, numbers): memo index →
 * id in a table of values, in blocks of 2^20 `Int32Array` entries (4 bytes per index; 0 = none).
 * NAS-Bench-201 v1.1 memoizes ~80 M eval keys ('x-valid@199') of only a few thousand distinct
 * values, and shared objects (an attribute name, 'cifar10', the global of a tensor rebuild) are
 * first memoized inside one record and read in later ones; so these are kept, one copy per
 * distinct string or global, while the containers around them are dropped.
 */
class ReleasedValues {
  /** Per block of 2^16 slots: value ids while the block fills, then runs once it is sealed. */
  private readonly blocks: (Int32Array | Runs | undefined)[] = [];
  private readonly ids = new Map<unknown, number>();
  private readonly values: unknown[] = [];

  /** Whether a released value is kept: immutable ones that later records may share. */
  static keeps(v: unknown): boolean {
    return v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || v instanceof PyGlobal;
  }

  /** Keeps `v` (a value {@link ReleasedValues.keeps} accepts) for slot `idx`, one copy per distinct string or global. */
  set(idx: number, v: unknown): void {
    const key = v instanceof PyGlobal ? `\u0000global:${v.module}.${v.name}` : typeof v === 'string' ? v : undefined;
    let id = key === undefined ? undefined : this.ids.get(key);
    if (id === undefined) {
      id = this.values.push(v);
      if (key !== undefined) this.ids.set(key, id);
    }
    const b = idx >>> BLOCK_BITS;
    let block = this.blocks[b];
    if (block instanceof Runs) block = this.blocks[b] = block.unseal(); // a slot released after its block was sealed (rare)
    (block ?? (this.blocks[b] = new Int32Array(BLOCK)))[idx & (BLOCK - 1)] = id;
  }

  get(idx: number): unknown {
    const block = this.blocks[idx >>> BLOCK_BITS];
    const id = block instanceof Runs ? block.get(idx & (BLOCK - 1)) : block?.[idx & (BLOCK - 1)];
    return id ? this.values[id - 1] : ABSENT;
  }

  /**
   * The block's slots are all released: store its ids as runs. A record's eval keys are new slots
   * holding values first seen in the same order in the first record ('x-valid@0', '@1', …), so
   * their ids ascend by one slot after slot, and a block of 65,536 slots shrinks to a few runs.
   */
  seal(b: number): void {
    const block = this.blocks[b];
    if (block instanceof Int32Array) this.blocks[b] = Runs.of(block);
  }
}

/** Runs of slots whose ids ascend by one: `start[k]` slot, `first[k]` id, `length[k]` slots. */
class Runs {
  constructor(
    private readonly start: Uint16Array,
    private readonly first: Int32Array,
    private readonly length: Uint32Array,
  ) {}

  static of(ids: Int32Array): Runs {
    const start: number[] = [];
    const first: number[] = [];
    const length: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === 0) continue;
      const k = start.length - 1;
      if (k >= 0 && start[k]! + length[k]! === i && first[k]! + length[k]! === id) length[k]!++;
      else {
        start.push(i);
        first.push(id);
        length.push(1);
      }
    }
    return new Runs(Uint16Array.from(start), Int32Array.from(first), Uint32Array.from(length));
  }

  get(slot: number): number {
    let lo = 0;
    let hi = this.start.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.start[mid]!;
      if (slot < s) hi = mid - 1;
      else if (slot >= s + this.length[mid]!) lo = mid + 1;
      else return this.first[mid]! + (slot - s);
    }
    return 0;
  }

  unseal(): Int32Array {
    const ids = new Int32Array(BLOCK);
    for (let k = 0; k < this.start.length; k++) for (let j = 0; j < this.length[k]!; j++) ids[this.start[k]! + j] = this.first[k]! + j;
    return ids;
  }
}

/** A malformed pickle, or one that uses a feature this reader does not support. */
export class PickleError extends Error {
  override readonly name = 'PickleError';
}

const MARK_NONE = -1;

/** Globals that are rebuilt as plain values. */
function callGlobal(g: PyGlobal, args: readonly unknown[]): unknown {
  const full = `${g.module}.${g.name}`;
  switch (full) {
    case 'collections.defaultdict':
      // defaultdict(factory): its items follow (SETITEMS); the factory is not data.
      return new PyDict();
    case 'collections.OrderedDict': {
      const d = new PyDict();
      const items = args[0];
      if (Array.isArray(items)) for (const kv of items as unknown[][]) d.set(kv[0], kv[1]);
      return d;
    }
    case 'builtins.set':
    case '__builtin__.set':
    case 'builtins.frozenset':
    case '__builtin__.frozenset':
      return new Set((args[0] as unknown[] | undefined) ?? []);
    case 'builtins.list':
    case '__builtin__.list':
      return [...((args[0] as unknown[] | undefined) ?? [])];
    case 'builtins.dict':
    case '__builtin__.dict':
      return new PyDict();
    case 'copy_reg._reconstructor':
    case 'copyreg._reconstructor': {
      // object.__reduce_ex__(<2): _reconstructor(cls, base, state)
      const cls = args[0] as PyGlobal;
      return new PyObject(cls.module, cls.name, []);
    }
    default:
      return new PyObject(g.module, g.name, args);
  }
}

/** Python's `x.__setstate__(state)` / `__dict__.update(state)` for what BUILD meets. */
function build(obj: unknown, state: unknown): void {
  if (obj instanceof PyObject) obj.state = state;
  else if (obj instanceof PyDict && state instanceof PyDict) for (const [k, v] of state) obj.set(k, v);
  // OrderedDict.__reduce__ passes a state of None (or the instance __dict__): nothing to keep.
}

function readLine(src: ByteSource): string | undefined {
  const nl = src.buf.indexOf(10, src.pos);
  if (nl < 0) return undefined;
  const s = src.buf.toString('latin1', src.pos, nl);
  src.pos = nl + 1;
  return s;
}

/** Little-endian two's-complement integer of `n` bytes (LONG1 / LONG4). */
function decodeLong(b: Buffer): number | bigint {
  if (b.length === 0) return 0;
  if (b.length <= 6) return b.readIntLE(0, b.length);
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseTextInt(s: string): number | bigint | boolean {
  const t = s.trim().replace(/L$/, '');
  if (t === '00') return false; // protocol 0 booleans
  if (t === '01') return true;
  const v = BigInt(t);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Reads one pickle from `src` (up to and including its STOP opcode) and returns the object.
 * The source is left just after the pickle, so a sequence of pickles (torch's legacy format)
 * is read by calling it again.
 */
export async function readPickle(src: ByteSource, options: PickleOptions = {}): Promise<unknown> {
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Memo();
  let monotonic = true;
  const reduce = options.reduce;
  const spill = options.spill;
  let ops = 0;

  const fail = (msg: string): never => {
    throw new PickleError(`${src.name}, byte ${src.offset}: ${msg}`);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('the pickle pops from an empty stack (corrupt file?)');
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined || m === MARK_NONE) fail('the pickle closes a MARK that was never opened (corrupt file?)');
    return stack.splice(m as number);
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('the pickle reads an empty stack (corrupt file?)');
    return stack[stack.length - 1];
  };
  const newDict = (): PyDict => {
    const d = new PyDict();
    d.memoStart = memo.max + 1;
    return d;
  };
  const put = (idx: number, v: unknown): void => {
    if (idx <= memo.max) monotonic = false;
    memo.put(idx, v);
  };
  const get = (idx: number): unknown => {
    const v = memo.get(idx);
    if (v === ABSENT) fail(`memo entry ${idx} is read but was never stored, or it is a container inside a dict that the reader's caller reduced`);
    return v;
  };
  /** Applies the reduce hook to a completed value; releases the memo of a replaced dict's span. */
  const complete = (v: unknown): unknown => {
    if (!reduce || !(v instanceof PyDict)) return v;
    const r = reduce(v);
    if (r === v) return v;
    if (v.memoStart >= 0) {
      if (monotonic) memo.release(v.memoStart);
      else memo.replace(v.memoStart, v, r);
    }
    return r;
  };

  for (;;) {
    if (src.available < 9) await src.fill(9);
    if (src.available === 0) fail('the file ends before the pickle does (truncated?)');
    if ((++ops & 0xffff) === 0) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      options.onOffset?.(src.offset);
    }
    const buf = src.buf;
    const op = buf[src.pos++]!;
    switch (op) {
      case 0x80: // PROTO
        if (src.available < 1) throw src.truncated(1);
        if (buf[src.pos++]! > 5) fail(`pickle protocol ${buf[src.pos - 1]} is newer than 5`);
        break;
      case 0x95: // FRAME: a length prefix only; the frame's opcodes follow
        if (src.available < 8) throw src.truncated(8);
        src.pos += 8;
        break;
      case 0x2e: // STOP
        return complete(pop());
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (marks.length && marks[marks.length - 1] === stack.length) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        if (src.available < 4) throw src.truncated(4);
        stack.push(buf.readInt32LE(src.pos));
        src.pos += 4;
        break;
      case 0x4b: // BININT1
        if (src.available < 1) throw src.truncated(1);
        stack.push(buf[src.pos++]!);
        break;
      case 0x4d: // BININT2
        if (src.available < 2) throw src.truncated(2);
        stack.push(buf.readUInt16LE(src.pos));
        src.pos += 2;
        break;
      case 0x8a: {
        // LONG1
        if (src.available < 1) throw src.truncated(1);
        const n = buf[src.pos++]!;
        stack.push(decodeLong(await src.take(n)));
        break;
      }
      case 0x8b: {
        // LONG4
        const n = (await src.take(4)).readInt32LE(0);
        if (n < 0) fail('LONG4 with a negative length');
        stack.push(decodeLong(await src.take(n)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        if (src.available < 8) throw src.truncated(8);
        stack.push(buf.readDoubleBE(src.pos));
        src.pos += 8;
        break;
      case 0x8c: {
        // SHORT_BINUNICODE
        if (src.available < 1) throw src.truncated(1);
        const n = buf[src.pos++]!;
        if (src.available >= n) {
          stack.push(buf.toString('utf8', src.pos, src.pos + n));
          src.pos += n;
        } else stack.push((await src.take(n)).toString('utf8'));
        break;
      }
      case 0x58: {
        // BINUNICODE
        if (src.available < 4) throw src.truncated(4);
        const n = buf.readUInt32LE(src.pos);
        src.pos += 4;
        if (src.available >= n) {
          stack.push(src.buf.toString('utf8', src.pos, src.pos + n));
          src.pos += n;
        } else stack.push((await src.take(n)).toString('utf8'));
        break;
      }
      case 0x8d: {
        // BINUNICODE8
        const n = Number((await src.take(8)).readBigUInt64LE(0));
        stack.push((await src.take(n)).toString('utf8'));
        break;
      }
      case 0x55: {
        // SHORT_BINSTRING (Python 2 str; read as latin-1 text)
        const n = (await src.take(1))[0]!;
        stack.push((await src.take(n)).toString('latin1'));
        break;
      }
      case 0x54: {
        // BINSTRING
        const n = (await src.take(4)).readInt32LE(0);
        if (spill && n >= spill.minBytes) stack.push(await spill.write(n, src));
        else stack.push((await src.take(n)).toString('latin1'));
        break;
      }
      case 0x43: {
        // SHORT_BINBYTES
        const n = (await src.take(1))[0]!;
        stack.push(Buffer.from(await src.take(n)));
        break;
      }
      case 0x42: {
        // BINBYTES
        const n = (await src.take(4)).readUInt32LE(0);
        if (spill && n >= spill.minBytes) stack.push(await spill.write(n, src));
        else stack.push(Buffer.from(await src.take(n)));
        break;
      }
      case 0x8e: // BINBYTES8
      case 0x96: {
        // BYTEARRAY8
        const n = Number((await src.take(8)).readBigUInt64LE(0));
        if (spill && n >= spill.minBytes) stack.push(await spill.write(n, src));
        else stack.push(Buffer.from(await src.take(n)));
        break;
      }
      case 0x49: // INT
      case 0x4c: // LONG
      case 0x46: // FLOAT
      case 0x53: // STRING
      case 0x56: // UNICODE
      case 0x67: // GET
      case 0x70: // PUT
      case 0x50: {
        // PERSID
        let line = readLine(src);
        if (line === undefined) {
          await src.fill(src.available + 4096);
          line = readLine(src);
          if (line === undefined) fail('a text opcode has no end of line');
        }
        const s = line as string;
        if (op === 0x49 || op === 0x4c) stack.push(parseTextInt(s));
        else if (op === 0x46) stack.push(Number(s));
        else if (op === 0x53) stack.push(s.slice(1, -1));
        else if (op === 0x56) stack.push(s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
        else if (op === 0x67) stack.push(get(Number(s)));
        else if (op === 0x70) put(Number(s), top());
        else stack.push(persistent(s));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(newDict());
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x61: {
        // APPEND
        const v = complete(pop());
        (top() as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top() as unknown[];
        for (const v of completeAll(items, 0, 1)) list.push(v);
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(Object.freeze([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(Object.freeze([a, b, c]));
        break;
      }
      case 0x64: {
        // DICT
        const items = popMark();
        const d = newDict();
        const values = completeAll(items, 1, 2);
        for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], values[i >> 1]);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = complete(pop());
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top();
        const values = completeAll(items, 1, 2);
        for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], values[i >> 1]);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top() as Set<unknown>;
        for (const v of items) s.add(v);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x68: // BINGET
        if (src.available < 1) throw src.truncated(1);
        stack.push(get(buf[src.pos++]!));
        break;
      case 0x6a: // LONG_BINGET
        if (src.available < 4) throw src.truncated(4);
        stack.push(get(buf.readUInt32LE(src.pos)));
        src.pos += 4;
        break;
      case 0x71: // BINPUT
        if (src.available < 1) throw src.truncated(1);
        put(buf[src.pos++]!, top());
        break;
      case 0x72: // LONG_BINPUT
        if (src.available < 4) throw src.truncated(4);
        put(buf.readUInt32LE(src.pos), top());
        src.pos += 4;
        break;
      case 0x94: // MEMOIZE
        put(memo.max + 1, top());
        break;
      case 0x63: {
        // GLOBAL
        let mod = readLine(src);
        let name = mod === undefined ? undefined : readLine(src);
        if (name === undefined) {
          if (mod !== undefined) src.pos -= Buffer.byteLength(mod, 'latin1') + 1;
          await src.fill(src.available + 4096);
          mod = readLine(src);
          name = readLine(src);
          if (mod === undefined || name === undefined) fail('GLOBAL without two lines');
        }
        stack.push(new PyGlobal(mod as string, name as string));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        stack.push(new PyGlobal(String(mod), String(name)));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop() as readonly unknown[];
        const fn = pop();
        if (!(fn instanceof PyGlobal)) fail(`REDUCE calls ${String(fn)}, which is not a global`);
        stack.push(adopt(callGlobal(fn as PyGlobal, args)));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop() as readonly unknown[];
        const cls = pop();
        if (!(cls instanceof PyGlobal)) fail('NEWOBJ on something that is not a class');
        stack.push(adopt(callGlobal(cls as PyGlobal, args)));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
        pop(); // kwargs
        const args = pop() as readonly unknown[];
        const cls = pop();
        if (!(cls instanceof PyGlobal)) fail('NEWOBJ_EX on something that is not a class');
        stack.push(adopt(callGlobal(cls as PyGlobal, args)));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x69: {
        // INST (protocol 0): MARK args… INST module\nname\n
        const mod = readLine(src);
        const name = mod === undefined ? undefined : readLine(src);
        if (mod === undefined || name === undefined) fail('INST without two lines');
        stack.push(adopt(callGlobal(new PyGlobal(mod as string, name as string), popMark())));
        break;
      }
      case 0x6f: {
        // OBJ: MARK cls args… OBJ
        const items = popMark();
        stack.push(adopt(callGlobal(items[0] as PyGlobal, items.slice(1))));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x82:
      case 0x83:
      case 0x84:
        fail('extension-registry opcodes (EXT1/2/4) are not supported');
        break;
      case 0x97:
      case 0x98:
        fail('out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported');
        break;
      default:
        fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} (not a pickle, or a corrupt one)`);
    }
  }

  /**
   * {@link complete} on `items[from], items[from + step], …`, last first: each release then scans
   * only its own span (the later ones are already intervals it jumps over), which keeps a batch
   * of 1,000 dict values O(n) instead of O(n²).
   */
  function completeAll(items: readonly unknown[], from: number, step: number): unknown[] {
    const out = new Array<unknown>(Math.floor((items.length - from + step - 1) / step));
    for (let k = out.length - 1; k >= 0; k--) out[k] = complete(items[from + k * step]);
    return out;
  }
  function persistent(pid: unknown): unknown {
    if (!options.persistentLoad) throw new PickleError(`${src.name}: the pickle refers to persistent ids (torch tensors), which this reader was not given`);
    return options.persistentLoad(pid);
  }
  function adopt(v: unknown): unknown {
    if (v instanceof PyDict) v.memoStart = memo.max + 1;
    return v;
  }
  function setItem(d: unknown, k: unknown, v: unknown): void {
    if (d instanceof PyDict) d.set(k, v);
    else if (d instanceof PyObject) {
      // dict subclasses without a model: keep items in the state
      if (!(d.state instanceof PyDict)) d.state = new PyDict();
      (d.state as PyDict).set(k, v);
    } else fail('SETITEM on something that is not a dict');
  }
}
