/**
 * Auto-DeepLab's search space (Liu et al., "Auto-DeepLab: Hierarchical Neural Architecture Search
 * for Semantic Image Segmentation", CVPR 2019) and the network of one of its architectures.
 *
 * An architecture has two levels:
 * - **the cell**: B blocks; block j adds two operations, each applied to one of the cell's inputs
 *   (0: the output of the cell two layers back, 1: of the previous cell) or to an earlier block's
 *   output (2 + k: block k). The 8 candidate operations are the paper's: 3×3 and 5×5
 *   depthwise-separable convolutions, 3×3 and 5×5 atrous convolutions with rate 2, 3×3 average and
 *   max pooling, skip connection and no connection (`none`, only in the search's relaxation: a
 *   decoded cell has none). The cell's output concatenates its B blocks.
 * - **the network path**: after a stem that reaches a quarter of the input resolution, L cells,
 *   each at a down-sampling rate of 4, 8, 16 or 32 (level 0–3); the first cell is at level 0 or 1,
 *   and each next one moves at most one level (the paper's trellis).
 *
 * The network (`autodeeplabNetworkBuilder`): a 3-convolution stem (3×3 stride 2, 3×3, 3×3 stride
 * 2), the L cells, an ASPP head at the last cell's level (1×1 convolution, one 3×3 atrous
 * convolution, image pooling, as the paper's simplified search head), per-pixel logits, and a
 * bilinear up-sampling to the input's size. A cell at level s has F·2^s channels per block (F the
 * filter multiplier), so B·F·2^s at its output; its two inputs are resized to its resolution
 * (bilinear, as the reference implementation) and mapped to F·2^s channels by ReLU-conv1×1-BN.
 *
 * Atrous convolutions are written as ordinary convolutions with a zero-dilated filter (TensorFlow.js
 * has no gradient for dilations above 1); the numbers are those of a dilated convolution.
 */
import { NasxError, type Architecture, type Json } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { createFunctionalNetwork } from '../network/functional-network';
import type { BufferSpec, Network, NetworkBuilder, NetworkOptions, NetworkPlan, ParameterSpec } from '../network/network';
import type { Layers } from '../nn/layers';

/** Search-space id of Auto-DeepLab architectures. */
export const AUTODEEPLAB_SPACE = 'autodeeplab';

/** The candidate operations, in DARTS's `PRIMITIVES` order (`none` first: only in the relaxation). */
export const ADL_OPS = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'] as const;
export type AdlOp = (typeof ADL_OPS)[number];

/** Down-sampling rate of each level of the network path. */
export const ADL_RATES = [4, 8, 16, 32] as const;

/** Skeleton settings (`macro`) and their defaults: the paper searches with F = 8. */
export const ADL_MACRO_DEFAULTS = { filterMultiplier: 8, stemChannels: 32, asppChannels: 32, asppRate: 24 } as const;
export type AdlMacro = { -readonly [K in keyof typeof ADL_MACRO_DEFAULTS]: number };

/** One block of a cell: two `[input, op]` pairs (`op` indexes {@link ADL_OPS}, never 0 in a network). */
export type AdlBlock = readonly [number, number, number, number];

/** An Auto-DeepLab genotype. */
export interface AdlGenotype {
  /** Per block `[input a, op a, input b, op b]`. */
  readonly cell: readonly AdlBlock[];
  /** The level (0–3: rates 4, 8, 16, 32) of each of the L cells. */
  readonly path: readonly number[];
}

const FIX_GENOTYPE =
  'an autodeeplab genotype is { cell: [[inputA, opA, inputB, opB], …] (block j reads inputs 0..j+1, two different ones; ops 1..7 of ' +
  `${ADL_OPS.slice(1).join(', ')}), path: [levels 0..3, the first 0 or 1, steps of at most one] }`;

function genotypeError(where: string, problem: string): NasxError {
  return new NasxError('architecture', `autodeeplab architecture ${where}: ${problem}`, {
    pkg: TENSOR_PACKAGE,
    contribution: AUTODEEPLAB_SPACE,
    fix: FIX_GENOTYPE,
  });
}

