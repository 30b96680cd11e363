import {
  defineEstimator,
  definePlugin,
  defineSearchSpace,
  defineSearcher,
  isLoopSearcher,
  proposalParts,
  type AskTellSearcher,
  type ContributionDefinition,
  type SearchEvent,
  type SearchSpace,
  type TrialResult,
} from '@nasx/contracts';
import { Kernel } from '@nasx/kernel';
import { lastValueFrom, toArray } from 'rxjs';
import { toyScore } from '../fixtures/toy.estimator';
import { createToySpace } from '../fixtures/toy.search-space';
import { testDeps, testRunContext, validatedOptions } from './common';

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

async function drive(
  searcher: AskTellSearcher,
  steps: number,
  objective: (a: import('@nasx/contracts').Architecture) => number,
  failEvery = 0,
): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < steps; i++) {
    const [p] = await searcher.ask(1, testRunContext());
    if (!p) break;
    const { arch } = proposalParts(p);
    keys.push(arch.key);
    const failed = failEvery > 0 && i % failEvery === failEvery - 1;
    const r: TrialResult = failed ? { trial: i, arch, objective: null, error: 'injected failure' } : { trial: i, arch, objective: objective(arch) };
    await searcher.tell([r], testRunContext());
  }
  return keys;
}

/**
 * Runs the searcher through a real kernel (its space, the suite's objective as the estimator) with
 * the searcher wrapped to count the results it was told, and to note that count when the kernel
 * asks `recommend()` at the end of the run.
 */
async function runInKernel(
  def: ContributionDefinition<'searcher'>,
  settings: SearcherContractOptions,
  makeSpace: () => SearchSpace,
  objective: (a: import('@nasx/contracts').Architecture) => number,
  evaluations: number,
): Promise<{ events: SearchEvent[]; told: number; toldAtRecommend: number | undefined }> {
  const probe = { told: 0, toldAtRecommend: undefined as number | undefined };
  const spaceId = makeSpace().id;
  const plugin = definePlugin({
    contributions: [
      defineSearchSpace({ id: spaceId, description: "the contract suite's space", optionsSchema: { type: 'object' }, create: () => makeSpace() }),
      defineEstimator({
        id: 'contract-objective',
        description: "the contract suite's objective",
        optionsSchema: { type: 'object' },
        create: () => ({
          id: 'contract-objective',
          metrics: [{ name: 'score', direction: 'maximize' as const }],
          estimate: async (arch) => ({ metrics: { score: objective(arch) }, cost: { seconds: 0 } }),
        }),
      }),
      defineSearcher({
        id: `${def.id}-probed`,
        description: `${def.id}, counting what it is told`,
        optionsSchema: def.optionsSchema,
        async create(options, deps) {
          const inner = await def.create(options, { ...deps, ...settings.deps });
          if (isLoopSearcher(inner)) throw new Error('describeSearcherContract covers ask/tell searchers');
          return {
            id: inner.id,
            ask: (n, ctx) => inner.ask(n, ctx),
            async tell(results, ctx) {
              await inner.tell(results, ctx);
              probe.told += results.length;
            },
            ...(inner.done ? { done: () => inner.done?.() ?? false } : {}),
            recommend() {
              probe.toldAtRecommend ??= probe.told;
              return inner.recommend?.();
            },
          } satisfies AskTellSearcher;
        },
      }),
    ],
  });
  const kernel = Kernel.open({ discover: false, plugins: [{ name: 'searcher-contract-suite', definition: plugin }] });
  const config = kernel.loadConfigObject({
    space: spaceId,
    estimator: 'contract-objective',
    searcher: { use: `${def.id}-probed`, options: (settings.options ?? {}) as import('@nasx/contracts').JsonObject },
    budget: { evaluations },
    concurrency: 2,
    workers: 0,
  });
  const handle = await kernel.start(config, { persist: false });
  const events = await lastValueFrom(handle.events$.pipe(toArray()));
  return { events, told: probe.told, toldAtRecommend: probe.toldAtRecommend };
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
      const props = await s.ask(3, testRunContext());
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
      for (let i = 0; i < 5; i++) pending.push(...(await s.ask(1, testRunContext())));
      expect(pending.length).toBe(5);
      await s.tell(
        pending.map((p, i) => ({ trial: i, arch: proposalParts(p).arch, objective: objective(proposalParts(p).arch) })),
        testRunContext(),
      );
      expect((await s.ask(1, testRunContext())).length).toBe(1);
    });

    it('is told every result, the last one included, before the kernel asks recommend()', async () => {
      const evaluations = Math.min(steps, 12);
      const run = await runInKernel(def, settings, makeSpace, objective, evaluations);
      const finished = run.events.find((e) => e.type === 'run-finished');
      expect(finished?.type === 'run-finished' && ['budget-exhausted', 'completed'].includes(finished.status)).toBe(true);
      const results = run.events.filter((e) => e.type === 'evaluated' || (e.type === 'failed' && e.stage === 'estimate')).length;
      expect(results).toBeGreaterThanOrEqual(evaluations);
      expect(run.told).toBe(results);
      expect(run.toldAtRecommend).toBe(results);
    });
  });
}
