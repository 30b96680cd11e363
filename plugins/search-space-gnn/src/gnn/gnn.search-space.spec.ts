import { createRng } from '@nasx/kernel';
import { GNN_GAT, GNN_GCN, createGnnSearchSpace, parseGnn } from './gnn.search-space';

describe('gnn search space', () => {
  const space = createGnnSearchSpace();

  it("has AGNN's decisions per layer (the output layer without a hidden size) and their product as its size", () => {
    expect(space.decisions().map((d) => d.name)).toEqual([
      'layer1.hidden',
      'layer1.attention',
      'layer1.heads',
      'layer1.aggregator',
      'layer1.combine',
      'layer1.skip',
      'layer1.activation',
      'layer2.attention',
      'layer2.heads',
      'layer2.aggregator',
      'layer2.combine',
      'layer2.skip',
      'layer2.activation',
    ]);
    expect(space.decisions()[1]!.choices).toEqual(['const', 'gcn', 'gat', 'sym-gat', 'cos', 'linear', 'generalized-linear']);
    expect(space.size).toBe(7 * 7 * 6 * 4 * 2 * 2 * 8 * (7 * 6 * 4 * 2 * 2 * 8));
    expect(space.encodingLength).toBe(36 + 29);
    expect(createGnnSearchSpace({ layers: 3 }).decisions()).toHaveLength(20);
  });

  it('text form, decisions and genotype round-trip; the presets are GCN and GAT', () => {
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const a = space.sample(rng);
      expect(space.parse(space.format(a)).key).toBe(a.key);
      expect(space.fromDecisions(space.toDecisions(a)).key).toBe(a.key);
      expect(space.validate(JSON.parse(JSON.stringify(a))).key).toBe(a.key);
      const e = space.encode(a);
      expect(e.reduce((s, v) => s + v, 0)).toBe(13);
    }
    expect(space.format(space.parse('gcn'))).toBe(GNN_GCN);
    expect(space.format(space.parse('GAT'))).toBe(GNN_GAT);
    expect(parseGnn(GNN_GAT)[0]).toEqual({ hidden: 8, heads: 8, attention: 'gat', aggregator: 'sum', combine: 'constant', skip: 'none', activation: 'elu' });
  });

  it('mutate changes one decision; neighbours are every one-decision change; crossover takes each decision from a parent', () => {
    const rng = createRng(5);
    const a = space.parse(GNN_GAT);
    for (let i = 0; i < 30; i++) {
      const m = space.toDecisions(space.mutate(a, rng));
      expect(m.filter((v, k) => v !== space.toDecisions(a)[k]).length).toBe(1);
    }
    const n = space.neighbours(a);
    expect(n).toHaveLength(29 + 23);
    expect(new Set(n.map((x) => x.key)).size).toBe(n.length);
    const b = space.sample(rng);
    const c = space.toDecisions(space.crossover(a, b, rng));
    c.forEach((v, k) => expect([space.toDecisions(a)[k], space.toDecisions(b)[k]]).toContain(v));
  });

  it('graphs have one node per layer with its choices', () => {
    const g = space.toGraph(space.parse(GNN_GCN));
    expect(g.nodes.map((x) => x.op)).toEqual(['input', 'gcn', 'gcn', 'output']);
    expect(g.nodes[1]!.attrs).toMatchObject({ hidden: 16, heads: 1, attention: 'gcn', activation: 'relu', output: false });
  });

  it('bad input: a hidden size of 0, an unknown attention, a layer count the space does not have, an architecture of another space', () => {
    expect(() => space.parse('1x0:gcn:sum:constant:none:relu | 1:gcn:sum:constant:none:linear')).toThrow(/layer 1 has a hidden size of 0/);
    expect(() => space.parse('1x16:dot:sum:constant:none:relu | 1:gcn:sum:constant:none:linear')).toThrow(/attention "dot" is not one of const, gcn, gat/);
    expect(() => space.parse('1:gcn:sum:constant:none:relu')).toThrow(/has 1 layer\(s\), but this space has 2/);
    expect(() => space.parse('1x16:gcn:sum | 1:gcn:sum:constant:none:linear')).toThrow(/layer 1 \("1x16:gcn:sum"\) has 3 fields, not 6/);
    expect(() => space.validate({ space: 'nb201', genotype: [], key: 'nb201:x' })).toThrow(/an architecture of space "nb201" was given to the gnn space/);
    expect(() => createGnnSearchSpace({ layers: 3 }).validate(space.parse(GNN_GCN))).toThrow(/a GNN with 2 layer\(s\) is not in this 3-layer space/);
    expect(() => space.fromDecisions([0])).toThrow(/takes 13 decisions, got 1/);
  });
});
