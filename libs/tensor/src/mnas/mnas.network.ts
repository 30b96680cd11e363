/**
 * MnasNet's factorised hierarchical search space (Tan et al., "MnasNet: Platform-Aware Neural
 * Architecture Search for Mobile", CVPR 2019, Fig. 4 and Sec. 4): a fixed skeleton of 7 blocks
 * whose base filters, layers and first stride follow MobileNetV2's (with the filter sizes of the
 * paper's search), each block choosing its own ConvOp, kernel, squeeze-and-excitation ratio, SkipOp,
 * filter multiplier and layers offset; all layers of a block repeat the same choices, the first
 * with the block's stride.
 *
 *   stem: conv 3×3 stride 2 → 32 + BN + ReLU
 *   7 blocks (filters, layers, stride): (16,1,1) (24,2,2) (40,3,2) (80,4,2) (112,2,1) (160,3,2) (320,1,1)
 *   head: conv 1×1 → 1280 + BN + ReLU, global average pooling, dense → classes
 *
 * Filters are `base · multiplier` rounded as the reference implementation's `round_filters`
 * (tensorflow/tpu `models/official/mnasnet/mnasnet_model.py`: to a multiple of 8, never below 8
 * nor below 90 % of the unrounded value), so ×0.75 and ×1.0 coincide for the 16- and 24-filter
 * blocks. The identity skip (the reference's `id_skip`) applies to a layer only where its stride is
 * 1 and its input and output channels agree.
 *
 * This file is the space's definition shared by the network builder here and the search-space
 * plugin (`@nasx/search-space-mnas`), which samples and encodes genotypes over it. Pure TypeScript.
 */
import {
  NasxError,
  operatorKey,
  type ArchGraph,
  type ArchGraphEdge,
  type ArchGraphNode,
  type Architecture,
  type Json,
  type NetworkOpAttrs,
  type Shape,
} from '@nasx/contracts';
import { chainNetworkBuilder } from '../network/chain-network';
import { planNetworkOp } from '../ops/network-op';

const PKG = '@nasx/tensor';

/** Space id of MnasNet architectures (as stamped by `@nasx/search-space-mnas`). */
export const MNAS_SPACE = 'mnas';

/** The skeleton's 7 blocks: base filters, base layers, stride of the first layer. */
export const MNAS_BLOCKS: readonly { readonly filters: number; readonly layers: number; readonly stride: number }[] = [
  { filters: 16, layers: 1, stride: 1 },
  { filters: 24, layers: 2, stride: 2 },
  { filters: 40, layers: 3, stride: 2 },
  { filters: 80, layers: 4, stride: 2 },
  { filters: 112, layers: 2, stride: 1 },
  { filters: 160, layers: 3, stride: 2 },
  { filters: 320, layers: 1, stride: 1 },
];

/** Stem output channels and head channels of the skeleton. */
export const MNAS_STEM_FILTERS = 32;
export const MNAS_HEAD_FILTERS = 1280;

/** The 6 decisions of a block, in genotype order, with their choices. */
export const MNAS_CHOICES = {
  /** ConvOp: regular conv, depthwise-separable conv, MBConv with expansion 3 or 6. */
  op: ['conv', 'sep_conv', 'mbconv3', 'mbconv6'],
  kernel: [3, 5],
  /** Squeeze-and-excitation ratio. */
  se: [0, 0.25],
  /** SkipOp: none or identity residual. */
  skip: ['none', 'identity'],
  /** Filter-size multiplier of the block's base filters. */
  multiplier: [0.75, 1.0, 1.25],
  /** Layers-per-block offset (at least 1 layer). */
  layers: [-1, 0, 1],
} as const;

/** Names of a block's decisions, in genotype order. */
export const MNAS_DECISIONS = ['op', 'kernel', 'se', 'skip', 'multiplier', 'layers'] as const;

/** One of {@link MNAS_DECISIONS}. */
export type MnasDecision = (typeof MNAS_DECISIONS)[number];

/** Genotype of an `mnas` architecture: 7 blocks × 6 choice indices (in {@link MNAS_DECISIONS} order). */
export interface MnasGenotype {
  readonly blocks: readonly (readonly number[])[];
}

/** A block's choices resolved to a concrete, canonical configuration. */
export interface MnasBlockConfig {
  readonly op: 'conv' | 'sep_conv' | 'mbconv';
  /** MBConv expansion (3 or 6); 1 for conv and sep_conv. */
  readonly expansion: number;
  readonly kernel: number;
  readonly se: number;
  /** The identity skip was chosen and applies to at least one layer (else canonically false). */
  readonly skip: boolean;
  readonly filters: number;
  readonly layers: number;
  readonly stride: number;
}

