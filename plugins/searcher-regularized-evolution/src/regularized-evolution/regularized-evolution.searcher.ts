import {
  defineSearcher,
  NasxError,
  requireScalarObjective,
  scalarObjective,
  withSchemaDefaults,
  type Architecture,
  type AskTellSearcher,
  type OptionsInput,
  type Rng,
  type SearchSpace,
  type TrialResult,
} from '@nasx/contracts';
import { regularizedEvolutionSchema, type RegularizedEvolutionOptions } from './regularized-evolution.schema';

const PKG = '@nasx/searcher-regularized-evolution';
const ID = 'regularized-evolution';

export type { RegularizedEvolutionOptions } from './regularized-evolution.schema';

/** The schema's defaults (for messages and direct callers). */
export const DEFAULTS: RegularizedEvolutionOptions = withSchemaDefaults<RegularizedEvolutionOptions>(regularizedEvolutionSchema, {});

/** A member of the population: a told architecture and its objective (larger is better). */
export interface Member {
  readonly arch: Architecture;
  readonly objective: number;
}

/**
 * Regularized (aging) evolution: Real, Aggarwal, Huang & Le, "Regularized Evolution for Image
 * Classifier Architecture Search", AAAI 2019, Algorithm 1, as NAS-Bench-201 runs it
 * (D-X-Y/AutoDL-Projects `exps/NAS-Bench-201-algos/R_EA.py`).
 *
 * - While the population holds fewer than P members, proposals are random samples (Algorithm 1's
 *   initialisation loop). Failed trials are not members, so failures extend this phase, as they
 *   do in Algorithm 1, whose loop runs until |population| = P.
 * - Then each proposal draws S members of the current population, takes the best as parent and
 *   proposes `space.mutate(parent)`.
 * - Each told result joins the right of the queue; past P members the leftmost — the oldest, not
 *   the worst — is removed. That is the "aging" regulariser.
 *
 * Asynchrony (several trials in flight; Algorithm 1 itself is sequential): a proposal is a random
 * sample whenever the population is not full, so the kernel's asks while the first P are still in
 * flight get random samples, never an idle worker; random trials told after the population is
 * full join it and age out the oldest like any child. (NNI 2.x's strategy instead waits for the
 * population to fill; NNI 3.x starts mutating from a partial population. We keep Algorithm 1's
 * rule that tournaments draw from a full population.) Members enter in tell order, which the
 * journal records, so a replayed run rebuilds the same queue.
 */
export class RegularizedEvolutionSearcher implements AskTellSearcher {
  readonly id = ID;
  /** Oldest first (Algorithm 1's queue). */
  private readonly queue: Member[] = [];
  private best: Member | undefined;

  /** Architectures to propose instead of random samples while the population fills (AREA's seeds). */
  private readonly seeds: Architecture[] = [];

  constructor(
    private readonly space: SearchSpace,
    private readonly rng: Rng,
    private readonly options: RegularizedEvolutionOptions,
  ) {}

  /** Propose these (in order) instead of random samples while the population is not full. */
  seedPopulation(archs: readonly Architecture[]): void {
    this.seeds.push(...archs);
  }

  /** The current population, oldest first. */
  get population(): readonly Member[] {
    return this.queue.slice();
  }

  ask(n: number): Architecture[] {
    const out: Architecture[] = [];
    for (let i = 0; i < Math.floor(n); i++) {
      if (this.queue.length < this.options.population) out.push(this.seeds.shift() ?? this.space.sample(this.rng));
      else out.push(this.space.mutate(this.tournament().arch, this.rng));
    }
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    for (const r of results) {
      const objective = scalarObjective(r.objective, ID);
      if (objective === undefined) continue; // failed trials never join the population
      const member: Member = { arch: r.arch, objective };
      this.queue.push(member);
      if (this.queue.length > this.options.population) this.queue.shift(); // aging: remove the oldest
      if (!this.best || objective > this.best.objective) this.best = member;
    }
  }

  /** Best told architecture of the whole run, even if it has aged out (Algorithm 1 returns the best of history). */
  recommend(): Architecture | undefined {
    return this.best?.arch;
  }

  /**
   * Tournament selection. With replacement by default: Algorithm 1 draws each of the S candidates
   * as "random element from population" (it "stays in the population"), and NAS-Bench-201's
   * R_EA.py calls `random.choice(list(population))` S times. Ties go to the earliest drawn, as
   * Python's `max(sample, key=...)` does there.
   */
  private tournament(): Member {
    const p = this.queue.length;
    const s = this.options.sampleSize;
    const drawn = this.options.tournamentReplacement ? Array.from({ length: s }, () => this.rng.int(p)) : this.rng.sampleIndices(p, s);
    let winner = this.queue[drawn[0] as number] as Member;
    for (const i of drawn.slice(1)) {
      const m = this.queue[i] as Member;
      if (m.objective > winner.objective) winner = m;
    }
    return winner;
  }
}

/** Cross-field checks the schema cannot express; repeats the range checks for direct callers. */
export function checkOptions(o: RegularizedEvolutionOptions, contribution = ID): void {
  const where = (option: string) => ({ pkg: PKG, contribution, pointer: `/searcher/options/${option}` });
  for (const option of ['population', 'sampleSize'] as const) {
    if (!Number.isInteger(o[option]) || o[option] < 1) {
      throw new NasxError('config', `${option} must be a positive integer, got ${JSON.stringify(o[option])}`, {
        ...where(option),
        fix: `set ${option} to an integer ≥ 1 (default ${DEFAULTS[option]})`,
      });
    }
  }
  if (o.sampleSize > o.population) {
    throw new NasxError(
      'config',
      `sampleSize (${o.sampleSize}) is larger than population (${o.population}): a tournament draws its sample from the population`,
      {
        ...where('sampleSize'),
        fix: `set sampleSize to at most ${o.population}, or raise population to at least ${o.sampleSize} (NAS-Bench-201's REA uses population 10, sampleSize 3)`,
      },
    );
  }
  if (o.mutation !== 'space') {
    throw new NasxError('config', `unknown mutation "${o.mutation}"`, { ...where('mutation'), fix: 'use "space" (the search space\'s own mutate)' });
  }
}

/** The `regularized-evolution` searcher contribution. */
export const regularizedEvolutionSearcher = defineSearcher<OptionsInput<RegularizedEvolutionOptions>>({
  id: ID,
  title: 'Regularized evolution (REA)',
  description: 'Aging evolution with tournament selection and single mutations (Real et al., AAAI 2019); NAS-Bench-201 defaults P=10, S=3.',
  optionsSchema: regularizedEvolutionSchema,
  create(options, deps) {
    requireScalarObjective(deps.objective, { pkg: PKG, contribution: ID });
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    const o = withSchemaDefaults<RegularizedEvolutionOptions>(regularizedEvolutionSchema, options);
    checkOptions(o);
    const evaluations = deps.budget.evaluations;
    if (evaluations !== undefined && evaluations <= o.population) {
      deps.logger.warn(
        `${ID}: the budget of ${evaluations} evaluations does not exceed the population (${o.population}), so every proposal will be a random sample`,
      );
    }
    return new RegularizedEvolutionSearcher(deps.space, deps.rng, o);
  },
});
