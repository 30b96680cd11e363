/**
 * The NAS-Bench-101 network (Ying et al., ICML 2019, Sec. 2.1 and Fig. 1), built as its reference
 * code builds it (google-research/nasbench, `nasbench/lib/model_builder.py` `build_model_fn`,
 * `build_module`, `compute_vertex_channels`, `projection`, `truncate`; `base_ops.py`):
 *
 *   stem: conv3×3 (128 channels) + BN + ReLU
 *   3 stacks of 3 modules; before stacks 2 and 3 a 2×2 max pool (stride 2) and twice the channels
 *   global average pooling, dense classifier
 *
 * A module is the cell: vertex 0 is the module's input, the last vertex its output. An interior
 * vertex sums its inputs — other interior vertices truncated to its channel count, and the input
 * through a 1×1 projection (conv-BN-ReLU) — and applies its op: `conv3x3-bn-relu`,
 * `conv1x1-bn-relu` (bias-free conv, BN, ReLU) or `maxpool3x3` (stride 1, same). The output
 * concatenates the interior vertices that feed it, plus the projected input when the input feeds
 * it (only the projection when nothing else does). Channel counts per vertex are
 * `compute_vertex_channels`'s: the output's split as evenly as possible among the vertices feeding
 * it, and each other vertex as wide as the widest vertex it feeds.
 *
 * The parameter count equals NAS-Bench-101's `trainable_parameters` (tested against the dataset's
 * counts). Convolutions pad (k−1)/2, TensorFlow's `same` at stride 1. Genotype: the pruned cell as
 * `@nasx/search-space-nb101` stores it, `{ matrix, ops }` with `input` first and `output` last.
 */
import { NasxError, type Architecture, type Json } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { createGraphNetwork } from '../network/functional-network';
import { ioShapeOf } from '../network/io-shape';
import type { Network, NetworkBuilder, NetworkGraph, NetworkOps, NetworkOptions, NetworkPlan } from '../network/network';
import { NetworkProgram, type ProgramValue as V } from '../network/program';

/** Space id of NB101 architectures. */
export const NB101_SPACE = 'nb101';

/** NAS-Bench-101's skeleton: 128 stem channels, 3 stacks of 3 modules. */
export const NB101_MACRO_DEFAULTS = { channels: 128, stacks: 3, modulesPerStack: 3 } as const;

const OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;

function archError(arch: Architecture, problem: string, fix: string): NasxError {
  return new NasxError('architecture', `cannot build the NB101 network of ${arch.key}: ${problem}`, { pkg: TENSOR_PACKAGE, contribution: NB101_SPACE, fix });
}

interface Cell {
  readonly n: number;
  readonly edge: (i: number, j: number) => boolean;
  readonly ops: readonly string[];
}

/** The validated cell of an nb101 architecture (pruned, as the space stores it). */
export function nb101Cell(arch: Architecture): Cell {
  const fix = `an nb101 genotype is { "matrix": n×n upper-triangular 0/1, "ops": ["input", …${OPS.join(' | ')}…, "output"] } (2 ≤ n ≤ 7), pruned`;
  if (arch.space !== NB101_SPACE) throw archError(arch, `it belongs to space "${arch.space}"`, `pass an architecture of space "${NB101_SPACE}"`);
  const g = arch.genotype as { matrix?: Json; ops?: Json } | null;
  const m = g?.matrix;
  const ops = g?.ops;
  if (!Array.isArray(m) || !Array.isArray(ops) || m.length < 2 || m.length > 7 || ops.length !== m.length)
    throw archError(arch, 'the genotype is not { matrix, ops }', fix);
  const n = m.length;
  for (let i = 0; i < n; i++) {
    const row = m[i];
    if (!Array.isArray(row) || row.length !== n || row.some((v, j) => (v !== 0 && v !== 1) || (v === 1 && j <= i)))
      throw archError(arch, `matrix row ${i} is not upper-triangular 0/1`, fix);
  }
  if (ops[0] !== 'input' || ops[n - 1] !== 'output' || ops.slice(1, -1).some((o) => !OPS.includes(o as never)))
    throw archError(arch, `ops ${JSON.stringify(ops)} are not input, interior ops, output`, fix);
  const edge = (i: number, j: number) => (m[i] as number[])[j] === 1;
  for (let v = 1; v < n; v++) {
    if (![...Array(v).keys()].some((u) => edge(u, v)))
      throw archError(arch, `vertex ${v} has no input (the cell is not pruned)`, 'pass the pruned cell (the space stores it so)');
  }
  return { n, edge, ops: ops as string[] };
}

/**
 * `compute_vertex_channels` of the reference: channels of every vertex of a module. (The nb101
 * space has the same rule for its graph's costs; it stays free of tensor dependencies.)
 */
