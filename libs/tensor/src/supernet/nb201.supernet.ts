/**
 * The NAS-Bench-201 supernet as the weight-sharing papers on NB201 build it (xautodl's
 * `TinyNetworkSPOS`/`TinyNetworkSETN` with `NAS201SearchCell`, used by few-shot NAS and RLNAS):
 * the skeleton of {@link nb201NetworkBuilder} (stem, 3 stages of N cells, residual reduction
 * blocks, BN-ReLU, GAP, linear), where every edge of every cell holds all 5 operations with their
 * own weights, and a forward pass runs one path: the same op list in every cell, as an NB201
 * genotype. The cell operations' batch norms are not affine (`affine=False` in the reference
 * supernets); stem, reduction blocks and `lastact` keep NB201's affine batch norms.
 *
 * Parameter names extend the network's: edge `e` of cell `i` holds `cells.i.layers.e.2.op.1.weight`
 * (its 1×1 convolution) and `cells.i.layers.e.3.op.1.weight` (its 3×3), with running statistics
 * at `…op.2.running_mean`/`running_var`; the rest is named as in the NB201 network, so a path's
 * weights map one to one onto the stand-alone network's ({@link nb201PathWeights}).
 */
import { NasxError, type Architecture } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { assertTensorBackend, TENSOR_PACKAGE } from '../backend/backend';
import { bufferValues, initialValues, INIT_SCHEMES } from '../init/initializers';
import {
  NB201_CELL_EDGES,
  NB201_CELL_OPS,
  NB201_SPACE,
  PlanAccumulator,
  liveNodes,
  macroOf,
  nb201CellOps,
  cell as nb201Cell,
  reductionBlock,
  reluConvBn,
  shapeOf,
} from '../nb201/nb201.network';
import { eagerOps, Layers } from '../nn/layers';
import type { Supernet, SupernetBuilder, SupernetForwardOptions, SupernetOptions, SupernetPath } from './supernet';

const SUPERNET_ARCH: Architecture = { space: NB201_SPACE, key: 'supernet', genotype: null };

/** Op indices with weights (ReLU-conv-BN) and their kernel sizes. */
const CONV_OPS = new Map<number, number>([
  [2, 1],
  [3, 3],
]);
const POOL_OP = 4;
const NONE_OP = 0;

/** The four input-to-output paths through an NB201 cell, as node sequences (RLNAS's order). */
const CELL_PATHS: readonly (readonly number[])[] = [
  [0, 3],
  [0, 2, 3],
  [0, 1, 2, 3],
  [0, 1, 3],
];

function edgeIndex(to: number, from: number): number {
  return NB201_CELL_EDGES.findIndex(([t, f]) => t === to && f === from);
}

/** Cell indices of the skeleton: which are search cells, which reduction blocks, and the channels of each. */
function skeleton(cellsPerStage: number, channels: number): { index: number; reduction: boolean; channels: number }[] {
  const out: { index: number; reduction: boolean; channels: number }[] = [];
  let index = 0;
  for (let stage = 0; stage < 3; stage++) {
    const c = channels << stage;
    if (stage > 0) out.push({ index: index++, reduction: true, channels: c });
    for (let k = 0; k < cellsPerStage; k++) out.push({ index: index++, reduction: false, channels: c });
  }
  return out;
}

function pathError(path: SupernetPath): NasxError {
  return new NasxError('architecture', `[${path.join(', ')}] is not a path of the NB201 supernet`, {
    pkg: TENSOR_PACKAGE,
    contribution: NB201_SPACE,
    fix: `a path is 6 op indices in 0..4, one per edge 1←0, 2←0, 2←1, 3←0, 3←1, 3←2, into [${NB201_CELL_OPS.join(', ')}]`,
  });
}

function checkPath(path: SupernetPath): void {
  if (path.length !== 6 || !path.every((o) => Number.isInteger(o) && o >= 0 && o < NB201_CELL_OPS.length)) throw pathError(path);
}

/**
 * A search cell of the continuous relaxation (xautodl's DARTS `SearchCell` on NB201): node j is
 * `Σ_{i<j} Σ_o w[edge(j, i), o] · op_o(node_i)`, every operation computed with its own weights
 * (`none` contributes nothing).
 */
