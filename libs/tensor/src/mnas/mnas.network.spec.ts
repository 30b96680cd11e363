import { isNasxError, operatorKey, type Architecture } from '@nasx/contracts';
import { closeness, testValues } from '../__fixtures__/backends';
import { toLayersModel } from '../export/layers-model';
import { initTensorBackend } from '../backend/backend';
import { buildNetwork, planNetwork } from '../network/builders';
import { tf } from '../tf';
import { crossEntropy } from '../train/train';
import { MNAS_BLOCKS, MNAS_SPACE, mnasGraph, mnasKey, mnasOperators, resolveMnasBlocks, roundFilters } from './mnas.network';

/** Block choices (op, kernel, se, skip, multiplier, layers) as indices. */
const blocks = (b: number[]) => MNAS_BLOCKS.map(() => [...b]);
const arch = (bs: number[][]): Architecture => ({ space: MNAS_SPACE, genotype: { blocks: bs }, key: mnasKey(resolveMnasBlocks(bs)) });
/** MBConv6, k3, no SE, identity skip, ×1.0, base layers: MobileNetV2's block everywhere. */
const MBCONV6 = blocks([3, 0, 0, 1, 1, 1]);
/** MnasNet-A1 (Tan et al. 2019, Fig. 7): SepConv k3; MBConv6 k3; MBConv3 k5 SE; MBConv6 k3; MBConv6 k3 SE; MBConv6 k5 SE; MBConv6 k3. */
const A1 = arch([
  [1, 0, 0, 0, 1, 1],
  [3, 0, 0, 1, 1, 1],
  [2, 1, 1, 1, 1, 1],
  [3, 0, 0, 1, 1, 1],
  [3, 0, 1, 1, 1, 1],
  [3, 1, 1, 1, 1, 1],
  [3, 0, 0, 0, 1, 1],
]);

