import { ConfigDocument } from './config-document';
import { applyOverrides } from './overrides';
import { MAX_SEED, MAX_WORKERS, PIPELINE_SCHEMA } from './pipeline.schema';
import { compileSchema } from '../ajv';

describe('--set overrides cannot pollute prototypes', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each(['__proto__.x=1', 'searcher.__proto__.x=1', 'constructor.prototype.x=1', 'searcher.options.prototype=1', 'a.constructor=1'])(
    'refuses %s (usage error, exit 2)',
    (o) => {
      expect(() => applyOverrides({ searcher: { use: 'random' } }, [o])).toThrow(
        expect.objectContaining({ kind: 'usage', message: expect.stringMatching(/cannot be a config key/) }),
      );
    },
  );

  it('refuses such keys inside a value too', () => {
    expect(() => applyOverrides({}, ['searcher={"__proto__": {"polluted": 1}}'])).toThrow(/the value has a key "__proto__"/);
    expect(() => applyOverrides({}, ['searcher={use: random, options: {constructor: {prototype: 1}}}'])).toThrow(/the value has a key/);
  });

  it('still applies ordinary overrides', () => {
    expect(applyOverrides({ searcher: 'random' }, ['searcher.options.population=20'])).toEqual({ searcher: { use: 'random', options: { population: 20 } } });
  });
});

describe('YAML that expands without end', () => {
  it('an alias bomb (billion laughs) is a config error with the line, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      levels.push(
        `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(9)
          .fill(`*${'abcdefgh'[i - 1]}`)
          .join(', ')}]`,
      );
    expect(() => ConfigDocument.parse(levels.join('\n') + '\n', 'bomb.yaml')).toThrow(
      expect.objectContaining({
        kind: 'config',
        message: expect.stringMatching(/YAML aliases expand too far/),
        where: expect.objectContaining({ file: 'bomb.yaml', line: 2 }),
      }),
    );
  });

  it('an alias loop is a config error naming where it loops', () => {
    expect(() => ConfigDocument.parse('space: &s\n  use: nb201\n  options: *s\n', 'loop.yaml')).toThrow(
      expect.objectContaining({
        kind: 'config',
        message: expect.stringMatching(/refers to a node that contains it.*\/space\/options/),
        where: expect.objectContaining({ line: 3, pointer: '/space/options' }),
      }),
    );
  });

  it('ordinary aliases still work', () => {
    const doc = ConfigDocument.parse('base: &b { population: 10 }\nsearcher: { use: x, options: *b }\n', 'ok.yaml');
    expect(doc.data['searcher']).toEqual({ use: 'x', options: { population: 10 } });
  });
});

describe('pipeline schema bounds', () => {
  const base = { space: 's', estimator: 'e', searcher: 'r', budget: { evaluations: 1 } };
  const valid = (extra: object): boolean => compileSchema(PIPELINE_SCHEMA)(JSON.parse(JSON.stringify({ ...base, ...extra }))) as boolean;

  it('seeds are 32-bit: 2^32 is refused, not reduced modulo 2^32', () => {
    expect(valid({ seed: MAX_SEED })).toBe(true);
    expect(valid({ seed: MAX_SEED + 1 })).toBe(false);
  });

  it('workers are bounded', () => {
    expect(valid({ workers: MAX_WORKERS })).toBe(true);
    expect(valid({ workers: 100000 })).toBe(false);
  });
});
