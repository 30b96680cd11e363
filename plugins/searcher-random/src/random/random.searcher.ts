import {
  defineSearcher,
  scalarObjective,
  withSchemaDefaults,
  type Architecture,
  type AskTellSearcher,
  type Logger,
  type OptionsInput,
  type Rng,
  type SearchSpace,
  type TrialResult,
} from '@nasx/contracts';
import { randomSchema, type RandomOptions } from './random.schema';

const ID = 'random';

export type { RandomOptions } from './random.schema';

/**
 * With `unique`, how many samples in a row may repeat an already proposed key before the searcher
 * stops rejection sampling. 1000 misses in a row mean fewer than ~0.5% of the space's
 * architectures are left (p < 0.007 otherwise); then it enumerates the rest if the space can,
 * or gives up and reports `done()`.
 */
export const MAX_REJECTIONS = 1000;

/**
 * Random search: each proposal is `space.sample(rng)`, uniform over the space's architectures
 * (Li & Talwalkar, "Random Search and Reproducibility for NAS", UAI 2019; NAS-Bench-201's RS baseline).
 * Proposals depend only on the RNG and, with `unique`, on earlier proposals — never on results —
 * so any concurrency and any completion order give the same sequence.
 */
export class RandomSearcher implements AskTellSearcher {
  readonly id = ID;
  private readonly proposed = new Set<string>();
  /** Unproposed architectures, once rejection sampling has stalled and the space can enumerate. */
  private remaining: Architecture[] | undefined;
  private exhausted = false;
  private best: { arch: Architecture; objective: number } | undefined;

  constructor(
    private readonly space: SearchSpace,
    private readonly rng: Rng,
    private readonly options: RandomOptions,
    private readonly logger?: Logger,
    /** Objectives of the run: with two or more (a Pareto front, kept by the kernel) there is no single best to recommend. */
    private readonly dimensions = 1,
  ) {}

  ask(n: number): Architecture[] {
    const out: Architecture[] = [];
    for (let i = 0; i < Math.floor(n); i++) {
      const arch = this.options.unique ? this.nextUnique() : this.space.sample(this.rng);
      if (!arch) break;
      out.push(arch);
    }
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    if (this.dimensions > 1) return;
    for (const r of results) {
      const v = scalarObjective(r.objective, ID);
      // Strictly greater: on ties the earliest told result stays the recommendation.
      if (v !== undefined && (!this.best || v > this.best.objective)) this.best = { arch: r.arch, objective: v };
    }
  }

  done(): boolean {
    return this.exhausted;
  }

  /** The architecture with the best told objective. */
  recommend(): Architecture | undefined {
    return this.best?.arch;
  }

  /** Number of distinct keys the space has, when it says (`uniqueSize`, else `size`). */
  private get keyCount(): number | undefined {
    return this.space.uniqueSize ?? this.space.size;
  }

  private nextUnique(): Architecture | undefined {
    if (this.exhausted) return undefined;
    const arch = this.remaining ? this.pickRemaining() : (this.rejectionSample() ?? this.fallBackToEnumeration());
    if (!arch) {
      this.exhausted = true;
      const total = this.keyCount;
      // An enumerated pool that ran dry is true exhaustion; only a stalled rejection loop is a give-up.
      if (!this.remaining && (total === undefined || this.proposed.size < total)) {
        this.logger?.warn(
          `random: stopping after ${this.proposed.size}${total === undefined ? '' : ` of ${total}`} distinct architectures: ` +
            `${MAX_REJECTIONS} samples in a row repeated earlier proposals and the space cannot enumerate the rest`,
        );
      }
      return undefined;
    }
    this.proposed.add(arch.key);
    const total = this.keyCount;
    if ((total !== undefined && this.proposed.size >= total) || this.remaining?.length === 0) this.exhausted = true;
    return arch;
  }

  private rejectionSample(): Architecture | undefined {
    for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
      const arch = this.space.sample(this.rng);
      if (!this.proposed.has(arch.key)) return arch;
    }
    return undefined;
  }

  /**
   * Uniform over the unproposed architectures (each architecture, not each key, weighs one): the
   * same distribution rejection sampling has, without its coupon-collector tail.
   */
  private fallBackToEnumeration(): Architecture | undefined {
    if (!this.space.enumerate) return undefined;
    this.remaining = [];
    for (const a of this.space.enumerate()) if (!this.proposed.has(a.key)) this.remaining.push(a);
    return this.pickRemaining();
  }

  private pickRemaining(): Architecture | undefined {
    const pool = this.remaining ?? [];
    if (pool.length === 0) return undefined;
    const arch = pool[this.rng.int(pool.length)] as Architecture;
    this.remaining = pool.filter((a) => a.key !== arch.key);
    return arch;
  }
}

/** The `random` searcher contribution. */
export const randomSearcher = defineSearcher<OptionsInput<RandomOptions>>({
  id: ID,
  title: 'Random search',
  description: 'Samples architectures uniformly from the search space (Li & Talwalkar 2019 baseline); optionally never repeats a key.',
  optionsSchema: randomSchema,
  create(options, deps) {
    // Any objective: proposals never depend on results. A multi-objective run's Pareto front is
    // kept by the kernel (the report), so random search is the baseline of NSGA-II too.
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    return new RandomSearcher(deps.space, deps.rng, withSchemaDefaults<RandomOptions>(randomSchema, options), deps.logger, deps.objective.dimensions);
  },
});
