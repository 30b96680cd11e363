import {
  NasxError,
  type RunContext,
  defineSearcher,
  isPredictor,
  metricDirection,
  requireScalarObjective,
  scalarObjective,
  type Architecture,
  type AskTellSearcher,
  type EstimateContext,
  type LabelledArchitecture,
  type Logger,
  type Predictor,
  type Rng,
  type SearchSpace,
  type TrialResult,
  type WorkContext,
  type OptionsInput,
  withSchemaDefaults,
} from '@nasx/contracts';
import { predictorGuidedSchema, type PredictorGuidedOptions } from './predictor-guided.schema';

const PKG = '@nasx/searcher-predictor-guided';
const NEVER_ABORTED = new AbortController().signal;
const ID = 'predictor-guided';

export type { PredictorGuidedOptions } from './predictor-guided.schema';

/** Schema defaults (the kernel fills them; direct callers may omit options). */
export const PREDICTOR_GUIDED_DEFAULTS: PredictorGuidedOptions = withSchemaDefaults<PredictorGuidedOptions>(predictorGuidedSchema, {});

/**
 * Predictor-guided search: BANANAS without the ensemble and uncertainty (White, Neiswanger &
 * Savani, "BANANAS", AAAI 2021, Algorithm 1 with a single predictor and the predicted value as the
 * acquisition function, as NASLib's `PredictorGuidedOptimizer` runs it):
 *
 * 1. propose `initial` random architectures with distinct keys;
 * 2. fit the predictor on every evaluated (architecture, objective) pair;
 * 3. make a candidate pool (random samples and/or one mutation of the best evaluated ones),
 *    score it with the predictor and propose the `batch` best unevaluated candidates;
 * 4. refit after `refitEvery` new results, and repeat.
 *
 * `fit` is asynchronous, so `ask` returns a Promise and waits for it. Proposals depend only on the
 * RNG, the results told before each `ask` and the predictor (seeded by the run), so replaying the
 * same ask/tell sequence proposes the same architectures (resume by replay).
 */
export class PredictorGuidedSearcher implements AskTellSearcher {
  readonly id = ID;
  private readonly proposedKeys = new Set<string>();
  private readonly evaluated: LabelledArchitecture[] = [];
  private inFlight = 0;
  private initialProposed = 0;
  private fits = 0;
  private pools = 0;
  private fittedOn = -1;
  private queue: Architecture[] = [];
  private best: LabelledArchitecture | undefined;
  private exhausted = false;
  private everyArch: Architecture[] | undefined;
  private readonly sign: number;
  private readonly metric: string;

  constructor(
    private readonly space: SearchSpace,
    private readonly predictor: Predictor,
    private readonly rng: Rng,
    private readonly options: PredictorGuidedOptions,
    private readonly logger: Logger,
  ) {
    const m = predictor.metrics[0];
    this.metric = m?.name ?? predictor.id;
    this.sign = (m?.direction ?? metricDirection(this.metric) ?? 'maximize') === 'maximize' ? 1 : -1;
  }

  /** Labelled architectures told so far (successful trials, in tell order). */
  /** The signal of the current `ask` (the run's). */
  private signal: AbortSignal = NEVER_ABORTED;
  /** Where the current `ask` reports (the predictor fit's phase goes to the run's display). */
  private emit: RunContext['emit'] = () => undefined;

  get history(): readonly LabelledArchitecture[] {
    return this.evaluated;
  }

  /** Number of times the predictor has been fitted. */
  get fitCount(): number {
    return this.fits;
  }

  async ask(n: number, ctx?: RunContext): Promise<Architecture[]> {
    // Fitting the predictor and scoring a pool (the whole space with pool: all) stop with the run.
    this.signal = ctx?.signal ?? NEVER_ABORTED;
    this.emit = ctx?.emit ?? (() => undefined);
    const out: Architecture[] = [];
    for (let i = 0; i < Math.floor(n); i++) {
      const a = await this.next();
      if (!a) break;
      this.proposedKeys.add(a.key);
      this.inFlight++;
      out.push(a);
    }
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    for (const r of results) {
      this.inFlight = Math.max(0, this.inFlight - 1);
      const v = scalarObjective(r.objective, ID);
      if (v === undefined || !Number.isFinite(v)) continue;
      const d = { arch: r.arch, value: v };
      this.evaluated.push(d);
      // Strictly greater: on ties the earliest told result stays the incumbent.
      if (!this.best || v > this.best.value) this.best = d;
    }
  }

