import type { GraphData } from '@nasx/contracts';
import { closeness, testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { tf } from '../tf';
import { GNN_ACTIVATIONS, GNN_AGGREGATORS, GNN_ATTENTIONS, gnnGenotype, type GnnLayer } from './gnn.genotype';
import { buildGnnNetwork, type GnnNetwork } from './gnn.network';
import { graphTensors, type GraphTensors } from './graph-tensors';
import { propagate } from './propagate';
import { scoreNodes, trainGraphNetwork } from './train-graph';

// 7 nodes, 4 features; node 6 is isolated (only its self-loop).
const EDGES: [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 0],
  [2, 3],
  [3, 4],
  [4, 5],
  [1, 5],
];
const N = 7;
const F = 4;
const FEATURES = testValues(N * F, 11);
const LABELS = Int32Array.from([0, 1, 2, 0, 1, 2, 0]);

function graph(features: GraphData['features'], numFeatures = F): GraphData {
  return {
    numNodes: N,
    numFeatures,
    features,
    edges: Int32Array.from([...EDGES.map((x) => x[0]), ...EDGES.map((x) => x[1])]),
    labels: LABELS,
    numClasses: 3,
    masks: { train: Uint8Array.from([1, 1, 1, 0, 0, 0, 0]), validation: Uint8Array.from([0, 0, 0, 1, 1, 0, 0]), test: Uint8Array.from([0, 0, 0, 0, 0, 1, 1]) },
  };
}

/** The same values as a CSR matrix (every entry stored, so nothing is lost). */
function csr(): GraphData['features'] {
  const indptr = Int32Array.from({ length: N + 1 }, (_, i) => i * F);
  const indices = Int32Array.from({ length: N * F }, (_, k) => k % F);
  return { kind: 'csr', indptr, indices, values: Float32Array.from(FEATURES) };
}

const layer = (o: Partial<GnnLayer>, last = false): GnnLayer => ({
  ...(last ? {} : { hidden: 4 }),
  attention: 'gat',
  heads: 2,
  aggregator: 'sum',
  combine: 'constant',
  skip: 'none',
  activation: 'tanh',
  ...o,
});

/** Loss of the training nodes (cross-entropy), no dropout. */
function loss(net: GnnNetwork, g: GraphTensors): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.gather(net.forward(g, { training: false }), tf.tensor1d([0, 1, 2], 'int32'));
    const logp = tf.sub(z, tf.logSumExp(z, 1, true));
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3)), 1)));
  });
}

/**
 * Directional derivative check, parameter by parameter: ∇_p L·v against
 * (L(p+εv) − L(p−εv)) / 2ε for a fixed random v. Returns [name, analytic, numeric] per parameter.
 */
function directional(net: GnnNetwork, g: GraphTensors, eps = 3e-4): [string, number, number][] {
  const { grads } = tf.variableGrads(
    () => loss(net, g),
    net.params.map((p) => p.variable),
  );
  const out = net.params.map((p, i): [string, number, number] => {
    const dir = tf.tensor(testValues(p.variable.size, 100 + i), p.shape as number[]);
    const analytic = tf.sum(tf.mul(grads[p.variable.name]!, dir)).dataSync()[0]!;
    const base = tf.clone(p.variable);
    const at = (sign: number): number => {
      p.variable.assign(tf.add(base, tf.mul(dir, sign * eps)));
      return loss(net, g).dataSync()[0]!;
    };
    const numeric = (at(1) - at(-1)) / (2 * eps);
    p.variable.assign(base);
    tf.dispose([dir, base]);
    return [p.name, analytic, numeric];
  });
  tf.dispose(Object.values(grads));
  return out;
}

