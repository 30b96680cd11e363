/**
 * GHN-2, the graph hypernetwork of Knyazev et al., "Parameter Prediction for Unseen Deep
 * Architectures" (NeurIPS 2021), as its reference code builds it (facebookresearch/ppuda,
 * `ppuda/ghn/nn.py`, `gatedgnn.py`, `decoder.py`, `layers.py`), in TensorFlow.js:
 *
 * 1. **Node embeddings** (Sec. 3): an embedding of the node's operation plus a shape encoding, the
 *    embeddings of the parameter tensor's out/in channels and kernel height/width (`ShapeEncoder`:
 *    each a quarter of the hidden size; channel and kernel sizes binned as the reference does).
 * 2. **Gated graph network** (GHN-1, Zhang et al. ICLR 2019, eq. 3): nodes are updated in
 *    topological order by a GRU cell whose input is the sum of MLP-transformed states of their
 *    predecessors, then once more in reverse order from their successors (T = 1 forward+backward
 *    traversal, one GRU for both). With **virtual edges** (GHN-2 eq. 4) a node also receives
 *    MLP_sp(h_i)/s from every node i at shortest-path distance s ≤ s_max (50). Nodes at one
 *    topological level have no edges among them, so a level is updated at once: the same numbers
 *    as the reference's node-by-node loop, in depth-many steps.
 * 3. **Layer normalisation** of the final node states (GHN-2's `--ln`).
 * 4. **Decoders** (`ConvDecoder`): for a 4-D tensor of shape (o, i, kh, kw), a linear layer to
 *    4h×k_max×k_max, ReLU, then two 1×1 convolutions (8h, then o_max·i_max channels) over the
 *    kh×kw positions; only the output channels for min(o, o_max) × min(i, i_max) are computed
 *    and the result is **tiled** to (o, i) (`_tile_params`). The classifier's weight goes through
 *    the same decoder and a 1×1 convolution from o_max to the number of classes; vectors (batch
 *    norm weight and bias, biases) through an MLP to 2×max(o_max, i_max), the classifier bias
 *    through one more linear layer.
 * 5. **Operation-dependent normalisation** (GHN-2 Sec. 4.2, `_normalize`): weights are scaled by
 *    √(β/fan_in) (β = 2 before a ReLU, 1 for depthwise kernels), normalisation weights mapped to
 *    2·σ(p/2) ∈ (0, 2) and biases to tanh(p/5) ∈ (−1, 1).
 *
 * Predicted networks are evaluated with batch statistics in their batch norms (the reference sets
 * `track_running_stats = False`): predicted parameters come with no running statistics.
 *
 * Layouts: the reference's tensors are PyTorch's (o, i, kh, kw); here they are produced in tfjs's
 * layouts directly (conv `[KH, KW, Cin, Cout]`, depthwise `[KH, KW, C, 1]`, linear `[in, out]`).
 */
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { SeededRandom } from '../init/seeded-random';
import { GHN_OPS, graphDistances, type ComputeGraph, type GhnOp } from './compute-graph';

/** A GHN's architecture (the reference's `GHN(...)` arguments). */
export interface GhnConfig {
  /** Node state size h (GHN-2: 32). */
  readonly hidden: number;
  /** Largest tensor the decoder emits at once, `[o_max, i_max, k_max, k_max]` (GHN-2 on CIFAR-10: 64, 64, 11, 11); larger ones are tiled. */
  readonly maxShape: readonly [number, number, number, number];
  /** Classes of the networks whose classifiers it predicts. */
  readonly numClasses: number;
  /** Longest shortest path of a virtual edge, s_max (GHN-2: 50; 1 = no virtual edges, GHN-1). */
  readonly virtualEdges: number;
  /** Layer-normalise the node states before decoding (GHN-2: yes). */
  readonly layerNorm: boolean;
  /** Operation-dependent normalisation of the predictions (GHN-2: yes). */
  readonly weightNorm: boolean;
  /** Seed of the GHN's initial parameters. */
  readonly seed: number;
}

