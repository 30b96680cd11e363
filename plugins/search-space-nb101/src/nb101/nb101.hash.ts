import { bswap32, digestHex, Md5, writeHex } from './md5';
import { edgeBit, type Nb101Cell } from './nb101.genotype';

/**
 * NB101's module hash, bit for bit: `graph_util.hash_module(matrix, labeling)` of
 * google-research/nasbench (`nasbench/lib/graph_util.py`) with labeling
 * `[-1] + [index of op in NB101_OPS] + [-2]` (`ModelSpec.hash_spec`). A Weisfeiler-Lehman-style
 * colour refinement with MD5:
 *
 * 1. vertex v starts as `md5(str((out_degree, in_degree, label)))`, Python's tuple str, e.g. `(2, 0, -1)`;
 * 2. `V` rounds of `md5(''.join(sorted(in-neighbour hashes)) + '|' + ''.join(sorted(out-neighbour hashes)) + '|' + own hash)`;
 * 3. the fingerprint is `md5(str(sorted(hashes)))`, Python's list str `['a', 'b']`.
 *
 * Hex strings of equal length sort like their digests' bytes, so sorting compares byte-swapped
 * digest words instead of strings, and messages are assembled as bytes in one reused buffer.
 */
export class Nb101Hasher {
  private readonly md5 = new Md5(512);
  /** Current and next vertex digests, 4 LE words each. */
  private cur = new Int32Array(4 * 32);
  private next = new Int32Array(4 * 32);
  /** Byte-swapped words of `cur` (unsigned order = hex order). */
  private readonly key = new Uint32Array(4 * 32);
  /** Hex chars of `cur`, 32 bytes per vertex. */
  private readonly hexes = new Uint8Array(32 * 32);
  /** In/out neighbour lists, 32 slots per vertex. */
  private readonly inN = new Int32Array(32 * 32);
  private readonly outN = new Int32Array(32 * 32);
  private readonly inDeg = new Int32Array(32);
  private readonly outDeg = new Int32Array(32);
  private readonly order = new Int32Array(32);
  /** Initial digests by (out, in, label + 2), computed on first use. */
  private readonly initial = new Map<number, Int32Array>();
  /** The fingerprint of the last {@link hash} call, 4 LE words. */
  readonly fingerprint = new Int32Array(4);

  /**
   * Fingerprint of a cell with `n` vertices (≤ 32), edges `bits` (see {@link edgeBit}), interior op
   * labels `labels[0..n−2)` (0..2). Returns {@link fingerprint} (overwritten by the next call).
   */
  hash(n: number, bits: number, labels: ArrayLike<number>): Int32Array {
    const { inN, outN, inDeg, outDeg } = this;
    for (let v = 0; v < n; v++) {
      inDeg[v] = 0;
      outDeg[v] = 0;
    }
    // Neighbours in ascending vertex order (the order does not matter: they are sorted by hash).
    for (let j = 1; j < n; j++) {
      for (let i = 0; i < j; i++) {
        if ((bits >>> edgeBit(i, j)) & 1) {
          outN[i * 32 + outDeg[i]!++] = j;
          inN[j * 32 + inDeg[j]!++] = i;
        }
      }
    }
    let cur = this.cur;
    for (let v = 0; v < n; v++) {
      const label = v === 0 ? -1 : v === n - 1 ? -2 : labels[v - 1]!;
      const d = this.initialDigest(outDeg[v]!, inDeg[v]!, label);
      cur[4 * v] = d[0]!;
      cur[4 * v + 1] = d[1]!;
      cur[4 * v + 2] = d[2]!;
      cur[4 * v + 3] = d[3]!;
    }
    const buf = this.md5.buffer;
    for (let round = 0; round < n; round++) {
      this.updateKeys(cur, n);
      const next = this.next;
      for (let v = 0; v < n; v++) {
        let pos = 0;
        pos = this.writeSorted(inN, v * 32, inDeg[v]!, buf, pos);
        buf[pos++] = 124; // '|'
        pos = this.writeSorted(outN, v * 32, outDeg[v]!, buf, pos);
        buf[pos++] = 124;
        pos = this.copyHex(v, buf, pos);
        const d = this.md5.compute(pos);
        next[4 * v] = d[0]!;
        next[4 * v + 1] = d[1]!;
        next[4 * v + 2] = d[2]!;
        next[4 * v + 3] = d[3]!;
      }
      this.next = cur;
      this.cur = next;
      cur = next;
    }
    // str(sorted(hashes)): "['h0', 'h1', …]".
    this.updateKeys(cur, n);
    const order = this.order;
    for (let v = 0; v < n; v++) order[v] = v;
    this.sortByKey(order, 0, n);
    let pos = 0;
    buf[pos++] = 91; // '['
    for (let k = 0; k < n; k++) {
      if (k > 0) {
        buf[pos++] = 44; // ','
        buf[pos++] = 32; // ' '
      }
      buf[pos++] = 39; // "'"
      pos = this.copyHex(order[k]!, buf, pos);
      buf[pos++] = 39;
    }
    buf[pos++] = 93; // ']'
    const d = this.md5.compute(pos);
    this.fingerprint.set(d);
    return this.fingerprint;
  }

