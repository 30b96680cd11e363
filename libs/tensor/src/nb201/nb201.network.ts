/**
 * The NAS-Bench-201 network (Dong & Yang, "NAS-Bench-201: Extending the Scope of Reproducible
 * Neural Architecture Search", ICLR 2020, Sec. 2.1 and Fig. 1), built exactly as its reference code
 * D-X-Y/AutoDL-Projects builds it (`xautodl/models/cell_infers/tiny_network.py` `TinyNetwork`,
 * `cells.py` `InferCell`, `cell_operations.py` `ReLUConvBN`, `ResNetBasicblock`, `POOLING`):
 *
 *   stem: conv3×3(3→C) + BN
 *   3 stages of N cells with C, 2C, 4C channels (C = 16, N = 5), a residual reduction block between
 *   stages: ReLU-conv3×3(stride 2)-BN, ReLU-conv3×3-BN, shortcut AvgPool(2)+conv1×1, summed
 *   lastact: BN + ReLU, global average pooling, linear classifier
 *
 * A cell has 4 nodes; node j is the sum of op_e(node i) over its incoming edges (1←0), (2←0),
 * (2←1), (3←0), (3←1), (3←2) in arch-string order; node 3 is the output. Ops: `none` (zero),
 * `skip_connect` (identity), `nor_conv_1x1`/`nor_conv_3x3` (ReLU-conv-BN, stride 1, padding 0/1),
 * `avg_pool_3x3` (stride 1, padding 1, `count_include_pad=False` — tfjs's average pool also
 * averages over in-bounds pixels only). All convolutions are bias-free; BN is affine with PyTorch's
 * momentum 0.1 and eps 1e-5.
 *
 * Parameter names are the reference network's `state_dict` keys (`cells.6.layers.3.op.1.weight`,
 * `cells.5.conv_a.op.2.running_mean`, `classifier.bias`); layouts are tfjs's: conv weights HWIO
 * (PyTorch OIHW → transpose [2, 3, 1, 0]), the classifier weight `[in, out]` (PyTorch's transposed).
 *
 * Other tasks (NAS-Bench-360, Tu et al. 2022): a sequence `[C, L]` is built with 1-D operations
 * (`1×k` kernels and pooling windows over a height-1 image, PyTorch's `Conv1d`/`AvgPool1d`); a dense
 * output `[K, H, W]` (`[K, L]`) gets NAS-Bench-360's dense variant of the network
 * (`precompute/darcyflow/xautodl/models/cell_infers/tiny_network.py`): no down-sampling — the two
 * reduction blocks become cells that change the channel count (xautodl's `InferCell` with
 * C_in ≠ C_out: on edges from node 0 a conv maps C_in → C_out, `skip_connect` is
 * `FactorizedReduce` (stride 1: conv1×1 + BN), `avg_pool_3x3` is preceded by a ReLU-conv1×1-BN,
 * `none` gives C_out zeros) — and the classifier applied at every position (`classifier` on
 * channels-last features, a per-pixel linear layer).
 *
 * One difference in execution, not in function: a node whose value reaches the output only through
 * `none` edges is not computed (PyTorch computes it and multiplies by zero). Its parameters still
 * exist and are counted, as in NAS-Bench-201's `params`.
 */
import { NasxError, type Architecture, type Json } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { createGraphNetwork } from '../network/functional-network';
import { ioShapeOf, type IoShape } from '../network/io-shape';
import type { BufferSpec, Network, NetworkBuilder, NetworkGraph, NetworkOps, NetworkOptions, NetworkPlan, ParameterSpec, Window } from '../network/network';

/** Space id of NB201 architectures (as stamped by `@nasx/search-space-nb201`). */
export const NB201_SPACE = 'nb201';

/** Op names by genotype index (the layout of `@nasx/search-space-nb201`'s `{ ops: number[6] }`). */
export const NB201_CELL_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;

/** The 6 cell edges as `[to, from]`, in arch-string order. */
export const NB201_CELL_EDGES: readonly (readonly [to: number, from: number])[] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];

/** NB201's skeleton: C = 16 channels in the first stage, N = 5 cells per stage. */
export const NB201_MACRO_DEFAULTS = { channels: 16, cellsPerStage: 5 } as const;

const FIX_GENOTYPE = `an nb201 genotype is { "ops": [6 integers in 0..4] }, the op index of edges 1←0, 2←0, 2←1, 3←0, 3←1, 3←2 into [${NB201_CELL_OPS.join(', ')}]`;