/** GHN-2's settings for CIFAR-10 with a CPU-sized decoder (k_max 5 instead of 11: nasx's networks have kernels ≤ 5). */
export const GHN2_DEFAULTS: Omit<GhnConfig, 'numClasses'> = {
  hidden: 32,
  maxShape: [64, 64, 5, 5],
  virtualEdges: 50,
  layerNorm: true,
  weightNorm: true,
  seed: 0,
};

/** One topological level of a batch: the nodes updated together and the messages they receive. */
interface Level {
  readonly nodes: Int32Array;
  /** 1-hop edges: source node (batch index), destination (index within the level). */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  /** Virtual edges (every distance ≤ s_max, 1 included, as the reference) and their weights 1/s. */
  readonly vsrc: Int32Array;
  readonly vdst: Int32Array;
  readonly vweight: Float32Array;
}

/** Where one decoded row goes: graph, parameter name(s), and its target shape (PyTorch layout). */
interface Target {
  readonly graph: number;
  readonly names: readonly string[];
  readonly torchShape: readonly number[];
  readonly op: GhnOp;
}

/** Nodes decoded together: same decoder and the same sliced shape. */
interface DecodeGroup {
  readonly kind: 'tensor' | 'classifier' | 'vector' | 'classifier_bias';
  /** Output channels, input channels and kernel size decoded (before tiling). */
  readonly o: number;
  readonly i: number;
  readonly kh: number;
  readonly kw: number;
  readonly nodes: Int32Array;
  readonly targets: readonly Target[];
}

/** A batch of graphs prepared for {@link Ghn.predict}: index arrays only, no tensors. */
export interface GhnBatch {
  readonly graphs: readonly ComputeGraph[];
  readonly numNodes: number;
  readonly ops: Int32Array;
  /** 4 shape-embedding indices per node: out channels, in channels, kernel height, kernel width. */
  readonly shapes: Int32Array;
  readonly forward: readonly Level[];
  readonly backward: readonly Level[];
  readonly groups: readonly DecodeGroup[];
}

/** Channel bins of the shape encoder (the reference's `ShapeEncoder.channels`). */
function channelBins(numClasses: number): number[] {
  const set = new Set<number>([1, 3, numClasses]);
  for (let c = 8; c < 64; c += 8) set.add(c);
  for (let c = 64; c < 4096; c += 16) set.add(c);
  for (let c = 4096; c <= 8192; c += 32) set.add(c);
  return [...set].sort((a, b) => a - b);
}

/** Kernel-size bins (the reference's `ShapeEncoder.spatial`). */
function spatialBins(kMax: number): number[] {
  const set = new Set<number>([14, 16]);
  for (let s = 1; s < Math.max(12, kMax); s += 2) set.add(s);
  return [...set].sort((a, b) => a - b);
}

/** Index of the bin a size falls in: exact, 4–7 channels as 8 and 2×2 kernels as 3×3 (as the reference), else the nearest. */
function binOf(bins: readonly number[], v: number, small: { below: number; as: number }): number {
  const exact = bins.indexOf(v);
  if (exact >= 0) return exact;
  if (v >= small.below && v < small.as) return bins.indexOf(small.as);
  let best = 0;
  for (let k = 1; k < bins.length; k++) if (Math.abs(bins[k]! - v) < Math.abs(bins[best]! - v)) best = k;
  return best;
}

/** A parameter tensor's shape as 4 dims (o, i, kh, kw): vectors (c, 1, 1, 1), linear (o, i, 1, 1). */
function shape4(s: readonly number[]): [number, number, number, number] {
  return [s[0]!, s[1] ?? 1, s[2] ?? 1, s[3] ?? 1];
}

