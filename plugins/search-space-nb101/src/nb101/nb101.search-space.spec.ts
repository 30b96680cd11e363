import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { KNOWN_OPS, type Architecture, type OptionsInput } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { catchNasxError } from '@nasx/testing';
import { randomIsomorph } from './__fixtures__/nb101.fixtures';
import { encodeAdjacency, NB101_ADJACENCY_LENGTH, NB101_PATH_LENGTH } from './nb101.encoding';
import { cellOfGenotype, cellOfSpec, NB101_EXAMPLE, NB101_OPS, popcount, pruneBits, type Nb101Genotype } from './nb101.genotype';
import { nb101Hash } from './nb101.hash';
import { Nb101Index } from './nb101.index';
import schema from './nb101.schema.json';
import { createNb101SearchSpace, nb101Architecture, nb101SearchSpace, type Nb101Options } from './nb101.search-space';

const space = createNb101SearchSpace();
const g = (a: Architecture): Nb101Genotype => a.genotype as Nb101Genotype;
const C3 = 'conv3x3-bn-relu';
const MP = 'maxpool3x3';
/** A partial index (every cell of ≤ 5 vertices) stands in for the full one, which takes 10-30 s to build. */
const small = Nb101Index.build({ maxVertices: 5 });

/** χ² statistic of observed counts against expected counts. */
const chiSquare = (observed: readonly number[], expected: readonly number[]): number =>
  observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);