/** The genotype of `g` checked, with each block's two pairs in canonical order (smaller input first). */
export function adlGenotypeOf(g: Json, where = JSON.stringify(g).slice(0, 80)): AdlGenotype {
  const o = g as { cell?: Json; path?: Json } | null;
  if (!o || typeof o !== 'object' || Array.isArray(o) || !Array.isArray(o.cell) || !Array.isArray(o.path)) {
    throw genotypeError(where, 'the genotype is not { cell, path }');
  }
  if (o.cell.length < 1) throw genotypeError(where, 'the cell has no blocks');
  if (o.path.length < 1) throw genotypeError(where, 'the path has no layers');
  const isInt = (v: Json, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  const cell = o.cell.map((b, j): AdlBlock => {
    if (!Array.isArray(b) || b.length !== 4) throw genotypeError(where, `block ${j} is ${JSON.stringify(b)}, not [inputA, opA, inputB, opB]`);
    const [ia, oa, ib, ob] = b;
    for (const [v, what] of [
      [ia, 'input a'],
      [ib, 'input b'],
    ] as const) {
      if (!isInt(v!, 0, j + 1)) throw genotypeError(where, `block ${j}, ${what}: ${JSON.stringify(v)} is not an input 0..${j + 1}`);
    }
    for (const [v, what] of [
      [oa, 'op a'],
      [ob, 'op b'],
    ] as const) {
      if (!isInt(v!, 1, ADL_OPS.length - 1))
        throw genotypeError(where, `block ${j}, ${what}: ${JSON.stringify(v)} is not an operation 1..${ADL_OPS.length - 1}`);
    }
    if (ia === ib) throw genotypeError(where, `block ${j} reads input ${String(ia)} twice`);
    return (ia as number) < (ib as number)
      ? [ia as number, oa as number, ib as number, ob as number]
      : [ib as number, ob as number, ia as number, oa as number];
  });
  const path = o.path.map((v, l) => {
    if (!isInt(v, 0, ADL_RATES.length - 1)) throw genotypeError(where, `path layer ${l}: ${JSON.stringify(v)} is not a level 0..3`);
    return v;
  });
  if (path[0]! > 1)
    throw genotypeError(
      where,
      `path starts at level ${path[0]} (rate ${ADL_RATES[path[0]!]}); the first cell follows the stem at rate 4, so it is at level 0 or 1`,
    );
  for (let l = 1; l < path.length; l++) {
    if (Math.abs(path[l]! - path[l - 1]!) > 1)
      throw genotypeError(where, `path moves from level ${path[l - 1]} to ${path[l]} at layer ${l}; a step changes the level by at most one`);
  }
  return { cell, path };
}

/** The canonical key of a genotype (blocks with their pairs ordered, then the path's rates). */
export function adlKey(g: AdlGenotype): string {
  const cell = g.cell.map((b) => `${ADL_OPS[b[1]]}~${b[0]}+${ADL_OPS[b[3]]}~${b[2]}`).join('|');
  return `adl:${cell}@${g.path.map((s) => ADL_RATES[s]).join('-')}`;
}

/** The genotype of an `autodeeplab` architecture; a `NasxError('architecture')` for another space's. */
export function adlGenotype(arch: Architecture): AdlGenotype {
  if (arch.space !== AUTODEEPLAB_SPACE) {
    throw new NasxError('architecture', `architecture ${arch.key} belongs to space "${arch.space}", not "${AUTODEEPLAB_SPACE}"`, {
      pkg: TENSOR_PACKAGE,
      contribution: AUTODEEPLAB_SPACE,
      fix: 'build autodeeplab networks from architectures of the autodeeplab space',
    });
  }
  return adlGenotypeOf(arch.genotype, arch.key);
}

/** A frozen, canonically keyed `autodeeplab` architecture. */
export function adlArchitecture(g: { readonly cell: readonly (readonly number[])[]; readonly path: readonly number[] }): Architecture {
  const checked = adlGenotypeOf({ cell: g.cell.map((b) => [...b]), path: [...g.path] });
  const genotype = Object.freeze({ cell: Object.freeze(checked.cell.map((b) => Object.freeze([...b]))), path: Object.freeze([...checked.path]) });
  return Object.freeze({ space: AUTODEEPLAB_SPACE, genotype: genotype as unknown as Json, key: adlKey(checked) });
}

/** The validated skeleton settings. */
export function adlMacroOf(macro: NetworkOptions['macro'], where: string): AdlMacro {
  const m = { ...ADL_MACRO_DEFAULTS, ...macro } as AdlMacro;
  for (const key of Object.keys(macro ?? {})) {
    if (!(key in ADL_MACRO_DEFAULTS)) {
      throw new NasxError('architecture', `${where}: unknown macro setting "${key}"`, {
        pkg: TENSOR_PACKAGE,
        contribution: AUTODEEPLAB_SPACE,
        fix: `the autodeeplab builder takes ${Object.entries(ADL_MACRO_DEFAULTS)
          .map(([k, v]) => `macro.${k} (default ${v})`)
          .join(', ')}`,
      });
    }
  }
  for (const [k, v] of Object.entries(m)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new NasxError('architecture', `${where}: macro.${k} must be a positive integer, got ${v}`, {
        pkg: TENSOR_PACKAGE,
        contribution: AUTODEEPLAB_SPACE,
        fix: `use a positive integer (default ${ADL_MACRO_DEFAULTS[k as keyof AdlMacro]})`,
      });
    }
  }
  return m;
}

