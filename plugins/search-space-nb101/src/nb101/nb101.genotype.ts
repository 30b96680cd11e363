import { NasxError, showValue } from '@nasx/contracts';

/**
 * The NAS-Bench-101 cell (Ying et al., "NAS-Bench-101: Towards Reproducible Neural Architecture
 * Search", ICML 2019, §2.2): a DAG of at most 7 vertices and 9 edges, vertex 0 the input, the last
 * vertex the output, every other vertex one of 3 ops. Validity and pruning follow
 * google-research/nasbench exactly: `nasbench/lib/model_spec.py` (`ModelSpec.__init__`, `_prune`)
 * and `nasbench/api.py` (`NASBench._check_spec`).
 */

/** Package name, for error locations. */
export const NB101_PACKAGE = '@nasx/search-space-nb101';
/** Search-space id stamped on every NB101 architecture. */
export const NB101_SPACE_ID = 'nb101';

/** The interior ops in NB101's canonical order (`config['available_ops']`); an op's index is its hash label. */
export const NB101_OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;
/** One interior NB101 op. */
export type Nb101Op = (typeof NB101_OPS)[number];
/** Label of the input vertex. */
export const NB101_INPUT = 'input';
/** Label of the output vertex. */
export const NB101_OUTPUT = 'output';

/** `config['module_vertices']`: at most 7 vertices (after pruning), input and output included. */
export const NB101_MAX_VERTICES = 7;
/** `config['max_edges']`: at most 9 edges (after pruning). */
export const NB101_MAX_EDGES = 9;
/** Number of distinct module hashes, i.e. of cells up to isomorphism (Ying et al. 2019, §2.3). */
export const NB101_UNIQUE_SIZE = 423_624;
/** Possible edges of a 7-vertex upper-triangular matrix. */
export const NB101_EDGE_SPOTS = 21;
/** Interior vertices of a 7-vertex cell. */
export const NB101_OP_SPOTS = 5;

/**
 * The genotype stored in `Architecture.genotype`: the pruned adjacency matrix (`matrix[i][j] = 1`
 * for an edge i → j, upper-triangular) and one label per vertex, `input` first and `output` last.
 */
export type Nb101Genotype = { matrix: number[][]; ops: string[] };

/**
 * A valid, pruned cell in compact form: `n` vertices, `bits` the edges (bit `i + j(j−1)/2` for
 * i → j, NB101's `gen_is_edge_fn` layout, which does not depend on n), `labels[t]` the op index
 * (into {@link NB101_OPS}) of interior vertex t + 1.
 */
export interface Nb101Cell {
  readonly n: number;
  readonly bits: number;
  readonly labels: readonly number[];
}

/** A valid example of the text form (the Inception-like cell of NB101's colab, pruned to itself). */
export const NB101_EXAMPLE =
  '[[0,1,1,1,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]|input,conv1x1-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,maxpool3x3,output';

const OP_INDEX: ReadonlyMap<string, number> = new Map(NB101_OPS.map((op, i) => [op, i]));

/** Bit of edge i → j (i < j). */
export function edgeBit(i: number, j: number): number {
  return i + ((j * (j - 1)) >> 1);
}

/** True if `bits` has the edge i → j. */
export function hasEdge(bits: number, i: number, j: number): boolean {
  return ((bits >>> edgeBit(i, j)) & 1) === 1;
}

/** Number of set bits. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return (x * 0x01010101) >>> 24;
}

/** A `NasxError('architecture')` located in this package. */
export function nb101Error(message: string, fix: string): NasxError {
  return new NasxError('architecture', message, { pkg: NB101_PACKAGE, contribution: NB101_SPACE_ID, fix });
}

export const FIX_GENOTYPE =
  `an NB101 genotype is { "matrix": V×V 0/1 upper-triangular adjacency (matrix[i][j] = 1 for an edge i → j), "ops": V labels } ` +
  `with "${NB101_INPUT}" first, "${NB101_OUTPUT}" last and ${NB101_OPS.join(', ')} between; at most ${NB101_MAX_VERTICES} vertices and ${NB101_MAX_EDGES} edges after pruning`;

/**
 * `ModelSpec._prune` on a bit matrix of `n` vertices: keeps the vertices that are both reachable
 * from the input and reach the output, renumbered in order. `undefined` when the input does not
 * reach the output (NB101 then marks the spec invalid).
 */
export function pruneBits(n: number, bits: number): { n: number; bits: number; keep: number[] } | undefined {
  if (n < 2) return undefined;
  // Forward from the input (vertex order is topological: edges go from lower to higher index).
  let fromInput = 1;
  for (let j = 1; j < n; j++) {
    for (let i = 0; i < j; i++) {
      if ((fromInput >>> i) & 1 && (bits >>> edgeBit(i, j)) & 1) {
        fromInput |= 1 << j;
        break;
      }
    }
  }
  // Backward from the output.
  let toOutput = 1 << (n - 1);
  for (let i = n - 2; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      if ((toOutput >>> j) & 1 && (bits >>> edgeBit(i, j)) & 1) {
        toOutput |= 1 << i;
        break;
      }
    }
  }
  const kept = fromInput & toOutput;
  if (!(kept & 1) || !((kept >>> (n - 1)) & 1)) return undefined;
  const keep: number[] = [];
  for (let v = 0; v < n; v++) if ((kept >>> v) & 1) keep.push(v);
  if (keep.length === n) return { n, bits, keep };
  let out = 0;
  for (let b = 1; b < keep.length; b++) {
    for (let a = 0; a < b; a++) if ((bits >>> edgeBit(keep[a]!, keep[b]!)) & 1) out |= 1 << edgeBit(a, b);
  }
  return { n: keep.length, bits: out, keep };
}

