/**
 * The computational graph a graph hypernetwork reads (GHN-2, Knyazev et al. NeurIPS 2021, Sec. 3):
 * one node per operation that owns a parameter tensor (convolution, depthwise convolution, batch
 * norm, fully connected layer, bias, classifier) or that routes activations (input, sum, concat,
 * pooling, global pooling, squeeze-and-excitation gate), edges along the data flow. Activations
 * are not nodes, as in DeepNets-1M.
 *
 * It is traced, not written by hand: a builder's {@link NetworkGraph} is run over symbolic values
 * ({@link traceNetwork}), so every network nasx can build (NB201, MnasNet, WRN, the generated
 * `deepnets` networks) has its graph, and the graph lists exactly the parameters the network uses:
 * a parameter used but not planned, or used twice, is a builder bug, reported as one.
 */
import type { ArchGraph, ArchGraphEdge, ArchGraphNode } from '@nasx/contracts';
import type { ConvPad, NetworkGraph, NetworkOps, NetworkPlan, TapKind, Window } from '../network/network';

/** Node types of a {@link ComputeGraph} (GHN-2's DeepNets-1M primitives, in nasx's vocabulary). */
export const GHN_OPS = [
  'input',
  'conv',
  'dw_conv',
  'bn',
  'linear',
  'bias',
  'classifier',
  'classifier_bias',
  'max_pool',
  'avg_pool',
  'sum',
  'concat',
  'glob_avg',
  'se_gate',
  'zero',
] as const;

/** One of {@link GHN_OPS}. */
export type GhnOp = (typeof GHN_OPS)[number];

/**
 * What a node's prediction is written to: the network's parameter names and the shape of the
 * tensor in PyTorch's layout (`[out, in, kh, kw]` for convolutions, `[out, in]` for linear layers,
 * `[C]` for vectors), the layout GHN-2's decoders and shape encoder are defined in.
 */
export interface GhnParam {
  /** Parameter(s) the node predicts: the weight, or for `bn` the weight then the bias. */
  readonly names: readonly string[];
  /** The tensor's shape in PyTorch's layout (for `bn`: `[C]`, shared by weight and bias). */
  readonly torchShape: readonly number[];
}

/** One node of a {@link ComputeGraph}. */
export interface ComputeNode {
  readonly op: GhnOp;
  /** The op's name in the network description (unique with `op`). */
  readonly name: string;
  /** Indices of the nodes feeding it (each once, in order). */
  readonly inputs: readonly number[];
  /** The parameters it predicts, for parameterised nodes. */
  readonly param?: GhnParam;
}

/** A traced network: nodes in topological order (inputs before the nodes they feed). */
export interface ComputeGraph {
  readonly space: string;
  readonly archKey: string;
  readonly nodes: readonly ComputeNode[];
  /** Planned parameters no computation reads (they get no prediction; a network run on predicted parameters never asks for them). */
  readonly unused: readonly string[];
}

interface Sym {
  readonly node: number;
}

/** Error of a builder whose description and plan disagree. */
function builderBug(space: string, problem: string): Error {
  return new Error(`@nasx/tensor: ${problem} in the ${space} network description (a network builder bug)`);
}

/**
 * Runs `graph` over symbolic values and returns its {@link ComputeGraph}. Parameter shapes come
 * from `plan` (tfjs layout there, PyTorch layout here). The node that produces the output and
 * owns a `linear` weight becomes the `classifier` (and its bias `classifier_bias`), which GHN-2
 * decodes with its own head.
 */