/** Input and dense output geometry of an Auto-DeepLab network, and the size of each level. */
export interface AdlGeometry {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Output channels (classes of a segmentation, or regression targets per pixel). */
  readonly outChannels: number;
  /** `[height, width]` of levels 0–3 (rates 4, 8, 16, 32; each the ceiling of half the one before). */
  readonly levels: readonly (readonly [number, number])[];
  /** Resolution after the first, stride-2 stem convolution. */
  readonly half: readonly [number, number];
}

/** The checked geometry: images `[C, H, W]` with a dense output `[K, H, W]` of the same size. */
export function adlGeometry(options: Pick<NetworkOptions, 'inputShape' | 'outputShape' | 'numClasses'>, where: string): AdlGeometry {
  const s = options.inputShape;
  const o = options.outputShape;
  const fail = (problem: string, fix: string) =>
    new NasxError('architecture', `${where}: ${problem}`, { pkg: TENSOR_PACKAGE, contribution: AUTODEEPLAB_SPACE, fix });
  if (s.length !== 3 || !s.every((d) => Number.isInteger(d) && d > 0)) {
    throw fail(`input shape [${s.join(', ')}] is not an image [channels, height, width]`, 'Auto-DeepLab networks take images; use an image task');
  }
  if (!o || o.length !== 3 || o[1] !== s[1] || o[2] !== s[2] || !Number.isInteger(o[0]) || o[0]! < 1) {
    throw fail(
      `output shape ${o ? `[${o.join(', ')}]` : `[${options.numClasses}] (a point head)`} is not a dense map [K, ${s[1]}, ${s[2]}] at the input's size`,
      'Auto-DeepLab networks predict per pixel: use a dense-prediction task (camvid segmentation, darcy-flow regression)',
    );
  }
  const half = (d: number) => Math.ceil(d / 2);
  const h2: [number, number] = [half(s[1]!), half(s[2]!)];
  const levels: [number, number][] = [[half(h2[0]), half(h2[1])]];
  for (let k = 1; k < ADL_RATES.length; k++) levels.push([half(levels[k - 1]![0]), half(levels[k - 1]![1])]);
  return { channels: s[0]!, height: s[1]!, width: s[2]!, outChannels: o[0]!, levels, half: h2 };
}

/** Atrous rate of the ASPP head's 3×3 branch at `level`: `asppRate / rate`, at least 1 (the paper: 96 / rate at 321×321 crops). */
export function asppDilation(asppRate: number, level: number): number {
  return Math.max(1, Math.round(asppRate / ADL_RATES[level]!));
}

// ---------------------------------------------------------------------------------------------
// Planning: parameters, FLOPs, memory.

