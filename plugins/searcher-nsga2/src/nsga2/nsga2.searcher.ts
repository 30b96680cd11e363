import {
  defineSearcher,
  isNasxError,
  NasxError,
  withSchemaDefaults,
  type Architecture,
  type AskTellSearcher,
  type ObjectiveInfo,
  type ObjectiveValue,
  type OptionsInput,
  type Rng,
  type SearchSpace,
  type TrialResult,
} from '@nasx/contracts';
import { crowdingDistance, dominates, nonDominatedSort } from '@nasx/stats';
import { nsga2Schema, type Nsga2Options } from './nsga2.schema';
import { ObjectiveSurrogate, rankByPredictedImprovement, type SurrogateKind } from './surrogate';

const PKG = '@nasx/searcher-nsga2';
const ID = 'nsga2';
/** Tries to make a child not proposed before (pymoo's duplicate elimination) before accepting a repeat. */
const DUPLICATE_TRIES = 100;

export type { Nsga2Options } from './nsga2.schema';

/** The schema's defaults (for messages and direct callers). */
export const DEFAULTS: Nsga2Options = withSchemaDefaults<Nsga2Options>(nsga2Schema, {});

/** A member of the population: a told architecture, its objective vector (larger is better), its rank and crowding distance. */
export interface Nsga2Member {
  readonly arch: Architecture;
  readonly objective: readonly number[];
  /** 0 for the first non-dominated front. */
  readonly rank: number;
  readonly crowding: number;
}

/** A result the searcher keeps: a told architecture and its objective vector (larger is better). */
interface Told {
  readonly arch: Architecture;
  readonly objective: readonly number[];
}

/** One surrogate-assisted choice ({@link Nsga2Searcher.lastSelection}). */
export interface SurrogateSelection {
  /** The distinct new offspring bred as candidates, in breeding order. */
  readonly pool: readonly Architecture[];
  /** Their predicted objective vectors (larger is better). */
  readonly predicted: readonly (readonly number[])[];
  /** Index in `pool` of the proposed candidate. */
  readonly chosen: number;
  /** The points the improvement was measured against (evaluated non-dominated set, then in-flight predictions). */
  readonly known: readonly (readonly number[])[];
  /** The hypervolume reference point (the worst told value of each component). */
  readonly reference: readonly number[];
}

/** How children are made from two parents (the `crossover` option after `auto` is resolved). */
export type CrossoverKind = 'space' | 'uniform' | 'none';

/** Whether a space has decisions(), fromDecisions() and toDecisions(). */
const hasDecisionsOf = (space: SearchSpace): boolean =>
  typeof space.decisions === 'function' && typeof space.fromDecisions === 'function' && typeof space.toDecisions === 'function';

/** The crossover `auto` resolves to for a space: its own, else uniform over its decisions, else none. */
export function resolveCrossover(option: Nsga2Options['crossover'], space: SearchSpace): CrossoverKind {
  const hasDecisions = hasDecisionsOf(space);
  if (option === 'auto') return typeof space.crossover === 'function' ? 'space' : hasDecisions ? 'uniform' : 'none';
  if (option === 'space' && typeof space.crossover !== 'function') {
    throw new NasxError('config', `crossover "space" needs a search space with crossover(), and "${space.id}" has none`, {
      pkg: PKG,
      contribution: ID,
      pointer: '/searcher/options/crossover',
      fix: `use "auto" (picks ${hasDecisions ? '"uniform"' : '"none"'} for this space)${hasDecisions ? ', "uniform"' : ''} or "none"`,
    });
  }
  if (option === 'uniform' && !hasDecisions) {
    throw new NasxError(
      'config',
      `crossover "uniform" needs a search space with decisions(), fromDecisions() and toDecisions(), and "${space.id}" lacks them`,
      {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/crossover',
        fix: 'use "auto" or "none" (mutation only)',
      },
    );
  }
  return option;
}

/** How a child is mutated (the `mutation` option after `auto` is resolved). */
export type MutationKind = 'space' | 'per-decision';

/** The mutation `auto` resolves to for a space: per decision where it has decisions(), else the space's own mutate. */
export function resolveMutation(option: Nsga2Options['mutation'], space: SearchSpace): MutationKind {
  if (option === 'auto') return hasDecisionsOf(space) ? 'per-decision' : 'space';
  if (option === 'per-decision' && !hasDecisionsOf(space)) {
    throw new NasxError(
      'config',
      `mutation "per-decision" needs a search space with decisions(), fromDecisions() and toDecisions(), and "${space.id}" lacks them`,
      {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/mutation',
        fix: 'use "space" (one change by the space\'s mutate) or "auto"',
      },
    );
  }
  return option;
}

