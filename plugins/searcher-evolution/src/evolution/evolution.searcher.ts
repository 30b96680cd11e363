import {
  defineSearcher,
  isNasxError,
  NasxError,
  requireDecisions,
  requireScalarObjective,
  scalarObjective,
  withSchemaDefaults,
  type Architecture,
  type AskTellSearcher,
  type DecisionSpace,
  type OptionsInput,
  type Rng,
  type TrialResult,
} from '@nasx/contracts';
import { evolutionSchema, type EvolutionOptions } from './evolution.schema';

const PKG = '@nasx/searcher-evolution';
const ID = 'evolution';

export type { EvolutionOptions } from './evolution.schema';

/** An evaluated architecture (larger objective is better). */
interface Member {
  readonly arch: Architecture;
  readonly choices: readonly number[];
  readonly objective: number;
}

/**
 * The evolutionary search of Single-Path One-Shot NAS (Guo et al., ECCV 2020, Sec. 3.3), as RLNAS
 * (Zhang et al., ICCV 2021) runs it under its angle metric (megvii-model/RLNAS
 * `nas_bench_201/exps/algos/rlnas_evolution_search_with_angle.py`, `EvolutionSearcher`):
 *
 * - generation 0 is `populationSize` random architectures;
 * - after each generation, the top-k is updated from every architecture evaluated so far;
 * - the next generation is `mutations` children (a random top-k parent, each decision redrawn
 *   uniformly with probability `mutationProbability`), `crossovers` children (each decision from
 *   one of two random top-k parents) and random architectures up to `populationSize`; a child
 *   already evaluated or proposed, or not an architecture of the space, is drawn again (at most
 *   10 tries per child, as the reference's `max_iters = num × 10`);
 * - after `generations` generations the searcher is done; `recommend()` is the best of all.
 *
 * Generations are synchronous: the next is built once every trial of the current one is told (the
 * kernel gets no proposals meanwhile). Failed trials do not join the top-k. Deterministic for a
 * seed and the tell order, so a resumed run replays to the same state.
 */
export class EvolutionSearcher implements AskTellSearcher {
  readonly id = ID;
  private generation = 0;
  private readonly pending: Architecture[] = [];
  private outstanding = 0;
  private readonly seen = new Set<string>();
  private topK: Member[] = [];
  private evaluated: Member[] = [];

  constructor(
    private readonly space: DecisionSpace,
    private readonly rng: Rng,
    private readonly options: EvolutionOptions,
    private readonly keyOf: (a: Architecture) => string = (a) => a.key,
  ) {
    this.pending.push(...this.random(options.populationSize));
  }

  /** The current top-k, best first. */
  get parents(): readonly Architecture[] {
    return this.topK.map((m) => m.arch);
  }

  /** The generation being evaluated (0-based). */
  get currentGeneration(): number {
    return this.generation;
  }

  ask(n: number): Architecture[] {
    if (this.pending.length === 0 && this.outstanding === 0 && this.generation + 1 < this.options.generations) this.nextGeneration();
    const out = this.pending.splice(0, Math.max(0, Math.floor(n)));
    this.outstanding += out.length;
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    for (const r of results) {
      this.outstanding = Math.max(0, this.outstanding - 1);
      const objective = scalarObjective(r.objective, ID);
      if (objective === undefined) continue;
      this.evaluated.push({ arch: r.arch, choices: this.space.toDecisions ? this.space.toDecisions(r.arch) : [], objective });
    }
  }

  done(): boolean {
    return this.pending.length === 0 && this.outstanding === 0 && this.generation + 1 >= this.options.generations;
  }

  recommend(): Architecture | undefined {
    this.updateTopK();
    return this.topK[0]?.arch;
  }

  /** Keeps the best k of everything evaluated (stable: the earlier of equal objectives first). */
  private updateTopK(): void {
    if (this.evaluated.length === 0) return;
    const byKey = new Map<string, Member>();
    for (const m of [...this.topK, ...this.evaluated]) if (!byKey.has(this.keyOf(m.arch))) byKey.set(this.keyOf(m.arch), m);
    this.topK = [...byKey.values()].sort((a, b) => b.objective - a.objective).slice(0, this.options.topK);
    this.evaluated = [];
  }