  done(): boolean {
    return this.exhausted;
  }

  recommend(): Architecture | undefined {
    return this.best?.arch;
  }

  private async next(): Promise<Architecture | undefined> {
    if (this.initialProposed < this.options.initial) {
      this.initialProposed++;
      return this.sampleNew();
    }
    if (this.evaluated.length < this.predictor.minTrainingSize) {
      // Too few results to fit: wait for trials in flight, else (failures) sample more.
      return this.inFlight > 0 ? undefined : this.sampleNew();
    }
    const stale = this.evaluated.length - this.fittedOn >= this.options.refitEvery;
    this.queue = this.queue.filter((a) => !this.proposedKeys.has(a.key));
    if (this.fittedOn < 0 || stale || this.queue.length === 0) {
      if (this.fittedOn < 0 || stale || this.evaluated.length > this.fittedOn) await this.fit();
      this.queue = await this.rankedPool();
      if (this.queue.length === 0) return this.sampleNew();
    }
    return this.queue.shift();
  }

  private async fit(): Promise<void> {
    this.signal.throwIfAborted();
    const ctx: WorkContext = { runId: ID, rng: this.rng.fork(`fit-${this.fits}`), signal: this.signal, logger: this.logger, emit: this.emit };
    await this.predictor.fit([...this.evaluated], ctx);
    this.fits++;
    this.fittedOn = this.evaluated.length;
  }

  /** The pool's unevaluated candidates, best predicted first (ties: pool order), at most `batch`. */
  private async rankedPool(): Promise<Architecture[]> {
    const rng = this.rng.fork(`pool-${this.pools++}`);
    const o = this.options;
    if (o.pool === 'all')
      return this.rankAndTake(
        this.wholeSpace().filter((a) => !this.proposedKeys.has(a.key)),
        rng,
      );
    const nMutate = o.pool === 'sample' ? 0 : o.pool === 'mutate' ? o.candidates : Math.floor(o.candidates / 2);
    const nSample = o.candidates - nMutate;
    const seen = new Set<string>();
    const pool: Architecture[] = [];
    const add = (a: Architecture): void => {
      if (seen.has(a.key) || this.proposedKeys.has(a.key)) return;
      seen.add(a.key);
      pool.push(a);
    };
    const parents = [...this.evaluated]
      .map((d, i) => ({ d, i }))
      .sort((x, y) => y.d.value - x.d.value || x.i - y.i)
      .slice(0, o.parents)
      .map((x) => x.d.arch);
    for (let i = 0; i < nMutate && parents.length > 0; i++) add(this.space.mutate(parents[i % parents.length] as Architecture, rng));
    for (let i = 0; i < nSample; i++) add(this.space.sample(rng));
    return this.rankAndTake(pool, rng);
  }

  /** Every architecture of the space once per key (`pool: all`), enumerated on first use. */
  private wholeSpace(): Architecture[] {
    if (!this.everyArch) {
      const seen = new Set<string>();
      this.everyArch = [];
      for (const a of this.space.enumerate!()) {
        if (seen.has(a.key)) continue;
        seen.add(a.key);
        this.everyArch.push(a);
      }
    }
    return this.everyArch;
  }

  /** The `batch` best of `pool` by predicted score, best first (ties: pool order). */
  private async rankAndTake(pool: Architecture[], rng: Rng): Promise<Architecture[]> {
    const o = this.options;
    if (pool.length === 0) return [];
    this.signal.throwIfAborted();
    const ctx: EstimateContext = { runId: ID, trial: 0, rng: rng.fork('estimate'), signal: this.signal, logger: this.logger, emit: () => undefined };
    const estimates = this.predictor.estimateMany
      ? await this.predictor.estimateMany(pool, ctx)
      : await Promise.all(pool.map((a) => this.predictor.estimate(a, ctx)));
    const scores = estimates.map((e) => {
      const v = e.metrics[this.metric];
      return typeof v === 'number' && Number.isFinite(v) ? this.sign * v : -Infinity;
    });
    return pool
      .map((a, i) => ({ a, s: scores[i] as number, i }))
      .sort((x, y) => y.s - x.s || x.i - y.i)
      .slice(0, o.batch)
      .map((x) => x.a);
  }

