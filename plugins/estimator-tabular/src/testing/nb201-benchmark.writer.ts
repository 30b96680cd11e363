import * as fs from 'node:fs';
import { formatNb201ArchStr, nb201OpsOfCode } from '../tabular/nb201.table';

/**
 * Writes a synthetic NAS-Bench-201 v1.1 benchmark file of any size (up to the whole space) in
 * torch's legacy format, for tests and benchmarks that need more cells than the small torch-made
 * fixtures hold, without torch. It emits the opcodes CPython's pickler emits at protocol 2 for
 * the same structure (dicts through EMPTY_DICT + SETITEMS in batches of 1000, (dataset, seed)
 * tuple keys, per-record eval keys 'x-valid@1' as new strings, attribute names memoized once and
 * read back with BINGET in later records), and returns the values the tables must hold.
 */

/** Expected table values of one architecture (undefined = empty cell). */
export interface SyntheticNb201Row {
  readonly archStr: string;
  readonly full: { readonly [settingAndSet: string]: number };
  readonly less: { readonly [settingAndSet: string]: number };
  readonly params: number;
}

const SETTINGS = {
  'cifar10-valid': ['x-valid', 'ori-test'],
  cifar10: ['ori-test'],
  cifar100: ['ori-test', 'x-valid', 'x-test'],
  'ImageNet16-120': ['ori-test', 'x-valid', 'x-test'],
} as const;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class PickleOut {
  private buf = Buffer.alloc(1 << 20);
  private at = 0;
  private memo = new Map<string, number>();
  private nextMemo = 0;
  constructor(private readonly fd: number) {}
  private room(n: number): void {
    if (this.at + n > this.buf.length) this.flush();
    if (n > this.buf.length) this.buf = Buffer.alloc(n);
  }
  flush(): void {
    if (this.at) fs.writeSync(this.fd, this.buf, 0, this.at);
    this.at = 0;
  }
  op(...bytes: number[]): void {
    this.room(bytes.length);
    for (const b of bytes) this.buf[this.at++] = b;
  }
  private u32(code: number, v: number): void {
    this.room(5);
    this.buf[this.at] = code;
    this.buf.writeUInt32LE(v, this.at + 1);
    this.at += 5;
  }
  put(): void {
    const i = this.nextMemo++;
    if (i < 256) this.op(0x71, i);
    else this.u32(0x72, i);
  }
  private get(i: number): void {
    if (i < 256) this.op(0x68, i);
    else this.u32(0x6a, i);
  }
  /** A string; `shared` ones (attribute names, dataset names) are memoized once and reused, as interned strings are. */
  str(s: string, shared = false): void {
    const seen = shared ? this.memo.get(s) : undefined;
    if (seen !== undefined) return this.get(seen);
    const len = Buffer.byteLength(s, 'utf8');
    this.u32(0x58, len);
    this.room(len);
    this.at += this.buf.write(s, this.at, 'utf8');
    if (shared) this.memo.set(s, this.nextMemo);
    this.put();
  }
  int(n: number): void {
    if (n >= 0 && n < 256) this.op(0x4b, n);
    else if (n >= 0 && n < 65536) this.op(0x4d, n & 0xff, n >> 8);
    else {
      this.room(5);
      this.buf[this.at] = 0x4a;
      this.buf.writeInt32LE(n, this.at + 1);
      this.at += 5;
    }
  }
  float(x: number): void {
    this.room(9);
    this.buf[this.at] = 0x47;
    this.buf.writeDoubleBE(x, this.at + 1);
    this.at += 9;
  }
  /** A dict from entries written by `items` (each writes key then value), batched like CPython. */
  dict(items: readonly (() => void)[]): void {
    this.op(0x7d);
    this.put();
    for (let i = 0; i < items.length; i += 1000) {
      const batch = items.slice(i, i + 1000);
      if (batch.length > 1) this.op(0x28);
      for (const it of batch) it();
      this.op(batch.length > 1 ? 0x75 : 0x73);
    }
  }
  list(items: readonly (() => void)[]): void {
    this.op(0x5d);
    this.put();
    for (let i = 0; i < items.length; i += 1000) {
      const batch = items.slice(i, i + 1000);
      if (batch.length > 1) this.op(0x28);
      for (const it of batch) it();
      this.op(batch.length > 1 ? 0x65 : 0x61);
    }
  }
}

/**
 * Writes `file` with the first `archs` cells in code order (all 15,625 by default), one or two
 * seeds per setting, `epochs` epochs per record; returns the expected values per NB201 index.
 */
