import type { Architecture } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { initTensorBackend } from '../backend/backend';
import { deepnetsArchitecture, sampleDeepNets } from '../deepnets/deepnets.network';
import { tf } from '../tf';
import { wrnArchitecture } from '../wrn/wrn.network';
import { graphDistances, traceNetwork, type ComputeGraph } from './compute-graph';
import { Ghn, type GhnConfig } from './ghn.model';
import { forwardWithParameters, ghnNetwork, metaTrainStep, type GhnNetwork } from './ghn.train';

// A small GHN: the same code paths as GHN-2's (virtual edges, layer norm, normalisation), cheap.
const SMALL: GhnConfig = { hidden: 8, maxShape: [8, 8, 3, 3], numClasses: 10, virtualEdges: 3, layerNorm: true, weightNorm: true, seed: 1 };
const MNIST = { numClasses: 10, inputShape: [1, 12, 12] };

const nb201 = (ops: number[]): Architecture => ({ space: 'nb201', genotype: { ops }, key: `nb201:${ops.join('')}` });

beforeAll(async () => {
  await initTensorBackend();
});

describe('traceNetwork', () => {
  it('gives every planned parameter to exactly one node, for every builder that describes its forward pass', () => {
    const cases: [Architecture, object][] = [
      [nb201([3, 3, 1, 2, 4, 3]), { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } }],
      [wrnArchitecture(10, 1), { numClasses: 10, inputShape: [3, 8, 8] }],
      [
        { space: 'mnas', genotype: { blocks: Array.from({ length: 7 }, () => [2, 1, 1, 1, 0, 0]) }, key: 'mnas:a' },
        { numClasses: 10, inputShape: [3, 32, 32] },
      ],
      [sampleDeepNets(createRng(3)), MNIST],
      [
        {
          space: 'nb101',
          genotype: {
            matrix: [
              [0, 1, 1, 0],
              [0, 0, 1, 1],
              [0, 0, 0, 1],
              [0, 0, 0, 0],
            ],
            ops: ['input', 'conv3x3-bn-relu', 'maxpool3x3', 'output'],
          },
          key: 'c',
        },
        { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 8, stacks: 2, modulesPerStack: 1 } },
      ],
    ];
    for (const [arch, options] of cases) {
      const net = ghnNetwork(arch, options as never);
      const owned = net.compute.nodes.flatMap((n) => n.param?.names ?? []);
      expect(owned.sort()).toEqual(net.plan.parameters.map((p) => p.name).sort());
      expect(net.compute.unused).toEqual([]);
      // Topological order, one input node, the classifier at the end.
      net.compute.nodes.forEach((n, j) => n.inputs.forEach((i) => expect(i).toBeLessThan(j)));
      expect(net.compute.nodes.filter((n) => n.op === 'input')).toHaveLength(1);
      expect(net.compute.nodes.at(-1)!.op).toBe('classifier_bias');
      expect(net.compute.nodes.filter((n) => n.op === 'classifier')).toHaveLength(1);
    }
  });

  it('traces an NB201 cell as its edges: skip adds no node, a none-only node is a zero node', () => {
    // Edges 1←0 none, 2←0 none, 2←1 none: node 1 and 2 are zero; node 3 = conv3(x) + skip(node1) + pool(node2).
    const net = ghnNetwork(nb201([0, 0, 0, 3, 1, 4]), { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } });
    const ops = net.compute.nodes.map((n) => n.op);
    // One conv + bn per ReLU-conv-BN; the reduction blocks each have 2 ReLU-conv-BN, a pool and a 1×1 conv.
    expect(ops.filter((o) => o === 'conv')).toHaveLength(1 + 3 * 1 + 2 * 3);
    expect(ops.filter((o) => o === 'zero')).toHaveLength(2 * 3);
  });

  it('leaves out the parameters of NB201 edges that compute nothing (into a node that reaches the output only through none)', () => {
    // Node 1 = conv(x) feeds only edges set to none: its conv is never run.
    const net = ghnNetwork(nb201([3, 0, 0, 0, 0, 3]), { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } });
    expect(net.compute.unused).toContain('cells.0.layers.0.op.1.weight');
    const owned = new Set(net.compute.nodes.flatMap((n) => n.param?.names ?? []));
    expect(net.plan.parameters.filter((p) => !owned.has(p.name)).map((p) => p.name)).toEqual([...net.compute.unused]);
  });

  it('lists shortest-path distances up to the cut-off (virtual edges)', () => {
    // 0 → 1 → 2 → 3 and 0 → 3.
    const g: ComputeGraph = {
      space: 't',
      archKey: 't',
      nodes: [
        { op: 'input', name: 'a', inputs: [] },
        { op: 'conv', name: 'b', inputs: [0] },
        { op: 'bn', name: 'c', inputs: [1] },
        { op: 'sum', name: 'd', inputs: [2, 0] },
      ],
      unused: [],
    };
    const d = (max: number) => graphDistances(g, max).map((e) => `${e.from}>${e.to}:${e.distance}`);
    expect(d(1).sort()).toEqual(['0>1:1', '0>3:1', '1>2:1', '2>3:1']);
    expect(d(3).sort()).toEqual(['0>1:1', '0>2:2', '0>3:1', '1>2:1', '1>3:2', '2>3:1']);
  });
});

