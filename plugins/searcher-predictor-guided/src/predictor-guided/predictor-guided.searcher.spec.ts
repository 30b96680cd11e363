import { isNasxError, type Architecture, type SearcherDeps } from '@nasx/contracts';
import { createAjv, createRng } from '@nasx/kernel';
import { createToySpace, driveSearcher, replaySearcher, searcherDeps, testEstimateContext, toyScore, toyThrees } from '@nasx/testing';
import plugin from '../index';
import { toyPredictor } from './__fixtures__/toy.predictor';
import { PREDICTOR_GUIDED_DEFAULTS, PredictorGuidedSearcher, predictorGuidedSearcher, type PredictorGuidedOptions } from './predictor-guided.searcher';
import schema from './predictor-guided.schema.json';

type Opts = Partial<PredictorGuidedOptions>;

async function create(seed: number, options: Opts = {}, overrides: Partial<SearcherDeps> = {}) {
  const space = createToySpace();
  const predictor = toyPredictor(space);
  const deps = searcherDeps(space, seed, {
    estimators: {
      predictor,
      zc: { id: 'zc', metrics: [{ name: 'score', direction: 'maximize' }], estimate: async () => ({ metrics: { score: 0 }, cost: { seconds: 0 } }) },
    },
    ...overrides,
  });
  const searcher = (await predictorGuidedSearcher.create(options, deps)) as PredictorGuidedSearcher;
  return { searcher, predictor, deps };
}