/** Collects parameter specs, buffers, FLOPs and a training-memory estimate (floats per sample). */
export class AdlPlan {
  readonly parameters: ParameterSpec[] = [];
  readonly buffers: BufferSpec[] = [];
  flops = 0;
  memory = 0;

  conv(name: string, cin: number, cout: number, k: number, pixels: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [k, k, cin, cout], role: 'conv-weight', fanIn: k * k * cin, fanOut: k * k * cout });
    this.flops += pixels * cin * cout * k * k;
    this.memory += 2 * pixels * cout;
  }

  depthwise(name: string, c: number, k: number, pixels: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [k, k, c, 1], role: 'conv-weight', fanIn: k * k, fanOut: k * k });
    this.flops += pixels * c * k * k;
    this.memory += 2 * pixels * c;
  }

  batchNorm(name: string, c: number, pixels: number): void {
    this.parameters.push({ name: `${name}.weight`, shape: [c], role: 'bn-weight', fanIn: 1, fanOut: 1 });
    this.parameters.push({ name: `${name}.bias`, shape: [c], role: 'bn-bias', fanIn: 1, fanOut: 1 });
    this.buffers.push({ name: `${name}.running_mean`, shape: [c], fill: 0 }, { name: `${name}.running_var`, shape: [c], fill: 1 });
    this.memory += 3 * pixels * c;
  }

  linear(name: string, cin: number, cout: number, pixels = 1): void {
    this.parameters.push({ name: `${name}.weight`, shape: [cin, cout], role: 'linear-weight', fanIn: cin, fanOut: cout });
    this.parameters.push({ name: `${name}.bias`, shape: [cout], role: 'linear-bias', fanIn: cin, fanOut: cout });
    this.flops += pixels * (cin * cout + cout);
    this.memory += 2 * pixels * cout;
  }

  /** ReLU-conv(k×k)-BN. */
  reluConvBn(name: string, cin: number, cout: number, k: number, pixels: number): void {
    this.memory += pixels * cin;
    this.conv(`${name}.conv`, cin, cout, k, pixels);
    this.batchNorm(`${name}.bn`, cout, pixels);
  }

  /** One candidate operation on C channels at `pixels` positions. */
  op(name: string, op: number, c: number, pixels: number): void {
    const o = ADL_OPS[op]!;
    if (o === 'sep_conv_3x3' || o === 'sep_conv_5x5') {
      const k = o === 'sep_conv_3x3' ? 3 : 5;
      this.separable(`${name}.0`, c, k, pixels);
      this.separable(`${name}.1`, c, k, pixels);
    } else if (o === 'dil_conv_3x3' || o === 'dil_conv_5x5') {
      this.separable(name, c, o === 'dil_conv_3x3' ? 3 : 5, pixels);
    } else if (o !== 'none') {
      this.memory += pixels * c;
    }
  }

  private separable(name: string, c: number, k: number, pixels: number): void {
    this.memory += pixels * c;
    this.depthwise(`${name}.dw`, c, k, pixels);
    this.conv(`${name}.pw`, c, c, 1, pixels);
    this.batchNorm(`${name}.bn`, c, pixels);
  }

  /** The 3-convolution stem to rate 4. */
  stem(cin: number, stem: number, g: AdlGeometry): void {
    const p2 = g.half[0] * g.half[1];
    const p4 = g.levels[0]![0] * g.levels[0]![1];
    this.conv('stem.0.conv', cin, stem, 3, p2);
    this.batchNorm('stem.0.bn', stem, p2);
    this.conv('stem.1.conv', stem, stem, 3, p2);
    this.batchNorm('stem.1.bn', stem, p2);
    this.conv('stem.2.conv', stem, stem, 3, p4);
    this.batchNorm('stem.2.bn', stem, p4);
  }

  /** The simplified ASPP head on `cin` channels at `level`, to `k` outputs per pixel, up-sampled to the input. */
  aspp(name: string, cin: number, a: number, k: number, level: number, g: AdlGeometry): void {
    const [h, w] = g.levels[level]!;
    const px = h * w;
    this.conv(`${name}.b0.conv`, cin, a, 1, px);
    this.batchNorm(`${name}.b0.bn`, a, px);
    this.conv(`${name}.b1.conv`, cin, a, 3, px);
    this.batchNorm(`${name}.b1.bn`, a, px);
    this.linear(`${name}.pool`, cin, a);
    this.conv(`${name}.proj.conv`, 3 * a, a, 1, px);
    this.batchNorm(`${name}.proj.bn`, a, px);
    this.linear(`${name}.cls`, a, k, px);
    this.memory += 2 * g.height * g.width * k;
  }

  /** The plan as a {@link NetworkPlan}. */
  toNetworkPlan(archKey: string, options: NetworkOptions, g: AdlGeometry): NetworkPlan {
    return {
      space: AUTODEEPLAB_SPACE,
      archKey,
      inputShape: [...options.inputShape],
      numClasses: g.outChannels,
      outputShape: [g.outChannels, g.height, g.width],
      parameters: this.parameters,
      buffers: this.buffers,
      paramCount: this.parameters.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
      flops: this.flops,
      trainingBytesPerSample: 4 * this.memory,
    };
  }
}