function archError(arch: Architecture, problem: string, fix = FIX_GENOTYPE): NasxError {
  return new NasxError('architecture', `cannot build NB201 network for ${arch.key}: ${problem}`, { pkg: TENSOR_PACKAGE, contribution: NB201_SPACE, fix });
}

/** The 6 op indices of an nb201 architecture, validated. */
export function nb201CellOps(arch: Architecture): number[] {
  if (arch.space !== NB201_SPACE) throw archError(arch, `it belongs to space "${arch.space}"`, `pass an architecture of space "${NB201_SPACE}"`);
  const g = arch.genotype as { ops?: Json } | null;
  const ops = g && typeof g === 'object' && !Array.isArray(g) ? g.ops : undefined;
  if (!Array.isArray(ops) || ops.length !== 6 || !ops.every((o) => typeof o === 'number' && Number.isInteger(o) && o >= 0 && o < NB201_CELL_OPS.length)) {
    throw archError(arch, `genotype ${JSON.stringify(arch.genotype)} is not 6 op indices`);
  }
  return ops as number[];
}

export interface Macro {
  readonly channels: number;
  readonly cellsPerStage: number;
}

/** The validated skeleton settings (`macro`) of an NB201 network. */
export function macroOf(options: NetworkOptions, arch: Architecture): Macro {
  const m = { ...NB201_MACRO_DEFAULTS, ...options.macro };
  for (const key of Object.keys(m)) {
    if (!(key in NB201_MACRO_DEFAULTS))
      throw archError(arch, `unknown macro setting "${key}"`, 'the NB201 builder takes macro.channels (default 16) and macro.cellsPerStage (default 5)');
  }
  if (!Number.isInteger(m.channels) || m.channels < 1)
    throw archError(arch, `macro.channels must be a positive integer, got ${m.channels}`, 'use 16 (NB201) or another positive integer');
  if (!Number.isInteger(m.cellsPerStage) || m.cellsPerStage < 1)
    throw archError(arch, `macro.cellsPerStage must be a positive integer, got ${m.cellsPerStage}`, 'use 5 (NB201) or another positive integer');
  return m;
}

/** The validated input shape of an NB201 network. */
export function shapeOf(options: NetworkOptions, arch: Architecture): [number, number, number] {
  const s = options.inputShape;
  const ok = s.length === 3 && s.every((d) => Number.isInteger(d) && d > 0) && s[1]! % 4 === 0 && s[2]! % 4 === 0;
  if (!ok) {
    throw archError(
      arch,
      `input shape [${s.join(', ')}] is not [channels, height, width] with height and width divisible by 4`,
      'NB201 halves the resolution twice; use e.g. [3, 32, 32] (CIFAR) or [3, 16, 16] (ImageNet16-120)',
    );
  }
  if (!Number.isInteger(options.numClasses) || options.numClasses < 1) {
    throw archError(arch, `numClasses must be a positive integer, got ${options.numClasses}`, "pass the task's numClasses");
  }
  return s as [number, number, number];
}

/**
 * The validated input/output geometry of an NB201 network: images or sequences, point or dense
 * head. A point head halves the resolution twice, so its height and width (a sequence's length)
 * must divide by 4.
 */
export function ioOf(options: NetworkOptions, arch: Architecture): IoShape {
  const io = ioShapeOf(options, (problem, fix) => archError(arch, problem, fix));
  const even = (d: number) => d % 4 === 0;
  if (!io.dense && !(even(io.width) && (io.dims === 1 || even(io.height)))) {
    throw archError(
      arch,
      `input shape [${options.inputShape.join(', ')}] has ${io.dims === 1 ? 'a length' : 'a height or width'} not divisible by 4`,
      'NB201 halves the resolution twice; use e.g. [3, 32, 32] (CIFAR), [3, 16, 16] (ImageNet16-120) or a sequence length divisible by 4',
    );
  }
  return io;
}

/**
 * Floats of backend memory per sample a training step (forward + backward) holds at its peak, per
 * output element of each component. Calibrated on wasm against the heap of full NB201 networks
 * (`tools/bench/tensor`): a ReLU-conv-BN edge keeps its ReLU, conv and normalised outputs and the
 * backward pass adds its gradients and temporaries; pooling and sums need less.
 */
export const MEMORY_UNITS = { stem: 6, reluConvBn: 12, pool: 4, skip: 1, node: 2, shortcut: 4, lastact: 6 } as const;