function levels(
  edges: { from: number; to: number; distance: number }[],
  n: number,
  offset: number,
  reverse: boolean,
  out: Map<number, LevelBuild>,
  ve: boolean,
): void {
  // Depth by longest path from the sources (forward) or to the sinks (backward).
  const depth = new Int32Array(n);
  const one = edges.filter((e) => e.distance === 1);
  const order = reverse ? [...Array(n).keys()].reverse() : [...Array(n).keys()];
  const into: number[][] = Array.from({ length: n }, () => []);
  for (const e of one) (reverse ? into[e.from]! : into[e.to]!).push(reverse ? e.to : e.from);
  for (const v of order) for (const u of into[v]!) depth[v] = Math.max(depth[v]!, depth[u]! + 1);
  const local = new Int32Array(n);
  for (const v of order) {
    const d = depth[v]!;
    let lv = out.get(d);
    if (!lv) out.set(d, (lv = { nodes: [], src: [], dst: [], vsrc: [], vdst: [], vweight: [] }));
    local[v] = lv.nodes.length;
    lv.nodes.push(offset + v);
  }
  for (const e of edges) {
    const [src, dst] = reverse ? [e.to, e.from] : [e.from, e.to];
    const lv = out.get(depth[dst]!)!;
    if (e.distance === 1) {
      lv.src.push(offset + src);
      lv.dst.push(local[dst]!);
    }
    if (ve) {
      lv.vsrc.push(offset + src);
      lv.vdst.push(local[dst]!);
      lv.vweight.push(1 / e.distance);
    }
  }
}

interface LevelBuild {
  nodes: number[];
  src: number[];
  dst: number[];
  vsrc: number[];
  vdst: number[];
  vweight: number[];
}

function finishLevels(m: Map<number, LevelBuild>): Level[] {
  return [...m.keys()]
    .sort((a, b) => a - b)
    .map((d) => {
      const l = m.get(d)!;
      return {
        nodes: Int32Array.from(l.nodes),
        src: Int32Array.from(l.src),
        dst: Int32Array.from(l.dst),
        vsrc: Int32Array.from(l.vsrc),
        vdst: Int32Array.from(l.vdst),
        vweight: Float32Array.from(l.vweight),
      };
    });
}

/** PyTorch's default init of a layer: U(−1/√fan_in, 1/√fan_in) for weight and bias. */
function uniform(rng: SeededRandom, shape: number[], fanIn: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(size), 1 / Math.sqrt(fanIn)), shape);
}

/**
 * A GHN-2: parameters as tf.Variables, {@link prepare} (graphs → index arrays) and
 * {@link predict} (differentiable: call it inside `tf.variableGrads` to meta-train).
 */
export class Ghn {
  readonly variables = new Map<string, tf.Variable>();
  private readonly channelBins: number[];
  private readonly spatialBins: number[];
  private disposed = false;

