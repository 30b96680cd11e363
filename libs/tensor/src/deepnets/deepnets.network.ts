/**
 * Generated networks in the spirit of DeepNets-1M (Knyazev et al., NeurIPS 2021, Sec. 3): the
 * training and test graphs of a graph hypernetwork. Like DeepNets-1M, a network is a DARTS-style
 * stack of cells (Liu et al., ICLR 2019): a stem convolution, `layers` cells of which those at
 * 1/3 and 2/3 of the depth reduce the resolution and double the width, global average pooling and
 * a linear classifier. A cell takes the outputs of the two previous cells (each mapped to C
 * channels by ReLU-conv1×1-BN), computes `nodes` intermediate nodes, each the sum of one or two
 * operations on earlier nodes, and concatenates the nodes no other node reads. Normal cells share
 * one genotype and reduction cells another, sampled independently, so the wiring, depth, width,
 * operations and cell size all vary (DeepNets-1M's axes of diversity).
 *
 * Operations (DeepNets-1M's, less those nasx cannot build yet):
 * - `conv_1x1`, `conv_3x3`, `conv_5x5`: ReLU, convolution, BN;
 * - `sep_conv_3x3`, `sep_conv_5x5`: DARTS's separable conv, twice (ReLU, depthwise k×k, 1×1, BN);
 * - `max_pool_3x3`, `avg_pool_3x3`;
 * - `skip`: identity (at stride 2: ReLU-conv1×1(stride 2)-BN, a one-branch FactorizedReduce);
 * - `se`: channel squeeze-and-excitation (DeepNets-1M's `cse`), only where the resolution is kept.
 * Left out: dilated convolutions and the 7×1/1×7 pair (no dilation or asymmetric padding in
 * `NetworkOps` yet), and multi-head self-attention (`msa`).
 *
 * Convolutions pad (k−1)/2 (PyTorch's rule), so at stride 2 every op maps H to ⌈H/2⌉ like the
 * pools' `same` padding. Images only, point heads only.
 */
import { NasxError, type Architecture, type Json, type Rng } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { createGraphNetwork } from '../network/functional-network';
import { ioShapeOf } from '../network/io-shape';
import type { Network, NetworkBuilder, NetworkGraph, NetworkOps, NetworkOptions, NetworkPlan } from '../network/network';
import { NetworkProgram, type ProgramValue as V } from '../network/program';

/** Space id of generated networks. */
export const DEEPNETS_SPACE = 'deepnets';

/** Cell operations of a generated network, see the file header. */
export const DEEPNETS_OPS = ['skip', 'max_pool_3x3', 'avg_pool_3x3', 'conv_1x1', 'conv_3x3', 'conv_5x5', 'sep_conv_3x3', 'sep_conv_5x5', 'se'] as const;

/** One of {@link DEEPNETS_OPS}. */
export type DeepNetsOp = (typeof DEEPNETS_OPS)[number];

/** One intermediate node: the sum of `op_i(input_i)`; input 0 and 1 are the cell's inputs, k ≥ 2 node k−2. */
export interface DeepNetsNode {
  readonly inputs: readonly number[];
  readonly ops: readonly DeepNetsOp[];
}

/** A cell genotype: its intermediate nodes in order. */
export interface DeepNetsCell {
  readonly nodes: readonly DeepNetsNode[];
}

/** The genotype of a generated network. */
export interface DeepNetsGenotype {
  /** Channels of the first stage's cells (doubled by each reduction cell). */
  readonly channels: number;
  /** Number of cells (reductions at ⌊layers/3⌋ and ⌊2·layers/3⌋ when layers ≥ 3). */
  readonly layers: number;
  /** Stem width as a multiple of `channels` (DARTS: 3). */
  readonly stem: number;
  readonly normal: DeepNetsCell;
  readonly reduce: DeepNetsCell;
}

/** The ranges a generator draws from. */
export interface DeepNetsRanges {
  readonly channels: readonly number[];
  readonly layers: readonly [min: number, max: number];
  readonly nodes: readonly [min: number, max: number];
  readonly stem: readonly number[];
  readonly ops: readonly DeepNetsOp[];
}

