import { createRng } from '@nasx/kernel';
import { deepnetsGenotype } from '@nasx/tensor';
import { createDeepNetsSearchSpace } from './deepnets.search-space';

describe('deepnets search space', () => {
  const space = createDeepNetsSearchSpace();

  it('mutates by every kind of change, always to a valid network of the ranges', () => {
    const rng = createRng(5);
    const kinds = new Set<string>();
    let a = space.sample(rng);
    for (let k = 0; k < 300; k++) {
      const b = space.mutate(a, rng);
      expect(b.key).not.toBe(a.key);
      const [ga, gb] = [deepnetsGenotype(a), deepnetsGenotype(b)];
      if (ga.channels !== gb.channels) kinds.add('channels');
      if (ga.layers !== gb.layers) kinds.add('layers');
      if (ga.stem !== gb.stem) kinds.add('stem');
      for (const c of ['normal', 'reduce'] as const) {
        const [na, nb] = [ga[c].nodes, gb[c].nodes];
        if (na.length < nb.length) kinds.add('add');
        else if (na.length > nb.length) kinds.add('remove');
        else if (JSON.stringify(na.map((n) => n.ops)) !== JSON.stringify(nb.map((n) => n.ops))) kinds.add('op');
        else if (JSON.stringify(na.map((n) => n.inputs)) !== JSON.stringify(nb.map((n) => n.inputs))) kinds.add('input');
        expect(nb.length).toBeGreaterThanOrEqual(1);
        expect(nb.length).toBeLessThanOrEqual(4);
      }
      expect(gb.layers).toBeGreaterThanOrEqual(3);
      expect(gb.layers).toBeLessThanOrEqual(6);
      expect(space.validate(b).key).toBe(b.key);
      a = b;
    }
    expect([...kinds].sort()).toEqual(['add', 'channels', 'input', 'layers', 'op', 'remove', 'stem']);
  });

  it('removes a node by rewiring its readers to its first input', () => {
    const text = JSON.stringify({
      channels: 8,
      layers: 3,
      stem: 1,
      normal: {
        nodes: [
          { inputs: [1], ops: ['conv_3x3'] },
          { inputs: [0, 2], ops: ['skip', 'max_pool_3x3'] },
        ],
      },
      reduce: { nodes: [{ inputs: [0], ops: ['skip'] }] },
    });
    const a = space.parse(text);
    // Removing node 0 (input 2 of node 1) leaves node 1 reading inputs 0 and 1.
    const rng = createRng(0);
    let removed;
    for (let k = 0; k < 500 && !removed; k++) {
      const b = space.mutate(a, rng);
      const g = deepnetsGenotype(b);
      if (g.normal.nodes.length === 1 && g.normal.nodes[0]!.inputs.length === 2) removed = g.normal.nodes[0];
    }
    expect(removed).toEqual({ inputs: [0, 1], ops: ['skip', 'max_pool_3x3'] });
  });

  it('refuses an op its ranges leave out, and inverted ranges', () => {
    const narrow = createDeepNetsSearchSpace({ ops: ['conv_3x3'] });
    const a = space.sample(createRng(1));
    expect(() => narrow.validate(a)).toThrow(/leaves out/);
    expect(() => createDeepNetsSearchSpace({ layers: [5, 2] })).toThrow(/minimum is above its maximum/);
  });
});