/** Accumulates parameters, buffers, FLOPs and a training-memory estimate while walking the skeleton. */
export class PlanAccumulator {
  /** `dims` 1: kernels are `1×k` (1-D convolutions over a sequence). */
  constructor(readonly dims: 1 | 2 = 2) {}

  readonly parameters: ParameterSpec[] = [];
  readonly buffers: BufferSpec[] = [];
  flops = 0;
  /** Floats per sample at the peak of a training step. */
  memory = 0;

  conv(name: string, cin: number, cout: number, k: number, outPixels: number): void {
    const kh = this.dims === 1 ? 1 : k;
    this.parameters.push({ name: `${name}.weight`, shape: [kh, k, cin, cout], role: 'conv-weight', fanIn: kh * k * cin, fanOut: kh * k * cout });
    this.flops += outPixels * cout * cin * kh * k;
  }

  batchNorm(name: string, c: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [c], role: 'bn-weight', fanIn: 1, fanOut: 1 });
    this.parameters.push({ name: `${name}.bias`, shape: [c], role: 'bn-bias', fanIn: 1, fanOut: 1 });
    this.buffers.push({ name: `${name}.running_mean`, shape: [c], fill: 0 }, { name: `${name}.running_var`, shape: [c], fill: 1 });
  }

  linear(name: string, cin: number, cout: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [cin, cout], role: 'linear-weight', fanIn: cin, fanOut: cout });
    this.parameters.push({ name: `${name}.bias`, shape: [cout], role: 'linear-bias', fanIn: cin, fanOut: cout });
    this.flops += cin * cout + cout;
  }

  /** A per-position linear layer (a dense head) over `pixels` positions. */
  pixelLinear(name: string, cin: number, cout: number, pixels: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [cin, cout], role: 'linear-weight', fanIn: cin, fanOut: cout });
    this.parameters.push({ name: `${name}.bias`, shape: [cout], role: 'linear-bias', fanIn: cin, fanOut: cout });
    this.flops += pixels * (cin * cout + cout);
    this.memory += 2 * pixels * cout;
  }

  /** ReLU-conv-BN (`ReLUConvBN`: module path `<name>.op.{0,1,2}`); `live`: computed in the forward pass. */
  reluConvBn(name: string, cin: number, cout: number, k: number, outPixels: number, live = true): void {
    this.conv(`${name}.op.1`, cin, cout, k, outPixels);
    this.batchNorm(`${name}.op.2`, cout);
    if (live) this.memory += MEMORY_UNITS.reluConvBn * outPixels * cout;
  }
}

/** Which cell nodes reach the output through a non-`none` path (node 3 always). */
export function liveNodes(ops: readonly number[]): boolean[] {
  const live = [true, false, false, true];
  for (let j = 2; j >= 1; j--) {
    live[j] = NB201_CELL_EDGES.some(([to, from], e) => from === j && ops[e] !== 0 && live[to]!);
  }
  return live;
}

/** Which edges of a cell that maps C_in → C_out channels take C_in (those from node 0). */
const FROM_INPUT = NB201_CELL_EDGES.map(([, from]) => from === 0);

/** Plans edge `e` of a cell with `cin` → `c` channels (cin ≠ c only in the dense network's channel-changing cells). */
function planEdge(p: PlanAccumulator, name: string, op: number, e: number, cin: number, c: number, pixels: number, live: boolean): void {
  const opName = NB201_CELL_OPS[op]!;
  const edgeLive = live && op !== 0;
  const inC = FROM_INPUT[e] ? cin : c;
  if (opName === 'nor_conv_1x1' || opName === 'nor_conv_3x3') {
    p.reluConvBn(`${name}.layers.${e}`, inC, c, opName === 'nor_conv_1x1' ? 1 : 3, pixels, edgeLive);
  } else if (opName === 'skip_connect' && inC !== c) {
    // FactorizedReduce at stride 1: conv1×1 + BN, no ReLU.
    p.conv(`${name}.layers.${e}.conv`, inC, c, 1, pixels);
    p.batchNorm(`${name}.layers.${e}.bn`, c);
    if (edgeLive) p.memory += MEMORY_UNITS.reluConvBn * pixels * c;
  } else if (opName === 'avg_pool_3x3' && inC !== c) {
    p.reluConvBn(`${name}.layers.${e}.preprocess`, inC, c, 1, pixels, edgeLive);
    if (edgeLive) p.memory += MEMORY_UNITS.pool * pixels * c;
  } else if (edgeLive) {
    p.memory += (opName === 'avg_pool_3x3' ? MEMORY_UNITS.pool : MEMORY_UNITS.skip) * pixels * c;
  }
}