/** A space with the decision methods (checked by {@link resolveMutation} / `hasDecisionsOf`). */
type DecisionsSpace = SearchSpace & Required<Pick<SearchSpace, 'decisions' | 'toDecisions' | 'fromDecisions'>>;

/**
 * Mutation at rate 1/n: each of the n decisions of `space.decisions()` changes with probability
 * 1/n to a uniformly chosen other value, and one chosen uniformly changes when none did (the 1/n
 * rate of pymoo's bit-flip mutation and of Deb & Agrawal's polynomial mutation; the forced change
 * keeps every child new, as pymoo's duplicate elimination would). Where the result is not an
 * architecture of the space (NB101's invalid specs) it is drawn again, up to 100 times, then the
 * space's own `mutate` is used.
 */
export function mutatePerDecision(space: DecisionsSpace, arch: Architecture, rng: Rng): Architecture {
  const counts = space.decisions().map((d) => d.choices.length);
  const open = counts.flatMap((k, i) => (k > 1 ? [i] : []));
  if (open.length === 0) return arch;
  const base = space.toDecisions(arch);
  for (let t = 0; t < DUPLICATE_TRIES; t++) {
    const d = base.slice();
    const change = (i: number): void => {
      const v = rng.int((counts[i] as number) - 1);
      d[i] = v >= (base[i] as number) ? v + 1 : v;
    };
    let changed = false;
    for (const i of open) {
      if (rng.next() < 1 / counts.length) {
        change(i);
        changed = true;
      }
    }
    if (!changed) change(rng.pick(open));
    try {
      return space.fromDecisions(d);
    } catch (e) {
      if (!(isNasxError(e) && e.kind === 'architecture')) throw e;
    }
  }
  return space.mutate(arch, rng);
}

/**
 * The architectures one change away from `arch`, for local search: the space's `neighbours()`;
 * else each decision set to each other value (skipping mixes that are not architectures of the
 * space); else 100 draws of the space's `mutate`.
 */
export function neighboursOf(space: SearchSpace, arch: Architecture, rng: Rng): Architecture[] {
  if (typeof space.neighbours === 'function') return space.neighbours(arch);
  if (hasDecisionsOf(space)) {
    const ds = space as DecisionsSpace;
    const base = ds.toDecisions(arch);
    const out: Architecture[] = [];
    ds.decisions().forEach((def, i) => {
      for (let c = 0; c < def.choices.length; c++) {
        if (c === base[i]) continue;
        try {
          out.push(ds.fromDecisions(base.map((x, j) => (j === i ? c : x))));
        } catch (e) {
          if (!(isNasxError(e) && e.kind === 'architecture')) throw e;
        }
      }
    });
    return out;
  }
  return Array.from({ length: DUPLICATE_TRIES }, () => space.mutate(arch, rng));
}

/**
 * NSGA-II: Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective genetic
 * algorithm: NSGA-II", IEEE Transactions on Evolutionary Computation 6(2), 2002, as an ask/tell
 * searcher over the kernel's `multi` objective (a vector, every component larger is better).
 *
 * - **Initial population.** Proposals are random samples until N results have been told; those
 *   N, ranked by non-dominated sorting and crowding distance, are P₀ (Sec. III-C).
 * - **Offspring.** Each proposal picks two parents by binary tournaments on the crowded-comparison
 *   operator ≺ₙ (lower rank wins, then larger crowding distance; Sec. III-B), makes a child by
 *   crossover with probability `crossoverProbability` (else a copy of the first parent) and
 *   mutates it with probability `mutationProbability`.
 * - **Survival.** Each time N more results have been told, Rₜ = Pₜ ∪ Qₜ is sorted into fronts, and
 *   Pₜ₊₁ takes whole fronts while they fit, then the members of the next front with the largest
 *   crowding distance (elitist (μ+λ) selection, Sec. III-C, Fig. 2). Members of Rₜ with the same
 *   key count once.
 *
 * Refinements, each an option: mutation at rate 1/n per decision (`mutation`, {@link mutatePerDecision});
 * parents drawn from an elitist archive of every non-dominated result (`archiveProbability`, as
 * SPEA2 and PAES keep one); and proposals that are new one-change neighbours of archive members
 * (`localSearchProbability`, the Pareto local search of LOMONAS, Phan & Luong, GECCO 2023, on by
 * default at 0.3). With all three off this is Deb et al.'s algorithm.
 *
 * Asynchrony: a generation is the next N results in tell order (the journal's order), so a
 * replayed run rebuilds the same populations; children asked for while a generation is still in
 * flight are bred from the current population, as in steady-state variants. Failed trials (null
 * or NaN objectives) are not members. All randomness comes from the kernel's `rng`.
 */