/**
 * Why a pruned cell is outside NB101, in `_check_spec` order (vertices, edges), or `undefined`
 * when it is inside (op labels are checked separately, they need the names).
 */
export function sizeProblem(n: number, bits: number): string | undefined {
  if (n > NB101_MAX_VERTICES) return `has ${n} vertices after pruning; NB101 allows at most ${NB101_MAX_VERTICES} (max vertices = ${NB101_MAX_VERTICES})`;
  const edges = popcount(bits);
  if (edges > NB101_MAX_EDGES) return `has ${edges} edges after pruning; NB101 allows at most ${NB101_MAX_EDGES} (max edges = ${NB101_MAX_EDGES})`;
  return undefined;
}

/** The n × n 0/1 matrix of `bits`. */
export function matrixOf(n: number, bits: number): number[][] {
  const m: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n).fill(0);
    for (let j = i + 1; j < n; j++) if ((bits >>> edgeBit(i, j)) & 1) row[j] = 1;
    m.push(row);
  }
  return m;
}

/** The genotype (fresh arrays) of a compact cell. */
export function genotypeOf(cell: Nb101Cell): Nb101Genotype {
  return { matrix: matrixOf(cell.n, cell.bits), ops: [NB101_INPUT, ...cell.labels.map((l) => NB101_OPS[l]!), NB101_OUTPUT] };
}

/** The canonical text form, e.g. `[[0,1],[0,0]]|input,output` (see the README). */
export function formatNb101(cell: Nb101Cell): string {
  return `${JSON.stringify(matrixOf(cell.n, cell.bits))}|${genotypeOf(cell).ops.join(',')}`;
}

/**
 * Checks a genotype exactly as NB101 does (`ModelSpec.__init__`, `_prune`, `_check_spec`) and
 * returns the pruned cell. Beyond NB101 it requires integer 0/1 entries and string ops (NB101
 * would accept any truthy number as an edge). Like NB101, the ops of pruned-away vertices are not
 * checked. Throws `NasxError('architecture')` naming the problem and the fix.
 */
export function cellOfGenotype(genotype: unknown, what = 'nb101 genotype'): Nb101Cell {
  if (typeof genotype !== 'object' || genotype === null || Array.isArray(genotype)) {
    throw nb101Error(`${what} must be an object { matrix, ops }, got ${showValue(genotype)}`, FIX_GENOTYPE);
  }
  const { matrix, ops } = genotype as { matrix?: unknown; ops?: unknown };
  return cellOfSpec(matrix, ops, what);
}

