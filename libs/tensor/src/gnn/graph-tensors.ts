/**
 * A transductive graph ({@link GraphData}) as the tensors message passing needs, built once per
 * task and shared by every network trained on it: directed edge lists with and without
 * self-loops, GCN's symmetric normalisation, in-degrees, and the node features (dense, sparse in
 * CSR form, or none).
 */
import type { GraphData } from '@nasx/contracts';
import { tf } from '../tf';

/** Directed edges `src → dst` (both directions of every undirected edge), as tensors and arrays. */
export interface EdgeSet {
  readonly count: number;
  readonly src: tf.Tensor1D;
  readonly dst: tf.Tensor1D;
  readonly srcIds: Int32Array;
  readonly dstIds: Int32Array;
  /** 1/√(dᵢdⱼ) per edge, `[E, 1]` (degrees counted in this edge set). */
  readonly gcnNorm: tf.Tensor2D;
  /** Incoming edges per node, at least 1 (a divisor for mean aggregation), `[N, 1]`. */
  readonly inDegree: tf.Tensor2D;
}

/** Node features as the first layer reads them. */
export type FeatureTensors =
  | { readonly kind: 'dense'; readonly x: tf.Tensor2D }
  /** CSR features as coordinate lists: row (node) and column (feature) of each stored entry. */
  | { readonly kind: 'csr'; readonly rows: Int32Array; readonly cols: Int32Array; readonly values: Float32Array }
  | { readonly kind: 'identity' };

export interface GraphTensors {
  readonly numNodes: number;
  readonly numFeatures: number;
  readonly numClasses: number;
  readonly features: FeatureTensors;
  /** Edges plus one self-loop per node (GCN, GAT, `combine: constant`). */
  readonly withSelf: EdgeSet;
  /** Edges only (`combine: mlp`, where the node's own representation enters separately). */
  readonly withoutSelf: EdgeSet;
  readonly labels: Int32Array;
  /** Node ids of each split. */
  readonly nodes: { readonly train: Int32Array; readonly validation: Int32Array; readonly test: Int32Array };
  dispose(): void;
}

function edgeSet(numNodes: number, src: Int32Array, dst: Int32Array): EdgeSet {
  const degree = new Float32Array(numNodes);
  for (let e = 0; e < dst.length; e++) degree[dst[e]!]!++;
  const norm = new Float32Array(dst.length);
  for (let e = 0; e < dst.length; e++) norm[e] = 1 / Math.sqrt(degree[src[e]!]! * degree[dst[e]!]!);
  const clamped = degree.map((d) => Math.max(d, 1));
  return {
    count: dst.length,
    src: tf.tensor1d(src, 'int32'),
    dst: tf.tensor1d(dst, 'int32'),
    srcIds: src,
    dstIds: dst,
    gcnNorm: tf.tensor2d(norm, [dst.length, 1]),
    inDegree: tf.tensor2d(clamped, [numNodes, 1]),
  };
}

function maskedNodes(mask: Uint8Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return Int32Array.from(out);
}

/**
 * Builds the tensors of `graph`. Undirected edges become two directed ones; self-loops listed in
 * the data are dropped (the `withSelf` set adds exactly one per node). Features are taken as the
 * task gives them: preprocessing such as row normalisation is the task's (`@nasx/task-planetoid`).
 */
export function graphTensors(graph: GraphData): GraphTensors {
  const n = graph.numNodes;
  const e = graph.edges.length / 2;
  const us: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < e; i++) {
    const u = graph.edges[i]!;
    const v = graph.edges[e + i]!;
    if (u === v) continue;
    us.push(u, v);
    vs.push(v, u);
  }
  const src = Int32Array.from(us);
  const dst = Int32Array.from(vs);
  const selfSrc = new Int32Array(src.length + n);
  const selfDst = new Int32Array(dst.length + n);
  selfSrc.set(src);
  selfDst.set(dst);
  for (let i = 0; i < n; i++) selfSrc[src.length + i] = selfDst[dst.length + i] = i;

  let features: FeatureTensors;
  const f = graph.features;
  if (f.kind === 'dense') {
    features = { kind: 'dense', x: tf.tensor2d(f.values, [n, graph.numFeatures]) };
  } else if (f.kind === 'csr') {
    const nnz = f.indices.length;
    const rows = new Int32Array(nnz);
    const values = f.values ? Float32Array.from(f.values) : new Float32Array(nnz).fill(1);
    for (let r = 0; r < n; r++) for (let k = f.indptr[r]!; k < f.indptr[r + 1]!; k++) rows[k] = r;
    features = { kind: 'csr', rows, cols: Int32Array.from(f.indices), values };
  } else {
    features = { kind: 'identity' };
  }
  const withSelf = edgeSet(n, selfSrc, selfDst);
  const withoutSelf = edgeSet(n, src, dst);
  return {
    numNodes: n,
    numFeatures: f.kind === 'identity' ? n : graph.numFeatures,
    numClasses: graph.numClasses,
    features,
    withSelf,
    withoutSelf,
    labels: graph.labels,
    nodes: { train: maskedNodes(graph.masks.train), validation: maskedNodes(graph.masks.validation), test: maskedNodes(graph.masks.test) },
    dispose() {
      for (const s of [withSelf, withoutSelf]) for (const t of [s.src, s.dst, s.gcnNorm, s.inDegree]) t.dispose();
      if (features.kind === 'dense') features.x.dispose();
    },
  };
}
