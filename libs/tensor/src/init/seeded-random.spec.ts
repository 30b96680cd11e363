import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('a seed and label give one stream; another label or seed another', () => {
    const draw = (seed: number, label: string) => {
      const r = new SeededRandom(seed, label);
      return Array.from({ length: 8 }, () => r.uint32());
    };
    expect(draw(3, 'dropout')).toEqual(draw(3, 'dropout'));
    expect(draw(3, 'dropout')).not.toEqual(draw(3, 'init'));
    expect(draw(3, 'dropout')).not.toEqual(draw(4, 'dropout'));
  });

  it('fillUniform and next() share one stream', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const u = a.fillUniform(new Float32Array(100), 1);
    u.forEach((v) => expect(v).toBeCloseTo(b.next() * 2 - 1, 6));
  });
});