/**
 * `round_filters` of the MnasNet reference: `base · multiplier` to the nearest multiple of 8
 * (at least 8), plus 8 if that lost more than 10 %.
 *
 * @example roundFilters(40, 0.75) // 32
 */
export function roundFilters(base: number, multiplier: number, divisor = 8): number {
  const filters = base * multiplier;
  let rounded = Math.max(divisor, Math.floor((filters + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * filters) rounded += divisor;
  return rounded;
}

const FIX_GENOTYPE = `an mnas genotype is { "blocks": 7 arrays of 6 choice indices [${MNAS_DECISIONS.map((d) => `${d} 0..${MNAS_CHOICES[d].length - 1}`).join(', ')}] }`;

function archError(key: string, problem: string, fix = FIX_GENOTYPE): NasxError {
  return new NasxError('architecture', `mnas architecture ${key}: ${problem}`, { pkg: PKG, contribution: MNAS_SPACE, fix });
}

/** Checks an `mnas` genotype (JSON) and returns its 7 × 6 choice indices. */
export function mnasBlocksOf(genotype: Json, key = JSON.stringify(genotype).slice(0, 80)): number[][] {
  const g = genotype as { blocks?: Json } | null;
  const blocks = g && typeof g === 'object' && !Array.isArray(g) ? g.blocks : undefined;
  if (!Array.isArray(blocks) || blocks.length !== MNAS_BLOCKS.length) {
    throw archError(key, `genotype ${JSON.stringify(genotype).slice(0, 120)} does not have ${MNAS_BLOCKS.length} blocks`);
  }
  return blocks.map((b, i) => {
    if (!Array.isArray(b) || b.length !== MNAS_DECISIONS.length)
      throw archError(key, `block ${i + 1} is ${JSON.stringify(b)}, not ${MNAS_DECISIONS.length} choice indices`);
    return b.map((c, j) => {
      const name = MNAS_DECISIONS[j]!;
      const n = MNAS_CHOICES[name].length;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= n) {
        throw archError(key, `block ${i + 1}, decision ${name}: choice ${JSON.stringify(c)} is out of range 0..${n - 1} (${MNAS_CHOICES[name].join(', ')})`);
      }
      return c;
    });
  });
}

/** The 7 × 6 choice indices of an architecture of space `mnas`; throws for another space. */
export function mnasBlocks(arch: Architecture): number[][] {
  if (arch.space !== MNAS_SPACE) throw archError(arch.key, `it belongs to space "${arch.space}"`, `pass an architecture of space "${MNAS_SPACE}"`);
  return mnasBlocksOf(arch.genotype, arch.key);
}

/** Filters of block `b` for each multiplier choice. */
const filtersOf = (b: number): number[] => MNAS_CHOICES.multiplier.map((m) => roundFilters(MNAS_BLOCKS[b]!.filters, m));

/** The concrete, canonical configuration of each block (skip cleared where no layer can use it). */
export function resolveMnasBlocks(blocks: readonly (readonly number[])[]): MnasBlockConfig[] {
  let cin = MNAS_STEM_FILTERS;
  return blocks.map((choices, b) => {
    const [op, kernel, se, skip, multiplier, layers] = choices as [number, number, number, number, number, number];
    const base = MNAS_BLOCKS[b]!;
    const opName = MNAS_CHOICES.op[op]!;
    const filters = roundFilters(base.filters, MNAS_CHOICES.multiplier[multiplier]!);
    const nLayers = Math.max(1, base.layers + MNAS_CHOICES.layers[layers]!);
    const skipUsable = nLayers > 1 || (base.stride === 1 && cin === filters);
    const config: MnasBlockConfig = {
      op: opName.startsWith('mbconv') ? 'mbconv' : (opName as 'conv' | 'sep_conv'),
      expansion: opName === 'mbconv3' ? 3 : opName === 'mbconv6' ? 6 : 1,
      kernel: MNAS_CHOICES.kernel[kernel]!,
      se: MNAS_CHOICES.se[se]!,
      skip: MNAS_CHOICES.skip[skip] === 'identity' && skipUsable,
      filters,
      layers: nLayers,
      stride: base.stride,
    };
    cin = filters;
    return config;
  });
}

/** Canonical text of resolved blocks, e.g. `mbconv6_k3_se0.25_id_f24_n2` (the space's `key`). */
export function mnasKey(configs: readonly MnasBlockConfig[]): string {
  return configs
    .map((c) => `${c.op === 'mbconv' ? `mbconv${c.expansion}` : c.op}_k${c.kernel}_se${c.se}_${c.skip ? 'id' : 'noskip'}_f${c.filters}_n${c.layers}`)
    .join('|');
}

function checkShapes(inputShape: Shape, numClasses: number): [number, number, number] {
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new NasxError('architecture', `MnasNet input shape [${inputShape.join(', ')}] is not [channels, height, width]`, {
      pkg: PKG,
      contribution: MNAS_SPACE,
      fix: 'use an image shape such as [3, 224, 224] (ImageNet), [3, 32, 32] (CIFAR-10) or [1, 28, 28] (MNIST)',
    });
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new NasxError('architecture', `MnasNet numClasses must be a positive integer, got ${numClasses}`, {
      pkg: PKG,
      contribution: MNAS_SPACE,
      fix: "pass the task's numClasses",
    });
  }
  return inputShape as [number, number, number];
}

