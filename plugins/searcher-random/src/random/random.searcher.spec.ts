import { type Architecture, type SearchSpace } from '@nasx/contracts';
import { createAjv, createRng } from '@nasx/kernel';
import { createToySpace, driveSearcher, replaySearcher, searcherDeps, toyThrees } from '@nasx/testing';
import plugin from '../index';
import { MAX_REJECTIONS, RandomSearcher, randomSearcher } from './random.searcher';

async function create(space: SearchSpace, seed: number, options: { unique?: boolean } = {}) {
  const deps = searcherDeps(space, seed);
  const searcher = (await randomSearcher.create(options, deps)) as RandomSearcher;
  return { searcher, deps };
}

describe('random searcher: definition', () => {
  it('is the one contribution of the plugin; its schema fills the default and refuses unknown options', () => {
    expect(plugin.contributions).toEqual([randomSearcher]);
    const validate = createAjv().compile(randomSearcher.optionsSchema);
    const filled: Record<string, unknown> = {};
    expect(validate(filled)).toBe(true);
    expect(filled).toEqual({ unique: false });
    expect(validate({ unique: 'yes' })).toBe(false);
    expect(validate({ uniq: true })).toBe(false);
  });

  it('runs with a multi-objective objective: the same samples, no recommendation of its own (the kernel keeps the front)', async () => {
    const multi = searcherDeps(createToySpace(), 1, { objective: { label: 'multi', dimensions: 2, metrics: ['val_acc', 'latency_ms'] } });
    const s = (await randomSearcher.create({}, multi)) as RandomSearcher;
    const scalar = (await randomSearcher.create({}, searcherDeps(createToySpace(), 1))) as RandomSearcher;
    const archs = s.ask(5);
    expect(archs.map((a) => a.key)).toEqual(scalar.ask(5).map((a) => a.key));
    s.tell(archs.map((arch, i) => ({ trial: i, arch, objective: [i, -i] })));
    expect(s.recommend()).toBeUndefined();
  });
});

describe('random searcher: proposals', () => {
  it('proposes exactly space.sample(rng), in order, for ask(1) and ask(n)', async () => {
    const space = createToySpace();
    const { searcher } = await create(space, 42);
    const got = [...(await searcher.ask(1)), ...(await searcher.ask(5)), ...(await searcher.ask(3))];
    const rng = createRng(42);
    const expected = Array.from({ length: 9 }, () => space.sample(rng));
    expect(got).toEqual(expected);
    expect(await searcher.ask(0)).toEqual([]);
    expect(searcher.done?.()).toBe(false);
  });

  it('replays: same seed + same ask/tell journal ⇒ same proposals (async, shuffled completions, failures)', async () => {
    for (const unique of [false, true]) {
      const space = createToySpace(3, 4);
      const { searcher } = await create(space, 7, { unique });
      const run = await driveSearcher(searcher, {
        budget: 80,
        concurrency: 4,
        completion: createRng(99),
        objective: (a, trial) => (trial % 7 === 3 ? null : toyThrees(a)),
      });
      const fresh = (await create(space, 7, { unique })).searcher;
      const asked = run.calls.flatMap((c) => (c.type === 'ask' ? [c.keys] : []));
      expect(await replaySearcher(fresh, run.calls)).toEqual(asked);
      const other = (await create(space, 8, { unique })).searcher;
      expect(await replaySearcher(other, run.calls)).not.toEqual(asked);
    }
  });

  it('recommends the best told objective, ignoring failures and NaN, first on ties', async () => {
    const space = createToySpace();
    const { searcher } = await create(space, 3);
    expect(searcher.recommend?.()).toBeUndefined();
    const [a, b, c, d] = await searcher.ask(4);
    if (!a || !b || !c || !d) throw new Error('expected 4 proposals');
    await searcher.tell([{ trial: 0, arch: a, objective: null, error: 'out of memory' }]);
    expect(searcher.recommend?.()).toBeUndefined();
    await searcher.tell([
      { trial: 1, arch: b, objective: 0.5 },
      { trial: 2, arch: c, objective: Number.NaN },
    ]);
    expect(searcher.recommend?.()).toBe(b);
    await searcher.tell([{ trial: 3, arch: d, objective: [0.5] }]);
    expect(searcher.recommend?.()).toBe(b);
    await searcher.tell([{ trial: 4, arch: d, objective: [0.75] }]);
    expect(searcher.recommend?.()).toBe(d);
  });
});

