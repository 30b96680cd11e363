/**
 * Network-level operators: one op node of a network-level `ArchGraph` (see `NetworkOpAttrs` in
 * `@nasx/contracts`) as parameters, a plan and a forward pass. Chain networks (MnasNet) are built
 * from them, and the operator profiler times each alone, so a latency table and a network agree on
 * what an operator computes.
 *
 * - `conv`: k×k conv (`groups` 1, or depthwise: `groups = cin = cout`) + BN + activation, then
 *   squeeze-and-excitation when `se` > 0.
 * - `sep_conv`: depthwise k×k (`stride`) + BN + activation, SE, pointwise 1×1 + BN (MnasNet's
 *   SepConv, its reference code's block with expansion 1).
 * - `mbconv`: 1×1 expansion to `cin·expansion` + BN + activation (omitted at expansion 1),
 *   depthwise k×k (`stride`) + BN + activation, SE, 1×1 projection + BN (no activation).
 * - SE as in the TensorFlow MnasNet reference (`mnasnet_model.py`, `MnasBlock._call_se`): global
 *   mean, 1×1 conv with bias to max(1, ⌊cin·se⌋) channels (cin: the block's input), ReLU, 1×1
 *   conv with bias back, sigmoid, times the features.
 * - `skip: 'identity'` adds the op's input (stride 1 and `cin === cout` only).
 * - `global_pool`: mean over height and width, `[N, H, W, C]` → `[N, C]`; `dense`: `x·W + b`.
 *
 * Convolutions pad `same` (TensorFlow's rule, as the MnasNet reference): output ⌈H/stride⌉. Batch
 * norm is nasx's (`Layers.batchNorm`: PyTorch's momentum 0.1, eps 1e-5). Only tfjs-core is used,
 * and nothing of Node, so browser bundles can include this file.
 */
import { NasxError, type ArchGraphNode, type NetworkOpAttrs } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { bufferValues, initialValues, INIT_SCHEMES } from '../init/initializers';
import type { BufferSpec, InitScheme, NetworkOps, ParameterSpec } from '../network/network';
import { Layers, eagerOps } from '../nn/layers';

const PKG = '@nasx/tensor';

/** The op types {@link planNetworkOp} and {@link applyNetworkOp} know. */
export const NETWORK_OP_TYPES = ['conv', 'sep_conv', 'mbconv', 'global_pool', 'dense'] as const;

/** One of {@link NETWORK_OP_TYPES}. */
export type NetworkOpType = (typeof NETWORK_OP_TYPES)[number];

/** Activations of {@link NetworkOpAttrs.activation}. */
const ACTIVATIONS = ['relu', 'relu6', 'swish', 'none'] as const;
type Activation = (typeof ACTIVATIONS)[number];

/** A network-level op node's attributes, checked, with defaults filled in. */
export interface ResolvedOpAttrs {
  readonly op: NetworkOpType;
  /** Input shape, channels first (`[C, H, W]` or `[C]`). */
  readonly input: readonly number[];
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly expansion: number;
  readonly se: number;
  readonly skip: boolean;
  readonly groups: number;
  readonly activation: Activation;
  /** Output shape, channels first. */
  readonly output: readonly number[];
}

/** Parameters, buffers, cost and output shape of one op (no tensors). */
export interface NetworkOpPlan {
  readonly attrs: ResolvedOpAttrs;
  readonly parameters: readonly ParameterSpec[];
  readonly buffers: readonly BufferSpec[];
  /** Multiply-accumulates per sample (conv and linear layers incl. biases; no BN, activations, pooling, sums). */
  readonly flops: number;
  /** Estimated floats per sample held at the peak of a training step (see `MEMORY_UNITS`). */
  readonly memoryFloats: number;
}

