import type { Architecture } from '@nasx/contracts';
import { testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { toLayersModel } from '../export/layers-model';
import { buildNetwork, planNetwork } from '../network/builders';
import { tf } from '../tf';
import { nb101Cell, nb101VertexChannels } from './nb101.network';

// NB101's colab example (an Inception-like cell), pruned.
const EXAMPLE: Architecture = {
  space: 'nb101',
  genotype: {
    matrix: [
      [0, 1, 1, 1, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0],
    ],
    ops: ['input', 'conv1x1-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'maxpool3x3', 'output'],
  },
  key: 'example',
};
// A chain: vertex 1 (not feeding the output) is truncated into the narrower vertex 2.
const CHAIN: Architecture = {
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
  key: 'chain',
};
const SMALL = { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 5, stacks: 2, modulesPerStack: 1 } };

beforeAll(async () => {
  await initTensorBackend();
});

describe('NB101 networks', () => {
  it('split the output channels among the vertices feeding it, remainders first (compute_vertex_channels)', () => {
    // 4 vertices feed the output of the example: 128 = 32 × 4; vertex 3 feeds only vertex 4.
    expect(nb101VertexChannels(128, 128, nb101Cell(EXAMPLE))).toEqual([128, 32, 32, 32, 32, 32, 128]);
    expect(nb101VertexChannels(64, 10, nb101Cell(EXAMPLE))).toEqual([64, 3, 3, 2, 2, 2, 10]);
    expect(nb101VertexChannels(5, 5, nb101Cell(CHAIN))).toEqual([5, 3, 2, 5]);
  });

  it('build, run and export as built-in layers (truncation included) with the same logits', () => {
    for (const arch of [EXAMPLE, CHAIN]) {
      const net = buildNetwork(arch, SMALL);
      const exported = toLayersModel(net);
      try {
        expect(net.paramCount).toBe(planNetwork(arch, SMALL).paramCount);
        const x = tf.tensor4d(testValues(2 * 192, 9), [2, 3, 8, 8]);
        const a = net.forward(x, { training: false }).dataSync();
        const b = (exported.model.predict(x) as tf.Tensor).dataSync();
        expect(a.length).toBe(20);
        a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-4));
        tf.dispose(x);
      } finally {
        exported.model.dispose();
        net.dispose();
      }
    }
  });

  it('refuse cells that are not pruned NB101 cells', () => {
    const bad = (genotype: object) => () => planNetwork({ space: 'nb101', genotype: genotype as never, key: 'bad' }, SMALL);
    expect(
      bad({
        matrix: [
          [0, 1],
          [1, 0],
        ],
        ops: ['input', 'output'],
      }),
    ).toThrow(/upper-triangular/);
    expect(
      bad({
        matrix: [
          [0, 0, 1],
          [0, 0, 1],
          [0, 0, 0],
        ],
        ops: ['input', 'conv3x3-bn-relu', 'output'],
      }),
    ).toThrow(/vertex 1 has no input/);
    expect(
      bad({
        matrix: [
          [0, 1],
          [0, 0],
        ],
        ops: ['input', 'conv5x5'],
      }),
    ).toThrow(/ops/);
  });
});