export class Nsga2Searcher implements AskTellSearcher {
  readonly id = ID;
  private populationValue: Nsga2Member[] = [];
  /** Results told since the last survival (the offspring Qₜ; P₀'s candidates before the first). */
  private offspring: Told[] = [];
  /** Keys proposed so far (duplicate elimination, local search). */
  private readonly proposed = new Set<string>();
  /** The elitist archive: every non-dominated result told so far, one per key, in tell order. */
  private archiveValue: Told[] = [];
  /** Crowding distances of the archive (undefined after a change, recomputed when a tournament needs them). */
  private archiveCrowding: number[] | undefined;
  /** Keys of archive members whose whole neighbourhood has been proposed (local search skips them). */
  private readonly explored = new Set<string>();
  private generationValue = 0;
  /** Every successful result told so far, in tell order (the surrogate's training set). */
  private readonly toldValue: Told[] = [];
  /** Predicted objectives of surrogate-selected proposals not yet told, by key (counted as known points). */
  private readonly pending = new Map<string, readonly number[]>();
  private readonly surrogate: ObjectiveSurrogate | undefined;
  private lastSelectionValue: SurrogateSelection | undefined;
  readonly crossoverKind: CrossoverKind;
  readonly mutationKind: MutationKind;

  constructor(
    private readonly space: SearchSpace,
    private readonly rng: Rng,
    private readonly options: Nsga2Options,
    private readonly dimensions: number,
    /** The run's evaluation identity (deps.evaluationKey): canonical key, or exact genotype with latency models. */
    private readonly keyOf: (arch: Architecture) => string = (a) => a.key,
  ) {
    this.crossoverKind = resolveCrossover(options.crossover, space);
    this.mutationKind = resolveMutation(options.mutation, space);
    this.surrogate = options.surrogate === 'none' ? undefined : new ObjectiveSurrogate(space, options.surrogate, dimensions, options.surrogateTargets);
  }

  /** The surrogate's features: `none` (no surrogate), `linear` or `quadratic`; `auto` until the encoding length is known (the space's `encodingLength`, else the first fit). */
  get surrogateKind(): SurrogateKind | 'auto' {
    return this.surrogate?.kind ?? 'none';
  }

  /** The last surrogate-assisted choice: the candidate pool, its predicted objectives and the index proposed (for inspection and tests). */
  get lastSelection(): SurrogateSelection | undefined {
    return this.lastSelectionValue;
  }

  /** The current population Pₜ, in survival order (best rank first, then larger crowding distance). */
  get population(): readonly Nsga2Member[] {
    return this.populationValue.slice();
  }

  /** The elitist archive: the non-dominated results told so far (one per key), in tell order. */
  get archive(): readonly { readonly arch: Architecture; readonly objective: readonly number[] }[] {
    return this.archiveValue.slice();
  }

  /** Completed survivals: 0 until the initial population is formed, then 1, 2, … */
  get generation(): number {
    return this.generationValue;
  }

  ask(n: number): Architecture[] {
    const out: Architecture[] = [];
    for (let i = 0; i < Math.floor(n); i++) {
      const arch =
        this.populationValue.length === 0
          ? this.fresh(() => this.space.sample(this.rng))
          : this.surrogate === undefined || this.chance(this.options.surrogateExploration)
            ? this.breed()
            : this.selectBySurrogate(this.surrogate);
      this.proposed.add(this.keyOf(arch));
      out.push(arch);
    }
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    for (const r of results) {
      this.pending.delete(this.keyOf(r.arch));
      const objective = this.vector(r.objective);
      if (!objective) continue;
      this.toldValue.push({ arch: r.arch, objective });
      this.offspring.push({ arch: r.arch, objective });
      this.addToArchive({ arch: r.arch, objective });
      if (this.offspring.length >= this.options.population) this.survive();
    }
  }

  /** One offspring as Deb et al. breed it (plus the refinements): a local-search neighbour with probability `localSearchProbability`, else a fresh child. */
  private breed(): Architecture {
    return (this.chance(this.options.localSearchProbability) ? this.neighbourOfArchive() : undefined) ?? this.fresh(() => this.child());
  }

