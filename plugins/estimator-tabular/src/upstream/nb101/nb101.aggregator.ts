/**
 * Per-cell accumulation of NAS-Bench-101 records in typed arrays. Upstream's loader
 * (`nasbench/api.py`, `NASBench.__init__`) files every record under its hash in dicts and never
 * assumes that the records of one hash are adjacent, and the script that wrote the release is not
 * published, so nothing guarantees an order: records are aggregated by hash in an open-addressing
 * table. Per cell that is 16 bytes of hash, 4 of graph, 2 of labels, 8 of parameters and 25 per
 * training budget (3 sums and a count): about 130 bytes, 55 MB for the 423,624 cells with 4
 * budgets, whatever the order and the number of records.
 */

/** Training budgets a table may hold (NB101 has 4). */
const MAX_BUDGETS = 8;
/** Vertices of the largest NB101 cell. */
export const MAX_VERTICES = 7;
/** Interior labels, in upstream's canonical order (`config['available_ops']`). */
export const OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;

/** Sums of one training budget, one slot per cell. */
interface Budget {
  readonly epochs: number;
  count: Uint8Array;
  /** [val, test, time] per cell. */
  sums: Float64Array;
}

/** The hex digit value of a char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Reads a 32-hex hash into 4 words at `out[o..o+4)`; false if it is not 32 lower-case hex digits. */
export function parseHash(hash: string, out: Uint32Array, o: number): boolean {
  if (hash.length !== 32) return false;
  for (let w = 0; w < 4; w++) {
    let x = 0;
    for (let k = 0; k < 8; k++) {
      const v = hexValue(hash.charCodeAt(8 * w + k));
      if (v < 0) return false;
      x = (x << 4) | v;
    }
    out[o + w] = x >>> 0;
  }
  return true;
}

function hashHex(words: Uint32Array, o: number): string {
  let s = '';
  for (let w = 0; w < 4; w++) s += words[o + w]!.toString(16).padStart(8, '0');
  return s;
}

/** A cell's graph: `n` vertices, edge i→j at bit `i + j(j−1)/2`, interior labels 2 bits each. */
export interface PackedCell {
  readonly n: number;
  readonly bits: number;
  readonly labels: number;
}

/** One final evaluation of one run. */
export interface RunValues {
  readonly val: number;
  readonly test: number;
  readonly time: number;
}

/** Compact store of every cell seen, with per-budget sums over repeats. */
export class Nb101Aggregator {
  /** Cells stored. */
  size = 0;
  /** Records whose graph or parameter count differs from the first record of the same hash (the first is kept, as upstream does). */
  inconsistent = 0;
  private cap = 0;
  private hashes = new Uint32Array(0);
  private graph = new Int32Array(0);
  private labels = new Uint16Array(0);
  private params = new Float64Array(0);
  private readonly budgets: Budget[] = [];
  /** Open addressing, row + 1 per slot (0 = empty). */
  private table = new Int32Array(1 << 12);
  private readonly key = new Uint32Array(4);

  constructor(initialCapacity = 1 << 12) {
    this.grow(initialCapacity);
  }

  /** The budgets seen, ascending. */
  get epochs(): number[] {
    return this.budgets.map((b) => b.epochs).sort((a, b) => a - b);
  }

  /**
   * Adds one run. Returns an error message (the caller adds the record's place) or undefined
   * when it was added.
   */
  add(hash: string, epochs: number, cell: PackedCell, params: number, run: RunValues): string | undefined {
    const key = this.key;
    if (!parseHash(hash, key, 0)) return `module hash ${JSON.stringify(hash)} is not 32 lower-case hex digits`;
    const budget = this.budget(epochs);
    if (budget === undefined)
      return `a ${MAX_BUDGETS + 1}th training budget (${epochs} epochs; seen: ${this.epochs.join(', ')}) is more than an NB101 release has`;
    let row = this.find(key);
    const packed = cell.n | (cell.bits << 3);
    if (row < 0) {
      row = this.insert(key);
      this.graph[row] = packed;
      this.labels[row] = cell.labels;
      this.params[row] = params;
    } else if (this.graph[row] !== packed || this.labels[row] !== cell.labels || !sameNumber(this.params[row]!, params)) {
      this.inconsistent++;
    }
    const c = budget.count[row]!;
    if (c === 255) return `cell ${hash} has more than 255 runs at ${epochs} epochs`;
    budget.count[row] = c + 1;
    const s = budget.sums;
    s[3 * row] = s[3 * row]! + run.val;
    s[3 * row + 1] = s[3 * row + 1]! + run.test;
    s[3 * row + 2] = s[3 * row + 2]! + run.time;
    return undefined;
  }