/** {@link cellOfGenotype} for a separate matrix and ops list. */
export function cellOfSpec(matrix: unknown, ops: unknown, what = 'nb101 genotype'): Nb101Cell {
  if (!Array.isArray(matrix) || matrix.length === 0) {
    throw nb101Error(`${what}.matrix must be a non-empty square array of 0/1 rows, got ${showValue(matrix)}`, FIX_GENOTYPE);
  }
  const n = matrix.length;
  if (!Array.isArray(ops)) throw nb101Error(`${what}.ops must be an array of ${n} labels (one per vertex), got ${showValue(ops)}`, FIX_GENOTYPE);
  // ModelSpec.__init__: square, one op per vertex, upper-triangular.
  for (let i = 0; i < n; i++) {
    const row: unknown = matrix[i];
    if (!Array.isArray(row) || row.length !== n) {
      throw nb101Error(`${what}.matrix must be square (${n}×${n}); row ${i} is ${showValue(row)}`, FIX_GENOTYPE);
    }
  }
  if (ops.length !== n) {
    throw nb101Error(`${what} has ${n} vertices but ${ops.length} ops; the length of ops must match the matrix dimensions`, FIX_GENOTYPE);
  }
  // Reachability on a dense matrix first (any size), then the bit form on the kept vertices.
  const adj: boolean[][] = [];
  for (let i = 0; i < n; i++) {
    const row = matrix[i] as unknown[];
    adj.push([]);
    for (let j = 0; j < n; j++) {
      const x = row[j];
      if (x !== 0 && x !== 1) throw nb101Error(`${what}.matrix[${i}][${j}] is ${showValue(x)}; entries must be 0 or 1`, FIX_GENOTYPE);
      if (x === 1 && j <= i) {
        throw nb101Error(
          `${what}.matrix is not upper-triangular: matrix[${i}][${j}] = 1 is ${i === j ? 'on' : 'below'} the diagonal (edges must go from a lower to a higher vertex)`,
          `order the vertices topologically so every edge i → j has i < j; ${FIX_GENOTYPE}`,
        );
      }
      adj[i]!.push(x === 1);
    }
  }
  const fromInput = new Array<boolean>(n).fill(false);
  fromInput[0] = true;
  for (let j = 1; j < n; j++) for (let i = 0; i < j && !fromInput[j]; i++) if (fromInput[i] && adj[i]![j]) fromInput[j] = true;
  const toOutput = new Array<boolean>(n).fill(false);
  toOutput[n - 1] = true;
  for (let i = n - 2; i >= 0; i--) for (let j = i + 1; j < n && !toOutput[i]; j++) if (toOutput[j] && adj[i]![j]) toOutput[i] = true;
  const keep: number[] = [];
  for (let v = 0; v < n; v++) if (fromInput[v] && toOutput[v]) keep.push(v);
  // _prune: fewer than 2 kept vertices (in practice: none) means the input does not reach the output.
  if (n - keep.length > n - 2) {
    throw nb101Error(
      `${what} is disconnected: no path leads from the input (vertex 0) to the output (vertex ${n - 1}), so pruning leaves nothing`,
      'add edges so that the input reaches the output through the cell, e.g. matrix[0][' + (n - 1) + '] = 1',
    );
  }
  const m = keep.length;
  if (m > NB101_MAX_VERTICES) {
    throw nb101Error(
      `${what} has ${m} vertices after pruning; NB101 allows at most ${NB101_MAX_VERTICES} (max vertices = ${NB101_MAX_VERTICES})`,
      'remove vertices; ' + FIX_GENOTYPE,
    );
  }
  let bits = 0;
  for (let b = 1; b < m; b++) for (let a = 0; a < b; a++) if (adj[keep[a]!]![keep[b]!]) bits |= 1 << edgeBit(a, b);
  const problem = sizeProblem(m, bits);
  if (problem) throw nb101Error(`${what} ${problem}`, 'remove edges; ' + FIX_GENOTYPE);
  if (ops[0] !== NB101_INPUT) throw nb101Error(`${what}: the first operation should be '${NB101_INPUT}', got ${showValue(ops[0])}`, FIX_GENOTYPE);
  if (ops[n - 1] !== NB101_OUTPUT) throw nb101Error(`${what}: the last operation should be '${NB101_OUTPUT}', got ${showValue(ops[n - 1])}`, FIX_GENOTYPE);
  const labels: number[] = [];
  for (let t = 1; t < m - 1; t++) {
    const v = keep[t]!;
    const label = OP_INDEX.get(ops[v] as string);
    if (typeof ops[v] !== 'string' || label === undefined) {
      throw nb101Error(
        `${what}: vertex ${v} has unsupported op ${showValue(ops[v])} (available ops = ${NB101_OPS.join(', ')})`,
        `use one of ${NB101_OPS.join(', ')} for interior vertices`,
      );
    }
    labels.push(label);
  }
  return { n: m, bits, labels };
}

const FIX_TEXT =
  `write "<matrix as JSON>|<ops, comma-separated>", e.g. [[0,1,1],[0,0,1],[0,0,0]]|input,conv3x3-bn-relu,output, ` +
  `or a JSON object {"matrix": [[…]], "ops": […]}, or (with the space's index loaded) a 32-hex module hash`;

/**
 * Reads the text form: `<matrix JSON>|<ops comma-separated>` or a JSON object
 * `{"matrix": …, "ops": …}`. Returns the raw (unchecked, possibly unpruned) spec; whitespace
 * around tokens is ignored. Throws `NasxError('architecture')`.
 */
export function parseNb101Text(text: string): { matrix: unknown; ops: unknown } {
  if (typeof text !== 'string') throw nb101Error(`an NB101 architecture text must be a string, got ${showValue(text)}`, FIX_TEXT);
  const s = text.trim();
  const fail = (problem: string): NasxError => nb101Error(`invalid NB101 architecture text ${showValue(s)}: ${problem}`, FIX_TEXT);
  if (s.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(s);
    } catch (e) {
      throw fail(`not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw fail('expected a JSON object with "matrix" and "ops"');
    const extra = Object.keys(obj).filter((k) => k !== 'matrix' && k !== 'ops');
    if (extra.length) throw fail(`unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k)).join(', ')}; only "matrix" and "ops"`);
    return { matrix: (obj as { matrix?: unknown }).matrix, ops: (obj as { ops?: unknown }).ops };
  }
  if (!s.startsWith('[')) throw fail('expected the matrix as JSON ("[[…]]") or a JSON object');
  const bar = s.indexOf('|');
  if (bar < 0) throw fail('missing "|" between the matrix and the ops');
  let matrix: unknown;
  try {
    matrix = JSON.parse(s.slice(0, bar));
  } catch (e) {
    throw fail(`the matrix ${showValue(s.slice(0, bar))} is not valid JSON (${(e as Error).message})`);
  }
  const ops = s
    .slice(bar + 1)
    .split(',')
    .map((op) => op.trim());
  if (ops.some((op) => op === '')) throw fail('an op is empty (ops are separated by single commas)');
  return { matrix, ops };
}