/** GHN-2's gated graph network node by node, as the reference's loop, in float64 JavaScript. */
function referenceEmbed(ghn: Ghn, graphs: readonly ComputeGraph[], shapes: Int32Array, ops: Int32Array): number[][] {
  const v = (k: string) => {
    const t = ghn.variables.get(k)!;
    return { data: Array.from(t.dataSync()), shape: t.shape };
  };
  const h = ghn.config.hidden;
  const lin = (x: number[], k: string) => {
    const w = v(`${k}.weight`);
    const b = v(`${k}.bias`);
    const fout = w.shape[1]!;
    return Array.from({ length: fout }, (_, j) => b.data[j]! + x.reduce((s, xi, i) => s + xi * w.data[i * fout + j]!, 0));
  };
  const relu = (x: number[]) => x.map((a) => Math.max(0, a));
  const mlp = (x: number[], k: string) => relu(lin(relu(lin(x, `${k}.0`)), `${k}.1`));
  const sig = (a: number) => 1 / (1 + Math.exp(-a));
  const mat = (x: number[], k: string) => {
    const w = v(k);
    return Array.from({ length: 3 * h }, (_, j) => x.reduce((s, xi, i) => s + xi * w.data[i * 3 * h + j]!, 0));
  };
  const gru = (m: number[], hp: number[]) => {
    const bi = v('gnn.gru.bi').data;
    const bh = v('gnn.gru.bh').data;
    const gi = mat(m, 'gnn.gru.wi').map((a, j) => a + bi[j]!);
    const gh = mat(hp, 'gnn.gru.wh').map((a, j) => a + bh[j]!);
    return hp.map((hj, j) => {
      const r = sig(gi[j]! + gh[j]!);
      const z = sig(gi[h + j]! + gh[h + j]!);
      const n = Math.tanh(gi[2 * h + j]! + r * gh[2 * h + j]!);
      return (1 - z) * n + z * hj;
    });
  };
  const embed = v('embed');
  const ch = v('shape.channel');
  const sp = v('shape.spatial');
  const row = (t: { data: number[]; shape: readonly number[] }, i: number) => t.data.slice(i * t.shape[1]!, (i + 1) * t.shape[1]!);
  const out: number[][] = [];
  let offset = 0;
  for (const g of graphs) {
    const n = g.nodes.length;
    const hx = Array.from({ length: n }, (_, k) => {
      const s = offset + k;
      const base = row(embed, ops[s]!);
      const shape = [...row(ch, shapes[4 * s]!), ...row(ch, shapes[4 * s + 1]!), ...row(sp, shapes[4 * s + 2]!), ...row(sp, shapes[4 * s + 3]!)];
      return base.map((a, j) => a + shape[j]!);
    });
    const edges = graphDistances(g, ghn.config.virtualEdges);
    for (const forward of [true, false]) {
      const order = forward ? [...Array(n).keys()] : [...Array(n).keys()].reverse();
      for (const node of order) {
        const m = new Array<number>(h).fill(0);
        for (const e of edges) {
          const [src, dst] = forward ? [e.from, e.to] : [e.to, e.from];
          if (dst !== node) continue;
          if (e.distance === 1) mlp(hx[src]!, 'gnn.mlp').forEach((a, j) => (m[j]! += a));
          mlp(hx[src]!, 'gnn.mlp_ve').forEach((a, j) => (m[j]! += a / e.distance));
        }
        hx[node] = gru(m, hx[node]!);
      }
    }
    const lw = v('ln.weight').data;
    const lb = v('ln.bias').data;
    for (const x of hx) {
      const mean = x.reduce((a, b) => a + b, 0) / h;
      const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / h;
      out.push(x.map((a, j) => ((a - mean) / Math.sqrt(variance + 1e-5)) * lw[j]! + lb[j]!));
    }
    offset += n;
  }
  return out;
}

