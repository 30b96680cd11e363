import * as path from 'node:path';
import { isNasxError, type Architecture, type SearchSpace } from '@nasx/contracts';
import { createToySpace, describePluginPackage, describeSearcherContract, searcherDeps, testRunContext, toyDigits } from '@nasx/testing';
import plugin from '../index';
import { EvolutionSearcher, evolutionSearcher, type EvolutionOptions } from './evolution.searcher';

const SMALL = { populationSize: 12, topK: 3, mutations: 4, crossovers: 4, generations: 4 };

describePluginPackage(path.resolve(__dirname, '../..'), plugin);
describeSearcherContract(evolutionSearcher, { options: { ...SMALL, generations: 10 }, space: () => createToySpace(6, 4) });

async function create(space: SearchSpace, options: Partial<EvolutionOptions>, seed = 1): Promise<EvolutionSearcher> {
  return (await evolutionSearcher.create(options, searcherDeps(space, seed))) as EvolutionSearcher;
}

/** Sum of the digits: the toy objective these checks use. */
const score = (a: Architecture) => toyDigits(a).reduce((s, d) => s + d, 0);
const hamming = (a: readonly number[], b: readonly number[]) => a.reduce((n, x, i) => n + (x === b[i] ? 0 : 1), 0);

/** Asks for everything available and tells it, generation by generation; returns each generation's proposals. */
function runGenerations(s: EvolutionSearcher, objective: (a: Architecture) => number = score): Architecture[][] {
  const gens: Architecture[][] = [];
  let trial = 0;
  for (;;) {
    const batch = s.ask(10_000);
    if (batch.length === 0) break;
    gens.push(batch);
    s.tell(batch.map((arch) => ({ trial: trial++, arch, objective: objective(arch) })));
  }
  return gens;
}

describe('evolution (SPOS / RLNAS)', () => {
  const space = createToySpace(6, 4);

  it('proposes generations of populationSize, never the same architecture twice, then is done', async () => {
    const s = await create(space, SMALL);
    const gens = runGenerations(s);
    expect(gens.map((g) => g.length)).toEqual([12, 12, 12, 12]);
    const keys = gens.flat().map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(s.done()).toBe(true);
    expect(s.ask(5)).toEqual([]);
  });

  it('waits for a generation to be told before building the next', async () => {
    const s = await create(space, SMALL);
    const first = s.ask(8);
    expect(first).toHaveLength(8);
    const rest = s.ask(100);
    expect(rest).toHaveLength(4);
    s.tell(first.map((arch, trial) => ({ trial, arch, objective: score(arch) })));
    expect(s.ask(100)).toEqual([]); // 4 still in flight
    s.tell(rest.map((arch, i) => ({ trial: 8 + i, arch, objective: score(arch) })));
    expect(s.ask(100)).toHaveLength(12);
    expect(s.done()).toBe(false);
  });

  it('keeps the top-k of all generations, not of the last one', async () => {
    const s = await create(space, SMALL);
    const gen0 = s.ask(100);
    s.tell(gen0.map((arch, trial) => ({ trial, arch, objective: score(arch) })));
    const gen1 = s.ask(100);
    // Every architecture of generation 1 scores below every one of generation 0.
    s.tell(gen1.map((arch, i) => ({ trial: 12 + i, arch, objective: -100 - i })));
    s.ask(100); // builds generation 2 from the top-k
    const best = [...gen0].sort((a, b) => score(b) - score(a)).slice(0, 3);
    expect(s.parents.map(score)).toEqual(best.map(score));
    expect(s.recommend()!.key).toBe(s.parents[0]!.key);
  });

  it('mutation redraws each decision with its probability; crossover takes each decision from one parent', async () => {
    // One parent, mutations only: children are the parent with a few decisions redrawn.
    const m = await create(space, { populationSize: 40, topK: 1, mutations: 30, crossovers: 0, mutationProbability: 0.1, generations: 2 });
    const [gen0, gen1] = runGenerations(m);
    const parent = toyDigits([...gen0!].sort((a, b) => score(b) - score(a))[0]!);
    const distances = gen1!.slice(0, 30).map((a) => hamming(toyDigits(a), parent));
    expect(Math.min(...distances)).toBeGreaterThanOrEqual(1); // the parent itself was seen
    // With probability 0.1 per decision, 6 decisions, 4 values, and repeats redrawn: mostly 1 or 2 changes.
    expect(distances.reduce((a, b) => a + b, 0) / distances.length).toBeLessThan(2.2);
    // Two parents, crossovers only: every decision of a child is one of the parents'.
    const c = await create(space, { populationSize: 20, topK: 2, mutations: 0, crossovers: 10, generations: 2 });
    const [g0, g1] = runGenerations(c);
    const parents = [...g0!]
      .sort((a, b) => score(b) - score(a))
      .slice(0, 2)
      .map(toyDigits);
    for (const child of g1!.slice(0, 10).map(toyDigits)) {
      // A child may come from one parent twice (then it repeats that parent and is redrawn), so each
      // decision comes from one of the two best.
      child.forEach((d, i) => expect([parents[0]![i], parents[1]![i]]).toContain(d));
    }
  });

  it('refuses options that do not fit and spaces without decisions', async () => {
    const err = async (options: Partial<EvolutionOptions>, s: SearchSpace = space) => {
      try {
        await evolutionSearcher.create(options, searcherDeps(s, 1));
      } catch (e) {
        expect(isNasxError(e)).toBe(true);
        return e as Error & { where: { pointer?: string } };
      }
      throw new Error('expected an error');
    };
    expect((await err({ populationSize: 50, mutations: 40, crossovers: 20 })).message).toMatch(
      /mutations \(40\) \+ crossovers \(20\) exceed populationSize \(50\)/,
    );
    expect((await err({ populationSize: 10, topK: 11, mutations: 2, crossovers: 2 })).where.pointer).toBe('/searcher/options/topK');
    const { decisions: _d, fromDecisions: _f, toDecisions: _t, ...plain } = space;
    expect((await err({}, plain as SearchSpace)).message).toMatch(/does not provide decisions\(\) and fromDecisions\(\)/);
  });

  it('replays to the same proposals from the same seed and results (resume)', async () => {
    const a = runGenerations(await create(space, SMALL, 7));
    const b = runGenerations(await create(space, SMALL, 7));
    expect(b.flat().map((x) => x.key)).toEqual(a.flat().map((x) => x.key));
    const c = runGenerations(await create(space, SMALL, 8));
    expect(c.flat().map((x) => x.key)).not.toEqual(a.flat().map((x) => x.key));
    expect(testRunContext).toBeDefined();
  });
});
