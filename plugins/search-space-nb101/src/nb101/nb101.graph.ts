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
 * The cell as an op-level DAG (`level: 'cell'`): one node per vertex in index order (a
 * topological order, the matrix being upper-triangular), ids `input`, `v1` … `v{n−2}`, `output`,
 * and one edge per 1 in the matrix. Interior nodes carry `attrs.nb101Op`, the NB101 op name.
 */
export function nb101Graph(cell: Nb101Cell): ArchGraph {
  const { n, bits, labels } = cell;
  const id = (v: number): string => (v === 0 ? 'input' : v === n - 1 ? 'output' : `v${v}`);
  const nodes: ArchGraphNode[] = [{ id: 'input', op: 'input' }];
  for (let v = 1; v < n - 1; v++) {
    const spec = GRAPH_OPS[labels[v - 1]!]!;
    nodes.push({ id: id(v), op: spec.op, attrs: { ...spec.attrs, nb101Op: NB101_OPS[labels[v - 1]!]! } });
  }
  nodes.push({ id: 'output', op: 'output' });
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
