import type { SearchSpace } from '@nasx/contracts';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { OpVocabulary, UNKNOWN_OP_TOKEN, opToken } from './op-vocabulary';

describe('op tokens', () => {
  it('name the op and the attributes that change the computation', () => {
    expect(opToken({ op: 'conv', attrs: { kernel: 3, stride: 1, activation: 'relu', bn: true } })).toBe('conv:k3');
    expect(opToken({ op: 'conv', attrs: { kernel: [1, 1] } })).toBe('conv:k1');
    expect(opToken({ op: 'conv', attrs: { kernel: [1, 7] } })).toBe('conv:k1x7');
    expect(opToken({ op: 'conv', attrs: { kernel: 3, stride: 2, dilation: 2, groups: 1 } })).toBe('conv:k3:s2:d2');
    expect(opToken({ op: 'mbconv', attrs: { kernel: 5, expansion: 6 } })).toBe('mbconv:k5:e6');
    expect(opToken({ op: 'max_pool', attrs: { kernel: 3, stride: 1 } })).toBe('max_pool:k3');
    expect(opToken({ op: 'zero' })).toBe('zero');
  });
});

describe('OpVocabulary', () => {
  const space: SearchSpace = createNb201SearchSpace();

  it('holds the NB201 tokens, sorted after the unknown bucket, whatever the order of the graphs', () => {
    const archs = [...space.enumerate!()].slice(0, 400);
    const v = OpVocabulary.fromGraphs(archs.map((a) => space.toGraph(a)));
    expect(v.tokens).toEqual([UNKNOWN_OP_TOKEN, 'add', 'avg_pool:k3', 'conv:k1', 'conv:k3', 'identity', 'input', 'output', 'zero']);
    expect(OpVocabulary.fromGraphs(archs.reverse().map((a) => space.toGraph(a))).tokens).toEqual(v.tokens);
    expect(v.indexOf({ op: 'conv', attrs: { kernel: 3 } })).toBe(4);
    expect(v.indexOf({ op: 'conv', attrs: { kernel: 5 } })).toBe(0);
    expect(v.indexOf('sep_conv:k3')).toBe(0);
  });

  it('round-trips through its saved form and rejects a damaged one with a data error', () => {
    const v = OpVocabulary.fromGraphs([space.toGraph(space.parse('|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|'))]);
    expect(OpVocabulary.fromJSON(v.toJSON()).tokens).toEqual(v.tokens);
    expect(() => OpVocabulary.fromJSON(['conv:k3'])).toThrow(expect.objectContaining({ kind: 'data' }));
    expect(() => OpVocabulary.fromJSON([UNKNOWN_OP_TOKEN, 'a', 'a'])).toThrow(expect.objectContaining({ kind: 'data' }));
  });
});
