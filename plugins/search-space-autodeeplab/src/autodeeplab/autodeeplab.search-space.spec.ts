import { isNasxError } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { describeSearchSpaceContract } from '@nasx/testing';
import { adlGenotype, buildNetwork, initTensorBackend, tf } from '@nasx/tensor';
import { AutodeeplabSearchSpace, autodeeplabSearchSpace, parseAutodeeplab, pathCount } from './autodeeplab.search-space';

describeSearchSpaceContract(autodeeplabSearchSpace);
describeSearchSpaceContract(autodeeplabSearchSpace, { options: { blocks: 2, layers: 3 } });

const TEXT = 'sep_conv_3x3~0+dil_conv_3x3~1|avg_pool_3x3~1+sep_conv_5x5~2@4-8-8-16';

describe('autodeeplab space', () => {
  const space = new AutodeeplabSearchSpace({ blocks: 2, layers: 4 });

  it('parses and writes the text form; errors name the part and the fix', () => {
    const a = space.parse(TEXT);
    expect(space.format(a)).toBe(TEXT);
    expect(adlGenotype(a)).toEqual({
      cell: [
        [0, 4, 1, 6],
        [1, 2, 2, 5],
      ],
      path: [0, 1, 1, 2],
    });
    // Pair order inside a block does not matter.
    expect(space.parse('dil_conv_3x3~1+sep_conv_3x3~0|avg_pool_3x3~1+sep_conv_5x5~2@4-8-8-16').key).toBe(a.key);
    const bad: [string, RegExp][] = [
      ['sep_conv_3x3~0+dil_conv_3x3~1', /expected "<cell>@<path>"/],
      ['sep_conv_3x3~0|x@4', /block 0 "sep_conv_3x3~0" is not two/],
      ['conv_7x7~0+dil_conv_3x3~1@4', /"conv_7x7~0" is not "op~input"/],
      ['none~0+dil_conv_3x3~1@4', /"none~0" is not "op~input"/],
      ['sep_conv_3x3~0+dil_conv_3x3~1@4-64', /rate "64" is not one of 4, 8, 16, 32/],
      ['sep_conv_3x3~0+dil_conv_3x3~1@4-16', /moves from level 0 to 2/],
    ];
    for (const [text, message] of bad) {
      let err: unknown;
      try {
        parseAutodeeplab(text);
      } catch (e) {
        err = e;
      }
      expect(
        isNasxError(err) && err.kind === 'architecture' && message.test(err.message) && /write the blocks|an autodeeplab genotype is/.test(err.fix ?? ''),
      ).toBe(true);
    }
    // An architecture of another size of the space.
    expect(() => space.validate(new AutodeeplabSearchSpace({ blocks: 3, layers: 4 }).sample(createRng(1)))).toThrow(
      /has 3 blocks and 4 layers; this autodeeplab space has 2 and 4/,
    );
  });

  it('counts paths of the trellis and samples them uniformly', () => {
    expect([1, 2, 3, 4, 12].map(pathCount)).toEqual([2, 5, 13, 34, 75025]);
    // 34 paths of 4 layers, each drawn about 1/34 of the time.
    const rng = createRng(7);
    const counts = new Map<string, number>();
    const n = 6800;
    for (let i = 0; i < n; i++) {
      const p = adlGenotype(space.sample(rng)).path.join('');
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect(counts.size).toBe(34);
    for (const c of counts.values()) expect(Math.abs(c - 200)).toBeLessThan(60);
    expect(space.size).toBe(1 * 49 * 3 * 49 * 34);
  });

  it('decisions round-trip; a path off the trellis or a block reading one input twice is an architecture error', () => {
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const a = space.sample(rng);
      expect(space.fromDecisions(space.toDecisions(a)).key).toBe(a.key);
    }
    const d = space.toDecisions(space.parse(TEXT));
    const twice = [...d];
    twice[2] = twice[0]!;
    expect(() => space.fromDecisions(twice)).toThrow(/reads input 0 twice/);
    const jump = [...d];
    jump[8 + 1] = 3;
    expect(() => space.fromDecisions(jump)).toThrow(/moves from level 0 to 3/);
    expect(space.decisions().map((x) => x.choices.length)).toEqual([2, 7, 2, 7, 3, 7, 3, 7, 4, 4, 4, 4]);
  });

  it('builds the network of a sampled architecture for a segmentation shape and trains a step', async () => {
    await initTensorBackend('wasm');
    const arch = space.sample(createRng(11));
    const net = buildNetwork(arch, {
      inputShape: [3, 24, 32],
      outputShape: [4, 24, 32],
      numClasses: 4,
      macro: { filterMultiplier: 2, stemChannels: 4, asppChannels: 4 },
    });
    try {
      const x = tf.randomNormal([2, 3, 24, 32]) as tf.Tensor4D;
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(net.forward(x, { training: true }))) as tf.Scalar);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads).length).toBe(net.parameters.size);
      tf.dispose([x, value, ...Object.values(grads)]);
    } finally {
      net.dispose();
    }
  });
});
