/**
 * Auto-DeepLab's continuous relaxation (Liu et al., CVPR 2019, Sec. 3–4): one supernet holding
 * the whole trellis of L layers × 4 levels, where
 *
 * - every cell is a DARTS cell whose edges mix the 8 operations by `softmax(α)` (α shared by all
 *   cells, one row per edge: block j's inputs 0..j+1), and
 * - the node at layer l, level t sums the cells fed by the nodes of layer l−1 at levels t−1, t and
 *   t+1, each weighted by the transition weight β of that step (eq. 6 of the paper):
 *   `ᵗH^l = Σ_s β^l_{s→t} Cell(ˢH^{l−1} resized to t, ᵗH^{l−2}; α)`,
 *   with β normalised over the steps leaving each node, `β_{s→s−1} + β_{s→s} + β_{s→s+1} = 1`
 *   (steps off the trellis excluded), so the path is a Markov chain that Viterbi decodes.
 *
 * Each of those cells has its own weights (the reference implementation's three cells per node).
 * The second input of a cell at (l, t) is the node (l−2, t), or where layer l−2 does not reach
 * level t, its highest level resized; the stem's output stands for layers −1 and −2. At the end an
 * ASPP head on every level of the last layer, the outputs up-sampled to the input and summed.
 *
 * Architecture parameters travel as one row `[1, E·8 + L·4·3]`: α (E edges × 8 operations, row
 * major) then β (layer, source level, step −1/0/+1). One tensor lets DARTS's bilevel gradient
 * (`unrolledArchGradient`) treat both at once.
 *
 * Decoding (the paper's rules): in each block the two incoming edges whose strongest non-`none`
 * operation weighs most, each with that operation; the path by Viterbi over β.
 */
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { assertTensorBackend, TENSOR_PACKAGE } from '../backend/backend';
import { bufferValues, initialValues, INIT_SCHEMES } from '../init/initializers';
import type { InitScheme, NetworkOptions } from '../network/network';
import { Layers } from '../nn/layers';
import { unrolledArchGradient, type ArchGradient } from '../darts/darts';
import { lossSum, type TrainLoss } from '../train/losses';
import type { HostSgdOptimizer } from '../train/host-sgd';
import {
  ADL_OPS,
  ADL_RATES,
  AdlPlan,
  adlGeometry,
  adlMacroOf,
  asppDilation,
  asppForward,
  blockChannels,
  applyOp,
  cellForward,
  denseOutput,
  planCell,
  stem,
  type AdlGenotype,
  type AdlGeometry,
  type AdlMacro,
} from './autodeeplab.network';

/** Options of an Auto-DeepLab supernet. */
export interface AdlSupernetOptions extends Pick<NetworkOptions, 'inputShape' | 'outputShape' | 'numClasses' | 'macro'> {
  /** Blocks per cell (the paper: 5). */
  readonly blocks: number;
  /** Layers of the trellis (the paper: 12). */
  readonly layers: number;
  readonly seed?: number;
  readonly init?: InitScheme;
}

/** Levels; steps of the trellis: to the level below (coarser source), the same, above. */
const LEVELS = ADL_RATES.length;
const STEPS = 3;
const OPS = ADL_OPS.length;

/** Highest level a layer reaches (layer −1 and −2: the stem, level 0). */
export const maxLevel = (layer: number): number => (layer < 0 ? 0 : Math.min(layer + 1, LEVELS - 1));

/** The α rows: `[block, input]` of each edge, block by block. */
export function adlEdges(blocks: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < blocks; j++) for (let i = 0; i < j + 2; i++) out.push([j, i]);
  return out;
}

/** Length of the architecture row of a supernet with `blocks` and `layers`. */
export const adlArchSize = (blocks: number, layers: number): number => adlEdges(blocks).length * OPS + layers * LEVELS * STEPS;

/** Whether step `d` (0: to s−1, 1: stay, 2: to s+1) leaves node (l−1, s) for a node of layer l. */
export function stepValid(layer: number, source: number, d: number): boolean {
  const t = source + d - 1;
  return source <= maxLevel(layer - 1) && t >= 0 && t < LEVELS;
}

