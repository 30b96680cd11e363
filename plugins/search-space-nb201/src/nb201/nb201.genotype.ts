import { NasxError, showValue } from '@nasx/contracts';

/**
 * The NAS-Bench-201 cell genotype: the op of each of the 6 edges of the 4-node cell
 * (Dong & Yang, ICLR 2020, Sec. 2.1 and Fig. 1). Other packages (tabular estimators, predictors)
 * rely on this exact layout, so it never changes.
 */

/** Package name, for error locations. */
export const NB201_PACKAGE = '@nasx/search-space-nb201';
/** Search-space id stamped on every NB201 architecture. */
export const NB201_SPACE_ID = 'nb201';

/** The 5 candidate ops of NAS-Bench-201, in the order used by the genotype's op indices. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
/** One NB201 op name. */
export type Nb201Op = (typeof NB201_OPS)[number];

/** Index of each op name in {@link NB201_OPS}. */
const OP_INDEX: ReadonlyMap<string, number> = new Map(NB201_OPS.map((op, i) => [op, i]));

/**
 * The 6 edges in the order of the official arch string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`,
 * as `[to, from]`: (1←0), (2←0), (2←1), (3←0), (3←1), (3←2).
 */
export const NB201_EDGES: readonly (readonly [to: number, from: number])[] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];
/** Number of edges of the cell. */
export const NB201_EDGE_COUNT = 6;
/** Number of cells: 5^6. */
export const NB201_SIZE = 15_625;
/** Number of isomorphism classes (NATS-Bench `get_unique_str`, the published count). */
export const NB201_UNIQUE_SIZE = 6_466;

/** The genotype stored in `Architecture.genotype`: op index (into {@link NB201_OPS}) per edge. */
export type Nb201Genotype = { ops: number[] };

/** A valid example arch string, shown in error fixes. */
export const NB201_EXAMPLE = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';

const FIX_STRING =
  `write the official NAS-Bench-201 form |op~0|+|op~0|op~1|+|op~0|op~1|op~2| (3 nodes; node j lists its inputs ~0..~j-1 in order) ` +
  `with each op one of ${NB201_OPS.join(', ')}; for example ${NB201_EXAMPLE}`;
const FIX_GENOTYPE =
  `an NB201 genotype is { "ops": [6 integers in 0..4] }, the op index of edges 1←0, 2←0, 2←1, 3←0, 3←1, 3←2 ` + `into [${NB201_OPS.join(', ')}]`;

/** A `NasxError('architecture')` located in this package. */
export function nb201Error(message: string, fix: string): NasxError {
  return new NasxError('architecture', message, { pkg: NB201_PACKAGE, contribution: NB201_SPACE_ID, fix });
}

/** Human name of edge `e` (0-based), e.g. `edge 4 of 6 (node 3 ← node 0)`. */
export function nb201EdgeName(e: number): string {
  const [to, from] = NB201_EDGES[e]!;
  return `edge ${e + 1} of 6 (node ${to} ← node ${from})`;
}

/** Throws unless `ops` is 6 integers in 0..4; `what` names the value in the message. */
export function assertNb201Ops(ops: unknown, what = 'NB201 genotype ops'): asserts ops is number[] {
  if (!Array.isArray(ops)) {
    throw nb201Error(`${what} must be an array of 6 op indices, got ${showValue(ops)}`, FIX_GENOTYPE);
  }
  if (ops.length !== NB201_EDGE_COUNT) {
    throw nb201Error(`${what} must have 6 entries (one per edge), got ${ops.length}: ${showValue(ops)}`, FIX_GENOTYPE);
  }
  for (let e = 0; e < NB201_EDGE_COUNT; e++) {
    const v: unknown = ops[e];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= NB201_OPS.length) {
      throw nb201Error(`${what}: ${nb201EdgeName(e)} has op index ${showValue(v)}, expected an integer in 0..4`, FIX_GENOTYPE);
    }
  }
}

/** Integer 0..15624 = Σ ops[i]·5^i, the index used by table lookups (not the NB201 table index). */
export function nb201Code(ops: readonly number[]): number {
  assertNb201Ops(ops);
  return ops[0]! + 5 * (ops[1]! + 5 * (ops[2]! + 5 * (ops[3]! + 5 * (ops[4]! + 5 * ops[5]!))));
}

/** Inverse of {@link nb201Code}. */
export function nb201FromCode(code: number): number[] {
  if (!Number.isInteger(code) || code < 0 || code >= NB201_SIZE) {
    throw nb201Error(`NB201 code must be an integer in 0..15624, got ${showValue(code)}`, 'use nb201Code(ops) to make one');
  }
  return opsOfCode(code);
}

function opsOfCode(code: number): number[] {
  const ops = new Array<number>(NB201_EDGE_COUNT);
  for (let e = 0; e < NB201_EDGE_COUNT; e++) {
    ops[e] = code % 5;
    code = (code - ops[e]!) / 5;
  }
  return ops;
}

/** The official arch string, e.g. `|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|…|`. */
export function formatNb201(ops: readonly number[]): string {
  assertNb201Ops(ops);
  const n = (e: number, input: number): string => `${NB201_OPS[ops[e]!]}~${input}`;
  return `|${n(0, 0)}|+|${n(1, 0)}|${n(2, 1)}|+|${n(3, 0)}|${n(4, 1)}|${n(5, 2)}|`;
}

/**
 * Parses the official arch string strictly: 3 nodes joined by `+`, node j wrapped in `|` and
 * listing exactly j edges `op~i` with i = 0..j-1 in that order, each op one of {@link NB201_OPS}.
 * Surrounding whitespace is ignored. Throws `NasxError('architecture')` naming the offending
 * node, edge or token, with the valid ops and an example in its fix.
 */
