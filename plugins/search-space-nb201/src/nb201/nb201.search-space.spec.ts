import { isNasxError, KNOWN_OPS, type Architecture, type NasxError } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import * as fs from 'node:fs';
import * as path from 'node:path';
import plugin from '../index';
import { formatNb201, NB201_EXAMPLE, NB201_OPS, nb201Code, nb201FromCode, nb201Key } from './nb201.genotype';
import schema from './nb201.schema.json';
import { createNb201SearchSpace, nb201Architecture, nb201SearchSpace } from './nb201.search-space';

const space = createNb201SearchSpace();
const opsOf = (a: Architecture): number[] => (a.genotype as { ops: number[] }).ops;
const hamming = (x: readonly number[], y: readonly number[]): number => x.filter((v, i) => v !== y[i]).length;

function errorOf(fn: () => unknown): NasxError {
  try {
    fn();
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

/** χ² statistic of observed counts against expected counts. */
function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
}
// 99.9% quantiles of χ²: a fixed seed makes the tests deterministic, the quantile keeps them honest.
const CHI2_999 = { 3: 16.27, 4: 18.47, 5: 20.52 } as const;

describe('nb201 search space', () => {
  it('declares its id, sizes and encoding length', () => {
    expect(space.id).toBe('nb201');
    expect(space.size).toBe(15_625);
    expect(space.uniqueSize).toBe(6_466);
    expect(space.encodingLength).toBe(30);
  });

  it('makes architectures { space, genotype: { ops }, key }, frozen and JSON-serialisable', () => {
    const a = space.parse(NB201_EXAMPLE);
    expect(a).toEqual({ space: 'nb201', genotype: { ops: [3, 3, 3, 1, 3, 2] }, key: nb201Key([3, 3, 3, 1, 3, 2]) });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(opsOf(a))).toBe(true);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  describe('sample', () => {
    it('draws every op about equally often on every edge (χ², 50k draws)', () => {
      const rng = createRng(2020);
      const n = 50_000;
      const counts = Array.from({ length: 6 }, () => new Array<number>(5).fill(0));
      const codes = new Set<number>();
      for (let i = 0; i < n; i++) {
        const a = space.sample(rng);
        opsOf(a).forEach((op, e) => counts[e]![op]!++);
        codes.add(nb201Code(opsOf(a)));
      }
      for (const edge of counts) {
        expect(chiSquare(edge, new Array(5).fill(n / 5))).toBeLessThan(CHI2_999[4]);
        for (const c of edge) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.01);
      }
      // Uniform over the 15,625 cells: expected distinct cells after n draws is N(1 − e^(−n/N)) ≈ 14,988.
      const expected = 15_625 * (1 - Math.exp(-n / 15_625));
      expect(Math.abs(codes.size - expected) / expected).toBeLessThan(0.01);
    });
  });

  describe('mutate', () => {
    it('changes exactly one edge to a different op (50 seeds × 200 steps)', () => {
      const bad: string[] = [];
      for (let seed = 1; seed <= 50; seed++) {
        const rng = createRng(seed);
        let a = space.sample(rng);
        for (let step = 0; step < 200; step++) {
          const b = space.mutate(a, rng);
          if (hamming(opsOf(a), opsOf(b)) !== 1 || b.key !== nb201Key(opsOf(b)))
            bad.push(`seed ${seed} step ${step}: ${space.format(a)} -> ${space.format(b)}`);
          a = b;
        }
      }
      expect(bad).toEqual([]);
    });

    it('picks the node uniformly then one of its inputs (NB201 REA), and the new op uniformly among the other 4', () => {
      const rng = createRng(7);
      const parent = space.parse(NB201_EXAMPLE);
      const n = 60_000;
      const edgeCounts = new Array<number>(6).fill(0);
      const newOps = new Array<number>(5).fill(0);
      for (let i = 0; i < n; i++) {
        const child = opsOf(space.mutate(parent, rng));
        const e = child.findIndex((op, k) => op !== opsOf(parent)[k]);
        edgeCounts[e]!++;
        if (e === 0) newOps[child[0]!]!++;
      }
      // Edge 1←0: 1/3; edges into node 2: 1/6 each; edges into node 3: 1/9 each.
      const p = [1 / 3, 1 / 6, 1 / 6, 1 / 9, 1 / 9, 1 / 9];
      expect(
        chiSquare(
          edgeCounts,
          p.map((q) => q * n),
        ),
      ).toBeLessThan(CHI2_999[5]);
      // Edge 1←0 holds nor_conv_3x3 (3) in the parent, so it never stays 3.
      expect(newOps[3]).toBe(0);
      const others = [0, 1, 2, 4].map((op) => newOps[op]!);
      const m = edgeCounts[0]!;
      expect(
        chiSquare(
          others,
          others.map(() => m / 4),
        ),
      ).toBeLessThan(CHI2_999[3]);
    });
  });

  it('encodes one-hot per edge (30 floats)', () => {
    expect(Array.from(space.encode(space.parse(NB201_EXAMPLE)))).toEqual(
      // edges: conv3, conv3, conv3, skip, conv3, conv1 (blocks of 5 in NB201_OPS order)
      [
        [0, 0, 0, 1, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 1, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 1, 0, 0],
      ].flat(),
    );
    const rng = createRng(3);
    const bad: number[][] = [];
    for (let i = 0; i < 2000; i++) {
      const a = space.sample(rng);
      const v = space.encode(a);
      const ok = v instanceof Float32Array && v.length === 30 && opsOf(a).every((op, e) => [0, 1, 2, 3, 4].every((k) => v[e * 5 + k] === (k === op ? 1 : 0)));
      if (!ok) bad.push(opsOf(a));
    }
    expect(bad).toEqual([]);
  });

  it('builds the cell graph: input, 6 op nodes, add per cell node, output, in topological order', () => {
    // |avg_pool~0|+|none~0|skip~1|+|conv1x1~0|conv3x3~1|skip~2|
    const g = space.toGraph(nb201Architecture([4, 0, 1, 2, 3, 1]));
    expect(g.space).toBe('nb201');
    expect(g.level).toBe('cell');
    expect(g.meta).toEqual({ stages: 3, cellsPerStage: 5, channels: [16, 32, 64] });
    expect(g.nodes.map((n) => n.id)).toEqual(['input', 'e10', 'n1', 'e20', 'e21', 'n2', 'e30', 'e31', 'e32', 'n3', 'output']);
    expect(g.nodes.map((n) => n.op)).toEqual(['input', 'avg_pool', 'add', 'zero', 'identity', 'add', 'conv', 'conv', 'identity', 'add', 'output']);
    for (const n of g.nodes) expect(KNOWN_OPS).toContain(n.op);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('e30')!.attrs).toEqual({ kernel: 1, stride: 1, activation: 'relu', bn: true, order: 'relu-conv-bn', nb201Op: 'nor_conv_1x1' });
    expect(byId.get('e31')!.attrs).toEqual({ kernel: 3, stride: 1, activation: 'relu', bn: true, order: 'relu-conv-bn', nb201Op: 'nor_conv_3x3' });
    expect(byId.get('e10')!.attrs).toEqual({ kernel: 3, stride: 1, nb201Op: 'avg_pool_3x3' });
    expect(byId.get('e20')!.attrs).toEqual({ nb201Op: 'none' });
    const edges = g.edges.map((e) => `${e.from}>${e.to}`).sort();
    expect(edges).toEqual(
      ['input>e10', 'e10>n1', 'input>e20', 'e20>n2', 'n1>e21', 'e21>n2', 'input>e30', 'e30>n3', 'n1>e31', 'e31>n3', 'n2>e32', 'e32>n3', 'n3>output'].sort(),
    );
    // Topological order: every edge goes forward in the node list.
    const pos = new Map(g.nodes.map((n, i) => [n.id, i]));
    for (const e of g.edges) expect(pos.get(e.from)!).toBeLessThan(pos.get(e.to)!);
  });

  it('parses and formats, parse(format(a)).key === a.key for all cells', () => {
    const bad: string[] = [];
    for (const a of space.enumerate()) {
      const text = space.format(a);
      const b = space.parse(text);
      if (text !== formatNb201(opsOf(a)) || b.key !== a.key || nb201Code(opsOf(b)) !== nb201Code(opsOf(a))) bad.push(text);
    }
    expect(bad).toEqual([]);
  });

  describe('validate', () => {
    it('returns the architecture re-keyed canonically', () => {
      const ops = [1, 0, 0, 3, 2, 0];
      const v = space.validate({ space: 'nb201', genotype: { ops }, key: 'stale' });
      expect(v).toEqual(nb201Architecture(ops));
      expect(v.key).toBe(nb201Key([1, 0, 0, 2, 3, 0])); // node1 = x, so 3←0 and 3←1 commute
    });

    it('rejects another space, a bad genotype and out-of-range ops, naming the problem', () => {
      const other = errorOf(() => space.validate({ space: 'darts', genotype: { ops: [0, 0, 0, 0, 0, 0] }, key: 'x' }));
      expect(other.kind).toBe('architecture');
      expect(other.message).toContain('space "darts"');
      expect(errorOf(() => space.validate({ space: 'nb201', genotype: [0, 0, 0, 0, 0, 0], key: 'x' })).message).toContain('genotype must be an object');
      expect(errorOf(() => space.validate({ space: 'nb201', genotype: { ops: [0, 0, 0] }, key: 'x' })).message).toContain('6 entries');
      expect(errorOf(() => space.validate({ space: 'nb201', genotype: { ops: [0, 0, 0, 0, 0, 7] }, key: 'x' })).message).toContain(
        'edge 6 of 6 (node 3 ← node 2) has op index 7',
      );
      expect(errorOf(() => space.validate({ space: 'nb201', genotype: { ops: [0, 0, '1', 0, 0, 0] }, key: 'x' })).message).toContain('has op index "1"');
      expect(errorOf(() => space.validate({ space: 'nb201', genotype: {}, key: 'x' })).message).toContain('got undefined');
      expect(errorOf(() => space.mutate({ space: 'nb101', genotype: null, key: 'x' }, createRng(1))).kind).toBe('architecture');
    });
  });

  it('enumerates all 15,625 cells once, in code order, with 6,466 keys', () => {
    const all = [...space.enumerate()];
    expect(all).toHaveLength(15_625);
    expect(all.every((a, code) => nb201Code(opsOf(a)) === code)).toBe(true);
    expect(new Set(all.map((a) => a.key)).size).toBe(6_466);
  });

  it('lists the 24 one-edge neighbours', () => {
    const a = space.parse(NB201_EXAMPLE);
    const ns = space.neighbours(a);
    expect(ns).toHaveLength(24);
    for (const b of ns) expect(hamming(opsOf(a), opsOf(b))).toBe(1);
    expect(new Set(ns.map((b) => nb201Code(opsOf(b)))).size).toBe(24);
  });

  it('crosses over uniformly per edge', () => {
    const rng = createRng(11);
    const a = nb201Architecture([0, 0, 0, 0, 0, 0]);
    const b = nb201Architecture([4, 4, 4, 4, 4, 4]);
    const fromB = new Array<number>(6).fill(0);
    const n = 20_000;
    for (let i = 0; i < n; i++) opsOf(space.crossover(a, b, rng)).forEach((op, e) => (fromB[e]! += op === 4 ? 1 : 0));
    for (const c of fromB) expect(Math.abs(c / n - 0.5)).toBeLessThan(0.015);
    const c = space.crossover(space.parse(NB201_EXAMPLE), a, rng);
    opsOf(c).forEach((op, e) => expect([0, opsOf(space.parse(NB201_EXAMPLE))[e]]).toContain(op));
  });

  it('exposes 6 decisions of 5 choices that invert each other', () => {
    const d = space.decisions();
    expect(d).toHaveLength(6);
    expect(d.map((x) => x.name)).toEqual(['node1<-node0', 'node2<-node0', 'node2<-node1', 'node3<-node0', 'node3<-node1', 'node3<-node2']);
    for (const x of d) expect(x.choices).toEqual([...NB201_OPS]);
    const a = space.fromDecisions([3, 3, 3, 1, 3, 2]);
    expect(space.format(a)).toBe(NB201_EXAMPLE);
    expect(space.toDecisions(a)).toEqual([3, 3, 3, 1, 3, 2]);
    expect(errorOf(() => space.fromDecisions([0, 0, 0, 0, 0])).message).toContain('6 decisions');
    expect(errorOf(() => space.fromDecisions([0, 0, 5, 0, 0, 0])).message).toContain('decision 3 (edge 3 of 6 (node 2 ← node 1)) is 5');
  });

  describe('ops option (restricted space)', () => {
    const noNone = createNb201SearchSpace({ ops: ['avg_pool_3x3', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3'] });

    it('restricts size, enumeration, sampling, mutation, neighbours and decisions to the subset', () => {
      expect(noNone.size).toBe(4 ** 6);
      expect([...noNone.enumerate()]).toHaveLength(4096);
      expect(noNone.uniqueSize).toBe(new Set([...noNone.enumerate()].map((a) => a.key)).size);
      const rng = createRng(5);
      let a = noNone.sample(rng);
      for (let i = 0; i < 2000; i++) {
        expect(opsOf(a)).not.toContain(0);
        const b = noNone.mutate(a, rng);
        expect(hamming(opsOf(a), opsOf(b))).toBe(1);
        a = i % 2 ? b : noNone.sample(rng);
      }
      expect(noNone.neighbours(a)).toHaveLength(18);
      // Choices follow NB201_OPS order whatever the option's order.
      expect(noNone.decisions()[0]!.choices).toEqual(['skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']);
      expect(opsOf(noNone.fromDecisions([0, 1, 2, 3, 0, 1]))).toEqual([1, 2, 3, 4, 1, 2]);
      expect(noNone.toDecisions(nb201Architecture([1, 2, 3, 4, 1, 2]))).toEqual([0, 1, 2, 3, 0, 1]);
      // Encodings and keys stay those of the full space.
      expect(noNone.encode(a)).toEqual(space.encode(a));
      expect(noNone.validate(a).key).toBe(a.key);
    });

    it('rejects cells that use an excluded op, naming the edge and the option', () => {
      const e = errorOf(() => noNone.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'));
      expect(e.kind).toBe('architecture');
      expect(e.message).toContain('edge 3 of 6 (node 2 ← node 1) uses op "none", which this nb201 space excludes');
      expect(e.fix).toContain('add "none" to the search space\'s ops option');
      expect(() => noNone.validate(nb201Architecture([0, 1, 1, 1, 1, 1]))).toThrow(/excludes/);
    });

    it('rejects bad options with a config error', () => {
      const bad = (ops: unknown): NasxError => errorOf(() => createNb201SearchSpace({ ops: ops as never }));
      expect(bad(['nor_conv_3x3']).kind).toBe('config');
      expect(bad(['nor_conv_3x3']).message).toContain('at least 2 ops');
      expect(bad(['conv_5x5', 'none']).message).toContain('unknown op "conv_5x5"');
      expect(bad(['none', 'none']).message).toContain('twice');
    });
  });

  describe('options schema and plugin entry', () => {
    it('describes every property, forbids others, and agrees with NB201_OPS', () => {
      expect(schema.additionalProperties).toBe(false);
      for (const p of Object.values(schema.properties)) expect(typeof p.description).toBe('string');
      expect(schema.properties.ops.items.enum).toEqual([...NB201_OPS]);
      expect(schema.properties.ops.default).toEqual([...NB201_OPS]);
      expect(createNb201SearchSpace({ ops: schema.properties.ops.default as never }).size).toBe(15_625);
      expect(nb201SearchSpace.optionsSchema).toEqual(schema);
    });

    it('is the one contribution of the default export, matching the manifest', () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).nasx;
      expect(plugin.contributions).toEqual([nb201SearchSpace]);
      expect(nb201SearchSpace.kind).toBe('search-space');
      expect(manifest.contributes).toEqual([
        expect.objectContaining({ id: nb201SearchSpace.id, kind: 'search-space', optionsSchema: 'src/nb201/nb201.schema.json' }),
      ]);
      const created = nb201SearchSpace.create({ ops: [...NB201_OPS] }, {} as never);
      expect((created as { size?: number }).size).toBe(15_625);
      expect(nb201FromCode(0)).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });
});