  constructor(readonly config: GhnConfig) {
    const { hidden: h, maxShape, numClasses, virtualEdges } = config;
    if (!Number.isInteger(h) || h < 4 || h % 4 !== 0)
      throw new NasxError('usage', `GHN hidden size must be a multiple of 4, got ${h}`, {
        pkg: TENSOR_PACKAGE,
        fix: 'use 32 (GHN-2) or another multiple of 4',
      });
    if (maxShape.length !== 4 || !maxShape.every((d) => Number.isInteger(d) && d > 0) || maxShape[2] !== maxShape[3])
      throw new NasxError('usage', `GHN maxShape must be 4 positive integers [o, i, k, k], got [${maxShape.join(', ')}]`, {
        pkg: TENSOR_PACKAGE,
        fix: 'use e.g. [64, 64, 5, 5]',
      });
    if (!Number.isInteger(numClasses) || numClasses < 1)
      throw new NasxError('usage', `GHN numClasses must be a positive integer, got ${numClasses}`, { pkg: TENSOR_PACKAGE, fix: "pass the task's numClasses" });
    if (!Number.isInteger(virtualEdges) || virtualEdges < 1)
      throw new NasxError('usage', `GHN virtualEdges (s_max) must be an integer ≥ 1, got ${virtualEdges}`, {
        pkg: TENSOR_PACKAGE,
        fix: 'use 50 (GHN-2) or 1 (none)',
      });
    this.channelBins = channelBins(numClasses);
    this.spatialBins = spatialBins(maxShape[2]);
    const [oMax, iMax, kMax] = maxShape;
    const maxCh = Math.max(oMax, iMax);
    const ve = virtualEdges > 1;
    const root = new SeededRandom(config.seed, 'ghn');
    const add = (name: string, make: (rng: SeededRandom) => tf.Tensor) => {
      this.variables.set(name, tf.variable(make(root.fork(name)), true, `nasx/ghn/${config.seed}/${Ghn.instances}/${name}`));
    };
    const linear = (name: string, fin: number, fout: number) => {
      add(`${name}.weight`, (r) => uniform(r, [fin, fout], fin));
      add(`${name}.bias`, (r) => uniform(r, [fout], fin));
    };
    const linearRows = (name: string, fin: number, fout: number) => {
      add(`${name}.weight`, (r) => uniform(r, [fout, fin], fin));
      add(`${name}.bias`, (r) => uniform(r, [fout], fin));
    };
    Ghn.instances++;
    tf.tidy(() => {
      // nn.Embedding: N(0, 1).
      add('embed', (r) => tf.tensor(r.fillNormal(new Float32Array(GHN_OPS.length * h), 1), [GHN_OPS.length, h]));
      add('shape.channel', (r) => tf.tensor(r.fillNormal(new Float32Array((this.channelBins.length + 1) * (h / 4)), 1), [this.channelBins.length + 1, h / 4]));
      add('shape.spatial', (r) => tf.tensor(r.fillNormal(new Float32Array((this.spatialBins.length + 1) * (h / 4)), 1), [this.spatialBins.length + 1, h / 4]));
      linear('gnn.mlp.0', h, ve ? h / 2 : h);
      linear('gnn.mlp.1', ve ? h / 2 : h, h);
      if (ve) {
        linear('gnn.mlp_ve.0', h, h / 2);
        linear('gnn.mlp_ve.1', h / 2, h);
      }
      // nn.GRUCell: every weight and bias U(−1/√h, 1/√h); gates ordered r, z, n.
      add('gnn.gru.wi', (r) => uniform(r, [h, 3 * h], h));
      add('gnn.gru.bi', (r) => uniform(r, [3 * h], h));
      add('gnn.gru.wh', (r) => uniform(r, [h, 3 * h], h));
      add('gnn.gru.bh', (r) => uniform(r, [3 * h], h));
      if (config.layerNorm) {
        add('ln.weight', () => tf.ones([h]));
        add('ln.bias', () => tf.zeros([h]));
      }
      // The two layers whose outputs are selected per shape hold their weights output-major
      // ([out, in]): a selection is then a row gather (and its gradient a row scatter), not a
      // column gather, which transposes the whole matrix both ways.
      linearRows('decoder.fc', h, 4 * h * kMax * kMax);
      linear('decoder.conv.0', 4 * h, 8 * h);
      linearRows('decoder.conv.1', 8 * h, oMax * iMax);
      linear('decoder.class', oMax, numClasses);
      linear('decoder_1d.0', h, 2 * h);
      linear('decoder_1d.1', 2 * h, 2 * maxCh);
      linear('bias_class', maxCh, numClasses);
    });
  }

  private static instances = 0;

  /** Number of GHN parameters. */
  get paramCount(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  private v(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`@nasx/tensor: GHN parameter "${name}" missing (a GHN bug)`);
    return v;
  }

