import { isLoopSearcher, proposalParts, type AskTellSearcher, type ContributionDefinition, type SearchSpace, type TrialResult } from '@nasx/contracts';
import { toyScore } from '../fixtures/toy.estimator';
import { createToySpace } from '../fixtures/toy.search-space';
import { testDeps, validatedOptions } from './common';

/** Settings of {@link describeSearcherContract}. */
export interface SearcherContractOptions {
  readonly options?: object;
  /** The space to search (default: the toy space, scored by the toy objective). */
  readonly space?: () => SearchSpace;
  /** Objective for the space's architectures (default: the toy score). */
  readonly objective?: (key: string, arch: import('@nasx/contracts').Architecture) => number;
  /** Steps to drive (default 60). */
  readonly steps?: number;
  /** Extra factory deps (e.g. `estimators` for searchers that use a proxy or predictor). */
  readonly deps?: Partial<import('@nasx/contracts').SearcherDeps>;
}

async function drive(searcher: AskTellSearcher, steps: number, objective: (a: import('@nasx/contracts').Architecture) => number, failEvery = 0): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < steps; i++) {
    const [p] = await searcher.ask(1);
    if (!p) break;
    const { arch } = proposalParts(p);
    keys.push(arch.key);
    const failed = failEvery > 0 && i % failEvery === failEvery - 1;
    const r: TrialResult = failed ? { trial: i, arch, objective: null, error: 'injected failure' } : { trial: i, arch, objective: objective(arch) };
    await searcher.tell([r]);
  }
  return keys;
}

/**
 * The conformance suite every ask/tell searcher runs: proposals belong to the space, the same seed
 * and the same results give the same proposals (what resume-by-replay needs), failed trials and
 * asynchronous asks are handled.
 */
export function describeSearcherContract(def: ContributionDefinition<'searcher'>, settings: SearcherContractOptions = {}): void {
  const makeSpace = settings.space ?? (() => createToySpace());
  const objective = settings.objective ? (a: import('@nasx/contracts').Architecture) => settings.objective!(a.key, a) : toyScore;
  const steps = settings.steps ?? 60;
  const create = async (seed: number): Promise<AskTellSearcher> => {
    const space = makeSpace();
    const s = await def.create(validatedOptions(def.optionsSchema, settings.options), {
      ...testDeps(seed),
      space,
      objective: { label: 'maximize score', dimensions: 1, metrics: ['score'] },
      estimators: {},
      budget: { evaluations: steps },
      ...settings.deps,
    });
    if (isLoopSearcher(s)) throw new Error('describeSearcherContract covers ask/tell searchers');
    return s;
  };

  describe(`searcher "${def.id}" (contract)`, () => {
    it('proposes architectures of the space', async () => {
      const s = await create(1);
      const space = makeSpace();
      const props = await s.ask(3);
      expect(props.length).toBeGreaterThan(0);
      for (const p of props) expect(space.validate(proposalParts(p).arch).key).toBe(proposalParts(p).arch.key);
    });

    it('is deterministic under replay: same seed + same results ⇒ same proposals', async () => {
      const a = await drive(await create(7), steps, objective);
      const b = await drive(await create(7), steps, objective);
      expect(b).toEqual(a);
      const c = await drive(await create(8), steps, objective);
      expect(c).not.toEqual(a);
    });

    it('goes on after failed trials', async () => {
      const keys = await drive(await create(3), steps, objective, 4);
      expect(keys.length).toBe(steps);
    });

    it('answers several asks before any tell (asynchronous evaluation)', async () => {
      const s = await create(4);
      const pending = [];
      for (let i = 0; i < 5; i++) pending.push(...(await s.ask(1)));
      expect(pending.length).toBe(5);
      await s.tell(pending.map((p, i) => ({ trial: i, arch: proposalParts(p).arch, objective: objective(proposalParts(p).arch) })));
      expect((await s.ask(1)).length).toBe(1);
    });
  });
}