export function traceNetwork(graph: NetworkGraph, plan: NetworkPlan): ComputeGraph {
  const specs = new Map(plan.parameters.map((p) => [p.name, p]));
  const owned = new Set<string>();
  const nodes: { op: GhnOp; name: string; inputs: number[]; param?: GhnParam }[] = [];
  const add = (op: GhnOp, name: string, inputs: readonly Sym[], param?: GhnParam): Sym => {
    const ins = [...new Set(inputs.map((s) => s.node))];
    nodes.push({ op, name, inputs: ins, ...(param ? { param } : {}) });
    return { node: nodes.length - 1 };
  };
  const spec = (name: string) => {
    const p = specs.get(name);
    if (!p) throw builderBug(plan.space, `parameter "${name}" is used but not planned`);
    if (owned.has(name)) throw builderBug(plan.space, `parameter "${name}" is used twice`);
    owned.add(name);
    return p;
  };
  // tfjs conv [KH, KW, Cin, Cout] → PyTorch [Cout, Cin, KH, KW]; depthwise [KH, KW, C, 1] → [C, 1, KH, KW].
  const convParam = (name: string): GhnParam => {
    const [kh, kw, cin, cout] = spec(`${name}.weight`).shape as [number, number, number, number];
    return { names: [`${name}.weight`], torchShape: [cout, cin, kh, kw] };
  };
  const dwParam = (name: string): GhnParam => {
    const [kh, kw, c] = spec(`${name}.weight`).shape as [number, number, number, number];
    return { names: [`${name}.weight`], torchShape: [c, 1, kh, kw] };
  };
  const vector = (name: string): GhnParam => ({ names: [name], torchShape: [spec(name).shape[0]!] });
  const bn = (name: string, x: Sym): Sym => {
    const w = spec(`${name}.weight`);
    spec(`${name}.bias`);
    return add('bn', name, [x], { names: [`${name}.weight`, `${name}.bias`], torchShape: [w.shape[0]!] });
  };
  const linearLike = (name: string, x: Sym): Sym => {
    const [cin, cout] = spec(`${name}.weight`).shape as [number, number];
    const w = add('linear', name, [x], { names: [`${name}.weight`], torchShape: [cout, cin] });
    return add('bias', `${name}.bias`, [w], vector(`${name}.bias`));
  };
  const conv1x1Bias = (name: string, x: Sym): Sym => add('bias', `${name}.bias`, [add('conv', name, [x], convParam(name))], vector(`${name}.bias`));

  const ops: NetworkOps<Sym> = {
    conv: (name, x, _stride: number, _pad: ConvPad) => add('conv', name, [x], convParam(name)),
    depthwiseConv: (name, x) => add('dw_conv', name, [x], dwParam(name)),
    batchNorm: bn,
    convBatchNorm: (convName, bnName, x, _stride, _pad, depthwise) =>
      bn(bnName, add(depthwise ? 'dw_conv' : 'conv', convName, [x], depthwise ? dwParam(convName) : convParam(convName))),
    relu: (_name, x) => x,
    activation: (_name, x) => x,
    linear: linearLike,
    pixelLinear: linearLike,
    avgPool: (name, x, _size: Window, _stride: Window) => add('avg_pool', name, [x]),
    maxPool: (name, x, _size: Window, _stride: Window) => add('max_pool', name, [x]),
    sum: (name, terms) => (terms.length === 1 ? terms[0]! : terms.length === 0 ? add('zero', name, []) : add('sum', name, terms)),
    concat: (name, terms) => (terms.length === 1 ? terms[0]! : add('concat', name, terms)),
    // A channel slice routes activations and owns nothing: not a node (as DeepNets-1M has none).
    truncate: (_name, x) => x,
    globalAvgPool: (name, x) => add('glob_avg', name, [x]),
    tap: (_name: string, x: Sym, _kind: TapKind) => x,
    squeezeExcite: (name, x) => {
      const gate = conv1x1Bias(`${name}.expand`, conv1x1Bias(`${name}.reduce`, add('glob_avg', `${name}.pool`, [x])));
      return add('se_gate', name, [x, gate]);
    },
  };
  const input = add('input', 'input', []);
  const out = graph<Sym>(input, ops);
  // Planned parameters the forward pass never reads (NB201's edges into a node that reaches the
  // output only through `none`) compute nothing: no node, nothing to predict.
  const unused = plan.parameters.filter((p) => !owned.has(p.name)).map((p) => p.name);
  // The output layer: a bias node after a linear weight.
  const last = nodes[out.node]!;
  if (last.op === 'bias' && last.inputs.length === 1 && nodes[last.inputs[0]!]!.op === 'linear') {
    last.op = 'classifier_bias';
    nodes[last.inputs[0]!]!.op = 'classifier';
  }
  return { space: plan.space, archKey: plan.archKey, nodes, unused };
}

/** Parameter names a graph predicts, in node order (each once). */
export function predictedParameters(g: ComputeGraph): string[] {
  return g.nodes.flatMap((n) => n.param?.names ?? []);
}

/**
 * The graph's edges with their shortest-path lengths up to `maxDistance` (GHN-2's virtual edges,
 * Sec. 4.1: node j receives from every i with a directed path i → j of length s ≤ s_max, weighted
 * 1/s). Distance 1 is the graph's own edges. Breadth-first from each node over the DAG.
 */
export function graphDistances(g: ComputeGraph, maxDistance: number): { from: number; to: number; distance: number }[] {
  const n = g.nodes.length;
  const succ: number[][] = Array.from({ length: n }, () => []);
  g.nodes.forEach((node, j) => node.inputs.forEach((i) => succ[i]!.push(j)));
  const out: { from: number; to: number; distance: number }[] = [];
  const dist = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    dist.fill(-1);
    dist[s] = 0;
    let frontier = [s];
    for (let d = 1; d <= maxDistance && frontier.length; d++) {
      const next: number[] = [];
      for (const u of frontier)
        for (const v of succ[u]!) {
          if (dist[v] !== -1) continue;
          dist[v] = d;
          next.push(v);
          out.push({ from: s, to: v, distance: d });
        }
      frontier = next;
    }
  }
  return out;
}

/** The graph as an `ArchGraph` (`level: 'network'`): its nodes with their parameter shapes, for export and other predictors. */
export function computeGraphToArchGraph(g: ComputeGraph): ArchGraph {
  const nodes: ArchGraphNode[] = g.nodes.map((n, i) => ({
    id: String(i),
    op: n.op,
    attrs: { name: n.name, ...(n.param ? { param: n.param.names[0]!, shape: [...n.param.torchShape] } : {}) },
    ...(n.param ? { params: n.param.torchShape.reduce((a, b) => a * b, 1) * n.param.names.length } : {}),
  }));
  const edges: ArchGraphEdge[] = g.nodes.flatMap((n, j) => n.inputs.map((i, slot) => ({ from: String(i), to: String(j), slot })));
  return { space: g.space, level: 'network', nodes, edges, meta: { archKey: g.archKey, traced: true } };
}