  /**
   * Index arrays for a batch of graphs: embedding indices, the topological levels of both
   * traversals with their (virtual) edges, and the decoder groups. Pure JavaScript.
   */
  prepare(graphs: readonly ComputeGraph[]): GhnBatch {
    const { maxShape, numClasses, virtualEdges } = this.config;
    const [oMax, iMax, kMax] = maxShape;
    const ve = virtualEdges > 1;
    const nCh = this.channelBins.length;
    const nSp = this.spatialBins.length;
    let numNodes = 0;
    const ops: number[] = [];
    const shapes: number[] = [];
    const fwd = new Map<number, LevelBuild>();
    const bwd = new Map<number, LevelBuild>();
    const groups = new Map<string, { kind: DecodeGroup['kind']; o: number; i: number; kh: number; kw: number; nodes: number[]; targets: Target[] }>();
    graphs.forEach((g, b) => {
      const n = g.nodes.length;
      const edges = graphDistances(g, ve ? virtualEdges : 1);
      levels(edges, n, numNodes, false, fwd, ve);
      levels(edges, n, numNodes, true, bwd, ve);
      g.nodes.forEach((node, k) => {
        ops.push(GHN_OPS.indexOf(node.op));
        if (!node.param) {
          shapes.push(nCh, nCh, nSp, nSp);
          return;
        }
        const [o, i, kh, kw] = shape4(node.param.torchShape);
        shapes.push(
          binOf(this.channelBins, o, { below: 4, as: 8 }),
          binOf(this.channelBins, i, { below: 4, as: 8 }),
          binOf(this.spatialBins, kh, { below: 2, as: 3 }),
          binOf(this.spatialBins, kw, { below: 2, as: 3 }),
        );
        if (node.op === 'classifier' && o !== numClasses) {
          throw new NasxError('architecture', `the network of ${g.archKey} has ${o} classes but the GHN predicts classifiers for ${numClasses}`, {
            pkg: TENSOR_PACKAGE,
            fix: "train the GHN for the task's number of classes",
          });
        }
        const kind: DecodeGroup['kind'] =
          node.op === 'classifier'
            ? 'classifier'
            : node.op === 'classifier_bias'
              ? 'classifier_bias'
              : node.param.torchShape.length === 1
                ? 'vector'
                : 'tensor';
        const dims =
          kind === 'tensor'
            ? { o: Math.min(o, oMax), i: Math.min(i, iMax), kh: Math.min(kh, kMax), kw: Math.min(kw, kMax) }
            : { o: 1, i: Math.min(i, iMax), kh: 1, kw: 1 };
        const key = `${kind}:${dims.o}x${dims.i}x${dims.kh}x${dims.kw}`;
        let grp = groups.get(key);
        if (!grp) groups.set(key, (grp = { kind, ...dims, nodes: [], targets: [] }));
        grp.nodes.push(numNodes + k);
        grp.targets.push({ graph: b, names: node.param.names, torchShape: node.param.torchShape, op: node.op });
      });
      numNodes += n;
    });
    return {
      graphs,
      numNodes,
      ops: Int32Array.from(ops),
      shapes: Int32Array.from(shapes),
      forward: finishLevels(fwd),
      backward: finishLevels(bwd),
      groups: [...groups.values()].map((g) => ({ ...g, nodes: Int32Array.from(g.nodes) })),
    };
  }

  private mlp(prefix: string, x: tf.Tensor2D): tf.Tensor2D {
    // ppuda's MLP: ReLU after every layer (last_activation 'same').
    const l0 = tf.relu(tf.add(tf.matMul(x, this.v(`${prefix}.0.weight`)), this.v(`${prefix}.0.bias`))) as tf.Tensor2D;
    return tf.relu(tf.add(tf.matMul(l0, this.v(`${prefix}.1.weight`)), this.v(`${prefix}.1.bias`))) as tf.Tensor2D;
  }

  /** PyTorch's GRUCell: r, z, n gates; h' = (1 − z)·n + z·h. */
  private gru(m: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    const hid = this.config.hidden;
    const gi = tf.add(tf.matMul(m, this.v('gnn.gru.wi')), this.v('gnn.gru.bi'));
    const gh = tf.add(tf.matMul(h, this.v('gnn.gru.wh')), this.v('gnn.gru.bh'));
    const [ir, iz, inn] = tf.split(gi, [hid, hid, hid], 1);
    const [hr, hz, hn] = tf.split(gh, [hid, hid, hid], 1);
    const r = tf.sigmoid(tf.add(ir!, hr!));
    const z = tf.sigmoid(tf.add(iz!, hz!));
    const n = tf.tanh(tf.add(inn!, tf.mul(r, hn!)));
    return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
  }