async function createError(options: Opts, overrides: Partial<SearcherDeps> = {}): Promise<unknown> {
  try {
    await create(1, options, overrides);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('predictor-guided: definition and errors', () => {
  it("is the plugin's contribution; the schema and PredictorGuidedOptions list the same options with the documented defaults", () => {
    expect(plugin.contributions).toContain(predictorGuidedSearcher);
    const keys: (keyof PredictorGuidedOptions)[] = ['predictor', 'initial', 'candidates', 'pool', 'parents', 'batch', 'refitEvery'];
    expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
    const validate = createAjv().compile(predictorGuidedSearcher.optionsSchema);
    const filled: Record<string, unknown> = {};
    expect(validate(filled)).toBe(true);
    expect(filled).toEqual({ ...PREDICTOR_GUIDED_DEFAULTS });
    expect(filled).toEqual({ predictor: 'predictor', initial: 10, candidates: 100, pool: 'both', parents: 5, batch: 10, refitEvery: 10 });
    expect(validate({ pool: 'ensemble' })).toBe(false);
    expect(validate({ pool: 'all' })).toBe(true);
    expect(validate({ initial: 0 })).toBe(false);
    expect(validate({ ensemble: 5 })).toBe(false);
  });

  it("refuses an unknown predictor name, listing the run's estimators", async () => {
    const e = await createError({ predictor: 'gcn' });
    expect(isNasxError(e)).toBe(true);
    expect(e).toMatchObject({
      kind: 'config',
      where: { pkg: '@nasx/searcher-predictor-guided', contribution: 'predictor-guided', pointer: '/searcher/options/predictor' },
      fix: expect.stringContaining('predictor, zc'),
    });
    expect((e as Error).message).toMatch(/"gcn", which the config does not define/);
  });

  it('refuses an estimator that is not a predictor, naming the ones that are', async () => {
    const e = await createError({ predictor: 'zc' });
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/predictor' }, fix: expect.stringContaining('one of: predictor') });
    expect((e as Error).message).toMatch(/"zc" \(zc\) is not a predictor/);
  });

  it('refuses pool "all" in a space that cannot enumerate', async () => {
    const space = createToySpace(6, 5, { enumerable: false });
    const e = await createError({ pool: 'all' }, { space });
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/pool' }, fix: expect.stringContaining('pool: sample, mutate or both') });
    expect((e as Error).message).toMatch(/cannot enumerate/);
  });

  it("refuses initial below the predictor's minTrainingSize, and multi-objective runs", async () => {
    const e = await createError({ initial: 2 });
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/initial' }, fix: expect.stringContaining('3 or more') });
    expect(await createError({ batch: 0 })).toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/batch' } });
    expect(await createError({}, { objective: { label: 'multi', dimensions: 2, metrics: ['a', 'b'] } })).toMatchObject({
      kind: 'config',
      where: { pointer: '/objective' },
    });
  });
});

describe('predictor-guided: the algorithm', () => {
  it('proposes `initial` distinct random architectures, then waits for results before the first fit', async () => {
    const { searcher, predictor } = await create(3, { initial: 6 });
    const first = await searcher.ask(8);
    expect(first).toHaveLength(6); // nothing to fit on yet: the rest waits for results
    expect(new Set(first.map((a) => a.key)).size).toBe(6);
    expect(predictor.fits).toBe(0);
    await searcher.tell(first.map((arch, trial) => ({ trial, arch, objective: toyScore(arch) })));
    const next = await searcher.ask(10);
    expect(predictor.fits).toBe(1);
    expect(predictor.lastFitSize).toBe(6);
    expect(next).toHaveLength(10);
    expect(next.every((a) => !first.some((f) => f.key === a.key))).toBe(true);
  });

  it('proposes the top `batch` of the pool by predicted score and refits every `refitEvery` results on all of them', async () => {
    const { searcher, predictor } = await create(5, { initial: 10, batch: 5, refitEvery: 5 });
    const d = await driveSearcher(searcher, { budget: 40, concurrency: 1, objective: (a) => toyScore(a) });
    // 10 initial, then one fit per 5 results: 6 fits in all, the last on 35 results
    expect(predictor.fits).toBe(6);
    expect(predictor.lastFitSize).toBe(35);
    expect(new Set(d.proposals.map((a) => a.key)).size).toBe(40);
    const guided = d.proposals.slice(10).map(toyThrees);
    const random = d.proposals.slice(0, 10).map(toyThrees);
    expect(guided.reduce((a, b) => a + b, 0) / guided.length).toBeGreaterThan(random.reduce((a, b) => a + b, 0) / random.length + 1.5);
  });

  it('beats random sampling on the toy space over seeds, and an adversarial predictor does worse', async () => {
    const best = async (seed: number, sign: number) => {
      const space = createToySpace();
      const s = await predictorGuidedSearcher.create({ initial: 10 }, searcherDeps(space, seed, { estimators: { predictor: toyPredictor(space, { sign }) } }));
      const d = await driveSearcher(s as PredictorGuidedSearcher, { budget: 30, concurrency: 1, objective: (a) => toyScore(a) });
      return Math.max(...d.proposals.map(toyScore));
    };
    let good = 0;
    let bad = 0;
    let random = 0;
    for (let seed = 0; seed < 10; seed++) {
      good += await best(seed, 1);
      bad += await best(seed, -1);
      const rng = createRng(seed);
      const space = createToySpace();
      random += Math.max(...Array.from({ length: 30 }, () => toyScore(space.sample(rng))));
    }
    expect(good / 10).toBeGreaterThan(random / 10 + 10); // at least one more "3" on average
    expect(good).toBeGreaterThan(bad);
  });

  it('pool "all": after the initial phase, proposes the predictor\'s best unevaluated architectures of the whole space (ReNAS\'s protocol)', async () => {
    const space = createToySpace(4, 3); // 81 architectures
    const predictor = toyPredictor(space);
    const s = (await predictorGuidedSearcher.create(
      { initial: 20, pool: 'all', batch: 3 },
      searcherDeps(space, 4, { estimators: { predictor } }),
    )) as PredictorGuidedSearcher;
    const initial = await s.ask(20);
    await s.tell(initial.map((arch, trial) => ({ trial, arch, objective: toyScore(arch) })));
    const next = await s.ask(3);
    expect(predictor.fits).toBe(1);
    // the same fitted predictor over every unevaluated architecture, in enumeration order
    const unevaluated = [...space.enumerate!()].filter((a) => !initial.some((b) => b.key === a.key));
    expect(unevaluated).toHaveLength(81 - new Set(initial.map((a) => a.key)).size);
    const scored = await Promise.all(
      unevaluated.map(async (a, i) => ({ a, i, v: (await predictor.estimate(a, testEstimateContext())).metrics['toy-predictor'] as number })),
    );
    const top3 = scored
      .sort((x, y) => y.v - x.v || x.i - y.i)
      .slice(0, 3)
      .map((x) => x.a.key);
    expect(next.map((a) => a.key)).toEqual(top3);
  });

  it('is deterministic under replay with trials in flight completing out of order', async () => {
    const a = await create(11, { initial: 8, batch: 4, refitEvery: 3 });
    const d = await driveSearcher(a.searcher, {
      budget: 50,
      concurrency: 4,
      completion: createRng(99),
      objective: (x, t) => (t % 7 === 6 ? null : toyScore(x)),
    });
    const b = await create(11, { initial: 8, batch: 4, refitEvery: 3 });
    const replayed = await replaySearcher(b.searcher, d.calls);
    expect(replayed.flat()).toEqual(d.proposals.map((x: Architecture) => x.key));
    expect(b.predictor.fits).toBe(a.predictor.fits);
  });

  it('falls back to random samples when failures leave too few results to fit, and recommends the best told', async () => {
    const { searcher, predictor } = await create(2, { initial: 3 });
    const first = await searcher.ask(3);
    await searcher.tell(first.map((arch, trial) => ({ trial, arch, objective: trial === 0 ? 5 : null, error: 'x' })));
    const more = await searcher.ask(1);
    expect(more).toHaveLength(1);
    expect(predictor.fits).toBe(0);
    expect(searcher.recommend()?.key).toBe(first[0]?.key);
  });
});