/** Parameters, FLOPs and memory estimate of an NB201 network, without tensors. */
export function planNb201(arch: Architecture, options: NetworkOptions): NetworkPlan {
  const ops = nb201CellOps(arch);
  const live = liveNodes(ops);
  const { channels: C, cellsPerStage: N } = macroOf(options, arch);
  const io = ioOf(options, arch);
  const p = new PlanAccumulator(io.dims);
  let pixels = io.height * io.width;
  p.conv('stem.0', io.channels, C, 3, pixels);
  p.batchNorm('stem.1', C);
  p.memory += MEMORY_UNITS.stem * pixels * C;
  let index = 0;
  let cPrev = C;
  for (let stage = 0; stage < 3; stage++) {
    const c = C << stage;
    if (stage > 0 && !io.dense) {
      const outPixels = io.dims === 1 ? pixels / 2 : pixels / 4;
      const name = `cells.${index++}`;
      p.reluConvBn(`${name}.conv_a`, cPrev, c, 3, outPixels);
      p.reluConvBn(`${name}.conv_b`, c, c, 3, outPixels);
      p.conv(`${name}.downsample.1`, cPrev, c, 1, outPixels); // after AvgPool(2)
      p.memory += MEMORY_UNITS.shortcut * outPixels * c;
      pixels = outPixels;
    } else if (stage > 0) {
      // The dense network: a cell that changes the channel count in place of the reduction block.
      const name = `cells.${index++}`;
      ops.forEach((op, e) => planEdge(p, name, op, e, cPrev, c, pixels, live[NB201_CELL_EDGES[e]![0]]!));
      p.memory += MEMORY_UNITS.node * pixels * c * live.filter((l, j) => l && j > 0).length;
    }
    for (let k = 0; k < N; k++) {
      const name = `cells.${index++}`;
      ops.forEach((op, e) => planEdge(p, name, op, e, c, c, pixels, live[NB201_CELL_EDGES[e]![0]]!));
      p.memory += MEMORY_UNITS.node * pixels * c * live.filter((l, j) => l && j > 0).length;
    }
    cPrev = c;
  }
  p.batchNorm('lastact.0', cPrev);
  p.memory += MEMORY_UNITS.lastact * pixels * cPrev;
  if (io.dense) p.pixelLinear('classifier', cPrev, io.outChannels, pixels);
  else p.linear('classifier', cPrev, io.outChannels);
  return {
    space: NB201_SPACE,
    archKey: arch.key,
    inputShape: [...options.inputShape],
    numClasses: io.outChannels,
    outputShape: io.outputShape,
    parameters: p.parameters,
    buffers: p.buffers,
    paramCount: p.parameters.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    flops: p.flops,
    trainingBytesPerSample: 4 * p.memory,
  };
}

/** `ReLUConvBN`: ReLU, bias-free conv with PyTorch padding (k−1)/2, BN. */
export function reluConvBn<T>(L: NetworkOps<T>, name: string, x: T, k: number, stride: number): T {
  return L.convBatchNorm(`${name}.op.1`, `${name}.op.2`, L.relu(`${name}.op.0`, x), stride, k === 1 ? 'valid' : (k - 1) / 2);
}

/** NB201's `ResNetBasicblock` with stride 2 between stages (`dims` 1: over a sequence). */
export function reductionBlock<T>(L: NetworkOps<T>, name: string, x: T, dims: 1 | 2 = 2): T {
  const a = reluConvBn(L, `${name}.conv_a`, x, 3, 2);
  const b = reluConvBn(L, `${name}.conv_b`, a, 3, 1);
  const pool: Window = dims === 1 ? [1, 2] : 2;
  const residual = L.conv(`${name}.downsample.1`, L.avgPool(`${name}.downsample.0`, x, pool, pool, 'valid'), 1, 'valid');
  return L.sum(`${name}.add`, [residual, b], x);
}

/** How a cell is built beyond its ops: over a sequence (`dims` 1), and with C_in ≠ C_out (`changeTo`, the dense network's channel-changing cells). */
export interface CellShape {
  readonly dims?: 1 | 2;
  /** Output channels of a cell whose input has another count (edges from node 0 map to it). */
  readonly changeTo?: number;
}

