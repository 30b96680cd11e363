/**
 * A Python pickle reader (protocols 0–5) for data files: the built-in types, and NumPy arrays,
 * dtypes and scalars as {@link NdArray}s and numbers. It executes no code: only the classes listed
 * in `GLOBALS` can be named by a file; any other global is an error naming it.
 *
 * Values: `None` → `null`; `bool`, `int` (as a number; beyond 2⁵³ a `bigint`), `float` → numbers;
 * `str` → strings; `bytes`/`bytearray` → `Uint8Array`; Python 2 `str` (protocols 0–2) → latin-1
 * strings; `list`, `tuple`, `set` → arrays; `dict` → a plain object when every key is a string, a
 * `Map` otherwise; NumPy `ndarray` → {@link NdArray} (C order); NumPy scalars → numbers.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { dataError, decodeElements, fortranToC, parseDescr, sizeOf, type NdArray } from './ndarray';

/** A NumPy dtype while it is being unpickled. */
class PyDtype {
  byteorder = '|';
  constructor(readonly code: string) {}
  get descr(): string {
    return this.code === 'O' || this.code.startsWith('O')
      ? '|O'
      : /^[USV]/.test(this.code)
        ? `${this.byteorder}${this.code}`
        : `${this.byteorder === '=' ? '<' : this.byteorder}${this.code}`;
  }
}

/** An ndarray created by `_reconstruct`, filled by BUILD. */
class PyArray {
  value?: NdArray;
}

/** An instance of a class the reader knows only as a container of state (e.g. OrderedDict). */
type Factory = (args: unknown[]) => unknown;

function dtypeCode(spec: unknown): string {
  const s = String(spec);
  const aliases: Record<string, string> = {
    float32: 'f4',
    float64: 'f8',
    float: 'f8',
    int8: 'i1',
    uint8: 'u1',
    int16: 'i2',
    uint16: 'u2',
    int32: 'i4',
    uint32: 'u4',
    int64: 'i8',
    uint64: 'u8',
    int: 'i8',
    bool: 'b1',
    object: 'O',
  };
  return aliases[s] ?? s.replace(/^[<>|=]/, '');
}

const numpyReconstruct: Factory = () => new PyArray();
/** `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`: how protocol 5 pickles arrays. */
const numpyFrombuffer: Factory = (args) => {
  const [buf, dtype, shape, order] = args as [Uint8Array, PyDtype, number[], string];
  const arr = new PyArray();
  buildArray(arr, [shape, dtype, order === 'F', buf], '<pickle>');
  return arr;
};

const GLOBALS: Record<string, Factory> = {
  'numpy.core.numeric _frombuffer': numpyFrombuffer,
  'numpy._core.numeric _frombuffer': numpyFrombuffer,
  'numpy.core.multiarray _reconstruct': numpyReconstruct,
  'numpy._core.multiarray _reconstruct': numpyReconstruct,
  'numpy dtype': (args) => new PyDtype(dtypeCode(args[0])),
  'numpy ndarray': () => new PyArray(),
  'numpy.core.multiarray scalar': scalar,
  'numpy._core.multiarray scalar': scalar,
  '_codecs encode': (args) => Uint8Array.from(String(args[0]), (c) => c.charCodeAt(0) & 0xff),
  'collections OrderedDict': () => new Map(),
  'builtins set': (args) => [...((args[0] as unknown[]) ?? [])],
  'builtins frozenset': (args) => [...((args[0] as unknown[]) ?? [])],
  'builtins bytearray': (args) => (args[0] instanceof Uint8Array ? args[0] : new Uint8Array(0)),
  '__builtin__ set': (args) => [...((args[0] as unknown[]) ?? [])],
};

function scalar(args: unknown[]): unknown {
  const [dtype, raw] = args as [PyDtype, Uint8Array | string];
  const bytes = typeof raw === 'string' ? Uint8Array.from(raw, (c) => c.charCodeAt(0) & 0xff) : raw;
  const { dtype: d, little } = parseDescr(dtype.descr, '<pickle>');
  return decodeElements(bytes, d, little, 1)[0];
}

/** Fills a reconstructed ndarray from its pickled state `(version, shape, dtype, fortran, data)`. */
function buildArray(arr: PyArray, state: unknown[], file: string): void {
  const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
  const dims = (shape as number[]).map(Number);
  const dt = dtype as PyDtype;
  if (dt.descr === '|O') {
    const items = raw as unknown[];
    arr.value = { dtype: 'O', shape: dims, data: fortran ? fortranToC([...items], dims) : items };
    return;
  }
  const bytes = typeof raw === 'string' ? Uint8Array.from(raw, (c) => c.charCodeAt(0) & 0xff) : (raw as Uint8Array);
  const { dtype: d, little } = parseDescr(dt.descr, file);
  const data = decodeElements(bytes, d, little, sizeOf(dims));
  arr.value = { dtype: d, shape: dims, data: fortran ? fortranToC(data, dims) : data };
}

