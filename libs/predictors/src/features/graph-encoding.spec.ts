import type { ArchGraph } from '@nasx/contracts';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { catchNasxError } from '@nasx/testing';
import { addSelfLoops, directedPropagation, encodeGraph, rowNormalize, symmetricNormalize, transposeSquare } from './graph-encoding';
import { OpVocabulary } from './op-vocabulary';

const space = createNb201SearchSpace();
const CELL = '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|';

describe('encodeGraph on NAS-Bench-201 cells', () => {
  const graph = space.toGraph(space.parse(CELL));
  const vocab = OpVocabulary.fromGraphs([graph]);
  const ids = graph.nodes.map((n) => n.id);

  it('gives the 11-node op graph: adjacency of its 13 edges, one-hot tokens, mask', () => {
    const g = encodeGraph(graph, vocab, 11);
    expect(ids).toEqual(['input', 'e10', 'n1', 'e20', 'e21', 'n2', 'e30', 'e31', 'e32', 'n3', 'output']);
    expect(g.numNodes).toBe(11);
    expect(g.adjacency.reduce((a, b) => a + b, 0)).toBe(13);
    const at = (from: string, to: string) => g.adjacency[ids.indexOf(from) * 11 + ids.indexOf(to)];
    expect([at('input', 'e10'), at('e10', 'n1'), at('n1', 'e21'), at('e32', 'n3'), at('n3', 'output')]).toEqual([1, 1, 1, 1, 1]);
    expect(at('e10', 'input')).toBe(0);
    // One token per node, in the order of the cell's edges: conv 3×3, none, skip, avg pool, none, conv 1×1.
    const token = (id: string) => vocab.tokens[g.ops[ids.indexOf(id)]!];
    expect(['e10', 'e20', 'e21', 'e30', 'e31', 'e32'].map(token)).toEqual(['conv:k3', 'zero', 'identity', 'avg_pool:k3', 'zero', 'conv:k1']);
    for (let i = 0; i < 11; i++) expect(g.features.subarray(i * vocab.size, (i + 1) * vocab.size).reduce((a, b) => a + b, 0)).toBe(1);
    expect(Array.from(g.mask)).toEqual(new Array(11).fill(1));
    // Per-node FLOPs and params from the graph (zero on input, add and output nodes).
    const node = (id: string) => graph.nodes.find((n) => n.id === id)!;
    expect(ids.map((id) => g.flops![ids.indexOf(id)])).toEqual(ids.map((id) => Math.fround(node(id).flops ?? 0)));
    expect(ids.map((id) => g.params![ids.indexOf(id)])).toEqual(ids.map((id) => Math.fround(node(id).params ?? 0)));
    expect(g.params![ids.indexOf('e10')]).toBeGreaterThan(g.params![ids.indexOf('e32')]!); // conv 3×3 > conv 1×1
    const bare = encodeGraph({ ...graph, nodes: graph.nodes.map(({ flops: _f, params: _p, ...n }) => n) }, vocab, 11);
    expect(bare.flops).toBeUndefined();
    expect(bare.params).toBeUndefined();
  });

  it('pads to a larger size with zero rows, and puts the output last when asked (ReNAS Fig. 1(d))', () => {
    const g = encodeGraph(graph, vocab, 13);
    expect(Array.from(g.mask)).toEqual([...new Array(11).fill(1), 0, 0]);
    expect(g.ops[12]).toBe(-1);
    expect(g.features.subarray(11 * vocab.size).every((x) => x === 0)).toBe(true);
    const last = encodeGraph(graph, vocab, 13, { outputLast: true });
    expect(vocab.tokens[last.ops[12]!]).toBe('output');
    expect(last.ops[10]).toBe(-1);
    expect(last.adjacency[9 * 13 + 12]).toBe(1); // n3 → output, output moved to position 12
  });

  it('rejects a graph with more nodes than the model was built for, an edge to nowhere and duplicate ids (architecture errors)', () => {
    const tooBig = catchNasxError(() => encodeGraph(graph, vocab, 10));
    expect(tooBig.kind).toBe('architecture');
    expect(tooBig.message).toMatch(/11 nodes, more than the 10/);
    expect(tooBig.fix).toMatch(/maxNodes/);
    const broken: ArchGraph = { ...graph, edges: [...graph.edges, { from: 'n3', to: 'nowhere' }] };
    expect(catchNasxError(() => encodeGraph(broken, vocab, 11)).kind).toBe('architecture');
    const twice: ArchGraph = { ...graph, nodes: [...graph.nodes.slice(0, 10), { id: 'n3', op: 'output' }] };
    expect(catchNasxError(() => encodeGraph(twice, vocab, 11)).kind).toBe('architecture');
  });

  it('reads per-node FLOPs and parameters when the graph has them', () => {
    const sized: ArchGraph = { ...graph, nodes: graph.nodes.map((n) => (n.op === 'conv' ? { ...n, flops: 1000, params: 10 } : n)) };
    const g = encodeGraph(sized, vocab, 12);
    expect(g.flops![ids.indexOf('e10')]).toBe(1000);
    expect(g.params![ids.indexOf('e32')]).toBe(10);
    expect(g.flops![ids.indexOf('e20')]).toBe(0);
  });
});

describe('GCN normalisation helpers', () => {
  // 0 → 1 → 2 and 0 → 2, one padding node (3).
  const n = 4;
  const adj = new Float32Array(16);
  for (const [i, j] of [
    [0, 1],
    [1, 2],
    [0, 2],
  ] as const)
    adj[i * n + j] = 1;
  const mask = Float32Array.from([1, 1, 1, 0]);

  it('directed propagation averages a node with its predecessors (incoming) or successors (outgoing); padding stays zero', () => {
    const { incoming, outgoing } = directedPropagation({ adjacency: adj, maxNodes: n, mask });
    const row = (m: Float32Array, i: number) => Array.from(m.subarray(i * n, (i + 1) * n));
    expect(row(incoming, 0)).toEqual([1, 0, 0, 0]);
    expect(row(incoming, 2).map((x) => +x.toFixed(6))).toEqual([0.333333, 0.333333, 0.333333, 0]);
    expect(row(outgoing, 0).map((x) => +x.toFixed(6))).toEqual([0.333333, 0.333333, 0.333333, 0]);
    expect(row(outgoing, 2)).toEqual([0, 0, 1, 0]);
    expect(row(incoming, 3)).toEqual([0, 0, 0, 0]);
  });

  it('symmetric normalisation is D^-1/2 (A + I) D^-1/2 of an undirected graph', () => {
    const und = addSelfLoops(
      adj.map((x, k) => x || transposeSquare(adj, n)[k]!),
      n,
      mask,
    );
    const s = symmetricNormalize(und, n);
    // degrees (with self-loops) 3, 3, 3: every entry of the 3×3 block is 1/3.
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(s[i * n + j]).toBeCloseTo(1 / 3, 6);
    expect(
      rowNormalize(und, n)
        .subarray(0, 3)
        .reduce((a, b) => a + b, 0),
    ).toBeCloseTo(1, 6);
  });
});