  private nextGeneration(): void {
    this.updateTopK();
    this.generation++;
    const children: Architecture[] = [];
    if (this.topK.length > 0) {
      children.push(...this.children(this.options.mutations, () => this.mutate(this.rng.pick(this.topK).choices)));
      children.push(...this.children(this.options.crossovers, () => this.cross(this.rng.pick(this.topK).choices, this.rng.pick(this.topK).choices)));
    }
    children.push(...this.random(Math.max(0, this.options.populationSize - children.length)));
    this.pending.push(...children);
  }

  /** Up to `count` new children from `make`, 10 tries per child (RLNAS's max_iters). */
  private children(count: number, make: () => number[]): Architecture[] {
    const out: Architecture[] = [];
    for (let tries = 0; tries < count * 10 && out.length < count; tries++) {
      const arch = this.accept(make());
      if (arch) out.push(arch);
    }
    return out;
  }

  private mutate(parent: readonly number[]): number[] {
    const decisions = this.space.decisions();
    return parent.map((c, d) => (this.rng.next() < this.options.mutationProbability ? this.rng.int(decisions[d]!.choices.length) : c));
  }

  private cross(a: readonly number[], b: readonly number[]): number[] {
    return a.map((c, d) => (this.rng.next() < 0.5 ? c : b[d]!));
  }

  /** The architecture of `choices` if it is one of the space and new, else undefined. */
  private accept(choices: readonly number[]): Architecture | undefined {
    let arch: Architecture;
    try {
      arch = this.space.fromDecisions(choices);
    } catch (e) {
      if (isNasxError(e) && e.kind === 'architecture') return undefined;
      throw e;
    }
    const key = this.keyOf(arch);
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    return arch;
  }

  /** `count` new random architectures (fewer when the space runs out). */
  private random(count: number): Architecture[] {
    const out: Architecture[] = [];
    for (let tries = 0; tries < count * 50 + 100 && out.length < count; tries++) {
      const arch = this.space.sample(this.rng);
      const key = this.keyOf(arch);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      out.push(arch);
    }
    return out;
  }
}

/** The `evolution` searcher contribution. */
export const evolutionSearcher = defineSearcher<OptionsInput<EvolutionOptions>>({
  id: ID,
  title: 'SPOS evolutionary search',
  description:
    'Generational evolution over decisions (SPOS; RLNAS under its angle metric): top-k of all generations, per-decision mutation, uniform crossover.',
  optionsSchema: evolutionSchema,
  create(options, deps) {
    requireScalarObjective(deps.objective, { pkg: PKG, contribution: ID });
    const space = requireDecisions(deps.space, { pkg: PKG, contribution: ID });
    const o = withSchemaDefaults<EvolutionOptions>(evolutionSchema, options);
    if (o.mutations + o.crossovers > o.populationSize) {
      throw new NasxError('config', `mutations (${o.mutations}) + crossovers (${o.crossovers}) exceed populationSize (${o.populationSize})`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/populationSize',
        fix: `raise populationSize to at least ${o.mutations + o.crossovers}, or lower mutations or crossovers (RLNAS: 100 = 50 + 50)`,
      });
    }
    if (o.topK > o.populationSize) {
      throw new NasxError('config', `topK (${o.topK}) is larger than populationSize (${o.populationSize})`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/topK',
        fix: `set topK to at most ${o.populationSize} (RLNAS: 30 of 100)`,
      });
    }
    if (typeof space.toDecisions !== 'function') {
      throw new NasxError(
        'config',
        `searcher "${ID}" mutates and crosses decisions, but space "${space.id}" cannot turn an architecture back into its decisions (toDecisions)`,
        {
          pkg: PKG,
          contribution: ID,
          pointer: '/space',
          fix: 'use a space with decisions() and toDecisions() (e.g. nb201), or regularized-evolution',
        },
      );
    }
    const evaluations = deps.budget.evaluations;
    if (evaluations !== undefined && evaluations < o.populationSize * o.generations) {
      deps.logger.info(`${ID}: the budget of ${evaluations} evaluations ends the search before its ${o.generations} generations of ${o.populationSize}`);
    }
    return new EvolutionSearcher(space, deps.rng, o, deps.evaluationKey);
  },
});