  /**
   * Surrogate-assisted offspring selection (MSuNAS, Lu et al., ECCV 2020, Sec. 3; the infill
   * criterion of Emmerich et al., IEEE TEC 2006): breed `surrogateCandidates` distinct new
   * offspring, predict their objectives with per-objective ridge models fitted on this run's
   * results only, and propose the one with the largest predicted hypervolume improvement over the
   * evaluated non-dominated set plus the predictions of proposals still in flight (reference:
   * the worst told value of each component), ties broken by predicted non-dominated rank, then
   * breeding order. The models are refitted when the results told since the last fit reach a tenth
   * of those it was fitted on (at least 1, at most N), so early generations refit often and a
   * 500-evaluation run fits about 40 times.
   */
  private selectBySurrogate(surrogate: ObjectiveSurrogate): Architecture {
    const told = this.toldValue.length;
    const due = Math.min(this.options.population, Math.max(1, Math.ceil(surrogate.fittedOn / 10)));
    if (surrogate.fittedOn === 0 || told - surrogate.fittedOn >= due) surrogate.fit(this.toldValue);
    const pool: Architecture[] = [];
    const keys = new Set<string>();
    const want = this.options.surrogateCandidates;
    const add = (arch: Architecture): void => {
      const key = this.keyOf(arch);
      if (keys.has(key) || (this.options.eliminateDuplicates && this.proposed.has(key))) return;
      keys.add(key);
      pool.push(arch);
    };
    if (this.options.surrogateCandidatesFrom === 'same-parents') {
      // Pre-selection (Emmerich et al. 2006; MSuNAS's candidates are the offspring of one
      // generation's matings): the parents are chosen as NSGA-II chooses them, once, and the
      // surrogate only picks which of their children is evaluated, so where the search goes
      // stays NSGA-II's and the surrogate cannot abandon a region of the front.
      const neighbours = this.chance(this.options.localSearchProbability) ? this.openNeighbourhood() : undefined;
      if (neighbours) {
        for (const k of this.rng.sampleIndices(neighbours.length, Math.min(want, neighbours.length))) add(neighbours[k] as Architecture);
      } else {
        const a = this.parent();
        const b = this.parent();
        for (let t = 0; t < 3 * want && pool.length < want; t++) add(this.fresh(() => this.childOf(a, b)));
      }
    } else {
      for (let t = 0; t < 3 * want && pool.length < want; t++) add(this.breed());
    }
    if (pool.length === 0) return this.breed();
    // Optimism in the face of the surrogate's error (a lower confidence bound as in Emmerich et al.
    // 2006, with the model's residual spread standing in for a per-point variance): candidates
    // predicted just behind the front count as improving, where noise among similar cells can
    // put a better one.
    // The improvement is measured in the objectives' units, or on the models' rank-Gauss scale
    // (`surrogateImprovement: scores`), where each objective is spread by the distribution of the
    // results told so far: free of units, and not dominated by a long tail of bad results.
    const scale = this.options.surrogateImprovement;
    const onScale = (v: readonly number[]): readonly number[] => (scale === 'scores' ? surrogate.toScale(v) : v);
    const predicted = surrogate.predict(pool, this.options.surrogateOptimism, scale);
    const known = [...this.archiveValue.map((m) => onScale(m.objective)), ...this.pending.values()];
    const worst = Array.from({ length: this.dimensions }, (_, c) => Math.min(...this.toldValue.map((m) => m.objective[c] as number)));
    const reference = [...onScale(worst)];
    const order = rankByPredictedImprovement(predicted, known, reference);
    const chosen = order[0] as number;
    const arch = pool[chosen] as Architecture;
    this.pending.set(this.keyOf(arch), predicted[chosen] as number[]);
    this.lastSelectionValue = { pool, predicted, chosen, known, reference };
    return arch;
  }

  /**
   * A candidate from `make`, remade while its key was proposed before (when eliminating
   * duplicates). When every try repeats (a converged population whose neighbours were all
   * proposed), random samples are tried instead, so the search never stalls on repeats.
   */
  private fresh(make: () => Architecture): Architecture {
    let arch = make();
    if (!this.options.eliminateDuplicates) return arch;
    for (let t = 1; t < DUPLICATE_TRIES && this.proposed.has(this.keyOf(arch)); t++) arch = make();
    for (let t = 0; t < DUPLICATE_TRIES && this.proposed.has(this.keyOf(arch)); t++) arch = this.space.sample(this.rng);
    return arch;
  }