const layerAttrs = (
  c: Pick<MnasBlockConfig, 'op' | 'expansion' | 'kernel' | 'se'>,
  input: number[],
  cout: number,
  stride: number,
  skip: boolean,
): Record<string, Json> => ({
  input,
  cin: input[0]!,
  cout,
  kernel: c.kernel,
  stride,
  ...(c.op === 'mbconv' ? { expansion: c.expansion } : {}),
  se: c.se,
  skip: skip && stride === 1 && input[0] === cout ? 'identity' : 'none',
  activation: 'relu',
});

const spatial = (size: number, stride: number): number => Math.ceil(size / stride);

/** A node with its output shape, FLOPs and parameters filled in from its attributes. */
function opNode(id: string, op: string, attrs: Record<string, Json>): ArchGraphNode {
  const base: ArchGraphNode = { id, op, attrs };
  const plan = planNetworkOp(base);
  const params = plan.parameters.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  return { ...base, shape: [...plan.attrs.output], flops: plan.flops, params };
}

/**
 * Op nodes are interned: a space has a few thousand distinct (position, operator) pairs, and every
 * network reuses the same frozen node objects. Building a graph then costs a key and a map lookup
 * per node instead of planning the op (≈ 10 µs a node), and consumers that walk many graphs (a
 * latency lookup table, a predictor's encoder) read a few thousand objects that stay in the CPU's
 * caches. Frozen, so no consumer can change a node another graph shares.
 */
const internedNodes = new Map<string, ArchGraphNode>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function internedOpNode(id: string, op: string, attrs: Record<string, Json>): ArchGraphNode {
  const a = attrs as Partial<NetworkOpAttrs> & { cin?: number };
  const key = `${id}|${op}|${a.input!.join('x')}|${a.cin}|${a.cout}|${a.kernel}|${a.stride}|${a.expansion}|${a.se}|${a.skip}|${a.activation}`;
  let node = internedNodes.get(key);
  if (node === undefined) {
    node = deepFreeze(opNode(id, op, attrs));
    internedNodes.set(key, node);
  }
  return node;
}

/**
 * The network-level graph of MnasNet blocks for an input shape and class count: `input`, `stem`,
 * `b<block>.<layer>` (1-based blocks, 0-based layers), `head`, `pool`, `classifier`, `output`,
 * chained; every op node has `NetworkOpAttrs`, its output `shape`, `flops` (MACs) and `params`.
 */
