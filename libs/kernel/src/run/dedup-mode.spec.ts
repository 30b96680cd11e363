import {
  definePlugin,
  defineEstimator,
  defineLatencyModel,
  defineSearchSpace,
  defineSearcher,
  exactArchKey,
  type Architecture,
  type AskTellSearcher,
} from '@nasx/contracts';
import { createToySpace, startTestKernel, type TestKernel } from '@nasx/testing';

// Which proposals the run answers from its cache. In the toy space with canonical: sorted, digit
// permutations are one class (as isomorphic NB201 cells are). The estimator scores the class; the
// latency model charges the first digit, which differs within a class, as a latency table measured
// per cell does. So with a latency model, only the exact genotype may share an evaluation.

const space = createToySpace(3, 4, { canonical: 'sorted' });
const PROPOSALS = ['123', '321', '123', '213', '333', '002', '011'];
const estimated: string[] = [];
const seenKeys: string[][] = [];

const plugin = definePlugin({
  contributions: [
    defineSearchSpace({
      id: 'perm-toy',
      description: 'The toy space whose key is the sorted digits.',
      optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: () => space,
    }),
    defineSearcher({
      id: 'fixed-list',
      description: 'Proposes PROPOSALS in order; records the evaluation key the run gives it.',
      optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
      create(_o, deps): AskTellSearcher {
        let i = 0;
        const keys: string[] = [];
        seenKeys.push(keys);
        return {
          id: 'fixed-list',
          ask: (n) =>
            Array.from({ length: n }, () => {
              const a = deps.space.parse(PROPOSALS[i++ % PROPOSALS.length]!);
              keys.push(deps.evaluationKey ? deps.evaluationKey(a) : `(none) ${a.key}`);
              return a;
            }),
          tell() {},
        };
      },
    }),
    defineEstimator({
      id: 'class-score',
      description: 'Sum of digits (the same for a whole class); records each call.',
      optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: () => ({
        id: 'class-score',
        metrics: [{ name: 'score', direction: 'maximize' }],
        async estimate(arch: Architecture) {
          estimated.push(space.format(arch));
          return {
            metrics: {
              score: space
                .format(arch)
                .split('')
                .reduce((s, d) => s + Number(d), 0),
            },
            cost: { seconds: 0 },
          };
        },
      }),
    }),
    defineLatencyModel({
      id: 'first-digit',
      description: 'Latency = 1 + the first digit (differs within a class).',
      optionsSchema: { type: 'object', additionalProperties: false, properties: { device: { type: 'string', default: 'dev' } } },
      create: () => ({
        id: 'first-digit',
        devices: ['dev'],
        predict: (arch) => 1 + Number(space.format(arch as Architecture)[0]),
      }),
    }),
  ],
});

describe('dedup modes', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: 'dedup-fixtures', definition: plugin }] });
  });
  afterAll(() => tk.cleanup());

  async function run(extra: Record<string, unknown>) {
    estimated.length = 0;
    const r = await tk.run({
      space: 'perm-toy',
      estimator: 'class-score',
      searcher: 'fixed-list',
      budget: { evaluations: 3 },
      workers: 0,
      concurrency: 1,
      ...extra,
    });
    const trials = r.of('evaluated').map((e) => [space.format(e.arch as Architecture), e.cached === true, e.estimate.metrics['latency_ms'] ?? null]);
    return { estimated: [...estimated], trials, keys: seenKeys[seenKeys.length - 1]! };
  }

  it('without latency models, dedup is by canonical key: a permutation is answered from the cache', async () => {
    const r = await run({});
    expect(r.estimated).toEqual(['123', '333', '002']);
    expect(r.trials.map((t) => t.slice(0, 2))).toEqual([
      ['123', false],
      ['321', true],
      ['123', true],
      ['213', true],
      ['333', false],
      ['002', false],
    ]);
    expect(r.keys).toEqual(['123', '123', '123', '123', '333', '002']);
  });

  it('with a latency model, dedup is by exact genotype: each permutation has its own evaluation and latency', async () => {
    const r = await run({ latency: [{ use: 'first-digit' }] });
    expect(r.estimated).toEqual(['123', '321', '213']);
    expect(r.trials).toEqual([
      ['123', false, 2],
      ['321', false, 4],
      ['123', true, 2],
      ['213', false, 3],
    ]);
    // The searcher is told the same identity, so it can avoid re-proposing exactly what was evaluated.
    expect(r.keys.slice(0, 4)).toEqual(['123', '321', '123', '213'].map((d) => exactArchKey(space.parse(d))));
  });

  it('"canonical" and false override the default; "exact" applies without latency models', async () => {
    const canonical = await run({ latency: [{ use: 'first-digit' }], dedup: 'canonical' });
    expect(canonical.estimated).toEqual(['123', '333', '002']);
    const off = await run({ dedup: false });
    expect(off.estimated).toEqual(['123', '321', '123']);
    const exact = await run({ dedup: 'exact' });
    expect(exact.estimated).toEqual(['123', '321', '213']);
  });

  it('refuses another dedup value, naming the choices', async () => {
    await expect(run({ dedup: 'isomorphic' })).rejects.toThrow(/dedup[\s\S]*(canonical|exact)/);
  });
});