  /** A random architecture whose key has not been proposed (any one after many tries in a small space). */
  private sampleNew(): Architecture | undefined {
    const limit = this.space.uniqueSize ?? this.space.size;
    if (limit !== undefined && this.proposedKeys.size >= limit) {
      this.exhausted = true;
      return undefined;
    }
    let a = this.space.sample(this.rng);
    for (let tries = 0; tries < 1000 && this.proposedKeys.has(a.key); tries++) a = this.space.sample(this.rng);
    return a;
  }
}

/** The `predictor-guided` searcher contribution. */
export const predictorGuidedSearcher = defineSearcher<OptionsInput<PredictorGuidedOptions>>({
  id: ID,
  title: 'Predictor-guided search (BANANAS-style)',
  description:
    'Fits a performance predictor on the evaluated architectures and proposes the unevaluated candidates it ranks highest (White et al., AAAI 2021, without the ensemble).',
  optionsSchema: predictorGuidedSchema,
  create(options, deps) {
    requireScalarObjective(deps.objective, { pkg: PKG, contribution: ID });
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    const o = withSchemaDefaults<PredictorGuidedOptions>(predictorGuidedSchema, options);
    const names = Object.keys(deps.estimators);
    const predictor = deps.estimators[o.predictor];
    const where = { pkg: PKG, contribution: ID, pointer: '/searcher/options/predictor' };
    if (!predictor) {
      throw new NasxError('config', `predictor-guided search fits the auxiliary estimator "${o.predictor}", which the config does not define`, {
        ...where,
        fix: `add it, e.g. "estimators: { ${o.predictor}: { use: gcn } }", or set searcher.options.predictor to one of: ${names.join(', ') || '(none defined)'}`,
      });
    }
    if (!isPredictor(predictor)) {
      const fittable = names.filter((k) => isPredictor(deps.estimators[k]!));
      throw new NasxError('config', `the estimator "${o.predictor}" (${predictor.id}) is not a predictor: it cannot be fitted on evaluated architectures`, {
        ...where,
        fix: `name a learned predictor (gcn, renas, …) in estimators.${o.predictor}${fittable.length ? `, or set searcher.options.predictor to one of: ${fittable.join(', ')}` : ''}`,
      });
    }
    for (const k of ['initial', 'candidates', 'parents', 'batch', 'refitEvery'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1)
        throw new NasxError('config', `${k} must be an integer ≥ 1, got ${o[k]}`, {
          pkg: PKG,
          contribution: ID,
          pointer: `/searcher/options/${k}`,
          fix: `set searcher.options.${k} to a positive integer`,
        });
    }
    if (!['sample', 'mutate', 'both', 'all'].includes(o.pool)) {
      throw new NasxError('config', `pool must be "sample", "mutate", "both" or "all", got "${o.pool}"`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/pool',
        fix: 'set searcher.options.pool to sample, mutate, both or all',
      });
    }
    if (o.pool === 'all' && !deps.space.enumerate) {
      throw new NasxError('config', `pool "all" scores every architecture of the space, but the space "${deps.space.id}" cannot enumerate its architectures`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/pool',
        fix: 'use pool: sample, mutate or both (a candidate pool of `candidates` architectures), or a space that enumerates (nb201; nb101, restricted by keys/keysFrom or not)',
      });
    }
    if (o.initial < predictor.minTrainingSize) {
      throw new NasxError(
        'config',
        `initial is ${o.initial}, but the predictor "${o.predictor}" (${predictor.id}) needs at least ${predictor.minTrainingSize} labelled architectures to fit`,
        {
          pkg: PKG,
          contribution: ID,
          pointer: '/searcher/options/initial',
          fix: `set searcher.options.initial to ${predictor.minTrainingSize} or more`,
        },
      );
    }
    const budget = deps.budget.evaluations;
    if (budget !== undefined && budget <= o.initial)
      deps.logger.warn(`${ID}: the budget of ${budget} evaluations is spent by the ${o.initial} random initial architectures; the predictor is never used`);
    return new PredictorGuidedSearcher(deps.space, predictor, deps.rng.fork('predictor-guided'), o, deps.logger);
  },
});