function opError(node: Pick<ArchGraphNode, 'id' | 'op'>, problem: string, fix: string): NasxError {
  return new NasxError('architecture', `network op "${node.id}" (${node.op}): ${problem}`, { pkg: PKG, fix });
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Output size of a `same`-padded convolution. */
const sameOut = (size: number, stride: number): number => Math.ceil(size / stride);

/**
 * Checks a network-level op node and fills in defaults (`cin` from the input, stride 1, kernel 1,
 * expansion 1, se 0, skip none, groups 1, activation relu). Throws `NasxError('architecture')`
 * naming the node and the attribute.
 */
export function resolveOpAttrs(node: ArchGraphNode): ResolvedOpAttrs {
  if (!(NETWORK_OP_TYPES as readonly string[]).includes(node.op)) {
    throw opError(node, `unknown network-level op`, `network-level ops are ${NETWORK_OP_TYPES.join(', ')} (see NetworkOpAttrs)`);
  }
  const op = node.op as NetworkOpType;
  const a = (node.attrs ?? {}) as Partial<NetworkOpAttrs>;
  const input = a.input;
  const wantRank = op === 'dense' ? 1 : 3;
  if (!Array.isArray(input) || input.length !== wantRank || !input.every(isPosInt)) {
    throw opError(
      node,
      `attrs.input ${JSON.stringify(input)} is not a shape of ${wantRank} positive integers`,
      `give attrs.input as ${wantRank === 3 ? '[C, H, W]' : '[C]'}`,
    );
  }
  const cin = a.cin ?? input[0]!;
  if (cin !== input[0]) throw opError(node, `attrs.cin ${cin} differs from the input's ${input[0]} channels`, 'make attrs.cin equal attrs.input[0]');
  const num = (name: keyof NetworkOpAttrs, value: unknown, def: number, ok: (v: number) => boolean, fix: string): number => {
    const v = value ?? def;
    if (typeof v !== 'number' || !ok(v)) throw opError(node, `attrs.${name} ${JSON.stringify(v)} is invalid`, fix);
    return v;
  };
  const cout = op === 'global_pool' ? cin : num('cout', a.cout, NaN, isPosInt, 'give attrs.cout, a positive integer');
  const kernel = num('kernel', a.kernel, 1, (v) => isPosInt(v) && v % 2 === 1, 'use an odd kernel size (1, 3, 5, 7)');
  const stride = num('stride', a.stride, 1, isPosInt, 'use stride 1 or 2');
  const expansion = num('expansion', a.expansion, 1, isPosInt, 'use an integer expansion ratio ≥ 1 (MnasNet: 1, 3, 6)');
  const se = num('se', a.se, 0, (v) => v >= 0 && v <= 1, 'use a squeeze-and-excitation ratio in [0, 1] (MnasNet: 0 or 0.25)');
  const groups = num('groups', a.groups, 1, (v) => v === 1 || (v === cin && v === cout), 'groups is 1 (a plain conv) or cin = cout (depthwise)');
  const activation = (a.activation ?? 'relu') as Activation;
  if (!ACTIVATIONS.includes(activation)) throw opError(node, `unknown activation "${String(activation)}"`, `use one of ${ACTIVATIONS.join(', ')}`);
  const skipName = a.skip ?? 'none';
  if (skipName !== 'none' && skipName !== 'identity') throw opError(node, `unknown skip "${String(skipName)}"`, 'use none or identity');
  const skip = skipName === 'identity';
  if (skip && (stride !== 1 || cin !== cout)) {
    throw opError(
      node,
      `an identity skip needs stride 1 and cin = cout (got stride ${stride}, ${cin} → ${cout})`,
      "set skip to 'none' where the shapes change",
    );
  }
  const output = op === 'global_pool' ? [cin] : op === 'dense' ? [cout] : [cout, sameOut(input[1]!, stride), sameOut(input[2]!, stride)];
  if (node.shape && (node.shape.length !== output.length || node.shape.some((d, i) => d !== output[i]))) {
    throw opError(
      node,
      `its shape [${node.shape.join(', ')}] is not the op's output [${output.join(', ')}]`,
      "fix the graph's shapes (same padding: ⌈H/stride⌉)",
    );
  }
  return { op, input, cin, cout, kernel, stride, expansion, se, skip, groups, activation, output };
}

/** Hidden width of squeeze-and-excitation: max(1, ⌊cin·se⌋) as the MnasNet reference (`num_reduced_filters`). */
export function seHiddenWidth(cin: number, se: number): number {
  return Math.max(1, Math.floor(cin * se));
}

/**
 * Floats per sample a training step holds per output element of each component, by analogy with
 * NB201's units calibrated on wasm (`nb201.network.ts`: ReLU-conv-BN 12): conv + BN + activation
 * keeps the conv, normalised and activated outputs plus their gradients; without an activation
 * less; SE's gate and product about 4; a residual sum 1.
 */
const MEMORY_UNITS = { convBnAct: 12, convBn: 9, se: 4, skip: 1, pool: 1, dense: 4 } as const;

/** Accumulates the parameters of one op (names prefixed by the node id). */
class OpPlanBuilder {
  readonly parameters: ParameterSpec[] = [];
  readonly buffers: BufferSpec[] = [];
  flops = 0;
  memory = 0;

  conv(name: string, k: number, cin: number, cout: number, groups: number, outPixels: number): void {
    const depthwise = groups > 1 && groups === cin && cout === cin;
    const shape = depthwise ? [k, k, cin, 1] : [k, k, cin / groups, cout];
    this.parameters.push({ name: `${name}.weight`, shape, role: 'conv-weight', fanIn: k * k * (cin / groups), fanOut: (k * k * cout) / groups });
    this.flops += outPixels * cout * (cin / groups) * k * k;
  }

  bn(name: string, c: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [c], role: 'bn-weight', fanIn: 1, fanOut: 1 });
    this.parameters.push({ name: `${name}.bias`, shape: [c], role: 'bn-bias', fanIn: 1, fanOut: 1 });
    this.buffers.push({ name: `${name}.running_mean`, shape: [c], fill: 0 }, { name: `${name}.running_var`, shape: [c], fill: 1 });
  }

  /** A 1×1 convolution with bias on a 1×1 map (SE), counted like a linear layer. */
  pointwiseWithBias(name: string, cin: number, cout: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [1, 1, cin, cout], role: 'conv-weight', fanIn: cin, fanOut: cout });
    this.parameters.push({ name: `${name}.bias`, shape: [cout], role: 'linear-bias', fanIn: cin, fanOut: cout });
    this.flops += cin * cout + cout;
  }

  linear(name: string, cin: number, cout: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [cin, cout], role: 'linear-weight', fanIn: cin, fanOut: cout });
    this.parameters.push({ name: `${name}.bias`, shape: [cout], role: 'linear-bias', fanIn: cin, fanOut: cout });
    this.flops += cin * cout + cout;
  }

  se(name: string, blockIn: number, channels: number, ratio: number, pixels: number): void {
    if (ratio <= 0) return;
    const hidden = seHiddenWidth(blockIn, ratio);
    this.pointwiseWithBias(`${name}.reduce`, channels, hidden);
    this.pointwiseWithBias(`${name}.expand`, hidden, channels);
    this.memory += MEMORY_UNITS.se * pixels * channels;
  }
}