/** 1 where a β entry is a step of the trellis, 0 elsewhere: `[L, 4, 3]`. */
function betaMask(layers: number): Float32Array {
  const m = new Float32Array(layers * LEVELS * STEPS);
  for (let l = 0; l < layers; l++) for (let s = 0; s < LEVELS; s++) for (let d = 0; d < STEPS; d++) if (stepValid(l, s, d)) m[(l * LEVELS + s) * STEPS + d] = 1;
  return m;
}

/** The mixing weights of an architecture row: α's softmax per edge `[E, 8]`, β's per node over its valid steps `[L, 4, 3]` (0 off the trellis). */
export function adlArchWeights(arch: tf.Tensor, blocks: number, layers: number): { alpha: tf.Tensor2D; beta: tf.Tensor3D } {
  return tf.tidy(() => {
    const e = adlEdges(blocks).length;
    const flat = tf.reshape(arch, [-1]);
    const alpha = tf.softmax(tf.reshape(tf.slice(flat, [0], [e * OPS]), [e, OPS]), -1) as tf.Tensor2D;
    const raw = tf.reshape(tf.slice(flat, [e * OPS], [layers * LEVELS * STEPS]), [layers, LEVELS, STEPS]);
    const mask = tf.tensor3d(betaMask(layers), [layers, LEVELS, STEPS]);
    // Off-trellis entries get −1e9 before the softmax (weight 0); a source with no step at all (a level layer l−1 does not reach) is zeroed.
    const beta = tf.mul(tf.softmax(tf.add(raw, tf.mul(tf.sub(mask, 1), 1e9)), -1), mask) as tf.Tensor3D;
    return { alpha, beta };
  });
}

/** A cell decoded from α values (`[E, 8]` raw or softmaxed, row major): per block the two strongest edges, each with its strongest non-`none` operation. */
export function decodeAdlCell(alpha: ArrayLike<number>, blocks: number): AdlGenotype['cell'] {
  const edges = adlEdges(blocks);
  const soft = new Float32Array(alpha.length);
  for (let r = 0; r < edges.length; r++) {
    let max = -Infinity;
    for (let o = 0; o < OPS; o++) max = Math.max(max, alpha[r * OPS + o]!);
    let sum = 0;
    for (let o = 0; o < OPS; o++) sum += soft[r * OPS + o] = Math.exp(alpha[r * OPS + o]! - max);
    for (let o = 0; o < OPS; o++) soft[r * OPS + o]! /= sum;
  }
  const cell: [number, number, number, number][] = [];
  for (let j = 0; j < blocks; j++) {
    const cands = edges
      .map(([b, i], r) => ({ b, i, r }))
      .filter((c) => c.b === j)
      .map(({ i, r }) => {
        let op = 1;
        for (let o = 2; o < OPS; o++) if (soft[r * OPS + o]! > soft[r * OPS + op]!) op = o;
        return { input: i, op, strength: soft[r * OPS + op]! };
      })
      .sort((a, b) => b.strength - a.strength || a.input - b.input);
    const [a, b] = [cands[0]!, cands[1]!];
    cell.push(a.input < b.input ? [a.input, a.op, b.input, b.op] : [b.input, b.op, a.input, a.op]);
  }
  return cell;
}

/**
 * The path of largest `Π β` through the trellis (Viterbi), from the stem at level 0 to any level of
 * the last layer; `beta` holds the normalised weights `[L, 4, 3]` (off-trellis entries ignored).
 */
export function viterbiPath(beta: ArrayLike<number>, layers: number): number[] {
  let score = [0, -Infinity, -Infinity, -Infinity];
  const back: number[][] = [];
  for (let l = 0; l < layers; l++) {
    const next = [-Infinity, -Infinity, -Infinity, -Infinity];
    const from = [-1, -1, -1, -1];
    for (let s = 0; s < LEVELS; s++) {
      if (score[s] === -Infinity) continue;
      for (let d = 0; d < STEPS; d++) {
        if (!stepValid(l, s, d)) continue;
        const t = s + d - 1;
        const v = score[s]! + Math.log(Math.max(beta[(l * LEVELS + s) * STEPS + d]!, 1e-30));
        if (v > next[t]!) {
          next[t] = v;
          from[t] = s;
        }
      }
    }
    back.push(from);
    score = next;
  }
  let t = score.indexOf(Math.max(...score));
  const path = new Array<number>(layers);
  for (let l = layers - 1; l >= 0; l--) {
    path[l] = t;
    t = back[l]![t]!;
  }
  return path;
}