describe('nb101 search space', () => {
  it('declares its id, sizes and encoding length', () => {
    expect(space.id).toBe('nb101');
    expect(space.size).toBe(423_624);
    expect(space.uniqueSize).toBe(423_624);
    expect(space.encodingLength).toBe(36);
    expect(createNb101SearchSpace({ encoding: 'path' }).encodingLength).toBe(364);
    expect(space.index).toBeUndefined();
  });

  it('makes frozen, JSON-serialisable, pruned architectures keyed by the module hash', () => {
    const a = space.parse(NB101_EXAMPLE);
    expect(a.key).toBe('28cfc7874f6d200472e1a9dcd8650aa0');
    expect(Object.isFrozen(a) && Object.isFrozen(a.genotype) && Object.isFrozen(g(a).matrix) && Object.isFrozen(g(a).matrix[0])).toBe(true);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    const dangling = space.parse('[[0,1,1,0],[0,0,0,1],[0,0,0,0],[0,0,0,0]]|input,conv3x3-bn-relu,maxpool3x3,output');
    expect(g(dangling)).toEqual({
      matrix: [
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
      ],
      ops: ['input', C3, 'output'],
    });
  });

  describe('sample (NB101 random_spec)', () => {
    it('gives valid pruned cells with the right keys', () => {
      const rng = createRng(1);
      for (let i = 0; i < 2000; i++) {
        const a = space.sample(rng);
        const cell = cellOfGenotype(a.genotype);
        expect(cell.n).toBeLessThanOrEqual(7);
        expect(popcount(cell.bits)).toBeLessThanOrEqual(9);
        expect(pruneBits(cell.n, cell.bits)!.n).toBe(cell.n);
        expect(a.key).toBe(nb101Hash(cell));
      }
    });

    it('draws vertex counts like a uniform 7×7 spec conditioned on validity (χ² against all 2^21 matrices)', () => {
      // Exact distribution of the pruned vertex count of a valid random spec (ops do not matter).
      const exact = new Array<number>(8).fill(0);
      for (let bits = 0; bits < 1 << 21; bits++) {
        const p = pruneBits(7, bits);
        if (p && popcount(p.bits) <= 9) exact[p.n]!++;
      }
      const valid = exact.reduce((s, x) => s + x, 0);
      const rng = createRng(2);
      const n = 20_000;
      const counts = new Array<number>(8).fill(0);
      for (let i = 0; i < n; i++) counts[g(space.sample(rng)).ops.length]!++;
      const used = [2, 3, 4, 5, 6, 7].filter((v) => exact[v]! * n > 5 * valid);
      const observed = used.map((v) => counts[v]!);
      const expected = used.map((v) => (exact[v]! / valid) * n);
      // 99.9 % quantile of χ² with used.length − 1 degrees of freedom (≤ 5 dof: 20.52).
      expect(chiSquare(observed, expected)).toBeLessThan(20.52);
    });
  });

  it('samples uniformly over the indexed cells with sampling: uniform (χ² over vertex counts)', () => {
    const s = createNb101SearchSpace({ sampling: 'uniform' }, {}, { index: small });
    const rng = createRng(13);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[g(s.sample(rng)).ops.length]!++;
    // The partial index (≤ 5 vertices) has 1, 6, 84 and 2,441 cells of 2, 3, 4 and 5 vertices.
    const expected = [1, 6, 84, 2441].map((c) => (c / 2532) * 20_000);
    expect(chiSquare(counts.slice(2), expected)).toBeLessThan(16.27); // 99.9 %, 3 dof
  });

  describe('mutate (NB101 mutate_spec)', () => {
    it('returns a valid cell with another hash, 40 seeds × 100 steps', () => {
      const bad: string[] = [];
      for (let seed = 1; seed <= 40; seed++) {
        const rng = createRng(seed);
        let a = space.sample(rng);
        for (let step = 0; step < 100; step++) {
          const b = space.mutate(a, rng);
          if (b.key === a.key || b.key !== nb101Hash(cellOfGenotype(b.genotype))) bad.push(`${space.format(a)} -> ${space.format(b)}`);
          a = b;
        }
      }
      expect(bad).toEqual([]);
    });

    it('moves further with a larger mutationRate (mean adjacency-encoding distance)', () => {
      const parent = space.parse(NB101_EXAMPLE);
      const distance = (rate: number): number => {
        const s = createNb101SearchSpace({ mutationRate: rate });
        const rng = createRng(9);
        const p = s.encode(parent);
        let sum = 0;
        for (let i = 0; i < 1500; i++) {
          const c = s.encode(s.mutate(parent, rng));
          for (let k = 0; k < p.length; k++) sum += Math.abs(p[k]! - c[k]!);
        }
        return sum / 1500;
      };
      const [low, mid, high] = [distance(0.3), distance(1), distance(3)];
      expect(low).toBeLessThan(mid);
      expect(mid).toBeLessThan(high);
    });

    it('accepts genotypes from elsewhere (e.g. a journal) and rejects foreign ones', () => {
      const rng = createRng(4);
      const plain = JSON.parse(JSON.stringify(space.parse(NB101_EXAMPLE))) as Architecture;
      expect(space.mutate(plain, rng).key).not.toBe(plain.key);
      expect(catchNasxError(() => space.mutate({ space: 'nb201', genotype: { ops: [0] }, key: 'x' }, rng)).message).toMatch(/space "nb201"/);
    });
  });

  describe('encode', () => {
    it('adjacency: 21 upper-triangle bits (7×7, output padded to 6) + one-hot ops (36)', () => {
      const a = space.parse('[[0,1,1],[0,0,1],[0,0,0]]|input,maxpool3x3,output');
      const v = Array.from(space.encode(a));
      expect(v).toHaveLength(NB101_ADJACENCY_LENGTH);
      // Row-major upper triangle: (0,1)=0, (0,6)=5, (1,6)=10; vertex 1's op block at 21..23.
      const ones = v.flatMap((x, i) => (x ? [i] : []));
      expect(ones).toEqual([0, 5, 10, 21 + 2]);
      const full = Array.from(space.encode(space.parse(NB101_EXAMPLE)));
      expect(full.slice(0, 21)).toEqual([1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
      expect(full.slice(21)).toEqual([0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]);
    });

    it('path (BANANAS): one indicator per input→output op sequence (364), isomorphism-invariant', () => {
      const paths = createNb101SearchSpace({ encoding: 'path' });
      const onesOf = (text: string): number[] => Array.from(paths.encode(paths.parse(text))).flatMap((x, i) => (x ? [i] : []));
      expect(paths.encode(paths.parse('[[0,1],[0,0]]|input,output'))).toHaveLength(NB101_PATH_LENGTH);
      expect(onesOf('[[0,1],[0,0]]|input,output')).toEqual([0]);
      // Paths [] and [maxpool]: indices 0 and 3^0·(2+1) = 3.
      expect(onesOf('[[0,1,1],[0,0,1],[0,0,0]]|input,maxpool3x3,output')).toEqual([0, 3]);
      // Chain input → conv1x1 → conv3x3 → output: 3^0·(1+1) + 3^1·(0+1) = 5.
      expect(onesOf('[[0,1,0,0],[0,0,1,0],[0,0,0,1],[0,0,0,0]]|input,conv1x1-bn-relu,conv3x3-bn-relu,output')).toEqual([5]);
      // The longest path (5 maxpools): Σ 3^i·3 = 363.
      const chain = Array.from({ length: 7 }, (_, i) => Array.from({ length: 7 }, (_, j) => (j === i + 1 ? 1 : 0)));
      expect(onesOf(`${JSON.stringify(chain)}|input,${Array(5).fill(MP).join(',')},output`)).toEqual([363]);
      const rng = createRng(5);
      for (let i = 0; i < 200; i++) {
        const a = paths.sample(rng);
        const iso = randomIsomorph(cellOfGenotype(a.genotype), rng);
        expect(Array.from(paths.encode(paths.validate({ space: 'nb101', genotype: iso, key: '' })))).toEqual(Array.from(paths.encode(a)));
      }
    });
  });

  it('builds the cell graph: vertices in order, shared op names, edges from the matrix', () => {
    const graph = space.toGraph(space.parse(NB101_EXAMPLE));
    expect(graph.space).toBe('nb101');
    expect(graph.level).toBe('cell');
    expect(graph.nodes.map((n) => `${n.id}:${n.op}`)).toEqual(['input:input', 'v1:conv', 'v2:conv', 'v3:conv', 'v4:conv', 'v5:max_pool', 'output:output']);
    for (const n of graph.nodes) expect(KNOWN_OPS).toContain(n.op);
    expect(graph.nodes[1]!.attrs).toMatchObject({ kernel: 1, nb101Op: 'conv1x1-bn-relu' });
    expect(graph.nodes[2]!.attrs).toMatchObject({ kernel: 3, nb101Op: 'conv3x3-bn-relu' });
    expect(graph.nodes[5]!.attrs).toEqual({ kernel: 3, stride: 1, nb101Op: 'maxpool3x3' });
    expect(graph.edges.map((e) => `${e.from}>${e.to}`)).toEqual([
      'input>v1',
      'input>v2',
      'input>v3',
      'input>v5',
      'v1>output',
      'v2>output',
      'v3>v4',
      'v4>output',
      'v5>output',
    ]);
    expect(graph.meta).toMatchObject({ stacks: 3, cellsPerStack: 3, channels: [128, 256, 512] });
  });

  describe('parse / format / validate', () => {
    it('round-trips samples through the text form and the JSON object form', () => {
      const rng = createRng(6);
      for (let i = 0; i < 500; i++) {
        const a = space.sample(rng);
        const b = space.parse(space.format(a));
        expect(b).toEqual(a);
        expect(space.parse(JSON.stringify(a.genotype)).key).toBe(a.key);
      }
    });

    it('parses a bare module hash only with the index loaded', () => {
      const e = catchNasxError(() => space.parse('043721b9c7fe8c5fad811d47d83132ec'));
      expect(e.kind).toBe('architecture');
      expect(e.message).toMatch(/has not loaded its hash index/);
      expect(e.fix).toMatch(/loadIndex: true/);
      const indexed = createNb101SearchSpace({ loadIndex: true }, {}, { index: small });
      const a = indexed.parse(' 043721B9C7FE8C5FAD811D47D83132EC ');
      expect(a.key).toBe('043721b9c7fe8c5fad811d47d83132ec');
      expect(indexed.format(a)).toBe('[[0,1],[0,0]]|input,output');
      expect(catchNasxError(() => indexed.parse('ffffffffffffffffffffffffffffffff')).message).toMatch(/not the module hash of any/);
    });

    it('validates and re-keys; rejects other spaces and invalid cells with the problem named', () => {
      const a = space.parse(NB101_EXAMPLE);
      expect(space.validate({ ...a, key: 'stale' })).toEqual(a);
      const iso = randomIsomorph(cellOfGenotype(a.genotype), createRng(3));
      expect(space.validate({ space: 'nb101', genotype: iso, key: 'x' }).key).toBe(a.key);
      expect(catchNasxError(() => space.validate({ space: 'nb201', genotype: g(a), key: a.key })).message).toMatch(
        /space "nb201" given to the nb101 search space/,
      );
      const tooMany = catchNasxError(() =>
        space.validate({
          space: 'nb101',
          genotype: {
            matrix: [
              [0, 1, 1, 1],
              [0, 0, 1, 1],
              [0, 0, 0, 1],
              [0, 0, 0, 0],
            ],
            ops: ['input', C3, 'conv5x5', 'output'],
          },
          key: 'x',
        }),
      );
      expect(tooMany.kind).toBe('architecture');
      expect(tooMany.message).toMatch(/vertex 2 has unsupported op "conv5x5"/);
      expect(catchNasxError(() => space.parse('[[0,0],[0,0]]|input,output')).message).toMatch(/disconnected/);
    });
  });

  it('exposes the 7-vertex spec as controller decisions: 21 edges then 5 ops; invalid sequences are architecture errors', () => {
    const ds = space.decisions();
    expect(ds).toHaveLength(26);
    expect(ds.slice(0, 3).map((d) => d.name)).toEqual(['edge 0->1', 'edge 0->2', 'edge 1->2']);
    expect(ds[20]).toEqual({ name: 'edge 5->6', choices: ['0', '1'] });
    expect(ds[21]).toEqual({ name: 'op 1', choices: [...NB101_OPS] });
    // The example cell round-trips, and so does a cell with fewer than 7 vertices.
    for (const text of [NB101_EXAMPLE, `[[0,1,1],[0,0,1],[0,0,0]]|input,${MP},output`]) {
      const a = space.parse(text);
      const d = space.toDecisions(a);
      expect(d).toHaveLength(26);
      expect(space.fromDecisions(d).key).toBe(a.key);
    }
    // input → output only: edge bit of 0 → 6 is 15; every op choice prunes away.
    const direct = Array.from({ length: 26 }, (_, i) => (i === 15 ? 1 : 0));
    expect(space.fromDecisions(direct).key).toBe('043721b9c7fe8c5fad811d47d83132ec');
    const everyEdge = Array.from({ length: 26 }, (_, i) => (i < 21 ? 1 : 0));
    expect(catchNasxError(() => space.fromDecisions(everyEdge))).toMatchObject({
      kind: 'architecture',
      message: expect.stringMatching(/no valid cell .*more than 9 edges/),
    });
    expect(catchNasxError(() => space.fromDecisions(new Array(26).fill(0))).kind).toBe('architecture');
    expect(catchNasxError(() => space.fromDecisions([1, 2])).message).toMatch(/26 choice indices/);
    expect(catchNasxError(() => space.fromDecisions(direct.map((c, i) => (i === 22 ? 3 : c)))).kind).toBe('architecture');
    // About 3 in 4 uniform sequences prune to a valid cell (≤ 9 edges remain, output reachable).
    const rng = createRng(8);
    let valid = 0;
    for (let i = 0; i < 2000; i++) {
      try {
        space.fromDecisions(ds.map((d) => rng.int(d.choices.length)));
        valid++;
      } catch {
        // invalid: a controller draws again
      }
    }
    expect(valid / 2000).toBeGreaterThan(0.65);
    expect(valid / 2000).toBeLessThan(0.8);
  });

  it('lists the valid one-change neighbours, one per hash, without the cell itself', () => {
    const a = space.parse('[[0,1,1],[0,0,1],[0,0,0]]|input,maxpool3x3,output');
    const texts = space.neighbours(a).map((n) => space.format(n));
    // Flips: drop 0→1 or 1→2 (→ input→output), drop 0→2 (the chain); ops: conv3x3, conv1x1.
    expect(texts).toEqual(
      expect.arrayContaining([
        '[[0,1],[0,0]]|input,output',
        '[[0,1,0],[0,0,1],[0,0,0]]|input,maxpool3x3,output',
        '[[0,1,1],[0,0,1],[0,0,0]]|input,conv1x1-bn-relu,output',
        '[[0,1,1],[0,0,1],[0,0,0]]|input,conv3x3-bn-relu,output',
      ]),
    );
    // Every other one adds a vertex: 4 vertices, 5 edges.
    for (const t of texts.slice(4)) expect(space.parse(t).genotype).toMatchObject({ ops: expect.arrayContaining(['input', 'output']) });
    expect(texts.filter((t) => (space.parse(t).genotype as Nb101Genotype).ops.length === 4).length).toBe(texts.length - 4);
    // The input → output cell has only vertex insertions: input → new → output, 3 ops.
    const trivial = space.neighbours(space.parse('[[0,1],[0,0]]|input,output')).map((n) => space.format(n));
    expect(trivial.sort()).toEqual(['conv1x1-bn-relu', 'conv3x3-bn-relu', 'maxpool3x3'].map((op) => `[[0,1,1],[0,0,1],[0,0,0]]|input,${op},output`).sort());
    const rng = createRng(8);
    for (let i = 0; i < 30; i++) {
      const b = space.sample(rng);
      const keys = space.neighbours(b).map((x) => x.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).not.toContain(b.key);
    }
  });

  describe('restriction to a set of keys (keys / keysFrom)', () => {
    // 40 cells of ≤ 5 vertices, every 50th of the partial index.
    const allowed = Array.from({ length: 40 }, (_, i) => small.hashAt(i * 50));
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-'));
      fs.mkdirSync(path.join(dir, 'tables'));
      const rows = allowed.map((h, i) => `${i},"${h}",0.9`);
      fs.writeFileSync(path.join(dir, 'tables', 'keys.csv.gz'), zlib.gzipSync(`id,"module_hash",acc\n${rows.join('\n')}\n`));
      fs.writeFileSync(path.join(dir, 'bad.csv'), `hash\n${allowed[0]}\n${allowed[1]}\nnot-a-hash\n`);
      fs.writeFileSync(path.join(dir, 'absent.csv'), `hash\n${allowed[0]}\n${'f'.repeat(32)}\n`);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const restricted = (options: OptionsInput<Nb101Options>, dataDir?: string) => createNb101SearchSpace(options, { dataDir }, { index: small });

    it('accepts only allowed cells from decisions', () => {
      const s = restricted({ keys: allowed });
      for (const a of s.enumerate()) expect(s.fromDecisions(s.toDecisions(a)).key).toBe(a.key);
      const outside = space.parse(NB101_EXAMPLE);
      expect(catchNasxError(() => s.fromDecisions(space.toDecisions(outside)))).toMatchObject({
        kind: 'architecture',
        message: expect.stringMatching(/not among the 40 cells/),
      });
    });

    it('samples uniformly over the allowed cells (χ²) and enumerates exactly them', () => {
      const s = restricted({ keys: allowed });
      expect(s.size).toBe(40);
      expect(s.uniqueSize).toBe(40);
      expect([...s.enumerate()].map((a) => a.key).sort()).toEqual([...allowed].sort());
      const rng = createRng(10);
      const counts = new Map<string, number>();
      for (let i = 0; i < 8000; i++) {
        const k = s.sample(rng).key;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      expect([...counts.keys()].sort()).toEqual([...allowed].sort());
      // 99.9 % quantile of χ² with 39 dof: 72.05.
      expect(
        chiSquare(
          [...counts.values()],
          [...counts.values()].map(() => 200),
        ),
      ).toBeLessThan(72.05);
    });

    it('mutates and lists neighbours inside the allowed set, falling back to the nearest allowed cell', () => {
      const s = restricted({ keys: allowed });
      const set = new Set(allowed);
      const rng = createRng(11);
      let a = s.sample(rng);
      for (let i = 0; i < 300; i++) {
        const b = s.mutate(a, rng);
        expect(set.has(b.key)).toBe(true);
        expect(b.key).not.toBe(a.key);
        a = b;
      }
      for (const x of s.enumerate()) {
        const ns = s.neighbours(x);
        expect(ns.length).toBeGreaterThan(0);
        for (const n of ns) expect(set.has(n.key) && n.key !== x.key).toBe(true);
      }
      // Two far-apart cells: the input→output cell and a 5-vertex one; each mutates to the other.
      const trivial = small.hashAt(small.find('043721b9c7fe8c5fad811d47d83132ec'));
      const big = allowed.find((h) => small.cellAt(small.find(h)).n === 5)!;
      const pair = restricted({ keys: [trivial, big] });
      const t = pair.parse(trivial);
      expect(pair.mutate(t, rng).key).toBe(big);
      expect(pair.neighbours(t).map((x) => x.key)).toEqual([big]);
    });

    it('reads keysFrom (CSV or .csv.gz, quoted header, path relative to the data dir)', () => {
      const s = restricted({ keysFrom: { file: 'tables/keys.csv.gz', column: 'module_hash' } }, dir);
      expect(s.size).toBe(40);
      expect(s.restricted).toBe(true);
      const rng = createRng(12);
      for (let i = 0; i < 50; i++) expect(allowed).toContain(s.sample(rng).key);
    });

    it('rejects cells outside the restriction in parse and validate', () => {
      const s = restricted({ keys: allowed });
      const outside = small.hashAt(1);
      expect(allowed).not.toContain(outside);
      const e = catchNasxError(() => s.validate(nb101Architecture(small.cellAt(1))));
      expect(e.kind).toBe('architecture');
      expect(e.message).toMatch(new RegExp(`cell ${outside} is not among the 40 cells this nb101 space is restricted to \\(option keys\\)`));
      expect(e.fix).toMatch(/widen or remove the keys\/keysFrom option/);
      expect(() => s.parse(s.format(nb101Architecture(small.cellAt(1))))).toThrow(/is not among the 40 cells/);
    });

    it('reports bad keys with the file, line, pointer and fix', () => {
      const bad = catchNasxError(() => restricted({ keysFrom: { file: path.join(dir, 'bad.csv'), column: 'hash' } }));
      expect(bad.kind).toBe('config');
      expect(bad.where).toMatchObject({ file: path.join(dir, 'bad.csv'), line: 4 });
      expect(bad.message).toMatch(/bad\.csv:4: column "hash" holds "not-a-hash", not a 32-hex NB101 module hash/);
      const absent = catchNasxError(() => restricted({ keysFrom: { file: path.join(dir, 'absent.csv'), column: 'hash' } }));
      expect(absent.where).toMatchObject({ file: path.join(dir, 'absent.csv'), line: 3 });
      expect(absent.message).toMatch(/ffffffffffffffffffffffffffffffff is not the module hash of any NB101 cell/);
      const column = catchNasxError(() => restricted({ keysFrom: { file: path.join(dir, 'bad.csv'), column: 'module_hash' } }));
      expect(column.message).toMatch(/has no column "module_hash" \(its header: hash\)/);
      expect(column.where.pointer).toBe('/options/keysFrom/column');
      const missing = catchNasxError(() => restricted({ keysFrom: { file: 'nope.csv' } }, dir));
      expect(missing.message).toMatch(/cannot read the keysFrom file/);
      expect(catchNasxError(() => restricted({ keysFrom: { file: 'x.csv' } })).message).toMatch(/relative, but no data directory is configured/);
      const inline = catchNasxError(() => restricted({ keys: [allowed[0]!, 'f'.repeat(32)] }));
      expect(inline.where.pointer).toBe('/options/keys/1');
      expect(catchNasxError(() => restricted({ keys: allowed, keysFrom: { file: 'x.csv' } })).message).toMatch(/both keys and keysFrom/);
      expect(catchNasxError(() => restricted({ keys: [allowed[0]!, allowed[0]!.toUpperCase()] })).message).toMatch(/allows 1 cell/);
    });
  });

  describe('options schema', () => {
    it('describes every property, forbids others, and matches Nb101Options', () => {
      expect(schema.additionalProperties).toBe(false);
      const keys: (keyof Nb101Options)[] = ['encoding', 'mutationRate', 'sampling', 'keys', 'keysFrom', 'loadIndex', 'cacheDir'];
      expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
      for (const p of Object.values(schema.properties)) expect(typeof p.description).toBe('string');
      expect(schema.properties.encoding.enum).toEqual(['adjacency', 'path']);
      expect(schema.properties.sampling.enum).toEqual(['random-spec', 'uniform']);
      expect(Object.keys(schema.properties.keysFrom.properties).sort()).toEqual(['column', 'file']);
      expect(nb101SearchSpace.optionsSchema).toEqual(schema);
      expect(NB101_OPS).toEqual(['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3']);
    });

    it('rejects bad option values given without the kernel', () => {
      expect(catchNasxError(() => createNb101SearchSpace({ mutationRate: 0 })).where.pointer).toBe('/options/mutationRate');
      expect(catchNasxError(() => createNb101SearchSpace({ encoding: 'onehot' as 'path' })).where.pointer).toBe('/options/encoding');
      expect(catchNasxError(() => createNb101SearchSpace({ sampling: 'biased' as 'uniform' }, {}, { index: small })).where.pointer).toBe('/options/sampling');
    });
  });

  it('encodes a cell and its arbitrary-order genotype identically only up to vertex order (adjacency)', () => {
    const cell = cellOfSpec(
      [
        [0, 1, 1, 0],
        [0, 0, 0, 1],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
      ],
      ['input', C3, MP, 'output'],
    );
    const swapped = cellOfSpec(
      [
        [0, 1, 1, 0],
        [0, 0, 0, 1],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
      ],
      ['input', MP, C3, 'output'],
    );
    expect(nb101Hash(cell)).toBe(nb101Hash(swapped));
    expect(Array.from(encodeAdjacency(cell))).not.toEqual(Array.from(encodeAdjacency(swapped)));
  });
});