describe('random searcher: unique', () => {
  it('never repeats a key and finishes when every architecture has been proposed (size 27, async asks)', async () => {
    const space = createToySpace(3, 3);
    const { searcher, deps } = await create(space, 11, { unique: true });
    const run = await driveSearcher(searcher, { budget: 1000, concurrency: 5, completion: createRng(2), objective: toyThrees });
    const keys = run.proposals.map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(27);
    expect(searcher.done?.()).toBe(true);
    expect(await searcher.ask(4)).toEqual([]);
    expect(deps.logs.filter((l) => l.startsWith('warn'))).toEqual([]);
  });

  it('counts equivalence classes with uniqueSize: stops after one proposal per key', async () => {
    // 3 positions x 3 values keyed by the multiset: size 27, uniqueSize C(5,3) = 10.
    const space = createToySpace(3, 3, { canonical: 'sorted' });
    expect(space.uniqueSize).toBe(10);
    const { searcher } = await create(space, 5, { unique: true });
    const first = await searcher.ask(8);
    const rest = await searcher.ask(8);
    expect(first).toHaveLength(8);
    expect(rest).toHaveLength(2);
    const keys = [...first, ...rest].map((a) => a.key);
    expect(new Set(keys).size).toBe(10);
    expect(searcher.done?.()).toBe(true);
  });

  it('exhausts the space by rejection sampling alone when the space cannot enumerate', async () => {
    const space = createToySpace(3, 3, { enumerable: false });
    const { searcher } = await create(space, 12, { unique: true });
    const keys = (await searcher.ask(27)).map((a) => a.key);
    expect(new Set(keys).size).toBe(27);
    expect(searcher.done?.()).toBe(true); // at once, before any result comes back
    expect(await searcher.ask(1)).toEqual([]);
  });

  it('enumerates the rest once rejection sampling stalls, still without repeats', async () => {
    // Keyed by multiset, 4 x 5: the class of 0000 holds 1 of 625 architectures, so finding the
    // last classes by sampling often takes more than MAX_REJECTIONS draws.
    let enumerations = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const base = createToySpace(4, 5, { canonical: 'sorted' });
      const space: SearchSpace = {
        ...base,
        enumerate: () => {
          enumerations++;
          return (base.enumerate as () => Iterable<never>)();
        },
      };
      const { searcher, deps } = await create(space, seed, { unique: true });
      const keys = (await searcher.ask(1000)).map((a) => a.key);
      expect(keys).toHaveLength(70);
      expect(new Set(keys).size).toBe(70);
      expect(searcher.done?.()).toBe(true);
      expect(deps.logs.filter((l) => l.startsWith('warn'))).toEqual([]);
    }
    expect(enumerations).toBeGreaterThan(0);
    expect(enumerations).toBeLessThanOrEqual(6); // at most once per searcher
  });

  it('proposes uniformly among the unproposed architectures after falling back to enumeration (χ², 300 seeds)', async () => {
    // 20,000 architectures (by index): 0..4 have keys of their own, all others share "rest". After
    // the first proposal the unproposed mass is 5/20000, so rejection sampling mostly stalls
    // ((1 − 1/4000)^1000 ≈ 78%) and picks come from the enumerated rest. The 5 singletons must
    // come in a uniformly random order: each one equally often at each of the 5 places.
    const N = 20_000;
    const arch = (i: number): Architecture => ({ space: 'toy', genotype: i, key: i < 5 ? String(i) : 'rest' });
    const space: SearchSpace = {
      ...createToySpace(),
      size: N,
      uniqueSize: 6,
      sample: (rng) => arch(rng.int(N)),
      *enumerate() {
        for (let i = 0; i < N; i++) yield arch(i);
      },
    };
    const table = Array.from({ length: 5 }, () => new Array<number>(5).fill(0)); // [singleton][place]
    let seeds = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { searcher } = await create(space, seed, { unique: true });
      const keys = (await searcher.ask(10)).map((a) => a.key);
      expect(searcher.done?.()).toBe(true);
      if (keys[0] !== 'rest') continue; // the first draw hit a singleton (p = 1/4000)
      expect(keys).toHaveLength(6);
      keys.slice(1).forEach((k, place) => {
        const row = table[Number(k)];
        if (row === undefined) throw new Error(`unexpected key ${k}`);
        row[place] = (row[place] ?? 0) + 1;
      });
      seeds++;
    }
    const e = seeds / 5;
    const chi2 = table.flat().reduce((acc, o) => acc + (o - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(39.25); // 99.9% quantile of χ² with (5−1)(5−1) = 16 degrees of freedom
  });

  it('gives up with a warning (and done) when the space neither sizes nor enumerates itself', async () => {
    const base = createToySpace(2, 3, { enumerable: false });
    const space: SearchSpace = { ...base, size: undefined, uniqueSize: undefined };
    const { searcher, deps } = await create(space, 4, { unique: true });
    const keys = (await searcher.ask(50)).map((a) => a.key);
    expect(keys).toHaveLength(9);
    expect(new Set(keys).size).toBe(9);
    expect(searcher.done?.()).toBe(true);
    expect(deps.logs).toEqual([expect.stringMatching(new RegExp(`^warn: random: stopping after 9 distinct architectures: ${MAX_REJECTIONS} samples`))]);
  });

  it('is a plain RandomSearcher underneath (exported for embedding)', async () => {
    const { searcher } = await create(createToySpace(), 1);
    expect(searcher).toBeInstanceOf(RandomSearcher);
  });
});
