import type { ArchGraph } from '@nasx/contracts';
import { predictorError } from '../predictor-error';
import type { OpVocabulary } from './op-vocabulary';

/**
 * One {@link ArchGraph} as fixed-size arrays, padded to `maxNodes` (N) nodes. Nodes keep the
 * graph's (topological) order unless a node order is given; padding rows and columns are zero.
 */
export interface EncodedGraph {
  /** Real nodes. */
  readonly numNodes: number;
  /** N, the padded size. */
  readonly maxNodes: number;
  /** Row-major N×N: `adjacency[i·N + j] = 1` for an edge i → j. */
  readonly adjacency: Float32Array;
  /** Row-major N×V one-hot of each node's token ({@link OpVocabulary}); padding rows are zero. */
  readonly features: Float32Array;
  /** Vocabulary index of each node's token, −1 for padding. */
  readonly ops: Int32Array;
  /** 1 for real nodes, 0 for padding. */
  readonly mask: Float32Array;
  /** Per-node FLOPs (0 where unknown), or absent when no node of the graph has any. */
  readonly flops?: Float32Array;
  /** Per-node parameter counts (0 where unknown), or absent when no node of the graph has any. */
  readonly params?: Float32Array;
}

/** Options of {@link encodeGraph}. */
export interface EncodeGraphOptions {
  /**
   * Put the last node at position N−1 when it is an `output` node, padding before it (ReNAS,
   * Xu et al. 2021, Fig. 1(d)), so that the output lines up across graphs of different sizes.
   * Position-free models (graph convolutions) do not need it. Default false.
   */
  readonly outputLast?: boolean;
}

/**
 * Encodes a graph for a predictor built for `maxNodes` nodes: padded adjacency, one-hot node
 * features over `vocab`, node mask, and per-node FLOPs/params when the graph has them.
 * Throws a `NasxError` (`architecture`) for a graph with more nodes than `maxNodes`, duplicate
 * node ids, or edges between unknown nodes.
 */
export function encodeGraph(graph: ArchGraph, vocab: OpVocabulary, maxNodes: number, options: EncodeGraphOptions = {}): EncodedGraph {
  const n = graph.nodes.length;
  const N = maxNodes;
  if (n > N) {
    throw predictorError(
      'architecture',
      `a graph of space "${graph.space}" has ${n} nodes, more than the ${N} the predictor was built for`,
      `fit the predictor on graphs this large (its size is the largest training graph), or set its "maxNodes" option to at least ${n}`,
    );
  }
  const position = new Int32Array(n);
  for (let i = 0; i < n; i++) position[i] = i;
  if (options.outputLast && n > 0 && n < N && graph.nodes[n - 1]!.op === 'output') position[n - 1] = N - 1;

  const index = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    if (index.has(node.id))
      throw predictorError(
        'architecture',
        `graph of space "${graph.space}" has two nodes with id "${node.id}"`,
        'give every node of the ArchGraph a unique id (a search-space bug)',
      );
    index.set(node.id, i);
  });

  const V = vocab.size;
  const adjacency = new Float32Array(N * N);
  const features = new Float32Array(N * V);
  const ops = new Int32Array(N).fill(-1);
  const mask = new Float32Array(N);
  let flops: Float32Array | undefined;
  let params: Float32Array | undefined;
  graph.nodes.forEach((node, i) => {
    const p = position[i]!;
    const op = vocab.indexOf(node);
    ops[p] = op;
    features[p * V + op] = 1;
    mask[p] = 1;
    if (typeof node.flops === 'number' && Number.isFinite(node.flops)) (flops ??= new Float32Array(N))[p] = node.flops;
    if (typeof node.params === 'number' && Number.isFinite(node.params)) (params ??= new Float32Array(N))[p] = node.params;
  });
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined) {
      throw predictorError(
        'architecture',
        `graph of space "${graph.space}" has an edge ${e.from} → ${e.to} to a node that does not exist`,
        'make every edge of the ArchGraph join two of its nodes (a search-space bug)',
      );
    }
    adjacency[position[from]! * N + position[to]!] = 1;
  }
  return { numNodes: n, maxNodes: N, adjacency, features, ops, mask, ...(flops ? { flops } : {}), ...(params ? { params } : {}) };
}

// ---- GCN normalisation helpers (plain arrays, one N×N row-major matrix each) ----------------------

/** The transpose of a row-major N×N matrix. */
export function transposeSquare(m: Float32Array, n: number): Float32Array {
  const t = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j]!;
  return t;
}

/** `m + I` on the nodes where `mask` is 1 (self-loops only for real nodes; padding stays zero). */
export function addSelfLoops(m: Float32Array, n: number, mask?: Float32Array): Float32Array {
  const out = Float32Array.from(m);
  for (let i = 0; i < n; i++) if (!mask || mask[i]) out[i * n + i] = 1;
  return out;
}

/** Each row divided by its sum, `D⁻¹M` (rows summing to 0 stay 0). */
export function rowNormalize(m: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j]!;
    if (s !== 0) for (let j = 0; j < n; j++) out[i * n + j] = m[i * n + j]! / s;
  }
  return out;
}

/** `D^{-1/2} M D^{-1/2}` with D the row sums (Kipf & Welling 2017, eq. 2, for an undirected M). */
export function symmetricNormalize(m: Float32Array, n: number): Float32Array {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i] = d[i]! + m[i * n + j]!;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (d[i] && d[j]) out[i * n + j] = m[i * n + j]! / Math.sqrt(d[i]! * d[j]!);
  return out;
}

/**
 * The two propagation matrices of a directed graph convolution (Wen et al. 2020): `incoming` =
 * D⁻¹(I + Aᵀ), each node averaging itself and its predecessors (messages along the edges), and
 * `outgoing` = D⁻¹(I + A), itself and its successors (against the edges). Padding rows are zero.
 */
export function directedPropagation(g: Pick<EncodedGraph, 'adjacency' | 'maxNodes' | 'mask'>): { incoming: Float32Array; outgoing: Float32Array } {
  const n = g.maxNodes;
  return {
    incoming: rowNormalize(addSelfLoops(transposeSquare(g.adjacency, n), n, g.mask), n),
    outgoing: rowNormalize(addSelfLoops(g.adjacency, n, g.mask), n),
  };
}