describe('Ghn', () => {
  let ghn: Ghn;
  let nets: GhnNetwork[];
  beforeAll(() => {
    ghn = new Ghn(SMALL);
    const rng = createRng(7);
    nets = [0, 1, 2].map(() =>
      ghnNetwork(
        sampleDeepNets(rng, { channels: [4, 6], layers: [1, 3], nodes: [1, 3], stem: [1, 2], ops: ['conv_3x3', 'sep_conv_3x3', 'max_pool_3x3', 'skip', 'se'] }),
        MNIST,
      ),
    );
  });
  afterAll(() => ghn.dispose());

  it('updates nodes level by level exactly as the reference updates them one at a time', () => {
    const batch = ghn.prepare(nets.map((n) => n.compute));
    const got = tf.tidy(() => ghn.embed(batch).arraySync());
    const want = referenceEmbed(ghn, batch.graphs, batch.shapes, batch.ops);
    expect(got).toHaveLength(want.length);
    let worst = 0;
    got.forEach((r, i) => r.forEach((a, j) => (worst = Math.max(worst, Math.abs(a - want[i]![j]!)))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('predicts every parameter of a batch of graphs in its shape, the same as one graph at a time', () => {
    const batch = ghn.prepare(nets.map((n) => n.compute));
    const all = tf.tidy(() => ghn.predict(batch));
    nets.forEach((net, b) => {
      const alone = tf.tidy(() => ghn.predict(ghn.prepare([net.compute]))[0]!);
      for (const p of net.plan.parameters) {
        expect(all[b]![p.name]!.shape).toEqual([...p.shape]);
        const d = tf.tidy(() => tf.max(tf.abs(tf.sub(all[b]![p.name]!, alone[p.name]!))).dataSync()[0]!);
        expect(d).toBeLessThan(1e-5);
      }
      tf.dispose(Object.values(alone));
    });
    tf.dispose(all.flatMap((r) => Object.values(r)));
  });

  it('tiles a tensor wider than maxShape and normalises by fan-in (GHN-2 Sec. 4.2)', () => {
    // A conv 4 → 20 channels with maxShape 8: output channels 0-7 repeat as 8-15 and 16-19.
    const arch = deepnetsArchitecture({
      channels: 20,
      layers: 1,
      stem: 1,
      normal: { nodes: [{ inputs: [1], ops: ['conv_3x3'] }] },
      reduce: { nodes: [{ inputs: [1], ops: ['skip'] }] },
    });
    const net = ghnNetwork(arch, MNIST);
    const params = tf.tidy(() => ghn.predict(ghn.prepare([net.compute]))[0]!);
    const w = params['cells.0.n0.0.conv.weight']!; // [3, 3, 20, 20]
    expect(w.shape).toEqual([3, 3, 20, 20]);
    const a = tf.tidy(() => tf.slice(w, [0, 0, 0, 0], [3, 3, 8, 8]).dataSync());
    const b = tf.tidy(() => tf.slice(w, [0, 0, 8, 8], [3, 3, 8, 8]).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    // Batch-norm weights in (0, 2), biases in (−1, 1).
    const gamma = params['cells.0.n0.0.bn.weight']!.dataSync();
    const beta = params['cells.0.n0.0.bn.bias']!.dataSync();
    expect(Math.min(...gamma)).toBeGreaterThan(0);
    expect(Math.max(...gamma)).toBeLessThan(2);
    expect(Math.max(...Array.from(beta).map(Math.abs))).toBeLessThan(1);
    tf.dispose(Object.values(params));
  });

  it('meta-training lowers the loss of the networks it predicts for', () => {
    const g = new Ghn({ ...SMALL, seed: 2 });
    try {
      const batch = g.prepare(nets.map((n) => n.compute));
      // 16 images of 10 classes, a fixed batch: the step must fit it.
      const x = tf.tensor4d(
        Float32Array.from({ length: 16 * 144 }, (_, i) => Math.sin(i * 0.37) + ((i % 144) % 10 === Math.floor(i / 144) % 10 ? 1 : 0)),
        [16, 1, 12, 12],
      );
      const y = tf.tensor1d(
        Int32Array.from({ length: 16 }, (_, i) => i % 10),
        'int32',
      );
      const optimizer = tf.train.adam(3e-3);
      const losses: number[] = [];
      for (let s = 0; s < 12; s++) losses.push(metaTrainStep(g, optimizer, nets, batch, x, y, { weightDecay: 1e-5, gradClip: 5 }).loss);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
      // The predicted parameters run the networks: logits of the right shape.
      const logits = tf.tidy(() => forwardWithParameters(nets[0]!, g.predict(g.prepare([nets[0]!.compute]))[0]!, x).shape);
      expect(logits).toEqual([16, 10]);
      tf.dispose([x, y]);
      optimizer.dispose();
    } finally {
      g.dispose();
    }
  });

  it('refuses a network whose classifier has another number of classes', () => {
    const net = ghnNetwork(sampleDeepNets(createRng(1)), { numClasses: 3, inputShape: [1, 12, 12] });
    expect(() => ghn.prepare([net.compute])).toThrow(/3 classes but the GHN predicts classifiers for 10/);
  });

  it('traces a graph once per call and keeps no tensors', () => {
    const before = tf.memory().numTensors;
    const g = traceNetwork(nets[0]!.graph, nets[0]!.plan);
    expect(g.nodes.length).toBe(nets[0]!.compute.nodes.length);
    tf.tidy(() => {
      ghn.predict(ghn.prepare([g]));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