/** The genotype the supernet's architecture row decodes to. */
export function decodeAdl(arch: tf.Tensor, blocks: number, layers: number): AdlGenotype {
  const v = arch.dataSync();
  const e = adlEdges(blocks).length;
  const w = adlArchWeights(arch, blocks, layers);
  const beta = w.beta.dataSync();
  tf.dispose([w.alpha, w.beta]);
  return { cell: decodeAdlCell(v.subarray(0, e * OPS), blocks), path: viterbiPath(beta, layers) };
}

/** A batch as tensors: NCHW inputs and the loss's targets (per-pixel class ids `[N, H·W]`, or values `[N, D]`). */
export interface AdlBatch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor;
}

/** Options of one supernet pass. */
export interface AdlForwardOptions {
  readonly training: boolean;
  /** Weight of the batch statistics in the running-statistics update (0 keeps them; default 0.1). */
  readonly bnMomentum?: number;
}

/** The Auto-DeepLab supernet (see the file header). */
export interface AdlSupernet {
  readonly options: AdlSupernetOptions;
  readonly geometry: AdlGeometry;
  readonly macro: AdlMacro;
  /** α rows: `[block, input]`. */
  readonly edges: readonly (readonly [number, number])[];
  /** Length of the architecture row. */
  readonly archSize: number;
  /** Trainable weights by layer name (`cells.3.1.0.pre0.conv.weight`: the network's names, per trellis cell). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  /** Batch-norm running statistics by name (kept only by passes with a non-zero `bnMomentum`). */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  readonly paramCount: number;

  /** Outputs `[N, K·H·W]` (channel first) of an NCHW batch under the architecture row `arch` (raw α and β). Differentiable in the weights and `arch`. */
  forward(x: tf.Tensor4D, arch: tf.Tensor, options: AdlForwardOptions): tf.Tensor2D;
  dispose(): void;
  readonly disposed: boolean;
}

let instances = 0;