describe('GNN networks (sparse message passing)', () => {
  let dense: GraphTensors;
  beforeAll(async () => {
    await initTensorBackend('wasm');
    dense = graphTensors(graph({ kind: 'dense', values: FEATURES }));
  });
  afterAll(() => dense.dispose());

  it("GCN attention is Kipf & Welling's D^-1/2 (A + I) D^-1/2 X W (+ bias), checked against the dense formula", () => {
    const net = buildGnnNetwork({ layers: [layer({ attention: 'gcn', heads: 1, activation: 'linear' }, true)] }, { numFeatures: F, numClasses: 3, seed: 3 });
    const w = net.weights().get('l0.weight')!.values;
    const a: number[][] = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? 1 : 0)));
    for (const [u, v] of EDGES) a[u]![v] = a[v]![u] = 1;
    const d = a.map((r) => r.reduce((s, x) => s + x, 0));
    const xw = Array.from({ length: N }, (_, i) =>
      Array.from({ length: 3 }, (_, c) => [0, 1, 2, 3].reduce((s, f) => s + FEATURES[i * F + f]! * w[f * 3 + c]!, 0)),
    );
    const want = Array.from({ length: N }, (_, i) =>
      Array.from({ length: 3 }, (_, c) => a[i]!.reduce((s, x, j) => s + (x / Math.sqrt(d[i]! * d[j]!)) * xw[j]![c]!, 0)),
    );
    const got = net.forward(dense, { training: false }).arraySync();
    got.flat().forEach((v, k) => expect(v).toBeCloseTo(want.flat()[k]!, 5));
    net.dispose();
  });

  it("GAT attention is a softmax over each node's neighbours (self included) of LeakyReLU(aₗ·xᵢ + aᵣ·xⱼ), checked against the formula", () => {
    const net = buildGnnNetwork({ layers: [layer({ attention: 'gat', heads: 1, activation: 'linear' }, true)] }, { numFeatures: F, numClasses: 3, seed: 4 });
    const ws = net.weights();
    const w = ws.get('l0.weight')!.values;
    const al = ws.get('l0.att_l')!.values;
    const ar = ws.get('l0.att_r')!.values;
    const xw = Array.from({ length: N }, (_, i) =>
      Array.from({ length: 3 }, (_, c) => [0, 1, 2, 3].reduce((s, f) => s + FEATURES[i * F + f]! * w[f * 3 + c]!, 0)),
    );
    const nb = Array.from({ length: N }, (_, i) => [i]);
    for (const [u, v] of EDGES) {
      nb[u]!.push(v);
      nb[v]!.push(u);
    }
    const lrelu = (x: number) => (x > 0 ? x : 0.2 * x);
    const dot = (x: number[], a: Float32Array) => x.reduce((s, v, k) => s + v * a[k]!, 0);
    const want = nb.map((js, i) => {
      const e = js.map((j) => Math.exp(lrelu(dot(xw[i]!, al) + dot(xw[j]!, ar))));
      const z = e.reduce((s, x) => s + x, 0);
      return [0, 1, 2].map((c) => js.reduce((s, j, k) => s + (e[k]! / z) * xw[j]![c]!, 0));
    });
    const got = net.forward(dense, { training: false }).arraySync();
    got.flat().forEach((v, k) => expect(v).toBeCloseTo(want.flat()[k]!, 5));
    net.dispose();
  });

  it('the same values as dense, CSR or identity features give the same logits', () => {
    const sparse = graphTensors(graph(csr()));
    const eye = new Float32Array(N * N);
    for (let i = 0; i < N; i++) eye[i * N + i] = 1;
    const identity = graphTensors(graph({ kind: 'identity' }, N));
    const denseEye = graphTensors(graph({ kind: 'dense', values: eye }, N));
    const g = { layers: [layer({ aggregator: 'mean', skip: 'residual' }), layer({ heads: 1 }, true)] };
    const a = buildGnnNetwork(g, { numFeatures: F, numClasses: 3, seed: 5 });
    // Equal up to summation order.
    expect(closeness(a.forward(sparse, { training: false }).dataSync(), a.forward(dense, { training: false }).dataSync(), 1e-6, 1e-5)).toBeLessThan(1);
    const b = buildGnnNetwork(g, { numFeatures: N, numClasses: 3, seed: 5 });
    expect(closeness(b.forward(identity, { training: false }).dataSync(), b.forward(denseEye, { training: false }).dataSync(), 1e-6, 1e-5)).toBeLessThan(1);
    [a, b].forEach((n) => n.dispose());
    [sparse, identity, denseEye].forEach((t) => t.dispose());
  });

  const configs: [string, GnnLayer[]][] = [
    ...GNN_ATTENTIONS.map((attention): [string, GnnLayer[]] => [`attention ${attention}`, [layer({ attention }), layer({ attention, heads: 2 }, true)]]),
    ...GNN_AGGREGATORS.map((aggregator): [string, GnnLayer[]] => [`aggregator ${aggregator}`, [layer({ aggregator }), layer({ aggregator, heads: 1 }, true)]]),
    ['combine mlp (self-loops excluded; node 6 has no neighbour)', [layer({ combine: 'mlp' }), layer({ combine: 'mlp', aggregator: 'max' }, true)]],
    ['skip residual', [layer({ skip: 'residual' }), layer({ skip: 'residual', heads: 1 }, true)]],
    ...GNN_ACTIVATIONS.map((activation): [string, GnnLayer[]] => [`activation ${activation}`, [layer({ activation }), layer({ heads: 1 }, true)]]),
  ];
  it.each(configs)('%s: the gradient of the loss matches finite differences', (_name, layers) => {
    const net = buildGnnNetwork({ layers }, { numFeatures: F, numClasses: 3, seed: 7 });
    // A small step (max and ReLU have kinks; a step across one is not the derivative), and float32
    // differences of a loss near 1 are good to a few 1e-4 at this step.
    const checks = directional(net, dense);
    expect(checks.filter(([, a, n]) => !(Math.abs(a - n) < 3e-4 + 3e-2 * Math.abs(n)))).toEqual([]);
    net.dispose();
  });

  it('propagate sums weighted rows into destinations and its gradients match finite differences in x and w', () => {
    const edges = { src: Int32Array.from([0, 1, 2, 2]), dst: Int32Array.from([1, 1, 0, 3]), rows: 4 };
    const x0 = tf.tensor2d(testValues(3 * 4, 21), [3, 4]); // 2 heads × 2
    const w0 = tf.tensor2d(testValues(4 * 2, 22), [4, 2]);
    const out = propagate(x0, w0, edges, 2).arraySync();
    const xv = x0.arraySync();
    const wv = w0.arraySync();
    const want = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let e = 0; e < 4; e++) for (let k = 0; k < 4; k++) want[edges.dst[e]!]![k]! += wv[e]![k < 2 ? 0 : 1]! * xv[edges.src[e]!]![k]!;
    out.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i]!, 5));
    const dy = tf.tensor2d(testValues(16, 23), [4, 4]);
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(propagate(x as tf.Tensor2D, w as tf.Tensor2D, edges, 2), dy));
    const [gx, gw] = tf.grads(f)([x0, w0]);
    for (const [which, g] of [
      [0, gx],
      [1, gw],
    ] as const) {
      const base = which === 0 ? x0 : w0;
      const values = base.dataSync();
      for (let i = 0; i < values.length; i++) {
        const plus = Float32Array.from(values);
        const minus = Float32Array.from(values);
        plus[i]! += 1e-2;
        minus[i]! -= 1e-2;
        const at = (v: Float32Array) => (which === 0 ? f(tf.tensor2d(v, x0.shape), w0) : f(x0, tf.tensor2d(v, w0.shape))).dataSync()[0]!;
        expect(g!.dataSync()[i]).toBeCloseTo((at(plus) - at(minus)) / 2e-2, 3);
      }
    }
    // With constant weights, w gets no gradient (and x the same one).
    const [gx2, gw2] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
      tf.sum(tf.mul(propagate(x as tf.Tensor2D, w as tf.Tensor2D, edges, 2, { constantWeights: true }), dy)),
    )([x0, w0]);
    expect(Array.from(gx2!.dataSync())).toEqual(Array.from(gx!.dataSync()));
    expect(Array.from(gw2!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('parameters are seeded by (seed, name): a shared layer starts equal, and assign() copies only what the filter accepts', () => {
    const a = buildGnnNetwork({ layers: [layer({ hidden: 8 }), layer({ heads: 1 }, true)] }, { numFeatures: F, numClasses: 3, seed: 9 });
    const b = buildGnnNetwork({ layers: [layer({ hidden: 8 }), layer({ heads: 4, attention: 'cos' }, true)] }, { numFeatures: F, numClasses: 3, seed: 9 });
    expect(Array.from(b.weights().get('l0.weight')!.values)).toEqual(Array.from(a.weights().get('l0.weight')!.values));
    const trained = new Map([...a.weights()].map(([k, v]) => [k, { shape: v.shape, values: v.values.map((x) => x + 1) }]));
    // Layer 1 differs in heads (weight shape) and attention: only layer 0 can be taken.
    expect(b.assign(trained, (p) => p.layer === 0).sort()).toEqual(['l0.att_l', 'l0.att_r', 'l0.bias', 'l0.weight']);
    expect(b.weights().get('l0.weight')!.values[0]).toBeCloseTo(a.weights().get('l0.weight')!.values[0]! + 1, 6);
    a.dispose();
    b.dispose();
  });

  it('training lowers the loss, dropout is seeded, and scoreNodes agrees with the network', async () => {
    const net = buildGnnNetwork({ layers: [layer({}), layer({ heads: 1, activation: 'linear' }, true)] }, { numFeatures: F, numClasses: 3, seed: 1 });
    const before = loss(net, dense).dataSync()[0]!;
    const r = await trainGraphNetwork(net, dense, { epochs: 60, learningRate: 0.02, weightDecay: 0, dropout: 0.2, seed: 5 });
    expect(r.epochs).toBe(60);
    expect(loss(net, dense).dataSync()[0]!).toBeLessThan(before);
    const logits = net.forward(dense, { training: false }).dataSync() as Float32Array;
    expect(scoreNodes(logits, 3, LABELS, dense.nodes.validation)).toEqual(r.validation);
    const m1 = net.forward(dense, { training: true, dropout: 0.5, seed: 8 }).dataSync();
    const m2 = net.forward(dense, { training: true, dropout: 0.5, seed: 8 }).dataSync();
    expect(Array.from(m1)).toEqual(Array.from(m2));
    net.dispose();
  });

  it('genotypes are checked: a hidden size of 0, an unknown attention, hidden on the output layer', () => {
    expect(() => gnnGenotype({ layers: [{ ...layer({}), hidden: 0 }, layer({}, true)] } as never)).toThrow(/layer 1 has a hidden size of 0/);
    expect(() => gnnGenotype({ layers: [layer({ attention: 'dot' as never }), layer({}, true)] } as never)).toThrow(/attention "dot" is not one of const, gcn/);
    expect(() => gnnGenotype({ layers: [layer({}), layer({ hidden: 8 })] } as never)).toThrow(/output layer/);
  });
});