export function nb101VertexChannels(inChannels: number, outChannels: number, cell: Cell): number[] {
  const { n, edge } = cell;
  const ch = new Array<number>(n).fill(0);
  ch[0] = inChannels;
  ch[n - 1] = outChannels;
  if (n === 2) return ch;
  let inDegree = 0;
  for (let v = 1; v < n - 1; v++) if (edge(v, n - 1)) inDegree++;
  const interior = Math.floor(outChannels / inDegree);
  let correction = outChannels % inDegree;
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

interface Macro {
  readonly channels: number;
  readonly stacks: number;
  readonly modulesPerStack: number;
}

function macroOf(arch: Architecture, options: NetworkOptions): Macro {
  const m = { ...NB101_MACRO_DEFAULTS, ...options.macro };
  for (const [k, v] of Object.entries(m)) {
    if (!(k in NB101_MACRO_DEFAULTS))
      throw archError(arch, `unknown macro setting "${k}"`, 'the NB101 builder takes macro.channels (128), macro.stacks (3) and macro.modulesPerStack (3)');
    if (!Number.isInteger(v) || v < 1)
      throw archError(arch, `macro.${k} must be a positive integer, got ${v}`, `use ${NB101_MACRO_DEFAULTS[k as keyof Macro]} (NB101)`);
  }
  return m;
}

class Nb101Program<T> extends NetworkProgram<T> {
  convBnRelu(name: string, x: V<T>, cout: number, k: number): V<T> {
    return this.relu(`${name}.relu`, this.bn(`${name}.bn`, this.conv(`${name}.conv`, x, cout, k, 1)));
  }

  module(name: string, cell: Cell, x: V<T>, outChannels: number): V<T> {
    const { n, edge, ops } = cell;
    const ch = nb101VertexChannels(x.s[2], outChannels, cell);
    const tensors: V<T>[] = [x];
    for (let t = 1; t < n - 1; t++) {
      const terms: V<T>[] = [];
      for (let src = 1; src < t; src++) if (edge(src, t)) terms.push(this.truncate(`${name}.v${t}.from${src}`, tensors[src]!, ch[t]!));
      if (edge(0, t)) terms.push(this.convBnRelu(`${name}.v${t}.proj`, x, ch[t]!, 1));
      const fanIn = this.sum(`${name}.v${t}.sum`, terms);
      const op = ops[t];
      tensors.push(
        op === 'maxpool3x3'
          ? this.pool(`${name}.v${t}.pool`, 'max', fanIn, 3, 1)
          : this.convBnRelu(`${name}.v${t}.op`, fanIn, ch[t]!, op === 'conv3x3-bn-relu' ? 3 : 1),
      );
    }
    const outs = [...Array(n).keys()].slice(1, -1).filter((t) => edge(t, n - 1));
    if (!outs.length) return this.convBnRelu(`${name}.out.proj`, x, outChannels, 1);
    const cat = this.concat(
      `${name}.out.concat`,
      outs.map((t) => tensors[t]!),
    );
    return edge(0, n - 1) ? this.sum(`${name}.out.sum`, [cat, this.convBnRelu(`${name}.out.proj`, x, outChannels, 1)]) : cat;
  }

  network(cell: Cell, macro: Macro, input: V<T>, classes: number): V<T> {
    let x = this.convBnRelu('stem', input, macro.channels, 3);
    let channels = macro.channels;
    for (let s = 0; s < macro.stacks; s++) {
      if (s > 0) {
        x = this.pool(`stack${s}.downsample`, 'max', x, 2, 2);
        channels *= 2;
      }
      for (let m = 0; m < macro.modulesPerStack; m++) x = this.module(`stack${s}.module${m}`, cell, x, channels);
    }
    return this.classifier('pool', 'classifier', x, classes);
  }
}

function io(arch: Architecture, options: NetworkOptions) {
  return ioShapeOf(options, (problem, fix) => archError(arch, problem, fix), { dense: false, sequences: false });
}

/** Parameters, FLOPs and memory of an NB101 network, without tensors. */
export function planNb101(arch: Architecture, options: NetworkOptions): NetworkPlan {
  const cell = nb101Cell(arch);
  const macro = macroOf(arch, options);
  const shape = io(arch, options);
  const p = new Nb101Program<never>(undefined);
  p.network(cell, macro, p.input(undefined, options.inputShape), shape.outChannels);
  return p.toPlan(NB101_SPACE, arch, options, shape);
}

/** The NB101 forward pass as a {@link NetworkGraph}. */
export function nb101Graph(arch: Architecture, options: NetworkOptions): NetworkGraph {
  const cell = nb101Cell(arch);
  const macro = macroOf(arch, options);
  const shape = io(arch, options);
  return <T>(x: T, ops: NetworkOps<T>): T => {
    const p = new Nb101Program<T>(ops);
    return p.network(cell, macro, p.input(x, options.inputShape), shape.outChannels).t!;
  };
}

/** The NB101 {@link NetworkBuilder}. */
export const nb101NetworkBuilder: NetworkBuilder = {
  space: NB101_SPACE,
  description: 'NAS-Bench-101: stem conv, 3 stacks of 3 modules (the cell) with max-pool down-sampling, GAP, dense (Ying et al., ICML 2019)',
  plan: planNb101,
  build(arch: Architecture, options: NetworkOptions): Network {
    return createGraphNetwork(arch, planNb101(arch, options), options, nb101Graph(arch, options));
  },
  graph: nb101Graph,
};
