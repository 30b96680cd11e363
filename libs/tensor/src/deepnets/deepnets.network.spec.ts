import { isNasxError, type Architecture } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { toLayersModel } from '../export/layers-model';
import { buildNetwork, planNetwork } from '../network/builders';
import { tf } from '../tf';
import { DEEPNETS_OPS, cellOutputs, deepnetsArchitecture, deepnetsGenotype, reductionCells, sampleDeepNets, type DeepNetsGenotype } from './deepnets.network';

const TASK = { numClasses: 10, inputShape: [1, 12, 12] };

/** Every op in one normal cell, fed from both inputs and from nodes; reduction cells too. */
const ALL_OPS: DeepNetsGenotype = {
  channels: 4,
  layers: 3,
  stem: 2,
  normal: {
    nodes: [
      { inputs: [0, 1], ops: ['conv_1x1', 'sep_conv_3x3'] },
      { inputs: [1, 2], ops: ['max_pool_3x3', 'se'] },
      { inputs: [0, 3], ops: ['conv_5x5', 'avg_pool_3x3'] },
      { inputs: [2], ops: ['sep_conv_5x5'] },
    ],
  },
  reduce: {
    nodes: [
      { inputs: [0, 1], ops: ['skip', 'conv_3x3'] },
      { inputs: [1], ops: ['max_pool_3x3'] },
    ],
  },
};

beforeAll(async () => {
  await initTensorBackend();
});

describe('deepnets networks', () => {
  it('reduce at 1/3 and 2/3 of the depth and concatenate the nodes nobody reads', () => {
    expect(reductionCells(2)).toEqual([]);
    expect(reductionCells(3)).toEqual([1, 2]);
    expect(reductionCells(8)).toEqual([2, 5]);
    expect(cellOutputs(ALL_OPS.normal)).toEqual([2, 3]);
    expect(cellOutputs(ALL_OPS.reduce)).toEqual([0, 1]);
  });

  it('sample valid, varied networks whose plan matches the built network', () => {
    const rng = createRng(11);
    const seen = new Set<string>();
    const ops = new Set<string>();
    for (let k = 0; k < 40; k++) {
      const a = sampleDeepNets(rng);
      seen.add(a.key);
      const g = deepnetsGenotype(a);
      for (const n of [...g.normal.nodes, ...g.reduce.nodes]) n.ops.forEach((o) => ops.add(o));
      // SE is never drawn on a reduction cell's inputs.
      g.reduce.nodes.forEach((n) => n.inputs.forEach((i, j) => expect(i < 2 && n.ops[j] === 'se').toBe(false)));
      expect(planNetwork(a, TASK).paramCount).toBeGreaterThan(0);
    }
    expect(seen.size).toBe(40);
    expect([...ops].sort()).toEqual([...DEEPNETS_OPS].sort());
    const net = buildNetwork(deepnetsArchitecture(ALL_OPS), TASK);
    try {
      expect(net.paramCount).toBe(planNetwork(deepnetsArchitecture(ALL_OPS), TASK).paramCount);
      const y = tf.tidy(() => net.forward(tf.tensor4d(testValues(2 * 144, 3), [2, 1, 12, 12]), { training: true }).shape);
      expect(y).toEqual([2, 10]);
    } finally {
      net.dispose();
    }
  });

  it('export as a LayersModel of built-in layers (max pooling and concatenation included) that computes the same logits', () => {
    const net = buildNetwork(deepnetsArchitecture(ALL_OPS), TASK);
    const exported = toLayersModel(net);
    try {
      const x = tf.tensor4d(testValues(3 * 144, 5), [3, 1, 12, 12]);
      const a = net.forward(x, { training: false }).dataSync();
      const b = (exported.model.predict(x) as tf.Tensor).dataSync();
      let diff = 0;
      a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b[i]!))));
      expect(diff).toBeLessThan(1e-4);
      const classes = new Set(exported.model.layers.map((l) => l.getClassName()));
      expect(classes.has('MaxPooling2D') && classes.has('Concatenate')).toBe(true);
      expect(exported.parameters + exported.unusedParameters).toBe(net.paramCount);
      tf.dispose(x);
    } finally {
      exported.model.dispose();
      net.dispose();
    }
  });

  it('refuse genotypes that are not networks, naming the problem', () => {
    const bad = (g: object): unknown => {
      try {
        deepnetsGenotype({ space: 'deepnets', genotype: g as never, key: 'k' } as Architecture);
      } catch (e) {
        return isNasxError(e) && e.kind === 'architecture' ? e.message : e;
      }
      return 'accepted';
    };
    expect(bad({ ...ALL_OPS, channels: 0 })).toMatch(/channels 0/);
    expect(bad({ ...ALL_OPS, normal: { nodes: [{ inputs: [2], ops: ['skip'] }] } })).toMatch(/reads input 2, not one of 0..1/);
    expect(bad({ ...ALL_OPS, normal: { nodes: [{ inputs: [0], ops: ['dil_conv_3x3'] }] } })).toMatch(/unknown op "dil_conv_3x3"/);
    expect(bad({ ...ALL_OPS, extra: 1 })).toMatch(/unknown genotype field "extra"/);
    expect(() => planNetwork({ space: 'deepnets', genotype: ALL_OPS as never, key: 'k' }, { numClasses: 10, inputShape: [1, 100] })).toThrow(/input shape/);
  });
});