  private traverse(hx: tf.Tensor2D, lvls: readonly Level[], total: number): tf.Tensor2D {
    const h = this.config.hidden;
    const ve = this.config.virtualEdges > 1;
    for (const lv of lvls) {
      const nodes = tf.tensor1d(lv.nodes, 'int32');
      const n = lv.nodes.length;
      const cur = tf.gather(hx, nodes) as tf.Tensor2D;
      let m: tf.Tensor2D = tf.zeros([n, h]);
      if (lv.src.length) {
        const msg = this.mlp('gnn.mlp', tf.gather(hx, tf.tensor1d(lv.src, 'int32')) as tf.Tensor2D);
        m = tf.unsortedSegmentSum(msg, tf.tensor1d(lv.dst, 'int32'), n);
      }
      if (ve && lv.vsrc.length) {
        const msg = tf.mul(
          this.mlp('gnn.mlp_ve', tf.gather(hx, tf.tensor1d(lv.vsrc, 'int32')) as tf.Tensor2D),
          tf.tensor2d(lv.vweight, [lv.vweight.length, 1]),
        );
        m = tf.add(m, tf.unsortedSegmentSum(msg, tf.tensor1d(lv.vdst, 'int32'), n));
      }
      const next = this.gru(m, cur);
      hx = tf.add(hx, tf.unsortedSegmentSum(tf.sub(next, cur), nodes, total));
    }
    return hx;
  }