/**
 * `InferCell`: node j = Σ op_e(node i) over edges (j←i); returns node 3. `edgeName` names the
 * module of edge e's op (the network's `<cell>.layers.<e>`; a supernet's per-op names).
 */
export function cell<T>(
  L: NetworkOps<T>,
  name: string,
  x: T,
  ops: readonly number[],
  live: readonly boolean[],
  edgeName: (e: number, op: number) => string = (e) => `${name}.layers.${e}`,
  shape: CellShape = {},
): T {
  const pool: Window = shape.dims === 1 ? [1, 3] : 3;
  const nodes: (T | undefined)[] = [x];
  for (let j = 1; j <= 3; j++) {
    if (!live[j]) {
      nodes.push(undefined);
      continue;
    }
    const terms: T[] = [];
    NB201_CELL_EDGES.forEach(([to, from], e) => {
      if (to !== j || ops[e] === 0) return;
      const src = nodes[from]!; // live: every non-none edge into a live node comes from a live node
      const path = edgeName(e, ops[e]!);
      const change = shape.changeTo !== undefined && from === 0;
      switch (NB201_CELL_OPS[ops[e]!]) {
        case 'skip_connect':
          // C_in ≠ C_out: xautodl's FactorizedReduce at stride 1, conv1×1 + BN (no ReLU).
          terms.push(change ? L.convBatchNorm(`${path}.conv`, `${path}.bn`, src, 1, 'valid') : src);
          break;
        case 'nor_conv_1x1':
          terms.push(reluConvBn(L, path, src, 1, 1));
          break;
        case 'nor_conv_3x3':
          terms.push(reluConvBn(L, path, src, 3, 1));
          break;
        case 'avg_pool_3x3':
          terms.push(L.avgPool(path, change ? reluConvBn(L, `${path}.preprocess`, src, 1, 1) : src, pool, 1, 'same'));
          break;
      }
    });
    // No incoming op but `none`: the node is zero (PyTorch's `Zero` op, x·0).
    nodes.push(L.sum(`${name}.node${j}`, terms, x, shape.changeTo));
  }
  return nodes[3]!;
}

/** The NB201 forward pass of a cell (validated op indices) as a {@link NetworkGraph}. */
function nb201Graph(arch: Architecture, options: NetworkOptions): NetworkGraph {
  const ops = nb201CellOps(arch);
  const live = liveNodes(ops);
  const { channels: C, cellsPerStage: N } = macroOf(options, arch);
  const { dims, dense } = ioOf(options, arch);
  return <T>(x: T, L: NetworkOps<T>): T => {
    let h = L.convBatchNorm('stem.0', 'stem.1', x, 1, 1);
    let index = 0;
    for (let stage = 0; stage < 3; stage++) {
      if (stage > 0) {
        const name = `cells.${index++}`;
        const block = dense ? cell(L, name, h, ops, live, undefined, { dims, changeTo: C << stage }) : reductionBlock(L, name, h, dims);
        h = L.tap(name, block, 'cell-out');
      }
      for (let k = 0; k < N; k++) {
        const name = `cells.${index++}`;
        h = L.tap(name, cell(L, name, h, ops, live, undefined, { dims }), 'cell-out');
      }
    }
    if (dense) {
      const out = L.pixelLinear('classifier', L.relu('lastact.1', L.batchNorm('lastact.0', h)));
      L.tap('classifier', out, 'logits');
      return out;
    }
    const features = L.globalAvgPool('global_pooling', L.relu('lastact.1', L.batchNorm('lastact.0', h)));
    L.tap('global_pooling', features, 'features');
    const logits = L.linear('classifier', features);
    L.tap('classifier', logits, 'logits');
    return logits;
  };
}

/** The NB201 {@link NetworkBuilder}. */
export const nb201NetworkBuilder: NetworkBuilder = {
  space: NB201_SPACE,
  description:
    "NAS-Bench-201 TinyNetwork: stem, 3×N cells (C, 2C, 4C) with residual reduction blocks, GAP, linear (Dong & Yang, ICLR 2020); 1-D for sequences, NAS-Bench-360's dense variant for dense outputs",
  plan: planNb201,
  build(arch: Architecture, options: NetworkOptions): Network {
    return createGraphNetwork(arch, planNb201(arch, options), options, nb201Graph(arch, options));
  },
  graph: nb201Graph,
};
