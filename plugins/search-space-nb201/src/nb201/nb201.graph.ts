import type { ArchGraph, ArchGraphEdge, ArchGraphNode, Json } from '@nasx/contracts';
import { assertNb201Ops, NB201_EDGES, NB201_EDGE_COUNT, NB201_OPS, NB201_SPACE_ID } from './nb201.genotype';

/**
 * Each NB201 op on the shared {@link KNOWN_OPS} vocabulary. Convolutions are ReLU→Conv→BN with
 * stride 1 and pooling is 3×3 average pooling with stride 1 (NB201 paper Sec. 2.1; xautodl
 * `ReLUConvBN` and `POOLING`), so every edge keeps the cell's shape.
 */
const GRAPH_OPS: readonly { readonly op: string; readonly attrs?: { readonly [k: string]: Json } }[] = [
  { op: 'zero' },
  { op: 'identity' },
  { op: 'conv', attrs: { kernel: 1, stride: 1, activation: 'relu', bn: true, order: 'relu-conv-bn' } },
  { op: 'conv', attrs: { kernel: 3, stride: 1, activation: 'relu', bn: true, order: 'relu-conv-bn' } },
  { op: 'avg_pool', attrs: { kernel: 3, stride: 1 } },
];

/** NB201 macro skeleton (paper Fig. 1): 3 stages of 5 cells, 16/32/64 channels, ResNet blocks between. */
export const NB201_GRAPH_META = { stages: 3, cellsPerStage: 5, channels: [16, 32, 64] } as const;

/**
 * Parameters and FLOPs (multiply-accumulates; 9·C·H·W additions for average pooling) of one op,
 * summed over the 15 cells of the network (5 per stage, C = 16/32/64 at 32²/16²/8²): a k×k
 * ReLU-conv-BN has k²·C² weights and BN's γ and β; zero, identity and pooling have no
 * parameters. Plus 73,306 fixed parameters (stem, reduction blocks, classifier) they add up to
 * NB201's parameter count for 15,421 of the 15,625 cells (`nb201.data.spec.ts`).
 */
export function nb201OpCost(op: number): { params: number; flops: number } {
  const k = op === 3 ? 3 : op === 2 ? 1 : 0;
  let params = 0;
  let flops = 0;
  NB201_GRAPH_META.channels.forEach((c, stage) => {
    const hw = (32 >> stage) ** 2;
    const cells = NB201_GRAPH_META.cellsPerStage;
    if (k > 0) {
      params += cells * (k * k * c * c + 2 * c);
      flops += cells * k * k * c * c * hw;
    } else if (op === 4) flops += cells * 9 * c * hw;
  });
  return { params, flops };
}

/**
 * The cell as an op-level DAG (`level: 'cell'`), 11 nodes in topological order:
 * `input` (cell node 0), one op node per edge `e{to}{from}` in arch-string order, an `add` node
 * `n{j}` for each cell node j = 1..3 (summing its incoming edges), and `output` fed by `n3`.
 *
 * Every edge keeps its op node, `none` becoming op `zero`: the topology is then the same for all
 * cells and lines up with the one-hot encoding edge by edge, and the op type alone tells a GNN
 * predictor that nothing flows (this is the usual op-on-node form of NB201 graph predictors).
 * Each op node also carries `attrs.nb201Op`, the original op name, and its parameters and FLOPs
 * over the whole network ({@link nb201OpCost}).
 */
export function nb201Graph(ops: readonly number[]): ArchGraph {
  assertNb201Ops(ops);
  const nodes: ArchGraphNode[] = [{ id: 'input', op: 'input' }];
  const edges: ArchGraphEdge[] = [];
  const cellNodeId = (k: number): string => (k === 0 ? 'input' : `n${k}`);
  let e = 0;
  for (let j = 1; j <= 3; j++) {
    for (; e < NB201_EDGE_COUNT && NB201_EDGES[e]![0] === j; e++) {
      const from = NB201_EDGES[e]![1];
      const id = `e${j}${from}`;
      const spec = GRAPH_OPS[ops[e]!]!;
      nodes.push({ id, op: spec.op, attrs: { ...spec.attrs, nb201Op: NB201_OPS[ops[e]!]! }, ...nb201OpCost(ops[e]!) });
      edges.push({ from: cellNodeId(from), to: id }, { from: id, to: `n${j}` });
    }
    nodes.push({ id: `n${j}`, op: 'add' });
  }
  nodes.push({ id: 'output', op: 'output' });
  edges.push({ from: 'n3', to: 'output' });
  return {
    space: NB201_SPACE_ID,
    level: 'cell',
    nodes,
    edges,
    meta: { stages: NB201_GRAPH_META.stages, cellsPerStage: NB201_GRAPH_META.cellsPerStage, channels: [...NB201_GRAPH_META.channels] },
  };
}

/** Input side (pixels) and classes of NB201's three datasets. */
export const NB201_DATASETS = {
  cifar10: { side: 32, classes: 10 },
  cifar100: { side: 32, classes: 100 },
  'imagenet16-120': { side: 16, classes: 120 },
} as const;

/**
 * FLOPs of a whole NB201 network, in millions, as NAS-Bench-201's own `flops` field counts them
 * (xautodl's `get_model_infos` hooks): the multiply-accumulates of every convolution (stem 3→16,
 * the cells' 1×1 and 3×3 convolutions, the two residual reduction blocks with their 1×1 shortcut)
 * and of the classifier with its bias; pooling, batch norm and ReLU count nothing. This is not
 * {@link nb201OpCost}'s convention (which counts pooling additions), nor NASLib's: the CIFAR-10
 * minimum here is 7.78305 (NASLib: 7.9439). It reproduces the published NB201 accuracy–FLOPs
 * Pareto fronts exactly (`@nasx/searcher-nsga2`'s `nb201-fronts.science.spec.ts`).
 */
export function nb201NetworkFlops(ops: readonly number[], dataset: keyof typeof NB201_DATASETS): number {
  assertNb201Ops(ops);
  const { side, classes } = NB201_DATASETS[dataset];
  const c = NB201_GRAPH_META.channels;
  const hw = (stage: number): number => (side >> stage) ** 2;
  let flops = 9 * 3 * (c[0] as number) * hw(0); // stem: 3×3 conv, 3 → 16 channels
  c.forEach((ch, stage) => {
    for (const op of ops) {
      const k = op === 3 ? 3 : op === 2 ? 1 : 0;
      flops += NB201_GRAPH_META.cellsPerStage * k * k * ch * ch * hw(stage);
    }
    if (stage > 0) {
      // Residual reduction block: 3×3 stride-2 conv, 3×3 conv, 1×1 shortcut conv (after 2×2 pooling).
      const cin = c[stage - 1] as number;
      flops += (9 * cin * ch + 9 * ch * ch + cin * ch) * hw(stage);
    }
  });
  flops += (c[c.length - 1] as number) * classes + classes; // classifier with bias
  return flops / 1e6;
}
