/**
 * Graph neural networks of the AGNN / GraphNAS layer vocabulary ({@link GnnGenotype}) as
 * TensorFlow.js computations with sparse message passing: per-edge messages are gathered from
 * their source nodes and summed into their destinations (`unsortedSegmentSum`), never through a
 * dense N × N adjacency matrix; sparse (CSR) node features are multiplied the same way. One
 * forward pass computes the whole graph (transductive, full-batch), as GCN and GAT train.
 *
 * Parameters are named `l<i>.<role>` and initialised with Glorot-uniform from a stream of their
 * own (seed, name), biases at 0, so two networks built with one seed share the values of every
 * parameter they have in common. {@link GnnNetwork.weights} / {@link GnnNetwork.assign} move
 * parameters between networks (AGNN's parameter sharing).
 */
import { SeededRandom } from '../init/seeded-random';
import { tf } from '../tf';
import { gnnGenotype, gnnLayerWidths, type GnnGenotype, type GnnLayer } from './gnn.genotype';
import type { EdgeSet, GraphTensors } from './graph-tensors';
import { propagate, valuesOf } from './propagate';

type T = tf.Tensor;

/** Hidden units per head of the `mlp` aggregator (GraphNAS's pool dimension). */
export const GNN_MLP_HIDDEN = 128;
/** Networks built in this process (tfjs variable names must be unique). */
let networks = 0;
/** LeakyReLU slope of GAT-style attention scores. */
const ATTENTION_SLOPE = 0.2;

/** One parameter: its name, shape, and the attention/activation of its layer (AGNN's homogeneity). */
export interface GnnParameter {
  readonly name: string;
  readonly shape: readonly number[];
  readonly layer: number;
  readonly variable: tf.Variable;
}

export interface GnnForwardOptions {
  readonly training: boolean;
  /** Dropout rate on each layer's input and on attention coefficients (training only). */
  readonly dropout?: number;
  /** Seed of this pass's dropout masks (training only). */
  readonly seed?: number;
}

export interface GnnNetwork {
  readonly genotype: GnnGenotype;
  readonly params: readonly GnnParameter[];
  readonly paramCount: number;
  /** Logits of every node, `[numNodes, numClasses]`. */
  forward(graph: GraphTensors, options: GnnForwardOptions): tf.Tensor2D;
  /** Current values of every parameter by name (copies). */
  weights(): Map<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;
  /** Sets the parameters named in `weights` whose shape matches; returns the names set. */
  assign(weights: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>, accept?: (p: GnnParameter) => boolean): string[];
  dispose(): void;
}

function glorotBound(shape: readonly number[]): number {
  const fanIn = shape.length > 1 ? shape[shape.length - 2]! : shape[0]!;
  const fanOut = shape[shape.length - 1]!;
  return Math.sqrt(6 / (fanIn + fanOut));
}

const ACTIVATIONS: { readonly [k in GnnLayer['activation']]: (x: T) => T } = {
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  linear: (x) => x,
  softplus: (x) => tf.softplus(x),
  'leaky-relu': (x) => tf.leakyRelu(x, 0.01),
  relu6: (x) => tf.relu6(x),
  elu: (x) => tf.elu(x),
};

/** Inverted-dropout mask of `size` entries (0 or 1/(1−rate)), from a seeded stream. */
function dropoutMask(size: number, rate: number, rng: SeededRandom): Float32Array {
  const keep = 1 - rate;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.next() < keep ? 1 / keep : 0;
  return out;
}

/**
 * For each (node, head, channel), the edge whose message `alpha[e, h] · x[src[e], h, c]` into the
 * node is largest, as two flat indices: into `x` (`src·H·C + h·C + c`) and into `alpha`
 * (`e·H + h`, or `e` when the weights are shared by the heads). A node without incoming edges
 * points at the zero appended to each by the caller (`x.length`, `alpha.length`).
 */
function maxMessages(
  x: Float32Array,
  alpha: Float32Array,
  alphaHeads: number,
  edges: { readonly srcIds: Int32Array; readonly dstIds: Int32Array },
  nodes: number,
  heads: number,
  c: number,
): { xIndex: Int32Array; alphaIndex: Int32Array } {
  const width = heads * c;
  const best = new Float32Array(nodes * width).fill(-Infinity);
  const xIndex = new Int32Array(nodes * width).fill(x.length);
  const alphaIndex = new Int32Array(nodes * width).fill(alpha.length);
  const { srcIds, dstIds } = edges;
  for (let e = 0; e < srcIds.length; e++) {
    const from = srcIds[e]! * width;
    const to = dstIds[e]! * width;
    for (let h = 0; h < heads; h++) {
      const ai = alphaHeads === 1 ? e : e * heads + h;
      const a = alpha[ai]!;
      for (let k = h * c; k < (h + 1) * c; k++) {
        const v = a * x[from + k]!;
        if (v > best[to + k]!) {
          best[to + k] = v;
          xIndex[to + k] = from + k;
          alphaIndex[to + k] = ai;
        }
      }
    }
  }
  return { xIndex, alphaIndex };
}