/** Channels per block at `level`. */
export const blockChannels = (macro: AdlMacro, level: number): number => macro.filterMultiplier << level;

/** Plans the cell `name` at `level` (inputs of `cpp` and `cp` channels); `ops(j, e)` lists the operations of edge e of block j. */
export function planCell(
  p: AdlPlan,
  name: string,
  blocks: number,
  macro: AdlMacro,
  level: number,
  cpp: number,
  cp: number,
  g: AdlGeometry,
  edges: (j: number) => readonly (readonly [number, number])[],
): void {
  const c = blockChannels(macro, level);
  const px = g.levels[level]![0] * g.levels[level]![1];
  p.reluConvBn(`${name}.pre0`, cpp, c, 1, px);
  p.reluConvBn(`${name}.pre1`, cp, c, 1, px);
  for (let j = 0; j < blocks; j++) {
    for (const [input, op] of edges(j)) p.op(`${name}.blocks.${j}.${input}.${ADL_OPS[op]}`, op, c, px);
    p.memory += px * c;
  }
}

// ---------------------------------------------------------------------------------------------
// Forward pieces (NHWC), shared by the network and the search supernet.

/** 0/1 matrices `[K·K, k·k]` that place a k×k filter's taps d apart, by `k,d`. */
const DILATIONS = new Map<string, Float32Array>();

/**
 * `w` (`[k, k, Cin, M]`) with `d − 1` zeros between its taps: the filter of a rate-`d` atrous
 * convolution, as one product with a constant 0/1 matrix (differentiable in `w`).
 */
export function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  if (d === 1) return w;
  const [k, , c, m] = w.shape;
  const K = (k - 1) * d + 1;
  const key = `${k},${d}`;
  let place = DILATIONS.get(key);
  if (!place) {
    place = new Float32Array(K * K * k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) place[(i * d * K + j * d) * k * k + i * k + j] = 1;
    DILATIONS.set(key, place);
  }
  return tf.reshape(tf.matMul(tf.tensor2d(place, [K * K, k * k]), tf.reshape(w, [k * k, c * m])), [K, K, c, m]);
}

/**
 * A stride-1 convolution (full or depthwise) of `<name>.weight` with atrous rate `d`, zero padding
 * keeping the size. At stride 1 with an odd filter, tfjs's `same` pads (K − 1)/2 on every side:
 * PyTorch's symmetric padding, without a separate pad (and its slice in the backward pass).
 */
function atrousConv(L: Layers, name: string, x: tf.Tensor4D, d: number, depthwise: boolean): tf.Tensor4D {
  const w = dilateFilter(L.param(`${name}.weight`) as tf.Tensor4D, d);
  return depthwise ? tf.depthwiseConv2d(x, w, 1, 'same') : tf.conv2d(x, w, 1, 'same');
}

/** Depthwise k×k (rate d), pointwise 1×1, BN of an activated input: half a separable convolution, or an atrous one. */
function separable(L: Layers, name: string, activated: tf.Tensor4D, d: number): tf.Tensor4D {
  const y = atrousConv(L, `${name}.dw`, activated, d, true);
  return L.batchNorm(`${name}.bn`, L.conv(`${name}.pw`, y, 1, 'valid'));
}