  /** The 32-hex module hash of a cell. */
  hex(cell: Nb101Cell): string {
    return digestHex(this.hash(cell.n, cell.bits, cell.labels));
  }

  private initialDigest(out: number, inn: number, label: number): Int32Array {
    const id = (out * 64 + inn) * 8 + label + 2;
    let d = this.initial.get(id);
    if (d === undefined) {
      const text = `(${out}, ${inn}, ${label})`;
      for (let i = 0; i < text.length; i++) this.md5.buffer[i] = text.charCodeAt(i);
      d = Int32Array.from(this.md5.compute(text.length));
      this.initial.set(id, d);
    }
    return d;
  }

  /** Sort keys and hex chars of the current digests. */
  private updateKeys(cur: Int32Array, n: number): void {
    const key = this.key;
    for (let i = 0; i < 4 * n; i++) key[i] = bswap32(cur[i]!);
    for (let v = 0; v < n; v++) writeHex(cur, 4 * v, this.hexes, 32 * v);
  }

  /** Copies vertex v's 32 hex chars into `buf` at `pos`; returns the position after them. */
  private copyHex(v: number, buf: Uint8Array, pos: number): number {
    const hexes = this.hexes;
    for (let i = 32 * v, end = i + 32; i < end; i++) buf[pos++] = hexes[i]!;
    return pos;
  }

  /** Insertion sort of `list[from..from+len)` (vertex ids) by their current hash. */
  private sortByKey(list: Int32Array, from: number, len: number): void {
    const key = this.key;
    for (let a = from + 1; a < from + len; a++) {
      const x = list[a]!;
      let b = a - 1;
      while (b >= from && less(key, 4 * x, 4 * list[b]!)) {
        list[b + 1] = list[b]!;
        b--;
      }
      list[b + 1] = x;
    }
  }

  /** Sorts the neighbours in place by hash and writes their hex strings, concatenated. */
  private writeSorted(list: Int32Array, from: number, len: number, buf: Uint8Array, pos: number): number {
    if (len > 1) this.sortByKey(list, from, len);
    for (let k = 0; k < len; k++) pos = this.copyHex(list[from + k]!, buf, pos);
    return pos;
  }
}

/** True if the digest at `a` sorts before the one at `b` (keys are byte-swapped words). */
function less(key: Uint32Array, a: number, b: number): boolean {
  for (let w = 0; w < 4; w++) {
    const x = key[a + w]!;
    const y = key[b + w]!;
    if (x !== y) return x < y;
  }
  return false;
}

let shared: Nb101Hasher | undefined;

/** The official module hash (32 lower-case hex chars) of a valid, pruned cell. */
export function nb101Hash(cell: Nb101Cell): string {
  shared ??= new Nb101Hasher();
  return shared.hex(cell);
}