/** Parameters (named `<prefix>.…`), FLOPs and memory of one network-level op node, without tensors. */
export function planNetworkOp(node: ArchGraphNode, prefix: string = node.id): NetworkOpPlan {
  const attrs = resolveOpAttrs(node);
  const { op, cin, cout, kernel: k, expansion, se, groups } = attrs;
  const p = new OpPlanBuilder();
  const inPixels = op === 'dense' ? 1 : attrs.input[1]! * attrs.input[2]!;
  const outPixels = op === 'dense' || op === 'global_pool' ? 1 : attrs.output[1]! * attrs.output[2]!;
  switch (op) {
    case 'conv':
      p.conv(`${prefix}.conv`, k, cin, cout, groups, outPixels);
      p.bn(`${prefix}.bn`, cout);
      p.memory += MEMORY_UNITS.convBnAct * outPixels * cout;
      p.se(`${prefix}.se`, cin, cout, se, outPixels);
      break;
    case 'sep_conv':
      p.conv(`${prefix}.depthwise.conv`, k, cin, cin, cin, outPixels);
      p.bn(`${prefix}.depthwise.bn`, cin);
      p.memory += MEMORY_UNITS.convBnAct * outPixels * cin;
      p.se(`${prefix}.se`, cin, cin, se, outPixels);
      p.conv(`${prefix}.pointwise.conv`, 1, cin, cout, 1, outPixels);
      p.bn(`${prefix}.pointwise.bn`, cout);
      p.memory += MEMORY_UNITS.convBn * outPixels * cout;
      break;
    case 'mbconv': {
      const mid = cin * expansion;
      if (expansion !== 1) {
        p.conv(`${prefix}.expand.conv`, 1, cin, mid, 1, inPixels);
        p.bn(`${prefix}.expand.bn`, mid);
        p.memory += MEMORY_UNITS.convBnAct * inPixels * mid;
      }
      p.conv(`${prefix}.depthwise.conv`, k, mid, mid, mid, outPixels);
      p.bn(`${prefix}.depthwise.bn`, mid);
      p.memory += MEMORY_UNITS.convBnAct * outPixels * mid;
      p.se(`${prefix}.se`, cin, mid, se, outPixels);
      p.conv(`${prefix}.project.conv`, 1, mid, cout, 1, outPixels);
      p.bn(`${prefix}.project.bn`, cout);
      p.memory += MEMORY_UNITS.convBn * outPixels * cout;
      break;
    }
    case 'global_pool':
      p.memory += MEMORY_UNITS.pool * cin;
      break;
    case 'dense':
      p.linear(prefix, cin, cout);
      p.memory += MEMORY_UNITS.dense * cout;
      break;
  }
  if (attrs.skip) p.memory += MEMORY_UNITS.skip * outPixels * cout;
  return { attrs, parameters: p.parameters, buffers: p.buffers, flops: p.flops, memoryFloats: p.memory };
}