  /** One child: two tournament parents, crossover with probability pc, mutation with probability pm. */
  private child(): Architecture {
    return this.childOf(this.parent(), this.parent());
  }

  /** A child of two given parents: crossover with probability pc, then mutation with probability pm. */
  private childOf(a: Architecture, b: Architecture): Architecture {
    let child = a;
    if (this.crossoverKind !== 'none' && this.rng.next() < this.options.crossoverProbability) child = this.cross(a, b);
    if (this.rng.next() < this.options.mutationProbability) child = this.mutate(child);
    return child;
  }

  /** A parent: from the archive with probability `archiveProbability`, else a tournament in the population. */
  private parent(): Architecture {
    if (this.archiveValue.length > 0 && this.chance(this.options.archiveProbability)) return this.archiveTournament(() => true).arch;
    return this.tournament().arch;
  }

  /** True with probability p; draws nothing when p is 0, so a disabled option leaves the random stream as it was. */
  private chance(p: number): boolean {
    return p > 0 && this.rng.next() < p;
  }

  private mutate(arch: Architecture): Architecture {
    return this.mutationKind === 'space' ? this.space.mutate(arch, this.rng) : mutatePerDecision(this.space as DecisionsSpace, arch, this.rng);
  }

  /**
   * Pareto local search (LOMONAS, Phan & Luong 2023): a not yet proposed neighbour of an archive
   * member picked by a crowding tournament among the members not fully explored, or undefined
   * when every member's neighbourhood has been proposed.
   */
  private neighbourOfArchive(): Architecture | undefined {
    const open = this.openNeighbourhood();
    return open ? this.rng.pick(open) : undefined;
  }

  /**
   * The not yet proposed neighbours of an archive member picked by a crowding tournament among the
   * members not fully explored (members found fully explored are marked so), or undefined when
   * every member's neighbourhood has been proposed.
   */
  private openNeighbourhood(): Architecture[] | undefined {
    for (;;) {
      const open = (m: Told): boolean => !this.explored.has(this.keyOf(m.arch));
      if (!this.archiveValue.some(open)) return undefined;
      const member = this.archiveTournament(open);
      const candidates = neighboursOf(this.space, member.arch, this.rng).filter((a) => !this.proposed.has(this.keyOf(a)));
      if (candidates.length > 0) return candidates;
      this.explored.add(this.keyOf(member.arch));
    }
  }

  private cross(a: Architecture, b: Architecture): Architecture {
    if (this.crossoverKind === 'space') return (this.space.crossover as NonNullable<SearchSpace['crossover']>).call(this.space, a, b, this.rng);
    const space = this.space as Required<Pick<SearchSpace, 'toDecisions' | 'fromDecisions'>> & SearchSpace;
    const da = space.toDecisions(a);
    const db = space.toDecisions(b);
    // Uniform crossover over the decision sequence; where a mix is not an architecture of the
    // space (NB101's invalid specs), the child is a copy of the first parent.
    const mixed = da.map((x, i) => (this.rng.next() < 0.5 ? x : (db[i] as number)));
    try {
      return space.fromDecisions(mixed);
    } catch (e) {
      if (isNasxError(e) && e.kind === 'architecture') return a;
      throw e;
    }
  }

  /** Binary tournament on the crowded-comparison operator (Deb et al. 2002, Sec. III-B); ties go to the first drawn. */
  private tournament(): Nsga2Member {
    const pop = this.populationValue;
    if (pop.length === 1) return pop[0] as Nsga2Member;
    const [i, j] = this.rng.sampleIndices(pop.length, 2) as [number, number];
    const a = pop[i] as Nsga2Member;
    const b = pop[j] as Nsga2Member;
    if (b.rank < a.rank || (b.rank === a.rank && b.crowding > a.crowding)) return b;
    return a;
  }

  /** Binary tournament on crowding distance among the archive members that pass `admit` (all are rank 0). */
  private archiveTournament(admit: (m: Told) => boolean): Told {
    if (!this.archiveCrowding) {
      const points = this.archiveValue.map((m) => m.objective);
      this.archiveCrowding = crowdingDistance(
        points,
        points.map((_, i) => i),
      );
    }
    const crowding = this.archiveCrowding;
    const eligible = this.archiveValue.flatMap((m, i) => (admit(m) ? [i] : []));
    if (eligible.length === 1) return this.archiveValue[eligible[0] as number] as Told;
    const [x, y] = this.rng.sampleIndices(eligible.length, 2).map((k) => eligible[k] as number) as [number, number];
    return this.archiveValue[(crowding[y] as number) > (crowding[x] as number) ? y : x] as Told;
  }