export function writeSyntheticNb201(file: string, opts: { archs?: number; epochs?: number; seed?: number } = {}): SyntheticNb201Row[] {
  const n = opts.archs ?? 15625;
  const epochs = opts.epochs ?? 2;
  const rnd = mulberry32(opts.seed ?? 1);
  const rows: SyntheticNb201Row[] = [];
  const fd = fs.openSync(file, 'w');
  try {
    const p = new PickleOut(fd);
    const pickle = (body: () => void): void => {
      p.op(0x80, 2);
      body();
      p.op(0x2e);
    };
    // The legacy header: magic number, protocol version, sys info.
    pickle(() => {
      p.op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19);
    });
    pickle(() => p.int(1001));
    pickle(() => p.dict([() => (p.str('protocol_version'), p.int(1001)), () => (p.str('little_endian'), p.op(0x88))]));
    const archStrs = Array.from({ length: n }, (_, i) => formatNb201ArchStr(nb201OpsOfCode(i)));
    const archResults = (index: number, hp: 'less' | 'full', acc: { [k: string]: number }, params: { v: number }): void => {
      const results: (() => void)[] = [];
      const seedsOf: (() => void)[] = [];
      for (const [setting, sets] of Object.entries(SETTINGS)) {
        const seeds = (index + setting.length) % 3 === 0 ? [777, 888] : [777];
        const sums: { [set: string]: number } = {};
        const ps: number[] = [];
        for (const seed of seeds) {
          const par = Math.round(rnd() * 1.5e6) / 1e6;
          ps.push(par);
          const evals: [string, number][] = [];
          for (const set of sets) for (let e = 0; e < epochs; e++) evals.push([`${set}@${e}`, 10 + 80 * rnd()]);
          for (const [k, v] of evals) {
            const at = k.indexOf('@');
            if (Number(k.slice(at + 1)) === epochs - 1) sums[k.slice(0, at)] = (sums[k.slice(0, at)] ?? 0) + v;
          }
          results.push(() => {
            p.str(setting, true);
            p.int(seed);
            p.op(0x86); // TUPLE2
            p.put();
            p.dict([
              () => (p.str('name', true), p.str(setting, true)),
              () => (p.str('net_state_dict', true), p.op(0x4e)),
              () => (p.str('params', true), p.float(par)),
              () => (p.str('epochs', true), p.int(epochs)),
              () => (p.str('eval_names', true), p.list(sets.map((s) => () => p.str(s)))),
              () => (
                p.str('eval_acc1es', true),
                p.dict(
                  evals.map(
                    ([k, v]) =>
                      () => (p.str(k), p.float(v)),
                  ),
                )
              ),
            ]);
          });
        }
        // np.mean of few values: left-to-right sum, then divide.
        for (const set of sets) acc[`${setting}|${set}`] = sums[set]! / seeds.length;
        if (setting === 'cifar10-valid' && hp === 'full') params.v = ps.reduce((a, b) => a + b, 0) / ps.length;
        seedsOf.push(() => (p.str(setting, true), p.list(seeds.map((s) => () => p.int(s)))));
      }
      p.dict([
        () => (p.str('arch_index', true), p.int(index)),
        () => (p.str('arch_str', true), p.str(archStrs[index]!)),
        () => (p.str('all_results', true), p.dict(results)),
        () => (p.str('dataset_seed', true), p.dict(seedsOf)),
        () => (p.str('clear_net_done', true), p.op(0x88)),
      ]);
    };
    pickle(() =>
      p.dict([
        () => (p.str('meta_archs'), p.list(archStrs.map((s) => () => p.str(s)))),
        () => (
          p.str('arch2infos'),
          p.dict(
            archStrs.map((s, i) => () => {
              const row = { archStr: s, less: {}, full: {}, params: { v: NaN } };
              p.int(i);
              p.dict([
                () => (p.str('less', true), archResults(i, 'less', row.less, row.params)),
                () => (p.str('full', true), archResults(i, 'full', row.full, row.params)),
              ]);
              rows.push({ archStr: s, less: row.less, full: row.full, params: row.params.v });
            }),
          )
        ),
        () => (p.str('evaluated_indexes'), p.list(archStrs.map((_, i) => () => p.int(i)))),
      ]),
    );
    pickle(() => p.list([])); // storage keys: none
    p.flush();
  } finally {
    fs.closeSync(fd);
  }
  return rows;
}