function mixedCell(L: ReturnType<typeof eagerOps>, name: string, x: tf.Tensor, weights: tf.Tensor2D): tf.Tensor {
  const nodes: tf.Tensor[] = [x];
  for (let j = 1; j <= 3; j++) {
    const terms: tf.Tensor[] = [];
    NB201_CELL_EDGES.forEach(([to, from], e) => {
      if (to !== j) return;
      const src = nodes[from]!;
      for (let op = 1; op < NB201_CELL_OPS.length; op++) {
        const path = `${name}.layers.${e}.${op}`;
        const out = op === 1 ? src : op === POOL_OP ? L.avgPool(path, src, 3, 1, 'same') : reluConvBn(L, path, src, CONV_OPS.get(op)!, 1);
        terms.push(tf.mul(tf.reshape(tf.slice(weights, [e, op], [1, 1]), []), out));
      }
    });
    nodes.push(tf.addN(terms));
  }
  return nodes[3]!;
}

let instances = 0;

function buildNb201Supernet(options: SupernetOptions): Supernet {
  assertTensorBackend('building the NB201 supernet');
  const seed = options.seed ?? 0;
  const scheme = options.init ?? 'pytorch';
  if (!Number.isFinite(seed))
    throw new NasxError('usage', `supernet seed must be a finite number, got ${seed}`, { pkg: TENSOR_PACKAGE, fix: 'pass an integer seed' });
  if (!INIT_SCHEMES.includes(scheme)) {
    throw new NasxError('usage', `unknown weight initialisation "${String(scheme)}"`, { pkg: TENSOR_PACKAGE, fix: `use one of ${INIT_SCHEMES.join(', ')}` });
  }
  const netOptions = { numClasses: options.numClasses, inputShape: options.inputShape, ...(options.macro ? { macro: options.macro } : {}) };
  const { channels: C, cellsPerStage: N } = macroOf(netOptions, SUPERNET_ARCH);
  const [cin, height, width] = shapeOf(netOptions, SUPERNET_ARCH);
  if (!Number.isInteger(options.numClasses) || options.numClasses < 1)
    throw new NasxError('usage', `numClasses must be a positive integer, got ${options.numClasses}`, {
      pkg: TENSOR_PACKAGE,
      fix: "pass the task's numClasses",
    });
  const cells = skeleton(N, C);

  // Parameters and buffers of every path.
  const p = new PlanAccumulator();
  let pixels = height * width;
  p.conv('stem.0', cin, C, 3, pixels);
  p.batchNorm('stem.1', C);
  let cPrev = C;
  /** Non-affine batch norms of the cell operations: running statistics only. */
  const plainNorms: { name: string; channels: number }[] = [];
  for (const cell of cells) {
    const name = `cells.${cell.index}`;
    if (cell.reduction) {
      pixels /= 4;
      p.reluConvBn(`${name}.conv_a`, cPrev, cell.channels, 3, pixels);
      p.reluConvBn(`${name}.conv_b`, cell.channels, cell.channels, 3, pixels);
      p.conv(`${name}.downsample.1`, cPrev, cell.channels, 1, pixels);
    } else {
      for (let e = 0; e < NB201_CELL_EDGES.length; e++) {
        for (const [op, k] of CONV_OPS) {
          const opName = `${name}.layers.${e}.${op}`;
          p.conv(`${opName}.op.1`, cell.channels, cell.channels, k, pixels);
          plainNorms.push({ name: `${opName}.op.2`, channels: cell.channels });
          p.buffers.push(
            { name: `${opName}.op.2.running_mean`, shape: [cell.channels], fill: 0 },
            { name: `${opName}.op.2.running_var`, shape: [cell.channels], fill: 1 },
          );
        }
      }
    }
    cPrev = cell.channels;
  }
  p.batchNorm('lastact.0', cPrev);
  p.linear('classifier', cPrev, options.numClasses);

  const prefix = `nasx/nb201-supernet/${++instances}/`;
  const parameters = new Map<string, tf.Variable>();
  const buffers = new Map<string, tf.Variable>();
  // The layers read every parameter by name; the non-affine norms get a constant γ = 1, β = 0.
  const readable = new Map<string, tf.Variable>();
  const constants = new Map<number, [tf.Variable, tf.Variable]>();
  tf.tidy(() => {
    for (const spec of p.parameters) {
      const v = tf.variable(tf.tensor(initialValues(spec, seed, scheme), spec.shape as number[]), true, prefix + spec.name);
      parameters.set(spec.name, v);
      readable.set(spec.name, v);
    }
    for (const b of p.buffers) buffers.set(b.name, tf.variable(tf.tensor(bufferValues(b), b.shape as number[]), false, prefix + b.name));
    for (const norm of plainNorms) {
      let pair = constants.get(norm.channels);
      if (!pair) {
        pair = [
          tf.variable(tf.ones([norm.channels]), false, `${prefix}ones${norm.channels}`),
          tf.variable(tf.zeros([norm.channels]), false, `${prefix}zeros${norm.channels}`),
        ];
        constants.set(norm.channels, pair);
      }
      readable.set(`${norm.name}.weight`, pair[0]);
      readable.set(`${norm.name}.bias`, pair[1]);
    }
  });
  let paramCount = 0;
  for (const v of parameters.values()) paramCount += v.size;

  const sharedParams = (prefixes: string[]): string[] => [...parameters.keys()].filter((n) => prefixes.some((s) => n.startsWith(s)));
  const fixedParamNames = [...parameters.keys()].filter((n) => !/^cells\.\d+\.layers\./.test(n));
  const fixedBufferNames = [...buffers.keys()].filter((n) => !/^cells\.\d+\.layers\./.test(n));

  /** `cells.i.layers.e.op.` prefixes of the ops with weights that `path` computes. */
  const livePrefixes = (path: SupernetPath): string[] => {
    const live = liveNodes(path);
    const out: string[] = [];
    for (const cell of cells) {
      if (cell.reduction) continue;
      path.forEach((op, e) => {
        if (CONV_OPS.has(op) && live[NB201_CELL_EDGES[e]![0]]) out.push(`cells.${cell.index}.layers.${e}.${op}.`);
      });
    }
    return out;
  };

  /** Stem, the cells (`searchCell` for the search cells), head: the logits of an NCHW batch. */
  const run = (
    x: tf.Tensor4D,
    opts: SupernetForwardOptions,
    searchCell: (L: ReturnType<typeof eagerOps>, name: string, h: tf.Tensor) => tf.Tensor,
  ): tf.Tensor2D => {
    if (disposed) throw new NasxError('usage', 'the NB201 supernet was disposed', { pkg: TENSOR_PACKAGE, fix: 'build a new supernet' });
    if (x.rank !== 4 || x.shape[1] !== cin || x.shape[2] !== height || x.shape[3] !== width) {
      throw new NasxError('usage', `the NB201 supernet expects NCHW input [N, ${cin}, ${height}, ${width}], got [${x.shape.join(', ')}]`, {
        pkg: TENSOR_PACKAGE,
        fix: 'pass batches in the task contract layout (batch, channels, height, width)',
      });
    }
    return tf.tidy(() => {
      const nhwc = tf.transpose(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), [0, 2, 3, 1]);
      const layers = new Layers(readable, buffers, opts.training, opts.tap, false, opts.bnMomentum);
      try {
        const L = eagerOps(layers);
        let h = L.convBatchNorm('stem.0', 'stem.1', nhwc, 1, 1);
        for (const c of cells) {
          const name = `cells.${c.index}`;
          // A search cell is NB201's cell with each edge's op read from that op's own weights.
          h = L.tap(name, c.reduction ? reductionBlock(L, name, h) : searchCell(L, name, h), 'cell-out');
        }
        const features = L.globalAvgPool('global_pooling', L.relu('lastact.1', L.batchNorm('lastact.0', h)));
        L.tap('global_pooling', features, 'features');
        const logits = L.linear('classifier', features);
        L.tap('classifier', logits, 'logits');
        return logits as tf.Tensor2D;
      } finally {
        layers.release();
      }
    });
  };

  let disposed = false;
  const supernet: Supernet = {
    space: NB201_SPACE,
    options,
    choices: NB201_CELL_EDGES.map(() => NB201_CELL_OPS.length),
    decisionNames: NB201_CELL_EDGES.map(([to, from]) => `edge ${to}←${from}`),
    choiceNames: NB201_CELL_EDGES.map(() => NB201_CELL_OPS),
    parameters,
    buffers,
    numClasses: options.numClasses,
    paramCount,
    get disposed() {
      return disposed;
    },
    pathOf(arch: Architecture): number[] {
      return nb201CellOps(arch);
    },
    forward(x: tf.Tensor4D, path: SupernetPath, opts: SupernetForwardOptions): tf.Tensor2D {
      checkPath(path);
      const live = liveNodes(path);
      return run(x, opts, (L, name, h) => nb201Cell(L, name, h, path, live, (e, op) => `${name}.layers.${e}.${op}`));
    },
    forwardMixed(x: tf.Tensor4D, weights: tf.Tensor2D, opts: SupernetForwardOptions): tf.Tensor2D {
      if (weights.rank !== 2 || weights.shape[0] !== NB201_CELL_EDGES.length || weights.shape[1] !== NB201_CELL_OPS.length) {
        throw new NasxError('usage', `the NB201 supernet's mixed forward takes weights [6, 5] (edges × operations), got [${weights.shape.join(', ')}]`, {
          pkg: TENSOR_PACKAGE,
          fix: 'pass the softmax of the architecture parameters, one row per cell edge in the order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2',
        });
      }
      return run(x, opts, (L, name, h) => mixedCell(L, name, h, weights));
    },
    pathParameters(path: SupernetPath): string[] {
      checkPath(path);
      return [...fixedParamNames, ...sharedParams(livePrefixes(path))];
    },
    pathBuffers(path: SupernetPath): string[] {
      checkPath(path);
      const prefixes = livePrefixes(path);
      return [...fixedBufferNames, ...[...buffers.keys()].filter((n) => prefixes.some((s) => n.startsWith(s)))];
    },
    angleVector(path: SupernetPath, weights: ReadonlyMap<string, ArrayLike<number>>): Float32Array | undefined {
      checkPath(path);
      const get = (name: string): ArrayLike<number> => {
        const w = weights.get(name);
        if (!w)
          throw new NasxError('usage', `the weights given for the angle lack "${name}"`, {
            pkg: TENSOR_PACKAGE,
            fix: 'pass all the supernet parameters by name (readWeights)',
          });
        return w;
      };
      // Paths through a cell that hold no `none` edge; a cell path through `none` is cut everywhere.
      const paths = CELL_PATHS.map((nodes) => nodes.slice(1).map((to, k) => edgeIndex(to, nodes[k]!))).filter((edges) =>
        edges.every((e) => path[e] !== NONE_OP),
      );
      if (paths.length === 0) return undefined;
      const parts: ArrayLike<number>[] = ['stem.0.weight', 'stem.1.weight', 'stem.1.bias'].map(get);
      for (const cell of cells) {
        if (!cell.reduction) continue;
        const n = `cells.${cell.index}`;
        for (const s of [
          'conv_a.op.1.weight',
          'conv_a.op.2.weight',
          'conv_a.op.2.bias',
          'conv_b.op.1.weight',
          'conv_b.op.2.weight',
          'conv_b.op.2.bias',
          'downsample.1.weight',
        ]) {
          parts.push(get(`${n}.${s}`));
        }
      }
      for (const edges of paths) {
        for (const cell of cells) {
          if (cell.reduction) continue;
          for (const e of edges) {
            const op = path[e]!;
            // Pooling: a fixed k×k kernel of 1/k² per output channel; skip: no weights.
            if (op === POOL_OP) parts.push(new Float32Array(cell.channels * 9).fill(1 / 9));
            else if (CONV_OPS.has(op)) parts.push(get(`cells.${cell.index}.layers.${e}.${op}.op.1.weight`));
          }
        }
      }
      for (const s of ['lastact.0.weight', 'lastact.0.bias', 'classifier.weight', 'classifier.bias']) parts.push(get(s));
      const out = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
      let o = 0;
      for (const a of parts) {
        out.set(a, o);
        o += a.length;
      }
      return out;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const v of parameters.values()) v.dispose();
      for (const v of buffers.values()) v.dispose();
      for (const [a, b] of constants.values()) tf.dispose([a, b]);
    },
  };
  return supernet;
}