/** Unpickles `bytes` (the contents of `file`, named in errors). */
export function unpickle(bytes: Uint8Array, file = '<pickle>'): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const fail = (what: string) =>
    dataError(file, `is not a readable pickle (${what} at byte ${pos})`, "replace the file with an intact copy, written by Python's pickle (protocol 0-5)");
  const need = (n: number) => {
    if (pos + n > bytes.length) throw fail('unexpected end of data');
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = () => (need(8), (pos += 8), Number(view.getBigUint64(pos - 8, true)));
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('unterminated line');
    const s = Buffer.from(bytes.subarray(pos, end)).toString('latin1');
    pos = end + 1;
    return s;
  };
  const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
  const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  const pop = () => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack.pop();
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw fail('no MARK');
    return stack.splice(m);
  };
  const top = () => stack[stack.length - 1];
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) throw fail('SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  const longFrom = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const global = (module: string, name: string): Factory => {
    const f = GLOBALS[`${module} ${name}`];
    if (!f) {
      throw dataError(
        file,
        `names the Python class ${module}.${name}, which a data file reader does not construct`,
        'store the data as built-in types and NumPy arrays (lists, dicts, ndarrays), or convert it with numpy.save',
      );
    }
    return f;
  };
  const parseText = (s: string): unknown => {
    const t = s.trim();
    if (t === '00') return false;
    if (t === '01') return true;
    const n = t.endsWith('L') ? t.slice(0, -1) : t;
    const big = BigInt(n);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return plain(pop(), new Map());
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
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
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x49: // INT
        stack.push(parseText(line()));
        break;
      case 0x4c: // LONG
        stack.push(parseText(line()));
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(longFrom(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(longFrom(take(i32())));
        break;
      case 0x46: // FLOAT
        stack.push(Number(line()));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        pos += 8;
        stack.push(view.getFloat64(pos - 8, false));
        break;
      case 0x53: {
        // STRING: a quoted Python 2 str literal
        const s = line().trim();
        stack.push(
          JSON.parse(
            `"${s
              .slice(1, -1)
              .replace(/\\x([0-9a-f]{2})/gi, '\\u00$1')
              .replace(/\\'/g, "'")
              .replace(/"/g, '\\"')}"`,
          ),
        );
        break;
      }
      case 0x54: // BINSTRING
        stack.push(latin1(take(i32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(take(u8())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape)
        stack.push(line().replace(/\\u([0-9a-f]{4})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(take(u64())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        (top() as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw fail('APPENDS on a non-list');
        for (const v of items) list.push(v);
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        (top() as unknown[]).push(...items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        stack.push(global(String(pop()), String(name)));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop() as unknown[];
        const f = pop();
        if (typeof f !== 'function') throw fail('REDUCE of a non-callable');
        stack.push((f as Factory)(args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop() as unknown[];
        const cls = pop() as Factory;
        stack.push(cls(args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop() as unknown[];
        const cls = pop() as Factory;
        stack.push(cls(args));
        break;
      }
      case 0x69: {
        // INST
        const module = line();
        const f = global(module, line());
        stack.push(f(popMark()));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const f = items.shift() as Factory;
        stack.push(f(items));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyArray) buildArray(obj, state as unknown[], file);
        else if (obj instanceof PyDtype) obj.byteorder = String((state as unknown[])[1] ?? '|');
        else if (obj instanceof Map && state instanceof Map) for (const [k, v] of state) obj.set(k, v);
        else throw fail('BUILD of an object the reader does not know');
        break;
      }
      case 0x70: // PUT
        memo.set(Number(line()), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x67 ? Number(line()) : op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw fail(`memo key ${k} missing`);
        stack.push(memo.get(k));
        break;
      }
      default:
        throw fail(`opcode 0x${op.toString(16)} (persistent ids, extensions and out-of-band buffers are not supported)`);
    }
  }
}

/** Replaces reader-internal objects by their values: arrays by NdArrays, string-keyed Maps by objects. */
function plain(v: unknown, seen: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (seen.has(v)) return seen.get(v);
  if (v instanceof PyArray) {
    const value = v.value;
    if (!value) return null;
    if (Array.isArray(value.data)) {
      const out: NdArray = { ...value, data: [] };
      seen.set(v, out);
      (out.data as unknown[]).push(...value.data.map((x) => plain(x, seen)));
      return out;
    }
    seen.set(v, value);
    return value;
  }
  if (v instanceof PyDtype) return v.descr;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(plain(x, seen));
    return out;
  }
  if (v instanceof Map) {
    if ([...v.keys()].every((k) => typeof k === 'string')) {
      const out: Record<string, unknown> = {};
      seen.set(v, out);
      for (const [k, x] of v) out[k as string] = plain(x, seen);
      return out;
    }
    const out = new Map<unknown, unknown>();
    seen.set(v, out);
    for (const [k, x] of v) out.set(plain(k, seen), plain(x, seen));
    return out;
  }
  return v;
}

/** Reads a pickle file (`.pkl`; a `.gz` file is gunzipped first). */
export function loadPickle(source: string | Uint8Array, name = typeof source === 'string' ? source : '<pickle>'): unknown {
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? fs.readFileSync(source) : source;
  } catch (e) {
    throw dataError(name, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check the path and the file permissions');
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = zlib.gunzipSync(bytes);
  }
  return unpickle(bytes, name);
}