export function parseNb201(text: string): number[] {
  if (typeof text !== 'string') {
    throw nb201Error(`an NB201 arch string must be a string, got ${showValue(text)}`, FIX_STRING);
  }
  const s = text.trim();
  const fail = (problem: string): NasxError => nb201Error(`invalid NAS-Bench-201 arch string ${showValue(s)}: ${problem}`, FIX_STRING);
  const nodes = s.split('+');
  if (nodes.length !== 3) {
    throw fail(`expected 3 nodes separated by "+", found ${nodes.length}`);
  }
  const ops: number[] = [];
  for (let j = 1; j <= 3; j++) {
    const node = nodes[j - 1]!;
    if (node.length < 2 || !node.startsWith('|') || !node.endsWith('|')) {
      throw fail(`node ${j} "${node}" must be wrapped in "|", like "|op~0|"`);
    }
    const tokens = node.slice(1, -1).split('|');
    if (tokens.length !== j) {
      const expected = Array.from({ length: j }, (_, i) => `op~${i}`).join('|');
      throw fail(`node ${j} "${node}" has ${tokens.length} edge${tokens.length === 1 ? '' : 's'}, expected ${j} (|${expected}|)`);
    }
    for (let i = 0; i < j; i++) {
      const e = ops.length;
      const token = tokens[i]!;
      const tilde = token.indexOf('~');
      if (tilde < 0) {
        throw fail(`${nb201EdgeName(e)} "${token}" is not of the form op~${i}`);
      }
      const op = token.slice(0, tilde);
      const input = token.slice(tilde + 1);
      const index = OP_INDEX.get(op);
      if (index === undefined) {
        throw fail(`unknown op "${op}" on ${nb201EdgeName(e)}`);
      }
      if (input !== String(i)) {
        throw fail(`${nb201EdgeName(e)} "${token}" has input index "${input}", expected ${i} (node ${j} lists its inputs 0..${j - 1} in order)`);
      }
      ops.push(index);
    }
  }
  return ops;
}

/**
 * NATS-Bench's canonical string of a cell: `Structure.to_unique_str(consider_zero=True)` of
 * D-X-Y/AutoDL-Projects `xautodl/models/cell_searchs/genotypes.py`, which NATS-Bench's
 * `get_unique_str` returns. Node j is the sorted `+`-join of its incoming terms; a term is
 * `#` (zero) when the op is `none` or the source node's string is exactly `#`, the source string
 * itself for `skip_connect`, and `(src)@op` otherwise. Its partition of the 15,625 cells is the
 * published one (6,466 classes), which is why it is reproduced verbatim rather than "improved":
 * zero is propagated only out of a node whose string is exactly `#` (in practice node 1), `#`
 * summands are kept, and a skipped sum is spliced in as one sorted item. Merging more (treating
 * `(#+#)@op` as zero, flattening sums) gives 4,930 classes, not the benchmark's 6,466; and
 * relu-conv-BN of a zero input is BN's bias, not zero, so such merges are not exact anyway.
 */
export function nb201UniqueStr(ops: readonly number[]): string {
  assertNb201Ops(ops);
  return uniqueStr(ops);
}

function uniqueStr(ops: readonly number[]): string {
  const nodes: string[] = ['0'];
  let e = 0;
  for (let j = 1; j <= 3; j++) {
    const terms: string[] = [];
    for (let i = 0; i < j; i++, e++) {
      const op = NB201_OPS[ops[e]!]!;
      const src = nodes[i]!;
      if (op === 'none' || src === '#') terms.push('#');
      else if (op === 'skip_connect') terms.push(src);
      else terms.push(`(${src})@${op}`);
    }
    // Python's sorted() on ASCII strings = JS default sort (UTF-16 code units).
    nodes.push(terms.sort().join('+'));
  }
  return nodes[3]!;
}

/** Per code: the smallest code of its isomorphism class, and the key string of that class. */
interface CanonicalTable {
  readonly representative: Uint16Array;
  readonly keys: readonly string[];
}
let canonical: CanonicalTable | undefined;

/**
 * Built once, lazily (a few ms): keys are looked up by code in hot loops instead of rebuilding
 * expression strings. Codes ascend, so the first code met in a class is its smallest.
 */
function canonicalTable(): CanonicalTable {
  if (canonical) return canonical;
  const representative = new Uint16Array(NB201_SIZE);
  const keys = new Array<string>(NB201_SIZE);
  const byStr = new Map<string, number>();
  for (let code = 0; code < NB201_SIZE; code++) {
    const str = uniqueStr(opsOfCode(code));
    const rep = byStr.get(str);
    if (rep === undefined) {
      byStr.set(str, code);
      representative[code] = code;
      keys[code] = `${NB201_SPACE_ID}:${opsOfCode(code).join('')}`;
    } else {
      representative[code] = rep;
      keys[code] = keys[rep]!; // same string instance: cheap Map hashing and equality
    }
  }
  canonical = { representative, keys };
  return canonical;
}

/**
 * The canonical key of a cell: `nb201:` followed by the 6 op digits of the smallest-code member
 * of its isomorphism class, e.g. `nb201:333333`. Equal keys ⇔ equal {@link nb201UniqueStr}.
 */
export function nb201Key(ops: readonly number[]): string {
  return canonicalTable().keys[nb201Code(ops)]!;
}

/** The representative (smallest-code) cell of the isomorphism class of `ops`. */
export function nb201Canonical(ops: readonly number[]): number[] {
  return opsOfCode(canonicalTable().representative[nb201Code(ops)]!);
}