/**
 * CPU-sized defaults: DeepNets-1M's networks have 16–64 channels at 4–18 cells for CIFAR-10
 * training; these are narrower and shallower so that a meta-batch trains in about a second on 2
 * cores. Wider/deeper ranges are options of the space.
 */
export const DEEPNETS_DEFAULT_RANGES: DeepNetsRanges = {
  channels: [8, 12, 16],
  layers: [3, 6],
  nodes: [1, 4],
  stem: [1, 2, 3],
  ops: DEEPNETS_OPS,
};

const MAX = { channels: 1024, layers: 40, nodes: 8, stem: 8 } as const;

const FIX = `a deepnets genotype is { "channels": int, "layers": int ≥ 1, "stem": int, "normal": cell, "reduce": cell }, a cell { "nodes": [{ "inputs": [i, …], "ops": [op, …] }] } with 1–2 inputs per node, input i < 2 + the node's index, ops in ${DEEPNETS_OPS.join(', ')}`;

function archError(key: string, problem: string, fix = FIX): NasxError {
  return new NasxError('architecture', `deepnets architecture ${key}: ${problem}`, { pkg: TENSOR_PACKAGE, contribution: DEEPNETS_SPACE, fix });
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function checkCell(key: string, which: string, cell: Json | undefined): DeepNetsCell {
  const c = cell as { nodes?: Json } | null | undefined;
  if (!c || typeof c !== 'object' || !Array.isArray(c.nodes) || c.nodes.length < 1 || c.nodes.length > MAX.nodes)
    throw archError(key, `${which} cell is not { "nodes": [1–${MAX.nodes} nodes] }`);
  c.nodes.forEach((n, k) => {
    const node = n as { inputs?: Json; ops?: Json } | null;
    const ins = node?.inputs;
    const ops = node?.ops;
    if (!Array.isArray(ins) || !Array.isArray(ops) || ins.length < 1 || ins.length > 2 || ops.length !== ins.length)
      throw archError(key, `${which} node ${k} does not have 1–2 inputs and as many ops`);
    ins.forEach((i) => {
      if (!isInt(i, 0, k + 1)) throw archError(key, `${which} node ${k} reads input ${JSON.stringify(i)}, not one of 0..${k + 1}`);
    });
    ops.forEach((o) => {
      if (!DEEPNETS_OPS.includes(o as DeepNetsOp)) throw archError(key, `${which} node ${k} has unknown op ${JSON.stringify(o)}`);
    });
  });
  return c as unknown as DeepNetsCell;
}

/** The validated genotype of a deepnets architecture. */
export function deepnetsGenotype(arch: Architecture): DeepNetsGenotype {
  if (arch.space !== DEEPNETS_SPACE) throw archError(arch.key, `it belongs to space "${arch.space}"`, `pass an architecture of space "${DEEPNETS_SPACE}"`);
  const g = arch.genotype as { [k: string]: Json } | null;
  if (!g || typeof g !== 'object' || Array.isArray(g)) throw archError(arch.key, 'the genotype is not an object');
  if (!isInt(g['channels'], 1, MAX.channels)) throw archError(arch.key, `channels ${JSON.stringify(g['channels'])} is not an integer in 1..${MAX.channels}`);
  if (!isInt(g['layers'], 1, MAX.layers)) throw archError(arch.key, `layers ${JSON.stringify(g['layers'])} is not an integer in 1..${MAX.layers}`);
  if (!isInt(g['stem'], 1, MAX.stem)) throw archError(arch.key, `stem ${JSON.stringify(g['stem'])} is not an integer in 1..${MAX.stem}`);
  const extra = Object.keys(g).filter((k) => !['channels', 'layers', 'stem', 'normal', 'reduce'].includes(k));
  if (extra.length) throw archError(arch.key, `unknown genotype field "${extra[0]}"`);
  return {
    channels: g['channels'],
    layers: g['layers'],
    stem: g['stem'],
    normal: checkCell(arch.key, 'normal', g['normal']),
    reduce: checkCell(arch.key, 'reduce', g['reduce']),
  };
}

/** The canonical architecture of a genotype (its key is the genotype's JSON with sorted fields). */
export function deepnetsArchitecture(g: DeepNetsGenotype): Architecture {
  const cell = (c: DeepNetsCell) => ({ nodes: c.nodes.map((n) => ({ inputs: [...n.inputs], ops: [...n.ops] })) });
  const genotype = { channels: g.channels, layers: g.layers, stem: g.stem, normal: cell(g.normal), reduce: cell(g.reduce) };
  return { space: DEEPNETS_SPACE, genotype, key: `${DEEPNETS_SPACE}:${JSON.stringify(genotype)}` };
}

/** Indices of the cells that reduce (DARTS: at 1/3 and 2/3 of the depth). */
export function reductionCells(layers: number): number[] {
  return layers < 3 ? [] : [Math.floor(layers / 3), Math.floor((2 * layers) / 3)];
}

/** Intermediate nodes no later node reads: the cell's output, concatenated. */
export function cellOutputs(cell: DeepNetsCell): number[] {
  const read = new Set(cell.nodes.flatMap((n) => n.inputs.filter((i) => i >= 2).map((i) => i - 2)));
  return cell.nodes.map((_, k) => k).filter((k) => !read.has(k));
}

function randomCell(rng: Rng, nodes: number, ops: readonly DeepNetsOp[], reduce: boolean): DeepNetsCell {
  const out: DeepNetsNode[] = [];
  for (let k = 0; k < nodes; k++) {
    const arity = 1 + rng.int(2);
    const choices = Array.from({ length: k + 2 }, (_, i) => i);
    const inputs = arity === 2 && choices.length >= 2 ? rng.sampleIndices(choices.length, 2).sort((a, b) => a - b) : [rng.int(choices.length)];
    // SE keeps the resolution: not on a reduction cell's inputs.
    const allowed = (i: number) => (reduce && i < 2 ? ops.filter((o) => o !== 'se') : ops);
    out.push({ inputs, ops: inputs.map((i) => rng.pick(allowed(i).length ? allowed(i) : ['skip'])) });
  }
  return { nodes: out };
}

/** A random generated network: every field drawn uniformly from `ranges` (seeded by `rng`). */
export function sampleDeepNets(rng: Rng, ranges: DeepNetsRanges = DEEPNETS_DEFAULT_RANGES): Architecture {
  const between = ([lo, hi]: readonly [number, number]) => lo + rng.int(hi - lo + 1);
  return deepnetsArchitecture({
    channels: rng.pick(ranges.channels),
    layers: between(ranges.layers),
    stem: rng.pick(ranges.stem),
    normal: randomCell(rng, between(ranges.nodes), ranges.ops, false),
    reduce: randomCell(rng, between(ranges.nodes), ranges.ops, true),
  });
}

/** A generated network as a {@link NetworkProgram}: cells, operations, stem and head. */
class DeepNetsProgram<T> extends NetworkProgram<T> {
  reluConvBn(name: string, x: V<T>, cout: number, k: number, stride: number): V<T> {
    return this.bn(`${name}.bn`, this.conv(`${name}.conv`, this.relu(`${name}.relu`, x), cout, k, stride));
  }

  /** The op `op` on `x` at `stride` with `c` output channels (x has c channels already). */
  op(name: string, op: DeepNetsOp, x: V<T>, c: number, stride: number): V<T> {
    switch (op) {
      case 'skip':
        return stride === 1 ? x : this.reluConvBn(name, x, c, 1, stride);
      case 'max_pool_3x3':
        return this.pool(name, 'max', x, 3, stride);
      case 'avg_pool_3x3':
        return this.pool(name, 'avg', x, 3, stride);
      case 'conv_1x1':
      case 'conv_3x3':
      case 'conv_5x5':
        return this.reluConvBn(name, x, c, Number(op.slice(-1)), stride);
      case 'sep_conv_3x3':
      case 'sep_conv_5x5': {
        const k = Number(op.slice(-1));
        let y = x;
        for (const [half, s] of [
          [0, stride],
          [1, 1],
        ] as const) {
          y = this.depthwise(`${name}.${half}.dw`, this.relu(`${name}.${half}.relu`, y), k, s);
          y = this.bn(`${name}.${half}.bn`, this.conv(`${name}.${half}.pw`, y, c, 1, 1));
        }
        return y;
      }
      case 'se':
        // Never sampled at stride 2; a hand-written genotype that asks for it gets a reduce first.
        return this.se(name, stride === 1 ? x : this.pool(`${name}.pool`, 'avg', x, 3, stride));
    }
  }

  cell(name: string, cell: DeepNetsCell, s0: V<T>, s1: V<T>, c: number, reduce: boolean): V<T> {
    // Preprocessing: both inputs to c channels at s1's resolution (s0 is twice as large after a reduction).
    const stride0 = s0.s[0] > s1.s[0] ? 2 : 1;
    const states: V<T>[] = [this.reluConvBn(`${name}.pre0`, s0, c, 1, stride0), this.reluConvBn(`${name}.pre1`, s1, c, 1, 1)];
    cell.nodes.forEach((node, k) => {
      const terms = node.inputs.map((i, j) => this.op(`${name}.n${k}.${j}`, node.ops[j]!, states[i]!, c, reduce && i < 2 ? 2 : 1));
      states.push(this.sum(`${name}.n${k}.sum`, terms));
    });
    return this.concat(
      `${name}.concat`,
      cellOutputs(cell).map((k) => states[k + 2]!),
    );
  }

  network(g: DeepNetsGenotype, input: V<T>, classes: number): V<T> {
    const stem = this.bn('stem.bn', this.conv('stem.conv', input, g.channels * g.stem, 3, 1));
    let s0 = stem;
    let s1 = stem;
    let c = g.channels;
    const reductions = new Set(reductionCells(g.layers));
    for (let i = 0; i < g.layers; i++) {
      const reduce = reductions.has(i);
      if (reduce) c *= 2;
      const out = this.cell(`cells.${i}`, reduce ? g.reduce : g.normal, s0, s1, c, reduce);
      s0 = s1;
      s1 = out;
    }
    return this.classifier('pool', 'classifier', s1, classes);
  }
}

function io(arch: Architecture, options: NetworkOptions) {
  return ioShapeOf(options, (problem, fix) => archError(arch.key, problem, fix), { dense: false, sequences: false });
}

/** Parameters, FLOPs and memory of a generated network for a task, without tensors. */
export function planDeepNets(arch: Architecture, options: NetworkOptions): NetworkPlan {
  const g = deepnetsGenotype(arch);
  const shape = io(arch, options);
  const p = new DeepNetsProgram<never>(undefined);
  p.network(g, p.input(undefined, options.inputShape), shape.outChannels);
  return p.toPlan(DEEPNETS_SPACE, arch, options, shape);
}

/** The forward pass of a generated network as a {@link NetworkGraph}. */
export function deepnetsGraph(arch: Architecture, options: NetworkOptions): NetworkGraph {
  const g = deepnetsGenotype(arch);
  const shape = io(arch, options);
  return <T>(x: T, ops: NetworkOps<T>): T => {
    const p = new DeepNetsProgram<T>(ops);
    return p.network(g, p.input(x, options.inputShape), shape.outChannels).t!;
  };
}

/** The {@link NetworkBuilder} of generated networks. */
export const deepnetsNetworkBuilder: NetworkBuilder = {
  space: DEEPNETS_SPACE,
  description: 'generated DARTS-style networks in the spirit of DeepNets-1M (Knyazev et al. 2021): stem, cells with random wiring and ops, GAP, linear',
  plan: planDeepNets,
  build(arch: Architecture, options: NetworkOptions): Network {
    return createGraphNetwork(arch, planDeepNets(arch, options), options, deepnetsGraph(arch, options));
  },
  graph: deepnetsGraph,
};
