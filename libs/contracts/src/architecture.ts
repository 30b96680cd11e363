import type { Json } from './json';

/**
 * One architecture of a search space: immutable and JSON-serialisable.
 *
 * `key` is canonical: two architectures that compute the same function share a key wherever the
 * space can tell (e.g. isomorphic NAS-Bench-201 cells), so dedup and caching work across them.
 */
export interface Architecture {
  /** Id of the search space that produced it (e.g. `nb201`). */
  readonly space: string;
  /** The space's own description of the architecture (opaque to everything but the space). */
  readonly genotype: Json;
  /** Canonical key; equal keys mean equivalent architectures. */
  readonly key: string;
}

/**
 * The key of exactly this genotype (`<space>:<genotype as JSON>`), where {@link Architecture.key}
 * names its equivalence class. Equivalent architectures compute the same function, but not
 * necessarily at the same cost: NAS-Bench-201 cells that differ only on edges leading into a
 * `none` are one class, yet a measured network still runs those edges, so a latency table gives
 * each its own number. A run with latency models therefore identifies evaluations by this key.
 */
export function exactArchKey(arch: Architecture): string {
  return `${arch.space}:${JSON.stringify(arch.genotype)}`;
}

/** Tensor shape without the batch dimension, e.g. `[3, 32, 32]` (channels first). */
export type Shape = readonly number[];

/**
 * A node of an {@link ArchGraph}: one operation. `op` uses the shared vocabulary of
 * {@link KNOWN_OPS} where one fits so predictors and latency models can compare spaces.
 */
export interface ArchGraphNode {
  /** Unique within the graph. */
  readonly id: string;
  /** Operation type, e.g. `conv`, `avg_pool`, `max_pool`, `identity`, `zero`, `input`, `output`, `add`, `concat`. */
  readonly op: string;
  /** Operation attributes: kernel size, stride, channels, dilation, groups, expansion, activation, … */
  readonly attrs?: { readonly [name: string]: Json };
  /** Output shape (no batch dimension) when the space knows it. */
  readonly shape?: Shape;
  /** Floating point operations of this node for one sample, when known. */
  readonly flops?: number;
  /** Trainable parameters of this node, when known. */
  readonly params?: number;
}

/**
 * Attributes of an op node in a network-level {@link ArchGraph} (`level: 'network'`), the names
 * network builders, operator profilers and latency lookup tables agree on. Every op node of such a
 * graph carries `input` (its input shape, channels first) and the node's `shape` is its output.
 *
 * - `conv`: k×k convolution + batch norm + activation (`cin → cout`, `stride`, `groups`).
 * - `sep_conv`: depthwise k×k + BN + activation, then pointwise 1×1 + BN (MobileNet's separable conv).
 * - `mbconv`: inverted residual (MobileNetV2 / MnasNet): 1×1 expansion to `cin·expansion` + BN +
 *   activation (omitted when `expansion` is 1), depthwise k×k (`stride`) + BN + activation, optional
 *   squeeze-and-excitation of ratio `se` (of the block's input channels), 1×1 projection + BN.
 * - `skip: 'identity'` adds the input to the output (only when `stride` is 1 and `cin === cout`).
 * - `global_pool`: average over the spatial dimensions; `dense`: fully connected `cin → cout`.
 */
export interface NetworkOpAttrs {
  /** Input shape of the op, channels first: `[C, H, W]` for images, `[C]` for vectors. */
  readonly input: readonly number[];
  readonly cin?: number;
  readonly cout?: number;
  readonly kernel?: number;
  readonly stride?: number;
  /** Expansion ratio of an `mbconv` (1, 3, 6, …). */
  readonly expansion?: number;
  /** Squeeze-and-excitation ratio (0: none). */
  readonly se?: number;
  readonly skip?: 'none' | 'identity';
  readonly groups?: number;
  readonly activation?: 'relu' | 'relu6' | 'swish' | 'none';
}

/** A directed edge `from → to` (ids of nodes); `slot` orders inputs of order-sensitive ops. */
export interface ArchGraphEdge {
  readonly from: string;
  readonly to: string;
  readonly slot?: number;
}

/**
 * The op-level DAG of an architecture. Predictors (GCN, comparator, hypernetwork) and latency
 * models read this, never a space's private genotype. Nodes are in topological order.
 */
export interface ArchGraph {
  /** Space id, for error messages and for models fitted on one space. */
  readonly space: string;
  /** `cell`: one repeated cell (the macro skeleton is implied by the space); `network`: the whole net. */
  readonly level: 'cell' | 'network';
  readonly nodes: readonly ArchGraphNode[];
  readonly edges: readonly ArchGraphEdge[];
  /** Free-form facts about the skeleton, e.g. `{ stages: 3, cellsPerStage: 5, channels: [16, 32, 64] }`. */
  readonly meta?: { readonly [name: string]: Json };
}

/** Op vocabulary shared across spaces (a space may use others; these are the ones encoders know). */
export const KNOWN_OPS = [
  'input',
  'output',
  'zero',
  'identity',
  'conv',
  'sep_conv',
  'dil_conv',
  'mbconv',
  'avg_pool',
  'max_pool',
  'global_pool',
  'dense',
  'add',
  'concat',
  'relu',
  'batch_norm',
  'gcn',
  'gat',
  'sage',
  'attention',
] as const;

/** One of {@link KNOWN_OPS}. */
export type KnownOp = (typeof KNOWN_OPS)[number];
