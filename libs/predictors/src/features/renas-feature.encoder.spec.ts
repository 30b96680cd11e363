import type { ArchGraph } from '@nasx/contracts';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { createRng } from '@nasx/kernel';
import { catchNasxError } from '@nasx/testing';
import { encodeGraph } from './graph-encoding';
import { OpVocabulary } from './op-vocabulary';
import { RenasFeatureEncoder, renasFeatureTensor } from './renas-feature.encoder';

const space = createNb201SearchSpace();
const CELL = '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|';

describe('ReNAS feature tensor', () => {
  const graph = space.toGraph(space.parse(CELL));
  const vocab = OpVocabulary.fromGraphs([graph]);
  const ids = graph.nodes.map((n) => n.id);
  const code = (token: string) => vocab.indexOf(token) + 1;

  it('type matrix: each edge i → j holds the op code of node j, zero elsewhere (Xu et al. 2021, Fig. 1(e))', () => {
    const t = renasFeatureTensor(encodeGraph(graph, vocab, 11), ['type']);
    const at = (from: string, to: string) => t[ids.indexOf(from) * 11 + ids.indexOf(to)];
    expect(at('input', 'e10')).toBe(code('conv:k3'));
    expect(at('input', 'e20')).toBe(code('zero'));
    expect(at('n1', 'e21')).toBe(code('identity'));
    expect(at('n2', 'e32')).toBe(code('conv:k1'));
    expect(at('e32', 'n3')).toBe(code('add'));
    expect(at('n3', 'output')).toBe(code('output'));
    expect(at('e10', 'input')).toBe(0);
    expect(t.filter((x) => x !== 0).length).toBe(13);
  });

  it('FLOPs and parameter channels scale the adjacency by node j’s numbers, channels last', () => {
    const bare: ArchGraph = { ...graph, nodes: graph.nodes.map(({ flops: _f, params: _p, ...n }) => n) };
    const sized: ArchGraph = { ...bare, nodes: bare.nodes.map((n) => (n.op === 'conv' ? { ...n, flops: 500, params: 7 } : n)) };
    const t = renasFeatureTensor(encodeGraph(sized, vocab, 11), ['type', 'flops', 'params']);
    const k = ids.indexOf('input') * 11 + ids.indexOf('e10');
    expect(Array.from(t.subarray(k * 3, k * 3 + 3))).toEqual([code('conv:k3'), 500, 7]);
    const enc = RenasFeatureEncoder.fit([sized, bare]);
    expect(enc.channels).toEqual(['type', 'flops', 'params']);
    expect(RenasFeatureEncoder.fit([bare]).channels).toEqual(['type']);
    expect(RenasFeatureEncoder.fit([graph]).channels).toEqual(['type', 'flops', 'params']); // nb201 graphs carry them
  });

  it('standardises every feature with the training set’s statistics and restores from its saved form', () => {
    const rng = createRng(4);
    const graphs = Array.from({ length: 40 }, () => space.toGraph(space.sample(rng)));
    const enc = RenasFeatureEncoder.fit(graphs);
    expect(enc.inputShapes).toEqual({ tensor: [11, 11, 3] }); // type, FLOPs, params
    const batch = enc.encode(graphs);
    const size = 121 * 3;
    let worst = 0;
    for (let k = 0; k < size; k++) {
      let s = 0;
      for (let b = 0; b < 40; b++) s += batch.inputs['tensor']!.data[b * size + k]!;
      worst = Math.max(worst, Math.abs(s / 40));
    }
    expect(worst).toBeLessThan(1e-5);
    const again = RenasFeatureEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(Array.from(again.encode(graphs.slice(0, 3)).inputs['tensor']!.data)).toEqual(Array.from(enc.encode(graphs.slice(0, 3)).inputs['tensor']!.data));
    expect(catchNasxError(() => RenasFeatureEncoder.fromJSON({ type: 'gcn-graph' })).kind).toBe('data');
    expect(catchNasxError(() => enc.encode([{ ...graphs[0]!, nodes: [...graphs[0]!.nodes, { id: 'extra', op: 'add' }] }])).kind).toBe('architecture');
  });
});