/**
 * The weights of the stand-alone NB201 network of `path`, named as {@link nb201NetworkBuilder}
 * names them, inherited from the supernet's `weights`: each edge's chosen op's convolution and
 * running statistics, γ = 1 and β = 0 for its non-affine batch norm; the shared parts as they are.
 */
export function nb201PathWeights(path: SupernetPath, weights: ReadonlyMap<string, ArrayLike<number>>): Map<string, ArrayLike<number>> {
  checkPath(path);
  const out = new Map<string, ArrayLike<number>>();
  for (const [name, value] of weights) {
    const m = /^(cells\.\d+\.layers\.(\d+))\.(\d+)\.(op\.\d\..*)$/.exec(name);
    if (!m) {
      out.set(name, value);
      continue;
    }
    if (path[Number(m[2])] !== Number(m[3])) continue;
    out.set(`${m[1]}.${m[4]}`, value);
    if (m[4] === 'op.2.running_mean') {
      out.set(`${m[1]}.op.2.weight`, new Float32Array(value.length).fill(1));
      out.set(`${m[1]}.op.2.bias`, new Float32Array(value.length));
    }
  }
  return out;
}

/** The NB201 {@link SupernetBuilder}. */
export const nb201SupernetBuilder: SupernetBuilder = {
  space: NB201_SPACE,
  description: 'NAS-Bench-201 supernet: the TinyNetwork skeleton with all 5 operations on every cell edge, one path per pass (SPOS, few-shot NAS, RLNAS)',
  decisions: NB201_CELL_EDGES.map(([to, from]) => `edge ${to}←${from}`),
  build: buildNb201Supernet,
};