/** Builds an Auto-DeepLab supernet. Needs an initialised backend. */
export function buildAdlSupernet(options: AdlSupernetOptions): AdlSupernet {
  assertTensorBackend('building the Auto-DeepLab supernet');
  const where = 'cannot build the autodeeplab supernet';
  const { blocks: B, layers: L } = options;
  for (const [name, v] of [
    ['blocks', B],
    ['layers', L],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new NasxError('usage', `${where}: ${name} must be a positive integer, got ${v}`, {
        pkg: TENSOR_PACKAGE,
        fix: `pass ${name} ≥ 1 (the paper: blocks 5, layers 12)`,
      });
    }
  }
  const seed = options.seed ?? 0;
  const scheme = options.init ?? 'pytorch';
  if (!INIT_SCHEMES.includes(scheme)) {
    throw new NasxError('usage', `unknown weight initialisation "${String(scheme)}"`, { pkg: TENSOR_PACKAGE, fix: `use one of ${INIT_SCHEMES.join(', ')}` });
  }
  const geometry = adlGeometry(options, where);
  const macro = adlMacroOf(options.macro, where);
  const edges = adlEdges(B);
  const allOps = (j: number) => edges.filter(([b]) => b === j).flatMap(([, i]) => ADL_OPS.map((_, o) => [i, o] as [number, number]).slice(1));
  const cellOut = (level: number) => B * blockChannels(macro, level);
  const chOf = (layer: number, level: number) => (layer < 0 ? macro.stemChannels : cellOut(level));
  const ppLevel = (layer: number, t: number) => Math.min(t, maxLevel(layer - 2));

  const p = new AdlPlan();
  p.stem(geometry.channels, macro.stemChannels, geometry);
  for (let l = 0; l < L; l++) {
    for (let t = 0; t <= maxLevel(l); t++) {
      for (let s = Math.max(0, t - 1); s <= Math.min(maxLevel(l - 1), t + 1); s++) {
        planCell(p, `cells.${l}.${t}.${s}`, B, macro, t, chOf(l - 2, ppLevel(l, t)), chOf(l - 1, s), geometry, allOps);
      }
    }
  }
  for (let t = 0; t <= maxLevel(L - 1); t++) p.aspp(`aspp.${t}`, cellOut(t), macro.asppChannels, geometry.outChannels, t, geometry);

  const prefix = `nasx/autodeeplab-supernet/${++instances}/`;
  const parameters = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  tf.tidy(() => {
    for (const spec of p.parameters)
      parameters.set(spec.name, tf.variable(tf.tensor(initialValues(spec, seed, scheme), spec.shape as number[]), true, prefix + spec.name));
    for (const b of p.buffers) buffers.set(b.name, tf.variable(tf.tensor(bufferValues(b), b.shape as number[]), false, prefix + b.name));
  });
  let paramCount = 0;
  for (const v of parameters.values()) paramCount += v.size;
  const archSize = adlArchSize(B, L);
  let disposed = false;

  return {
    options,
    geometry,
    macro,
    edges,
    archSize,
    parameters,
    buffers,
    paramCount,
    get disposed() {
      return disposed;
    },
    forward(x: tf.Tensor4D, arch: tf.Tensor, opts: AdlForwardOptions): tf.Tensor2D {
      if (disposed) throw new NasxError('usage', 'the Auto-DeepLab supernet was disposed', { pkg: TENSOR_PACKAGE, fix: 'build a new supernet' });
      const { channels, height, width } = geometry;
      if (x.rank !== 4 || x.shape[1] !== channels || x.shape[2] !== height || x.shape[3] !== width) {
        throw new NasxError('usage', `the Auto-DeepLab supernet expects NCHW input [N, ${channels}, ${height}, ${width}], got [${x.shape.join(', ')}]`, {
          pkg: TENSOR_PACKAGE,
          fix: 'pass batches in the task contract layout (batch, channels, height, width)',
        });
      }
      if (arch.size !== archSize) {
        throw new NasxError(
          'usage',
          `the Auto-DeepLab supernet takes an architecture row of ${archSize} values (α ${edges.length}×${OPS}, β ${L}×${LEVELS}×${STEPS}), got ${arch.size}`,
          {
            pkg: TENSOR_PACKAGE,
            fix: `build the row for blocks ${B} and layers ${L}`,
          },
        );
      }
      return tf.tidy(() => {
        const { alpha, beta } = adlArchWeights(arch, B, L);
        // Once per pass: α[e, o] and β[l, s, d] as scalars (a multiply each is cheaper than
        // stacking the operations' outputs, whose gradient tiles them).
        const a = tf.unstack(alpha).map((row) => tf.unstack(row));
        const b = tf.unstack(tf.reshape(beta, [-1]));
        const rowOf = new Map(edges.map(([j, i], r) => [`${j}.${i}`, r]));
        const inputs = (j: number) => Array.from({ length: j + 2 }, (_, i) => i);
        const mixedEdge =
          (name: string) =>
          (j: number, input: number, h: tf.Tensor4D, relu: tf.Tensor4D): tf.Tensor4D => {
            const w = a[rowOf.get(`${j}.${input}`)!]!;
            // `none` (operation 0) adds nothing.
            const terms = ADL_OPS.slice(1).map((op, k) => tf.mul(applyOp(layers, `${name}.blocks.${j}.${input}.${op}`, k + 1, h, relu), w[k + 1]!));
            return tf.addN(terms) as tf.Tensor4D;
          };
        const nhwc = tf.transpose(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), [0, 2, 3, 1]) as tf.Tensor4D;
        const layers = new Layers(parameters, buffers, opts.training, undefined, false, opts.bnMomentum);
        try {
          const s0 = stem(layers, nhwc);
          // nodes[l + 2][t]: layers −2 and −1 are the stem.
          const nodes: (tf.Tensor4D | undefined)[][] = [[s0], [s0]];
          for (let l = 0; l < L; l++) {
            const row: tf.Tensor4D[] = [];
            for (let t = 0; t <= maxLevel(l); t++) {
              const pp = nodes[l]![ppLevel(l, t)]!;
              const terms: tf.Tensor[] = [];
              for (let s = Math.max(0, t - 1); s <= Math.min(maxLevel(l - 1), t + 1); s++) {
                const name = `cells.${l}.${t}.${s}`;
                const y = cellForward(layers, name, pp, nodes[l + 1]![s]!, geometry.levels[t]!, B, inputs, mixedEdge(name));
                terms.push(tf.mul(y, b[(l * LEVELS + s) * STEPS + (t - s + 1)]!));
              }
              row.push((terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Tensor4D);
            }
            nodes.push(row);
          }
          const last = nodes[L + 1]!;
          const outs = last.map((h, t) => asppForward(layers, `aspp.${t}`, h!, asppDilation(macro.asppRate, t), [height, width]));
          return denseOutput((outs.length === 1 ? outs[0]! : tf.addN(outs)) as tf.Tensor4D);
        } finally {
          layers.release();
        }
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const v of parameters.values()) v.dispose();
      for (const v of buffers.values()) v.dispose();
    },
  };
}

/** Mean loss of the supernet on `batch` under `arch` (training-mode batch norm; running statistics kept with `bnMomentum` 0). */
export function adlLoss(supernet: AdlSupernet, arch: tf.Tensor, batch: AdlBatch, loss: TrainLoss, bnMomentum = 0): tf.Scalar {
  return tf.tidy(() => {
    const out = supernet.forward(batch.x, arch, { training: true, bnMomentum });
    return tf.div(lossSum(loss, out, batch.y, supernet.geometry.outChannels), batch.x.shape[0]) as tf.Scalar;
  });
}

/** Result of an {@link adlWeightStep}: Σ loss over the batch's samples. */
export interface AdlStepResult {
  readonly loss: number;
  readonly n: number;
}

/**
 * One SGD step of the supernet's weights on `batch` under the current architecture row (not
 * updated), the gradient clipped to a global norm of `clip`. Batch norm runs on batch statistics,
 * as throughout the search; `bnMomentum` (default 0) also updates the running statistics.
 */
export function adlWeightStep(
  supernet: AdlSupernet,
  arch: tf.Tensor,
  batch: AdlBatch,
  loss: TrainLoss,
  sgd: HostSgdOptimizer,
  lr: number,
  clip = 5,
  bnMomentum = 0,
): AdlStepResult {
  const names = [...supernet.parameters.keys()];
  const weights = names.map((n) => supernet.parameters.get(n)!);
  const byVariable = new Map(names.map((n) => [supernet.parameters.get(n)!.name, n]));
  const { value, grads } = tf.variableGrads(() => adlLoss(supernet, arch, batch, loss, bnMomentum), weights);
  try {
    sgd.step(new Map(Object.entries(grads).map(([v, g]) => [byVariable.get(v)!, g])), lr, clip);
    return { loss: value.dataSync()[0]! * batch.x.shape[0], n: batch.x.shape[0] };
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/**
 * The architecture gradient of the row `arch`, first order, or second order through one plain
 * virtual SGD step of size `xi` (eq. 6 of DARTS; Auto-DeepLab searches first order). The caller
 * disposes `grad`.
 */
export function adlArchGradient(
  supernet: AdlSupernet,
  arch: tf.Variable,
  train: AdlBatch,
  val: AdlBatch,
  loss: TrainLoss,
  options: { readonly order: 1 | 2; readonly xi: number },
): ArchGradient {
  const weights = [...supernet.parameters.values()];
  return unrolledArchGradient((a, batch: AdlBatch) => adlLoss(supernet, a, batch, loss, 0), weights, arch, train, val, {
    order: options.order,
    xi: options.xi,
  });
}