  /** Rows in ascending hash order (the order of the written table, as in the slice file). */
  sortedRows(): Int32Array {
    const rows = new Int32Array(this.size);
    for (let r = 0; r < this.size; r++) rows[r] = r;
    const h = this.hashes;
    rows.sort((a, b) => {
      for (let w = 0; w < 4; w++) {
        const x = h[4 * a + w]!;
        const y = h[4 * b + w]!;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    });
    return rows;
  }

  hashOf(row: number): string {
    return hashHex(this.hashes, 4 * row);
  }

  cellOf(row: number): PackedCell {
    const g = this.graph[row]!;
    return { n: g & 7, bits: g >>> 3, labels: this.labels[row]! };
  }

  paramsOf(row: number): number {
    return this.params[row]!;
  }

  /** Repeats and mean final values of a row at a budget (NaN means when it has no run there). */
  meanOf(row: number, epochs: number): { repeats: number; val: number; test: number; time: number } {
    const b = this.budgets.find((x) => x.epochs === epochs);
    const n = b ? b.count[row]! : 0;
    if (!b || n === 0) return { repeats: 0, val: NaN, test: NaN, time: NaN };
    const s = b.sums;
    return { repeats: n, val: s[3 * row]! / n, test: s[3 * row + 1]! / n, time: s[3 * row + 2]! / n };
  }

  /** Bytes held by the typed arrays (for the README's memory claim and its test). */
  get bytes(): number {
    let n = this.hashes.byteLength + this.graph.byteLength + this.labels.byteLength + this.params.byteLength + this.table.byteLength;
    for (const b of this.budgets) n += b.count.byteLength + b.sums.byteLength;
    return n;
  }

  private budget(epochs: number): Budget | undefined {
    for (const b of this.budgets) if (b.epochs === epochs) return b;
    if (this.budgets.length >= MAX_BUDGETS) return undefined;
    const b: Budget = { epochs, count: new Uint8Array(this.cap), sums: new Float64Array(3 * this.cap) };
    this.budgets.push(b);
    return b;
  }

  private find(key: Uint32Array): number {
    const t = this.table;
    const mask = t.length - 1;
    const h = this.hashes;
    for (let i = key[0]! & mask; ; i = (i + 1) & mask) {
      const r = t[i]! - 1;
      if (r < 0) return -1;
      if (h[4 * r] === key[0] && h[4 * r + 1] === key[1] && h[4 * r + 2] === key[2] && h[4 * r + 3] === key[3]) return r;
    }
  }

  private insert(key: Uint32Array): number {
    if (this.size === this.cap) this.grow(this.cap * 2);
    if (2 * (this.size + 1) > this.table.length) this.rehash(this.table.length * 2);
    const row = this.size++;
    this.hashes.set(key, 4 * row);
    this.place(row);
    return row;
  }

  /** Puts row into the table (md5 words are uniform: the first one is the slot). */
  private place(row: number): void {
    const t = this.table;
    const mask = t.length - 1;
    let i = this.hashes[4 * row]! & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = row + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    for (let r = 0; r < this.size; r++) this.place(r);
  }

  private grow(cap: number): void {
    const copy = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(old: T, make: (n: number) => T, per = 1): T => {
      const next = make(cap * per);
      next.set(old);
      return next;
    };
    this.hashes = copy(this.hashes, (n) => new Uint32Array(n), 4);
    this.graph = copy(this.graph, (n) => new Int32Array(n));
    this.labels = copy(this.labels, (n) => new Uint16Array(n));
    this.params = copy(this.params, (n) => new Float64Array(n));
    for (const b of this.budgets) {
      b.count = copy(b.count, (n) => new Uint8Array(n));
      b.sums = copy(b.sums, (n) => new Float64Array(n), 3);
    }
    this.cap = cap;
  }
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}