function activate<T>(ops: NetworkOps<T>, name: string, x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return ops.relu(name, x);
    case 'none':
      return x;
    default:
      return ops.activation(name, x, activation);
  }
}

/**
 * The forward pass of one network-level op written over {@link NetworkOps} (NHWC images, `[N, C]`
 * vectors), with the parameters of {@link planNetworkOp} (same `prefix`): run eagerly on tensors
 * for training and profiling, and symbolically to export a network as a `LayersModel`.
 */
export function networkOpGraph<T>(attrs: ResolvedOpAttrs, prefix: string, x: T, ops: NetworkOps<T>): T {
  const { op, stride, expansion, se, groups, activation } = attrs;
  let y: T;
  switch (op) {
    case 'conv': {
      y = activate(ops, `${prefix}.act`, ops.convBatchNorm(`${prefix}.conv`, `${prefix}.bn`, x, stride, 'same', groups > 1), activation);
      if (se > 0) y = ops.squeezeExcite(`${prefix}.se`, y);
      break;
    }
    case 'sep_conv':
    case 'mbconv': {
      let h = x;
      if (op === 'mbconv' && expansion !== 1) {
        h = activate(ops, `${prefix}.expand.act`, ops.convBatchNorm(`${prefix}.expand.conv`, `${prefix}.expand.bn`, h, 1, 'same'), activation);
      }
      const dw = `${prefix}.depthwise`;
      h = activate(ops, `${dw}.act`, ops.convBatchNorm(`${dw}.conv`, `${dw}.bn`, h, stride, 'same', true), activation);
      if (se > 0) h = ops.squeezeExcite(`${prefix}.se`, h);
      const pw = op === 'mbconv' ? `${prefix}.project` : `${prefix}.pointwise`;
      y = ops.convBatchNorm(`${pw}.conv`, `${pw}.bn`, h, 1, 'same');
      break;
    }
    case 'global_pool':
      y = ops.globalAvgPool(`${prefix}.pool`, x);
      break;
    case 'dense':
      y = ops.linear(prefix, x);
      break;
  }
  return attrs.skip ? ops.sum(`${prefix}.add`, [y, x], x) : y;
}