  /** Final node states `[numNodes, hidden]` of a prepared batch (differentiable). */
  embed(batch: GhnBatch): tf.Tensor2D {
    const h = this.config.hidden;
    const shapeIdx = tf.tensor2d(batch.shapes, [batch.numNodes, 4], 'int32');
    const [oc, ic, kh, kw] = tf.split(shapeIdx, 4, 1).map((t) => tf.reshape(t, [-1]));
    const shapeEmbed = tf.concat(
      [
        tf.gather(this.v('shape.channel'), oc!),
        tf.gather(this.v('shape.channel'), ic!),
        tf.gather(this.v('shape.spatial'), kh!),
        tf.gather(this.v('shape.spatial'), kw!),
      ],
      1,
    );
    let x = tf.add(tf.gather(this.v('embed'), tf.tensor1d(batch.ops, 'int32')), shapeEmbed) as tf.Tensor2D;
    x = this.traverse(x, batch.forward, batch.numNodes);
    x = this.traverse(x, batch.backward, batch.numNodes);
    if (this.config.layerNorm) {
      const { mean, variance } = tf.moments(x, 1, true);
      x = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), this.v('ln.weight')), this.v('ln.bias')) as tf.Tensor2D;
    }
    if (x.shape[1] !== h) throw new Error('@nasx/tensor: GHN node states have the wrong width (a GHN bug)');
    return x;
  }

  /**
   * The 4-D decoder for a group: `[n, kh, kw, o, i]` (o, i, kh, kw as the group's), all o_max
   * output channels when `allOut` (the classifier's path).
   */
  private decode4(x: tf.Tensor2D, g: DecodeGroup, allOut: boolean): tf.Tensor {
    const h = this.config.hidden;
    const [oMax, iMax, kMax] = this.config.maxShape;
    const n = x.shape[0];
    // fc columns of the kh×kw top-left positions (the reference slices the same way).
    const cols: number[] = [];
    for (let c = 0; c < 4 * h; c++) for (let y = 0; y < g.kh; y++) for (let z = 0; z < g.kw; z++) cols.push(c * kMax * kMax + y * kMax + z);
    const full = cols.length === 4 * h * kMax * kMax;
    const colIdx = full ? undefined : tf.tensor1d(cols, 'int32');
    const w = colIdx ? tf.gather(this.v('decoder.fc.weight'), colIdx) : this.v('decoder.fc.weight');
    const bias = colIdx ? tf.gather(this.v('decoder.fc.bias'), colIdx) : this.v('decoder.fc.bias');
    const fc = tf.relu(tf.add(tf.matMul(x, w, false, true), bias)); // [n, 4h·kh·kw], channel-major
    const pos = tf.reshape(tf.transpose(tf.reshape(fc, [n, 4 * h, g.kh * g.kw]), [0, 2, 1]), [n * g.kh * g.kw, 4 * h]);
    const c1 = tf.relu(tf.add(tf.matMul(pos, this.v('decoder.conv.0.weight')), this.v('decoder.conv.0.bias')));
    const o = allOut ? oMax : g.o;
    const outCols: number[] = [];
    for (let a = 0; a < o; a++) for (let b = 0; b < g.i; b++) outCols.push(a * iMax + b);
    const all = outCols.length === oMax * iMax;
    const oi = all ? undefined : tf.tensor1d(outCols, 'int32');
    const w2 = oi ? tf.gather(this.v('decoder.conv.1.weight'), oi) : this.v('decoder.conv.1.weight');
    const b2 = oi ? tf.gather(this.v('decoder.conv.1.bias'), oi) : this.v('decoder.conv.1.bias');
    return tf.reshape(tf.add(tf.matMul(c1, w2, false, true), b2), [n, g.kh, g.kw, o, g.i]);
  }

  /** `[n, 2, max(o_max, i_max)]`: row 0 a weight, row 1 a bias (the reference's `decoder_1d`). */
  private decode1(x: tf.Tensor2D): tf.Tensor3D {
    const maxCh = Math.max(this.config.maxShape[0], this.config.maxShape[1]);
    const l0 = tf.relu(tf.add(tf.matMul(x, this.v('decoder_1d.0.weight')), this.v('decoder_1d.0.bias')));
    return tf.reshape(tf.add(tf.matMul(l0, this.v('decoder_1d.1.weight')), this.v('decoder_1d.1.bias')), [x.shape[0], 2, maxCh]);
  }

  /**
   * Predicts every parameter of every graph of the batch: one record per graph, parameter name →
   * tensor in tfjs's layout. Differentiable in the GHN's variables; call inside `tf.tidy` (or
   * `tf.variableGrads`) and dispose what you keep.
   */
  predict(batch: GhnBatch): Record<string, tf.Tensor>[] {
    if (this.disposed) throw new NasxError('usage', 'the GHN was disposed', { pkg: TENSOR_PACKAGE, fix: 'create a new GHN' });
    const out: Record<string, tf.Tensor>[] = batch.graphs.map(() => ({}));
    const x = this.embed(batch);
    for (const g of batch.groups) {
      const xs = tf.gather(x, tf.tensor1d(g.nodes, 'int32')) as tf.Tensor2D;
      const n = g.nodes.length;
      let rows: tf.Tensor[];
      if (g.kind === 'tensor') {
        rows = tf.unstack(this.decode4(xs, g, false)); // each [kh, kw, o, i]
      } else if (g.kind === 'classifier') {
        // [n, o_max, i] → ReLU → 1×1 conv o_max → classes, as [n, i, classes] (tfjs's [in, out]).
        const d = tf.reshape(this.decode4(xs, g, true), [n, this.config.maxShape[0], g.i]);
        const t = tf.reshape(tf.transpose(tf.relu(d), [0, 2, 1]), [n * g.i, this.config.maxShape[0]]);
        const cls = tf.add(tf.matMul(t, this.v('decoder.class.weight')), this.v('decoder.class.bias'));
        rows = tf.unstack(tf.reshape(cls, [n, g.i, this.config.numClasses]));
      } else if (g.kind === 'vector') {
        rows = tf.unstack(this.decode1(xs)); // each [2, maxCh]
      } else {
        const d = this.decode1(xs); // [n, 2, maxCh] → ReLU → linear → [n, 2, classes]
        const maxCh = d.shape[2];
        const cls = tf.add(tf.matMul(tf.reshape(tf.relu(d), [n * 2, maxCh]), this.v('bias_class.weight')), this.v('bias_class.bias'));
        rows = tf.unstack(tf.reshape(cls, [n, 2, this.config.numClasses]));
      }
      g.targets.forEach((t, k) => {
        const row = rows[k]!;
        const rec = out[t.graph]!;
        const [o, i, kh, kw] = shape4(t.torchShape);
        if (g.kind === 'tensor') {
          // row [kh', kw', o', i'] → tile to [kh, kw, o, i] → tfjs layout.
          const full = tile(row, [kh, kw, o, i]);
          if (t.op === 'dw_conv') rec[t.names[0]!] = this.normalise(tf.reshape(full, [kh, kw, o, 1]), 'weight', i * kh * kw, 1);
          else if (t.torchShape.length === 2) rec[t.names[0]!] = this.normalise(tf.transpose(tf.reshape(full, [o, i])), 'weight', i, 2);
          else rec[t.names[0]!] = this.normalise(tf.transpose(full, [0, 1, 3, 2]), 'weight', i * kh * kw, kh < kw ? 1 : 2);
        } else if (g.kind === 'classifier') {
          rec[t.names[0]!] = this.normalise(tile(row, [i, o]), 'weight', i, 2);
        } else {
          // Vectors: a batch norm's weight and bias (rows 0 and 1), or a bias (row 1).
          const [w, b] = tf.unstack(row);
          if (t.names.length === 2) {
            rec[t.names[0]!] = this.normalise(tile(w!, [o]), 'norm');
            rec[t.names[1]!] = this.normalise(tile(b!, [o]), 'bias');
          } else rec[t.names[0]!] = this.normalise(tile(b!, [o]), 'bias');
        }
      });
    }
    return out;
  }

  /** GHN-2's operation-dependent normalisation (`_normalize`), when enabled. */
  private normalise(p: tf.Tensor, kind: 'weight' | 'norm' | 'bias', fanIn = 1, beta = 2): tf.Tensor {
    if (!this.config.weightNorm) return p;
    if (kind === 'weight') return tf.mul(p, Math.sqrt(beta / fanIn));
    if (kind === 'norm') return tf.mul(2, tf.sigmoid(tf.mul(p, 0.5)));
    return tf.tanh(tf.mul(p, 0.2));
  }

  /** Current values of every parameter (copies), for saving. */
  weights(): Map<string, { shape: number[]; values: Float32Array }> {
    const m = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const [k, v] of this.variables) m.set(k, { shape: [...v.shape], values: v.dataSync() as Float32Array });
    return m;
  }

  /** Sets every parameter from `weights` (all must be present with matching shapes). */
  assign(weights: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>): void {
    for (const [k, v] of this.variables) {
      const w = weights.get(k);
      if (!w || w.shape.join('x') !== v.shape.join('x'))
        throw new NasxError('usage', `GHN weights do not match this GHN (parameter "${k}")`, {
          pkg: TENSOR_PACKAGE,
          fix: 'load weights saved by a GHN with the same config (hidden, maxShape, numClasses, virtualEdges, layerNorm)',
        });
      tf.tidy(() => v.assign(tf.tensor(w.values, v.shape)));
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables.values()) v.dispose();
  }
}

/** Repeats `t` along every axis until it covers `shape`, then slices (the reference's `_tile_params`). */
function tile(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const reps = shape.map((d, k) => Math.ceil(d / t.shape[k]!));
  const tiled = reps.some((r) => r > 1) ? tf.tile(t, reps) : t;
  return tiled.shape.every((d, k) => d === shape[k])
    ? tiled
    : tf.slice(
        tiled,
        shape.map(() => 0),
        [...shape],
      );
}
