import type { ArchGraph, ArchGraphEdge, ArchGraphNode, Json } from '@nasx/contracts';
import { edgeBit, NB101_OPS, NB101_SPACE_ID, type Nb101Cell } from './nb101.genotype';

/**
 * Each NB101 op on the shared {@link KNOWN_OPS} vocabulary. Convolutions are Conv → BN → ReLU
 * with stride 1 and max pooling is 3×3 with stride 1 and same padding (Ying et al. 2019, §2.1;
 * nasbench `lib/base_ops.py`: `Conv3x3BnRelu`, `Conv1x1BnRelu`, `MaxPool3x3`).
 */
const GRAPH_OPS: readonly { readonly op: string; readonly attrs: { readonly [k: string]: Json } }[] = [
  { op: 'conv', attrs: { kernel: 3, stride: 1, bn: true, activation: 'relu', order: 'conv-bn-relu' } },
  { op: 'conv', attrs: { kernel: 1, stride: 1, bn: true, activation: 'relu', order: 'conv-bn-relu' } },
  { op: 'max_pool', attrs: { kernel: 3, stride: 1 } },
];

/**
 * NB101's macro skeleton (Ying et al. 2019, Fig. 1 and §2.1): a 3×3 conv stem with 128 channels,
 * 3 stacks of 3 cells, a 2×2 max pool with stride 2 and doubled channels between stacks, global
 * average pooling and a dense layer. Inside a cell, an interior vertex sums its inputs (the cell
 * input through a 1×1 projection); the output concatenates its interior inputs and adds the
 * projected cell input when input → output is an edge.
 */
export const NB101_GRAPH_META = {
  stemChannels: 128,
  stacks: 3,
  cellsPerStack: 3,
  channels: [128, 256, 512],
  vertexInputs: 'sum',
  outputInputs: 'concat',
} as const;

/**
 * NB101's `compute_vertex_channels` (nasbench `lib/model_builder.py`): the output's channels are
 * split evenly (remainder to the first) over the interior vertices that feed the output; a vertex
 * that does not feed the output takes the largest channel count of its interior successors.
 */
export function nb101VertexChannels(cell: Nb101Cell, inputChannels: number, outputChannels: number): number[] {
  const { n, bits } = cell;
  const edge = (i: number, j: number): boolean => ((bits >>> edgeBit(i, j)) & 1) === 1;
  const ch = new Array<number>(n).fill(0);
  ch[0] = inputChannels;
  ch[n - 1] = outputChannels;
  if (n === 2) return ch;
  let inDegree = 0;
  for (let v = 1; v < n - 1; v++) if (edge(v, n - 1)) inDegree++;
  const interior = Math.floor(outputChannels / inDegree);
  let correction = outputChannels % inDegree;
  for (let v = 1; v < n - 1; v++) {
    if (!edge(v, n - 1)) continue;
    ch[v] = interior;
    if (correction > 0) {
      ch[v]!++;
      correction--;
    }
  }
  for (let v = n - 3; v > 0; v--) {
    if (edge(v, n - 1)) continue;
    for (let dst = v + 1; dst < n - 1; dst++) if (edge(v, dst)) ch[v] = Math.max(ch[v]!, ch[dst]!);
  }
  return ch;
}

/** Parameters and FLOPs (multiply-accumulates; k²·C·H·W comparisons for max pooling) of one conv-bn-relu with a k×k kernel. */
function convCost(k: number, cin: number, cout: number, hw: number): { params: number; flops: number } {
  return { params: k * k * cin * cout + 2 * cout, flops: k * k * cin * cout * hw };
}

/**
 * Per vertex, its parameters and FLOPs summed over the 9 cells of the network (as ReNAS's
 * per-cell FLOP and parameter matrices, summed): an interior vertex counts its op and the 1×1
 * projection of the cell input when input → vertex is an edge; the output counts the projection
 * of the cell input when input → output is an edge; the input counts nothing. Convolutions carry
 * batch norm's γ and β. With the stem (3·3·3·128 + 2·128) and the dense layer (512·10 + 10) the
 * parameters add up to NB101's `trainable_parameters` (the spec checks it against the table).
 */
export function nb101VertexCosts(cell: Nb101Cell): { params: number[]; flops: number[] } {
  const { n, bits, labels } = cell;
  const edge = (i: number, j: number): boolean => ((bits >>> edgeBit(i, j)) & 1) === 1;
  const params = new Array<number>(n).fill(0);
  const flops = new Array<number>(n).fill(0);
  const add = (v: number, c: { params: number; flops: number }): void => {
    params[v]! += c.params;
    flops[v]! += c.flops;
  };
  let inputChannels: number = NB101_GRAPH_META.stemChannels;
  for (let s = 0; s < NB101_GRAPH_META.stacks; s++) {
    const out = NB101_GRAPH_META.channels[s]!;
    const hw = (32 >> s) ** 2;
    for (let c = 0; c < NB101_GRAPH_META.cellsPerStack; c++) {
      const ch = nb101VertexChannels(cell, inputChannels, out);
      for (let v = 1; v < n - 1; v++) {
        if (edge(0, v)) add(v, convCost(1, inputChannels, ch[v]!, hw));
        const op = labels[v - 1]!;
        if (op === 0) add(v, convCost(3, ch[v]!, ch[v]!, hw));
        else if (op === 1) add(v, convCost(1, ch[v]!, ch[v]!, hw));
        else add(v, { params: 0, flops: 9 * ch[v]! * hw });
      }
      if (edge(0, n - 1)) add(n - 1, convCost(1, inputChannels, out, hw));
      inputChannels = out;
    }
  }
  return { params, flops };
}

/** Trainable parameters outside the cells: the 3×3 stem conv-bn-relu on RGB and the 10-way dense layer. */
export const NB101_FIXED_PARAMS = 3 * 3 * 3 * 128 + 2 * 128 + 512 * 10 + 10;

/**
 * The cell as an op-level DAG (`level: 'cell'`): one node per vertex in index order (a
 * topological order, the matrix being upper-triangular), ids `input`, `v1` … `v{n−2}`, `output`,
 * and one edge per 1 in the matrix. Interior nodes carry `attrs.nb101Op`, the NB101 op name; every
 * node carries its parameters and FLOPs over the whole network ({@link nb101VertexCosts}).
 */
export function nb101Graph(cell: Nb101Cell): ArchGraph {
  const { n, bits, labels } = cell;
  const id = (v: number): string => (v === 0 ? 'input' : v === n - 1 ? 'output' : `v${v}`);
  const cost = nb101VertexCosts(cell);
  const nodes: ArchGraphNode[] = [{ id: 'input', op: 'input', flops: 0, params: 0 }];
  for (let v = 1; v < n - 1; v++) {
    const spec = GRAPH_OPS[labels[v - 1]!]!;
    nodes.push({ id: id(v), op: spec.op, attrs: { ...spec.attrs, nb101Op: NB101_OPS[labels[v - 1]!]! }, flops: cost.flops[v]!, params: cost.params[v]! });
  }
  nodes.push({ id: 'output', op: 'output', flops: cost.flops[n - 1]!, params: cost.params[n - 1]! });
  const edges: ArchGraphEdge[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if ((bits >>> edgeBit(i, j)) & 1) edges.push({ from: id(i), to: id(j) });
  return {
    space: NB101_SPACE_ID,
    level: 'cell',
    nodes,
    edges,
    meta: { ...NB101_GRAPH_META, channels: [...NB101_GRAPH_META.channels] },
  };
}