/**
 * Candidate operation `op` (an index of {@link ADL_OPS}) at stride 1 on `x`; `relu` is `relu(x)`
 * (the convolutions start with it; a cell computes it once per input). `none` is the caller's to skip.
 */
export function applyOp(L: Layers, name: string, op: number, x: tf.Tensor4D, relu: tf.Tensor4D): tf.Tensor4D {
  switch (ADL_OPS[op]) {
    case 'max_pool_3x3':
      return tf.maxPool(x, 3, 1, 'same');
    case 'avg_pool_3x3':
      return tf.avgPool(x, 3, 1, 'same');
    case 'skip_connect':
      return x;
    case 'sep_conv_3x3':
    case 'sep_conv_5x5':
      return separable(L, `${name}.1`, tf.relu(separable(L, `${name}.0`, relu, 1)), 1);
    case 'dil_conv_3x3':
    case 'dil_conv_5x5':
      return separable(L, name, relu, 2);
    default:
      throw new Error(`@nasx/tensor: autodeeplab operation ${op} has no forward (a builder bug)`);
  }
}

/** Bilinear resize to `[h, w]` (PyTorch's `align_corners=False`); the tensor itself when it has that size. */
export function resizeTo(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  return x.shape[1] === size[0] && x.shape[2] === size[1] ? x : tf.image.resizeBilinear(x, [size[0], size[1]], false, true);
}

/** ReLU-conv-BN with `<name>.conv` and `<name>.bn`. */
export function reluConvBn(L: Layers, name: string, x: tf.Tensor4D): tf.Tensor4D {
  return L.batchNorm(`${name}.bn`, L.conv(`${name}.conv`, tf.relu(x), 1, 'valid'));
}

/** The stem: conv 3×3 stride 2, conv 3×3, conv 3×3 stride 2, each with BN and ReLU. */
export function stem(L: Layers, x: tf.Tensor4D): tf.Tensor4D {
  let h = x;
  for (const [k, stride] of [
    [0, 2],
    [1, 1],
    [2, 2],
  ] as const) {
    h = tf.relu(L.batchNorm(`stem.${k}.bn`, L.conv(`stem.${k}.conv`, h, stride, 1)));
  }
  return h;
}

/**
 * A cell at `level`: its inputs resized to the level and preprocessed, then block by block the sum
 * of each block's edges, the blocks concatenated. `edge(j, input, x, relu)` is an edge's output
 * (one operation in a network, the weighted mixture in the relaxation).
 */
