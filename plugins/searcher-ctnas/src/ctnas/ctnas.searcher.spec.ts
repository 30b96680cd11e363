import { NasxError, type SearchSpace } from '@nasx/contracts';
import { catchNasxError, createToySpace, testDeps, toyScore, validatedOptions } from '@nasx/testing';
import { refittableToyComparator, toyComparator } from './__fixtures__/toy.comparator';
import { CtnasSearcher, FactorisedPolicy, ctnasSearcher } from './ctnas.searcher';
import { createRng } from '@nasx/kernel';

const objective = { label: 'maximize score', dimensions: 1, metrics: ['score'] };
function create(options: object, estimators: object = { comparator: toyComparator() }, space: SearchSpace = createToySpace()) {
  return ctnasSearcher.create(validatedOptions(ctnasSearcher.optionsSchema, options), {
    ...testDeps(5),
    space,
    objective,
    estimators: estimators as never,
    budget: {},
  }) as CtnasSearcher;
}

describe('ctnas searcher', () => {
  it('REINFORCE with the comparator reward finds the toy optimum and raises its baseline by curriculum', async () => {
    const s = create({ stepsPerProposal: 10, baselineInterval: 20, baselineCandidates: 10, lr: 0.1 });
    const first = (await s.ask(1))[0]!;
    expect(first.key).toBe(s.baselines[0]!.key); // the initial (uniform) baseline is proposed first
    for (let i = 0; i < 60; i++) await s.ask(1);
    expect(s.controllerSteps).toBe(610);
    expect(s.baselines.length).toBeGreaterThan(2);
    // The curriculum's baselines get better (by the objective the comparator knows).
    const scores = s.baselines.map(toyScore);
    expect(scores[scores.length - 1]!).toBeGreaterThan(scores[0]!);
    expect(toyScore(s.recommend()!)).toBeGreaterThanOrEqual(50); // ≥ 5 of the 6 digits are 3
  });

  it('proposes each new baseline once, then samples of the policy', async () => {
    const s = create({ stepsPerProposal: 5, baselineInterval: 5, baselineCandidates: 4 });
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) keys.push((await s.ask(1))[0]!.key);
    for (const b of s.baselines) expect(keys).toContain(b.key);
  });

  it('draws again when decisions are not an architecture of the space (NB101 invalid specs, restricted spaces)', async () => {
    // A toy space where only sequences whose first digit is odd are architectures.
    const toy = createToySpace();
    const partial: SearchSpace = {
      ...toy,
      fromDecisions(c) {
        if (c[0]! % 2 === 0) throw new NasxError('architecture', `toy: first digit ${c[0]} is even`);
        return toy.fromDecisions!(c);
      },
    };
    const s = create({ stepsPerProposal: 5, baselineInterval: 10, baselineCandidates: 4 }, undefined, partial);
    const proposals = [];
    for (let i = 0; i < 20; i++) proposals.push(...(await s.ask(1)));
    expect(proposals.every((a) => (a.genotype as { digits: number[] }).digits[0]! % 2 === 1)).toBe(true);
    expect(s.baselines.every((a) => (a.genotype as { digits: number[] }).digits[0]! % 2 === 1)).toBe(true);
    expect(s.rejectedDraws).toBeGreaterThan(0);
    // Errors of other kinds are not rejections: they end the ask.
    const broken = create({}, undefined, {
      ...toy,
      fromDecisions: () => {
        throw new Error('bug');
      },
    });
    await expect(broken.ask(1)).rejects.toThrow('bug');
    // A space that accepts nothing: a run error after a bounded number of draws, with a fix.
    const none = create({}, undefined, {
      ...toy,
      fromDecisions: () => {
        throw new NasxError('architecture', 'never');
      },
    });
    const e = await none.ask(1).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'run', fix: expect.stringMatching(/widen the space/) });
    expect((e as Error).message).toMatch(/100,000 decision sequences in a row were not architectures of space "toy"/);
  });

  it('data exploration: refits the comparator on its first training data plus the measured proposals every exploreEvery results', async () => {
    const space = createToySpace();
    const rng = createRng(2);
    const initial = Array.from({ length: 5 }, () => space.sample(rng)).map((arch) => ({ arch, value: toyScore(arch) }));
    const comparator = refittableToyComparator(initial);
    const s = create({ stepsPerProposal: 2, baselineInterval: 4, exploreEvery: 3 }, { comparator }, space);
    const told: string[] = [];
    for (let t = 0; t < 11; t++) {
      const [a] = await s.ask(1);
      s.tell([{ trial: t, arch: a!, objective: t === 4 ? null : toyScore(a!) }]); // trial 4 failed: not a label
      told.push(a!.key);
    }
    // A refit starts the first ask after 3 new results: asks 3, 7 and 10 (trial 4 failed).
    expect(s.explorations).toBe(3);
    expect(comparator.fits).toHaveLength(3);
    const last = comparator.fits[2]!;
    expect(last.slice(0, 5)).toEqual(initial); // the first training data, then the measured proposals
    expect(last.slice(5).map((d) => d.arch.key)).toEqual(
      told
        .filter((_, t) => t !== 4)
        .slice(0, 9)
        .filter((k) => !initial.some((d) => d.arch.key === k)),
    );
    expect(last.slice(5).every((d) => d.value === toyScore(d.arch))).toBe(true);
    // Off by default; a comparator that cannot be refitted is refused when it is asked for.
    const off = create({ stepsPerProposal: 2 }, { comparator: refittableToyComparator(initial) }, space);
    off.tell([{ trial: 0, arch: (await off.ask(1))[0]!, objective: 1 }]);
    await off.ask(3);
    expect(off.explorations).toBe(0);
    const e = catchNasxError(() => create({ exploreEvery: 5 }));
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/exploreEvery' } });
    expect(e.message).toMatch(/cannot be refitted/);
  });

  it('policy gradient: a positive advantage makes the chosen choices likelier', () => {
    const p = new FactorisedPolicy([3, 2]);
    const before = [p.probabilities(0)[2]!, p.probabilities(1)[1]!];
    p.reinforce([2, 1], 1, 0, 0.1);
    expect(p.probabilities(0)[2]!).toBeGreaterThan(before[0]!);
    expect(p.probabilities(1)[1]!).toBeGreaterThan(before[1]!);
    expect(p.entropy()).toBeLessThan(Math.log(3) + Math.log(2));
    const rng = createRng(1);
    expect(p.sample(rng)).toHaveLength(2);
  });

  it('fails clearly: unknown comparator, an estimator without compare, a space without decisions', () => {
    let e = catchNasxError(() => create({ comparator: 'nac' }));
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/searcher/options/comparator' } });
    expect(e.message).toMatch(/comparator/);
    e = catchNasxError(() => create({}, {}));
    expect(e.message).toMatch(/no named estimators/);
    e = catchNasxError(() => create({}, { comparator: { id: 'plain', metrics: [], estimate: async () => ({}) } }));
    expect(e).toMatchObject({ kind: 'config' });
    expect(e.message).toMatch(/does not implement compare/);
    const space = createToySpace();
    const bare = { ...space, decisions: undefined, fromDecisions: undefined } as SearchSpace;
    e = catchNasxError(() => create({}, undefined, bare));
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/space' } });
  });
});
