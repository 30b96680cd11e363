import { NasxError, type ArchGraph, type ArchGraphNode, type Architecture } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { networkOpGraph, planNetworkOp, type NetworkOpPlan } from '../ops/network-op';
import { createGraphNetwork } from './functional-network';
import type { Network, NetworkBuilder, NetworkGraph, NetworkOps, NetworkOptions, NetworkPlan } from './network';

/** What {@link chainNetworkBuilder} needs of a space: its network-level graph for a task's shapes. */
export interface ChainNetworkSpec {
  /** The `Architecture.space` it builds. */
  readonly space: string;
  /** One line for listings and errors. */
  readonly description: string;
  /**
   * The network-level `ArchGraph` of `arch` for `options.inputShape` and `options.numClasses`: op
   * nodes in order, each with `attrs.input` (see `NetworkOpAttrs`); `input`/`output` nodes are ignored.
   */
  graph(arch: Architecture, options: NetworkOptions): ArchGraph;
}

/** The op nodes of a chain graph with their plans, checked to connect (each input is the previous output). */
export function planChainOps(
  graph: ArchGraph,
  options: Pick<NetworkOptions, 'inputShape' | 'numClasses' | 'outputShape'>,
  archKey: string,
): { node: ArchGraphNode; plan: NetworkOpPlan }[] {
  const fail = (problem: string) =>
    new NasxError('architecture', `cannot build the ${graph.space} network of ${archKey}: ${problem}`, {
      pkg: TENSOR_PACKAGE,
      contribution: graph.space,
      fix: 'a chain network-level graph lists its op nodes in order, each taking the previous one’s output, from the task’s input shape to [numClasses] logits',
    });
  if (graph.level !== 'network') throw fail(`its graph is ${graph.level}-level`);
  if (options.outputShape && options.outputShape.length > 1) {
    throw new NasxError(
      'architecture',
      `cannot build the ${graph.space} network of ${archKey}: it has a point head, but the task asks for a dense output [${options.outputShape.join(', ')}]`,
      {
        pkg: TENSOR_PACKAGE,
        contribution: graph.space,
        fix: 'search a space whose builder has dense heads (nb201, wrn) for a dense-prediction task',
      },
    );
  }
  const ops = graph.nodes.filter((n) => n.op !== 'input' && n.op !== 'output').map((node) => ({ node, plan: planNetworkOp(node) }));
  if (ops.length === 0) throw fail('its graph has no op nodes');
  let shape: readonly number[] = options.inputShape;
  for (const { node, plan } of ops) {
    if (plan.attrs.input.join('x') !== shape.join('x')) throw fail(`op "${node.id}" takes [${plan.attrs.input.join(', ')}] but receives [${shape.join(', ')}]`);
    shape = plan.attrs.output;
  }
  if (shape.length !== 1 || shape[0] !== options.numClasses) throw fail(`the last op outputs [${shape.join(', ')}], not [${options.numClasses}] logits`);
  return ops;
}

/** {@link NetworkPlan} of a chain graph (see {@link planChainOps}). */
export function planChainNetwork(arch: Architecture, graph: ArchGraph, options: NetworkOptions): NetworkPlan {
  const ops = planChainOps(graph, options, arch.key);
  const parameters = ops.flatMap((o) => o.plan.parameters);
  return {
    space: arch.space,
    archKey: arch.key,
    inputShape: [...options.inputShape],
    numClasses: options.numClasses,
    outputShape: [options.numClasses],
    parameters,
    buffers: ops.flatMap((o) => o.plan.buffers),
    paramCount: parameters.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    flops: ops.reduce((n, o) => n + o.plan.flops, 0),
    trainingBytesPerSample: 4 * ops.reduce((n, o) => n + o.plan.memoryFloats, 0),
  };
}

/**
 * A {@link NetworkBuilder} for spaces whose networks are chains of network-level ops (conv,
 * sep_conv, mbconv, global_pool, dense; see `ops/network-op.ts`), e.g. MnasNet. Parameters are
 * named `<node id>.<part>` (`b3.1.expand.conv.weight`). Taps: `cell-out` after each image op,
 * `features` after global pooling, `logits` at the end.
 */
export function chainNetworkBuilder(spec: ChainNetworkSpec): NetworkBuilder {
  const noMacro = (arch: Architecture, options: NetworkOptions): void => {
    const keys = Object.keys(options.macro ?? {});
    if (keys.length > 0) {
      throw new NasxError('architecture', `cannot build the ${spec.space} network of ${arch.key}: unknown macro setting "${keys[0]}"`, {
        pkg: TENSOR_PACKAGE,
        contribution: spec.space,
        fix: `the ${spec.space} builder takes no macro settings: its skeleton is the space's (remove macro)`,
      });
    }
  };
  const plan = (arch: Architecture, options: NetworkOptions): NetworkPlan => {
    noMacro(arch, options);
    return planChainNetwork(arch, spec.graph(arch, options), options);
  };
  const graph = (arch: Architecture, options: NetworkOptions): NetworkGraph => {
    noMacro(arch, options);
    const ops = planChainOps(spec.graph(arch, options), options, arch.key);
    return <T>(x: T, L: NetworkOps<T>): T => {
      let h = x;
      for (const { node, plan: p } of ops) {
        h = networkOpGraph(p.attrs, node.id, h, L);
        const kind = p.attrs.op === 'global_pool' ? 'features' : p.attrs.op === 'dense' ? 'logits' : 'cell-out';
        // Only cell outputs may be replaced by a tap (see TapFn).
        if (kind === 'cell-out') h = L.tap(node.id, h, kind);
        else L.tap(node.id, h, kind);
      }
      return h;
    };
  };
  return {
    space: spec.space,
    description: spec.description,
    plan,
    build(arch: Architecture, options: NetworkOptions): Network {
      return createGraphNetwork(arch, plan(arch, options), options, graph(arch, options));
    },
    graph,
  };
}