/**
 * {@link networkOpGraph} run eagerly on tensors with `L`'s variables, taps and training mode. Call
 * inside `tf.tidy`.
 */
export function applyNetworkOp(
  node: ArchGraphNode,
  x: tf.Tensor,
  L: Layers,
  prefix: string = node.id,
  attrs: ResolvedOpAttrs = resolveOpAttrs(node),
): tf.Tensor {
  return networkOpGraph<tf.Tensor>(attrs, prefix, x, eagerOps(L));
}

/** Options of {@link createNetworkOp}. */
export interface CreateNetworkOpOptions {
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** Weight initialisation (default `pytorch`). */
  readonly init?: InitScheme;
}

/** One network-level op built alone: its variables and forward pass. */
export interface BuiltNetworkOp {
  readonly node: ArchGraphNode;
  readonly plan: NetworkOpPlan;
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  /**
   * The op on an NHWC batch (`[N, C]` for `dense`); intermediates are freed, the caller disposes
   * the result. Training mode uses batch statistics in batch norm (and updates the running ones).
   */
  apply(x: tf.Tensor, options: { readonly training: boolean }): tf.Tensor;
  dispose(): void;
}

let created = 0;

/**
 * Builds one network-level op node alone with seeded weights (the values a network built with the
 * same seed gives the parameters of that node's id). Needs an initialised tfjs backend.
 *
 * @example
 * const op = createNetworkOp({ id: 'b', op: 'mbconv', attrs: { input: [24, 56, 56], cout: 24, kernel: 3, stride: 1, expansion: 6, se: 0.25, skip: 'identity' } }, { seed: 1 });
 * const y = op.apply(tf.zeros([1, 56, 56, 24]), { training: false });   // [1, 56, 56, 24]
 */
export function createNetworkOp(node: ArchGraphNode, options: CreateNetworkOpOptions = {}): BuiltNetworkOp {
  const seed = options.seed ?? 0;
  const scheme = options.init ?? 'pytorch';
  if (!INIT_SCHEMES.includes(scheme))
    throw new NasxError('usage', `unknown weight initialisation "${String(scheme)}"`, { pkg: PKG, fix: `use one of ${INIT_SCHEMES.join(', ')}` });
  const plan = planNetworkOp(node);
  const prefix = `nasx/op/${++created}/`;
  const parameters = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  tf.tidy(() => {
    for (const p of plan.parameters) parameters.set(p.name, tf.variable(tf.tensor(initialValues(p, seed, scheme), p.shape as number[]), true, prefix + p.name));
    for (const b of plan.buffers) buffers.set(b.name, tf.variable(tf.tensor(bufferValues(b), b.shape as number[]), false, prefix + b.name));
  });
  let disposed = false;
  return {
    node,
    plan,
    parameters,
    buffers,
    apply(x, { training }) {
      if (disposed) throw new NasxError('usage', `network op ${node.id} was disposed`, { pkg: PKG, fix: 'create it again' });
      return tf.tidy(() => {
        const L = new Layers(parameters, buffers, training);
        try {
          return applyNetworkOp(node, x, L, node.id, plan.attrs);
        } finally {
          L.release();
        }
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of parameters.values()) v.dispose();
      for (const v of buffers.values()) v.dispose();
    },
  };
}