describe('MnasNet network', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('rounds filters as the reference round_filters (multiples of 8, ≥ 90 % of the product)', () => {
    expect(MNAS_BLOCKS.map((b) => [0.75, 1, 1.25].map((m) => roundFilters(b.filters, m)))).toEqual([
      [16, 16, 24],
      [24, 24, 32],
      [32, 40, 48],
      [64, 80, 104],
      [88, 112, 144],
      [120, 160, 200],
      [240, 320, 400],
    ]);
  });

  it('MnasNet-A1 at 224×224 has the paper’s size: 3.9 M parameters and 312 M multiply-adds (Tan et al. 2019, Table 1)', () => {
    const plan = planNetwork(A1, { inputShape: [3, 224, 224], numClasses: 1000 });
    expect(plan.paramCount).toBe(3887038);
    expect(plan.flops).toBe(311584310);
    expect(Math.abs(plan.paramCount / 3.9e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(plan.flops / 312e6 - 1)).toBeLessThan(0.01);
  });

  it('the graph is a chain whose shapes connect, with the skip canonicalised where it cannot apply', () => {
    const g = mnasGraph(MBCONV6, [3, 224, 224], 1000);
    const ops = g.nodes.filter((n) => n.op !== 'input' && n.op !== 'output');
    expect(ops.length).toBe(1 + MNAS_BLOCKS.reduce((s, b) => s + b.layers, 0) + 3);
    for (let i = 1; i < ops.length; i++) expect((ops[i]!.attrs!['input'] as number[]).join()).toBe(ops[i - 1]!.shape!.join());
    expect(g.nodes.find((n) => n.id === 'b1.0')!.attrs!['skip']).toBe('none'); // 32 → 16
    expect(g.nodes.find((n) => n.id === 'b2.0')!.attrs!['skip']).toBe('none'); // stride 2
    expect(g.nodes.find((n) => n.id === 'b2.1')!.attrs!['skip']).toBe('identity');
    expect(g.nodes.find((n) => n.id === 'pool')!.attrs!['input']).toEqual([1280, 7, 7]);
    // Block 1 has one layer and cannot use its skip: choosing identity or none gives the same key.
    const a = blocks([3, 0, 0, 1, 1, 1]);
    const b = a.map((x, i) => (i === 0 ? [3, 0, 0, 0, 1, 1] : x));
    expect(mnasKey(resolveMnasBlocks(a))).toBe(mnasKey(resolveMnasBlocks(b)));
  });

  it('builds for MNIST shapes, trains a step (finite loss, every parameter updated by its gradient) and plans what it allocates', () => {
    const net = buildNetwork(A1, { inputShape: [1, 28, 28], numClasses: 10, seed: 1 });
    try {
      expect(net.paramCount).toBe(planNetwork(A1, { inputShape: [1, 28, 28], numClasses: 10 }).paramCount);
      const x = tf.tensor4d(testValues(4 * 28 * 28, 3), [4, 1, 28, 28]);
      const labels = tf.tensor1d([1, 3, 5, 7], 'int32');
      const { value, grads } = tf.variableGrads(() => crossEntropy(net.forward(x, { training: true }), labels), [...net.parameters.values()]);
      expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
      const zero = [...net.parameters].filter(([, v]) => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0] === 0).map(([n]) => n);
      expect(zero).toEqual([]);
      tf.dispose([x, labels, value, ...Object.values(grads)]);
    } finally {
      net.dispose();
    }
  });

  it('every op node of a network is among the space operators at that input shape', () => {
    const keys = new Set(mnasOperators([3, 32, 32], 10).map(operatorKey));
    for (const bs of [MBCONV6, (A1.genotype as { blocks: number[][] }).blocks, blocks([0, 1, 1, 1, 0, 2]), blocks([1, 1, 0, 1, 2, 0])]) {
      for (const n of mnasGraph(bs, [3, 32, 32], 10).nodes) if (n.op !== 'input' && n.op !== 'output') expect(keys.has(operatorKey(n))).toBe(true);
    }
  });

  it('networks share their op nodes: one frozen object per position and operator, equal to a node planned afresh', () => {
    const a = mnasGraph(MBCONV6, [3, 32, 32], 10);
    const b = mnasGraph(
      blocks([3, 0, 0, 1, 1, 1]).map((x, i) => (i === 6 ? [0, 1, 1, 1, 0, 2] : x)),
      [3, 32, 32],
      10,
    );
    // Blocks 1–6 agree, so their nodes are the same objects; block 7 and what follows it differ.
    expect(b.nodes.find((n) => n.id === 'b3.1')).toBe(a.nodes.find((n) => n.id === 'b3.1'));
    expect(b.nodes.find((n) => n.id === 'b7.0')).not.toBe(a.nodes.find((n) => n.id === 'b7.0'));
    // Another input size or class count is another node.
    expect(mnasGraph(MBCONV6, [3, 64, 64], 10).nodes.find((n) => n.id === 'b3.1')).not.toBe(a.nodes.find((n) => n.id === 'b3.1'));
    expect(mnasGraph(MBCONV6, [3, 32, 32], 100).nodes.find((n) => n.id === 'classifier')!.attrs!['cout']).toBe(100);
    for (const n of a.nodes.filter((x) => x.op !== 'input' && x.op !== 'output')) {
      expect(Object.isFrozen(n) && Object.isFrozen(n.attrs) && Object.isFrozen(n.attrs!['input']) && Object.isFrozen(n.shape)).toBe(true);
      expect(() => ((n.attrs as Record<string, unknown>)['kernel'] = 99)).toThrow(TypeError);
    }
    // Interning changes no number: the network's plan (every parameter and MAC) is the paper's, as above.
    expect(planNetwork(A1, { inputShape: [3, 224, 224], numClasses: 1000 }).flops).toBe(
      mnasGraph((A1.genotype as { blocks: number[][] }).blocks, [3, 224, 224], 1000).meta!.flops,
    );
  });

  it('a genotype of the wrong shape and macro settings are NasxErrors', () => {
    const bad = (a: Architecture) => {
      try {
        planNetwork(a, { inputShape: [3, 32, 32], numClasses: 10 });
      } catch (e) {
        return isNasxError(e) ? `${e.kind}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(bad({ space: MNAS_SPACE, genotype: { blocks: [[0, 0, 0, 0, 0, 0]] }, key: 'x' })).toMatch(/architecture: .*does not have 7 blocks/);
    expect(bad({ space: MNAS_SPACE, genotype: { blocks: blocks([4, 0, 0, 0, 0, 0]) }, key: 'x' })).toMatch(
      /block 1, decision op: choice 4 is out of range 0..3/,
    );
    expect(bad(A1)).toBe('no error');
    expect(() => planNetwork(A1, { inputShape: [3, 32, 32], numClasses: 10, macro: { channels: 8 } })).toThrow(/unknown macro setting "channels"/);
  });
});

describe('MnasNet export', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('exports as a LayersModel of built-in layers whose predictions equal the network’s (every op type, SE, skips)', () => {
    // Blocks cover conv (SE, skip), sep_conv (SE), MBConv3 and MBConv6, kernels 3 and 5.
    const mixed: Architecture = (() => {
      const bs = [
        [1, 0, 1, 0, 1, 1],
        [0, 1, 1, 1, 1, 1],
        [2, 1, 1, 1, 0, 0],
        [3, 0, 0, 1, 1, 0],
        [1, 1, 0, 1, 1, 0],
        [3, 1, 1, 1, 0, 0],
        [0, 0, 0, 0, 1, 1],
      ];
      return { space: MNAS_SPACE, genotype: { blocks: bs }, key: mnasKey(resolveMnasBlocks(bs)) };
    })();
    const net = buildNetwork(mixed, { inputShape: [3, 32, 32], numClasses: 10, seed: 2 });
    // Non-trivial batch-norm statistics and affine parameters: the network's evaluation folds each
    // normalisation into its (plain or depthwise) convolution, the exported model does not.
    const warm = tf.tensor4d(testValues(4 * 3 * 32 * 32, 10), [4, 3, 32, 32]);
    tf.tidy(() => void net.forward(warm, { training: true }));
    warm.dispose();
    for (const [name, v] of net.parameters)
      if (/\.bn\.(weight|bias)$/.test(name)) v.assign(tf.tidy(() => tf.add(v, tf.randomUniform(v.shape, -0.5, 0.5, 'float32', 12))));
    const { model, parameters, unusedParameters } = toLayersModel(net);
    try {
      expect([parameters, unusedParameters]).toEqual([net.paramCount, 0]);
      const x = tf.tensor4d(testValues(2 * 3 * 32 * 32, 9), [2, 3, 32, 32]);
      const a = net.forward(x, { training: false });
      const b = model.predict(x) as tf.Tensor;
      expect(closeness(b.dataSync(), a.dataSync(), 1e-4, 1e-3)).toBeLessThanOrEqual(1);
      tf.dispose([x, a, b]);
    } finally {
      model.dispose();
      net.dispose();
    }
  });
});