  /** Adds a result to the archive unless a member dominates it (or has its key); drops the members it dominates. */
  private addToArchive(r: Told): void {
    if (this.archiveValue.some((m) => this.keyOf(m.arch) === this.keyOf(r.arch) || dominates(m.objective, r.objective))) return;
    this.archiveValue = this.archiveValue.filter((m) => !dominates(r.objective, m.objective));
    this.archiveValue.push(r);
    this.archiveCrowding = undefined;
  }

  /** Elitist survival of Pₜ ∪ Qₜ (Deb et al. 2002, Fig. 2 and Sec. III-C). */
  private survive(): void {
    const seen = new Set<string>();
    const pool = [...this.populationValue, ...this.offspring].filter((m) => !seen.has(this.keyOf(m.arch)) && seen.add(this.keyOf(m.arch)));
    this.offspring = [];
    const points = pool.map((m) => m.objective);
    const next: Nsga2Member[] = [];
    const n = this.options.population;
    for (const [rank, front] of nonDominatedSort(points).entries()) {
      const crowding = crowdingDistance(points, front);
      const members = front.map((idx, k) => ({
        arch: (pool[idx] as (typeof pool)[number]).arch,
        objective: points[idx] as readonly number[],
        rank,
        crowding: crowding[k] as number,
      }));
      if (next.length + members.length <= n) {
        next.push(...members);
      } else {
        // The last front that does not fit: the largest crowding distances (stable: front order on ties).
        const order = members.map((_, k) => k).sort((x, y) => (members[y] as Nsga2Member).crowding - (members[x] as Nsga2Member).crowding || x - y);
        for (const k of order.slice(0, n - next.length)) next.push(members[k] as Nsga2Member);
      }
      if (next.length >= n) break;
    }
    this.populationValue = next;
    this.generationValue++;
  }

  /** The told objective as a vector of the run's dimensions, or undefined for a failed trial. */
  private vector(value: ObjectiveValue | null): readonly number[] | undefined {
    if (value === null) return undefined;
    const v = typeof value === 'number' ? [value] : value;
    if (v.length !== this.dimensions) {
      throw new NasxError('run', `searcher "${ID}" was told a ${v.length}-dimensional objective in a run of ${this.dimensions} objectives`, {
        contribution: ID,
      });
    }
    return v.some((x) => Number.isNaN(x)) ? undefined : v;
  }
}

/** Throws a config error unless the run's objective has at least two components. */
export function requireMultiObjective(objective: ObjectiveInfo): void {
  if (objective.dimensions < 2) {
    throw new NasxError('config', `searcher "${ID}" optimises two or more objectives, but the objective "${objective.label}" has ${objective.dimensions}`, {
      pkg: PKG,
      contribution: ID,
      pointer: '/objective',
      fix: 'use objective: { type: multi, metrics: [{ metric: test_acc@200 }, { metric: latency_ms }] } (two or more metrics), or a single-objective searcher such as regularized-evolution',
    });
  }
}

/** The `nsga2` searcher contribution. */
export const nsga2Searcher = defineSearcher<OptionsInput<Nsga2Options>>({
  id: ID,
  title: 'NSGA-II',
  description: 'Multi-objective evolution: non-dominated sorting, crowding distance, binary tournaments, elitist (μ+λ) survival (Deb et al., IEEE TEC 2002).',
  optionsSchema: nsga2Schema,
  create(options, deps) {
    requireMultiObjective(deps.objective);
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    const o = withSchemaDefaults<Nsga2Options>(nsga2Schema, options);
    if (!Number.isInteger(o.population) || o.population < 2) {
      throw new NasxError('config', `population must be an integer ≥ 2, got ${JSON.stringify(o.population)}`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/population',
        fix: `set population to an integer ≥ 2 (default ${DEFAULTS.population})`,
      });
    }
    const evaluations = deps.budget.evaluations;
    if (evaluations !== undefined && evaluations <= o.population) {
      deps.logger.warn(
        `${ID}: the budget of ${evaluations} evaluations does not exceed the population (${o.population}), so every proposal will be a random sample`,
      );
    }
    return new Nsga2Searcher(deps.space, deps.rng, o, deps.objective.dimensions, deps.evaluationKey);
  },
});