export function cellForward(
  L: Layers,
  name: string,
  prevPrev: tf.Tensor4D,
  prev: tf.Tensor4D,
  size: readonly [number, number],
  blocks: number,
  inputs: (j: number) => readonly number[],
  edge: (j: number, input: number, x: tf.Tensor4D, relu: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const nodes: tf.Tensor4D[] = [reluConvBn(L, `${name}.pre0`, resizeTo(prevPrev, size)), reluConvBn(L, `${name}.pre1`, resizeTo(prev, size))];
  const relus: tf.Tensor4D[] = [];
  const reluOf = (i: number) => (relus[i] ??= tf.relu(nodes[i]!));
  for (let j = 0; j < blocks; j++) {
    const terms = inputs(j).map((i) => edge(j, i, nodes[i]!, reluOf(i)));
    nodes.push((terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Tensor4D);
  }
  return tf.concat(nodes.slice(2), 3);
}

/** The edge of a network's cell: block j's operation on `input` (a genotype names two per block). */
export function discreteEdge(L: Layers, name: string, cell: readonly AdlBlock[]) {
  return (j: number, input: number, x: tf.Tensor4D, relu: tf.Tensor4D): tf.Tensor4D => {
    const b = cell[j]!;
    const op = b[0] === input ? b[1] : b[3];
    return applyOp(L, `${name}.blocks.${j}.${input}.${ADL_OPS[op]}`, op, x, relu);
  };
}

/** The simplified ASPP head at `level` → `[N, H, W, K]` outputs at the input size. */
export function asppForward(L: Layers, name: string, x: tf.Tensor4D, dilation: number, out: readonly [number, number]): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const b0 = tf.relu(L.batchNorm(`${name}.b0.bn`, L.conv(`${name}.b0.conv`, x, 1, 'valid')));
  const b1 = tf.relu(L.batchNorm(`${name}.b1.bn`, atrousConv(L, `${name}.b1.conv`, x, dilation, false)));
  const pooled = tf.relu(L.linear(`${name}.pool`, tf.mean(x, [1, 2]) as tf.Tensor2D));
  const a = pooled.shape[1];
  const b2 = tf.tile(tf.reshape(pooled, [n, 1, 1, a]), [1, h, w, 1]) as tf.Tensor4D;
  const proj = tf.relu(L.batchNorm(`${name}.proj.bn`, L.conv(`${name}.proj.conv`, tf.concat([b0, b1, b2], 3), 1, 'valid')));
  const weight = L.param(`${name}.cls.weight`) as tf.Tensor2D;
  const k = weight.shape[1];
  const logits = tf.reshape(tf.add(tf.matMul(tf.reshape(proj, [n * h * w, a]), weight), L.param(`${name}.cls.bias`)), [n, h, w, k]) as tf.Tensor4D;
  return resizeTo(logits, out);
}

/** NHWC outputs at the input size → the contract's `[N, K·H·W]`, channel first. */
export function denseOutput(y: tf.Tensor4D): tf.Tensor2D {
  return tf.reshape(tf.transpose(y, [0, 3, 1, 2]), [y.shape[0], -1]) as tf.Tensor2D;
}

// ---------------------------------------------------------------------------------------------
// The network of one architecture.

function planNetwork(arch: Architecture, options: NetworkOptions): { plan: NetworkPlan; g: AdlGenotype; geometry: AdlGeometry; macro: AdlMacro } {
  const g = adlGenotype(arch);
  const where = `cannot build autodeeplab network for ${arch.key}`;
  const geometry = adlGeometry(options, where);
  const macro = adlMacroOf(options.macro, where);
  const p = new AdlPlan();
  const B = g.cell.length;
  p.stem(geometry.channels, macro.stemChannels, geometry);
  const outChannels = (level: number) => B * blockChannels(macro, level);
  let [cpp, cp] = [macro.stemChannels, macro.stemChannels];
  g.path.forEach((level, l) => {
    planCell(p, `cells.${l}`, B, macro, level, cpp, cp, geometry, (j) => [
      [g.cell[j]![0], g.cell[j]![1]],
      [g.cell[j]![2], g.cell[j]![3]],
    ]);
    [cpp, cp] = [cp, outChannels(level)];
  });
  const last = g.path[g.path.length - 1]!;
  p.aspp('aspp', cp, macro.asppChannels, geometry.outChannels, last, geometry);
  return { plan: p.toNetworkPlan(arch.key, options, geometry), g, geometry, macro };
}

/** Networks of the `autodeeplab` space (see the file header). */
export const autodeeplabNetworkBuilder: NetworkBuilder = {
  space: AUTODEEPLAB_SPACE,
  description:
    'Auto-DeepLab (Liu et al., CVPR 2019): a 3-convolution stem to rate 4, the searched cell along the searched path of rates 4–32, a simplified ASPP head, per-pixel outputs up-sampled to the input',
  plan: (arch, options) => planNetwork(arch, options).plan,
  build(arch: Architecture, options: NetworkOptions): Network {
    const { plan, g, geometry, macro } = planNetwork(arch, options);
    const B = g.cell.length;
    const last = g.path[g.path.length - 1]!;
    return createFunctionalNetwork(arch, plan, options, (x, L) => {
      const s = stem(L, x);
      let [pp, p] = [s, s];
      g.path.forEach((level, l) => {
        const y = cellForward(L, `cells.${l}`, pp, p, geometry.levels[level]!, B, (j) => [g.cell[j]![0], g.cell[j]![2]], discreteEdge(L, `cells.${l}`, g.cell));
        [pp, p] = [p, y];
      });
      return denseOutput(asppForward(L, 'aspp', p, asppDilation(macro.asppRate, last), [geometry.height, geometry.width]));
    });
  },
};