export function mnasGraph(blocks: readonly (readonly number[])[], inputShape: Shape, numClasses: number): ArchGraph {
  const [c, h, w] = checkShapes(inputShape, numClasses);
  const configs = resolveMnasBlocks(blocks);
  const nodes: ArchGraphNode[] = [{ id: 'input', op: 'input', shape: [c, h, w] }];
  let shape = [c, h, w];
  const push = (node: ArchGraphNode) => {
    nodes.push(node);
    shape = node.shape as number[];
  };
  push(internedOpNode('stem', 'conv', { input: shape, cin: c, cout: MNAS_STEM_FILTERS, kernel: 3, stride: 2, se: 0, skip: 'none', activation: 'relu' }));
  configs.forEach((cfg, b) => {
    for (let l = 0; l < cfg.layers; l++) {
      const stride = l === 0 ? cfg.stride : 1;
      push(internedOpNode(`b${b + 1}.${l}`, cfg.op, layerAttrs(cfg, shape, cfg.filters, stride, cfg.skip)));
    }
  });
  push(
    internedOpNode('head', 'conv', { input: shape, cin: shape[0]!, cout: MNAS_HEAD_FILTERS, kernel: 1, stride: 1, se: 0, skip: 'none', activation: 'relu' }),
  );
  push(internedOpNode('pool', 'global_pool', { input: shape, cin: shape[0]! }));
  push(internedOpNode('classifier', 'dense', { input: shape, cin: shape[0]!, cout: numClasses }));
  nodes.push({ id: 'output', op: 'output', shape: [numClasses] });
  const edges: ArchGraphEdge[] = nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id }));
  return {
    space: MNAS_SPACE,
    level: 'network',
    nodes,
    edges,
    meta: {
      inputShape: [c, h, w],
      numClasses,
      blocks: configs.map((cfg) => ({ ...cfg })) as unknown as Json,
      flops: nodes.reduce((n, x) => n + (x.flops ?? 0), 0),
      params: nodes.reduce((n, x) => n + (x.params ?? 0), 0),
    },
  };
}

/**
 * Every distinct op node (by its attributes, i.e. `operatorKey`) that any MnasNet network can
 * contain at `inputShape` and `numClasses`, for profiling a latency table of the whole space. Ids
 * are unique in the list: the node id where the operator can first occur and an index (`b3.0#412`).
 */
export function mnasOperators(inputShape: Shape, numClasses: number): ArchGraphNode[] {
  const [c, h, w] = checkShapes(inputShape, numClasses);
  const seen = new Map<string, ArchGraphNode>();
  const add = (id: string, op: string, attrs: Record<string, Json>) => {
    const k = operatorKey({ op, attrs });
    // Ids unique in the list: where the operator first occurs, and its index.
    if (!seen.has(k)) seen.set(k, opNode(`${id}#${seen.size}`, op, attrs));
  };
  add('stem', 'conv', { input: [c, h, w], cin: c, cout: MNAS_STEM_FILTERS, kernel: 3, stride: 2, se: 0, skip: 'none', activation: 'relu' });
  let size = [spatial(h, 2), spatial(w, 2)];
  let cins = [MNAS_STEM_FILTERS];
  MNAS_BLOCKS.forEach((base, b) => {
    const couts = [...new Set(filtersOf(b))];
    const out = [spatial(size[0]!, base.stride), spatial(size[1]!, base.stride)];
    for (const opName of MNAS_CHOICES.op) {
      const op = opName.startsWith('mbconv') ? 'mbconv' : opName;
      const cfg = { op: op as MnasBlockConfig['op'], expansion: opName === 'mbconv3' ? 3 : opName === 'mbconv6' ? 6 : 1 };
      for (const kernel of MNAS_CHOICES.kernel) {
        for (const se of MNAS_CHOICES.se) {
          for (const skip of [false, true]) {
            const layer = { ...cfg, kernel, se };
            for (const cout of couts) {
              for (const cin of cins) add(`b${b + 1}.0`, op, layerAttrs(layer, [cin, size[0]!, size[1]!], cout, base.stride, skip));
              add(`b${b + 1}.1`, op, layerAttrs(layer, [cout, out[0]!, out[1]!], cout, 1, skip));
            }
          }
        }
      }
    }
    size = out;
    cins = couts;
  });
  for (const cin of cins)
    add('head', 'conv', { input: [cin, size[0]!, size[1]!], cin, cout: MNAS_HEAD_FILTERS, kernel: 1, stride: 1, se: 0, skip: 'none', activation: 'relu' });
  add('pool', 'global_pool', { input: [MNAS_HEAD_FILTERS, size[0]!, size[1]!], cin: MNAS_HEAD_FILTERS });
  add('classifier', 'dense', { input: [MNAS_HEAD_FILTERS], cin: MNAS_HEAD_FILTERS, cout: numClasses });
  return [...seen.values()];
}

/** The MnasNet {@link NetworkBuilder} (a chain of network-level ops for the task's shapes). */
export const mnasNetworkBuilder = chainNetworkBuilder({
  space: MNAS_SPACE,
  description: 'MnasNet: stem, 7 blocks of searched ConvOp/kernel/SE/skip/filters/layers, 1×1 head to 1280, GAP, dense (Tan et al., CVPR 2019)',
  graph: (arch, options) => mnasGraph(mnasBlocks(arch), options.inputShape, options.numClasses),
});