/** Largest score into each node per head, `[N, H]` (a constant: softmax shifts need no gradient). */
function segmentMax(scores: Float32Array, dst: Int32Array, heads: number, nodes: number): Float32Array {
  const m = new Float32Array(nodes * heads).fill(-Infinity);
  for (let e = 0; e < dst.length; e++) {
    for (let h = 0; h < heads; h++) {
      const i = dst[e]! * heads + h;
      if (scores[e * heads + h]! > m[i]!) m[i] = scores[e * heads + h]!;
    }
  }
  for (let i = 0; i < m.length; i++) if (m[i] === -Infinity) m[i] = 0;
  return m;
}

/**
 * Builds the network of a GNN genotype for a graph with `numFeatures` input features and
 * `numClasses` classes, its parameters seeded by `seed`.
 */
export function buildGnnNetwork(
  genotype: GnnGenotype | unknown,
  options: { readonly numFeatures: number; readonly numClasses: number; readonly seed: number },
): GnnNetwork {
  const g = gnnGenotype(genotype as never);
  const widths = gnnLayerWidths(g, options.numClasses);
  const params: GnnParameter[] = [];
  const add = (layer: number, role: string, shape: number[], init: 'glorot' | 'zeros', bound?: number): tf.Variable => {
    const name = `l${layer}.${role}`;
    const size = shape.reduce((a, b) => a * b, 1);
    const values =
      init === 'zeros' ? new Float32Array(size) : new SeededRandom(options.seed, name).fillUniform(new Float32Array(size), bound ?? glorotBound(shape));
    const initial = tf.tensor(values, shape);
    const variable = tf.variable(initial, true, `gnn${++networks}/${name}`);
    initial.dispose();
    params.push({ name, shape, layer, variable });
    return variable;
  };

  interface Built {
    readonly spec: GnnLayer;
    readonly fin: number;
    readonly heads: number;
    readonly c: number;
    readonly last: boolean;
    readonly w: tf.Variable;
    readonly attL?: tf.Variable;
    readonly attR?: tf.Variable;
    readonly attG?: tf.Variable;
    readonly bias: tf.Variable;
    readonly mlp?: readonly [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    readonly combine?: readonly [tf.Variable, tf.Variable];
    readonly skip?: readonly [tf.Variable, tf.Variable];
  }
  const layers: Built[] = g.layers.map((spec, i) => {
    const last = i === g.layers.length - 1;
    const fin = i === 0 ? options.numFeatures : widths[i - 1]!;
    const c = last ? options.numClasses : spec.hidden!;
    const h = spec.heads;
    const out = widths[i]!;
    const w = add(i, 'weight', [fin, h * c], 'glorot');
    const attBound = Math.sqrt(6 / (h + 2 * c));
    const scored = spec.attention !== 'const' && spec.attention !== 'gcn';
    const attL = scored && spec.attention !== 'linear' ? add(i, 'att_l', [h, c], 'glorot', attBound) : undefined;
    const attR = scored ? add(i, 'att_r', [h, c], 'glorot', attBound) : undefined;
    const attG = spec.attention === 'generalized-linear' ? add(i, 'att_g', [c, 1], 'glorot') : undefined;
    const mlp =
      spec.aggregator === 'mlp'
        ? ([
            add(i, 'mlp1', [c, GNN_MLP_HIDDEN], 'glorot'),
            add(i, 'mlp1_bias', [GNN_MLP_HIDDEN], 'zeros'),
            add(i, 'mlp2', [GNN_MLP_HIDDEN, c], 'glorot'),
            add(i, 'mlp2_bias', [c], 'zeros'),
          ] as const)
        : undefined;
    const combine = spec.combine === 'mlp' ? ([add(i, 'combine', [2 * c, c], 'glorot'), add(i, 'combine_bias', [c], 'zeros')] as const) : undefined;
    const skip = spec.skip === 'residual' ? ([add(i, 'skip', [fin, out], 'glorot'), add(i, 'skip_bias', [out], 'zeros')] as const) : undefined;
    const bias = add(i, 'bias', [out], 'zeros');
    return {
      spec,
      fin,
      heads: h,
      c,
      last,
      w,
      bias,
      ...(attL ? { attL } : {}),
      ...(attR ? { attR } : {}),
      ...(attG ? { attG } : {}),
      ...(mlp ? { mlp } : {}),
      ...(combine ? { combine } : {}),
      ...(skip ? { skip } : {}),
    };
  });

  /** `input · weight` for the first layer's features (dense, CSR or identity) or a hidden `[N, F]`. */
  function linear(graph: GraphTensors, input: T | null, weight: T, mask: Float32Array | null): T {
    if (input) return tf.matMul(input as tf.Tensor2D, weight as tf.Tensor2D);
    const f = graph.features;
    if (f.kind === 'dense') return tf.matMul(mask ? tf.mul(f.x, tf.tensor2d(mask, f.x.shape)) : f.x, weight as tf.Tensor2D);
    if (f.kind === 'identity') return mask ? tf.mul(weight, tf.tensor2d(mask, [graph.numNodes, 1])) : weight;
    const values = mask ? f.values.map((v, k) => v * mask[k]!) : f.values;
    return propagate(weight as tf.Tensor2D, tf.tensor2d(values, [values.length, 1]), { src: f.cols, dst: f.rows, rows: graph.numNodes }, 1, {
      constantWeights: true,
    });
  }

  /** Per-edge weights `[E, heads]` (or `[E, 1]` shared by the heads). */
  function attention(layer: Built, edges: EdgeSet, x3: T, n: number, drop: (size: number) => Float32Array | null): tf.Tensor2D {
    const { spec, heads } = layer;
    if (spec.attention === 'gcn') return edges.gcnNorm;
    if (spec.attention === 'const') {
      const m = drop(edges.count * heads);
      return m ? tf.tensor2d(m, [edges.count, heads]) : tf.ones([edges.count, 1]);
    }
    let scores: T;
    const perNode = (a: T): T => tf.sum(tf.mul(x3, a), -1); // [N, H]
    if (spec.attention === 'gat' || spec.attention === 'sym-gat') {
      const sl = perNode(layer.attL!);
      const sr = perNode(layer.attR!);
      scores = tf.leakyRelu(tf.add(tf.gather(sl, edges.dst), tf.gather(sr, edges.src)), ATTENTION_SLOPE);
      if (spec.attention === 'sym-gat') scores = tf.add(scores, tf.leakyRelu(tf.add(tf.gather(sl, edges.src), tf.gather(sr, edges.dst)), ATTENTION_SLOPE));
    } else if (spec.attention === 'linear') {
      scores = tf.tanh(tf.gather(perNode(layer.attR!), edges.src));
    } else if (spec.attention === 'cos') {
      scores = tf.sum(tf.mul(tf.gather(tf.mul(x3, layer.attL!), edges.dst), tf.gather(tf.mul(x3, layer.attR!), edges.src)), -1);
    } else {
      const mixed = tf.tanh(tf.add(tf.gather(tf.mul(x3, layer.attL!), edges.dst), tf.gather(tf.mul(x3, layer.attR!), edges.src))); // [E, H, C]
      scores = tf.reshape(tf.matMul(tf.reshape(mixed, [edges.count * heads, layer.c]), layer.attG!), [edges.count, heads]);
    }
    // Softmax over the incoming edges of each node, shifted by the node's largest score.
    const shift = tf.tensor2d(segmentMax(scores.dataSync() as Float32Array, edges.dstIds, heads, n), [n, heads]);
    const ex = tf.exp(tf.sub(scores, tf.gather(shift, edges.dst)));
    const denominator = tf.gather(tf.unsortedSegmentSum(ex, edges.dst, n), edges.dst);
    let alpha = tf.div(ex, denominator) as tf.Tensor2D;
    const m = drop(edges.count * heads);
    if (m) alpha = tf.mul(alpha, tf.tensor2d(m, [edges.count, heads]));
    return alpha;
  }

  /** Aggregates the weighted messages `alpha[e, h] · x[src[e], h, :]` into their destinations. */
  function aggregate(layer: Built, edges: EdgeSet, x: tf.Tensor2D, alpha: tf.Tensor2D, n: number): T {
    const width = layer.heads * layer.c;
    const into = { src: edges.srcIds, dst: edges.dstIds, rows: n };
    // gcn's and const's coefficients do not depend on parameters.
    const fixed = layer.spec.attention === 'gcn' || layer.spec.attention === 'const';
    switch (layer.spec.aggregator) {
      case 'sum':
        return propagate(x, alpha, into, layer.heads, { constantWeights: fixed });
      case 'mean':
        return tf.div(propagate(x, alpha, into, layer.heads, { constantWeights: fixed }), edges.inDegree);
      case 'max': {
        // Element-wise max over the incoming messages: the arg-max found in one pass over the
        // edges, then the winning x and alpha entries gathered (so the gradient reaches both).
        const xFlat = tf.reshape(x, [x.size]);
        const aFlat = tf.reshape(alpha, [alpha.size]);
        const { xIndex, alphaIndex } = maxMessages(valuesOf(x), valuesOf(alpha), alpha.shape[1], edges, n, layer.heads, layer.c);
        const xs = tf.gather(tf.concat([xFlat, tf.zeros([1])]), tf.tensor1d(xIndex, 'int32'));
        const as = tf.gather(tf.concat([aFlat, tf.zeros([1])]), tf.tensor1d(alphaIndex, 'int32'));
        return tf.reshape(tf.mul(xs, as), [n, width]);
      }
      case 'mlp': {
        const [w1, b1, w2, b2] = layer.mlp!;
        const summed = tf.reshape(propagate(x, alpha, into, layer.heads, { constantWeights: fixed }), [n * layer.heads, layer.c]);
        const hidden = tf.relu(tf.add(tf.matMul(summed as tf.Tensor2D, w1 as tf.Tensor2D), b1));
        return tf.reshape(tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2), [n, width]);
      }
    }
  }

  function forward(graph: GraphTensors, opts: GnnForwardOptions): tf.Tensor2D {
    const n = graph.numNodes;
    const rate = opts.training ? (opts.dropout ?? 0) : 0;
    const rng = rate > 0 ? new SeededRandom(opts.seed ?? 0, 'gnn-dropout') : null;
    const drop = (size: number): Float32Array | null => (rng ? dropoutMask(size, rate, rng) : null);
    return tf.tidy(() => {
      let h: T | null = null;
      for (const layer of layers) {
        // Dropout on the layer's input (on the stored entries of sparse features).
        let input = h;
        let featureMask: Float32Array | null = null;
        if (input) {
          const m = drop(input.size);
          if (m) input = tf.mul(input, tf.tensor(m, input.shape));
        } else {
          const f = graph.features;
          featureMask = drop(f.kind === 'csr' ? f.values.length : f.kind === 'identity' ? n : n * graph.numFeatures);
        }
        const edges = layer.spec.combine === 'mlp' ? graph.withoutSelf : graph.withSelf;
        const x = linear(graph, input, layer.w, featureMask); // [N, H·C]
        const x3 = tf.reshape(x, [n, layer.heads, layer.c]);
        const alpha = attention(layer, edges, x3, n, drop);
        let out = aggregate(layer, edges, x as tf.Tensor2D, alpha, n); // [N, H·C]
        if (layer.combine) {
          const [wc, bc] = layer.combine;
          const both = tf.concat([x3, tf.reshape(out, [n, layer.heads, layer.c])], 2);
          out = tf.reshape(tf.add(tf.matMul(tf.reshape(both, [n * layer.heads, 2 * layer.c]) as tf.Tensor2D, wc as tf.Tensor2D), bc), [
            n,
            layer.heads * layer.c,
          ]);
        }
        if (layer.last) out = tf.mean(tf.reshape(out, [n, layer.heads, layer.c]), 1);
        out = tf.add(out, layer.bias);
        if (layer.skip) out = tf.add(out, tf.add(linear(graph, input, layer.skip[0], featureMask), layer.skip[1]));
        h = ACTIVATIONS[layer.spec.activation](out);
      }
      return h as tf.Tensor2D;
    });
  }

  return {
    genotype: g,
    params,
    paramCount: params.reduce((s, p) => s + p.variable.size, 0),
    forward,
    weights() {
      return new Map(params.map((p) => [p.name, { shape: p.shape, values: Float32Array.from(p.variable.dataSync() as Float32Array) }]));
    },
    assign(weights, accept) {
      const set: string[] = [];
      for (const p of params) {
        const w = weights.get(p.name);
        if (!w || w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i])) continue;
        if (accept && !accept(p)) continue;
        const t = tf.tensor(w.values, p.shape as number[]);
        p.variable.assign(t);
        t.dispose();
        set.push(p.name);
      }
      return set;
    },
    dispose() {
      for (const p of params) p.variable.dispose();
    },
  };
}
