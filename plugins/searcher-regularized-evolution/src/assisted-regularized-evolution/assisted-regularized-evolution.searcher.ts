import {
  NasxError,
  defineSearcher,
  metricDirection,
  phaseReporter,
  requireScalarObjective,
  withSchemaDefaults,
  type Architecture,
  type AskTellSearcher,
  type EstimateContext,
  type Estimator,
  type OptionsInput,
  type Proposal,
  type RunContext,
  type TrialResult,
} from '@nasx/contracts';
import { RegularizedEvolutionSearcher, checkOptions } from '../regularized-evolution/regularized-evolution.searcher';
import { assistedRegularizedEvolutionSchema, type AssistedRegularizedEvolutionOptions } from './assisted-regularized-evolution.schema';

const PKG = '@nasx/searcher-regularized-evolution';
const ID = 'assisted-regularized-evolution';

export type { AssistedRegularizedEvolutionOptions } from './assisted-regularized-evolution.schema';

/**
 * Assisted regularized evolution (AREA): Mellor, Turner, Storkey & Crowley, "Neural Architecture
 * Search without Training", ICML 2021, §4.1 / Algorithm 2. M architectures are sampled and
 * scored by a training-free proxy (NASWOT in the paper); the best P form the initial population,
 * then regularized evolution (Real et al. 2019) runs with tournaments drawn without replacement
 * (Algorithm 2: "sample sub-population, S, without replacement"). The paper doubles the random
 * population: M = 2P = 20 for P = 10. Proxy scoring happens at the first ask and does not count
 * against the evaluation budget (it costs seconds, not training runs).
 */
export class AssistedRegularizedEvolutionSearcher implements AskTellSearcher {
  readonly id = ID;
  private ranked = false;

  constructor(
    private readonly rea: RegularizedEvolutionSearcher,
    private readonly rank: (ctx: Pick<RunContext, 'signal' | 'emit'>) => Promise<Architecture[]>,
  ) {}

  async ask(n: number, ctx?: RunContext): Promise<Proposal[]> {
    if (!this.ranked) {
      // Ranking up to `samples` cells takes minutes: it stops with the run (ctx.signal) and
      // reports its count as a phase (`ranking 50 cells with naswot 23/50`).
      this.rea.seedPopulation(await this.rank(ctx ?? { signal: new AbortController().signal, emit: () => undefined }));
      this.ranked = true;
    }
    return this.rea.ask(n);
  }

  tell(results: readonly TrialResult[]): void {
    this.rea.tell(results);
  }

  recommend(): Architecture | undefined {
    return this.rea.recommend();
  }
}

/** The `assisted-regularized-evolution` searcher contribution. */
export const assistedRegularizedEvolutionSearcher = defineSearcher<OptionsInput<AssistedRegularizedEvolutionOptions>>({
  id: ID,
  title: 'Assisted regularized evolution (AREA)',
  description: 'REA whose initial population is the top-P of N samples ranked by a training-free proxy (Mellor et al., ICML 2021).',
  optionsSchema: assistedRegularizedEvolutionSchema,
  create(options, deps) {
    requireScalarObjective(deps.objective, { pkg: PKG, contribution: ID });
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    const o = withSchemaDefaults<AssistedRegularizedEvolutionOptions>(assistedRegularizedEvolutionSchema, options);
    checkOptions({ population: o.population, sampleSize: o.sampleSize, tournamentReplacement: o.tournamentReplacement, mutation: o.mutation }, ID);
    const proxy: Estimator | undefined = deps.estimators[o.proxy];
    if (!proxy) {
      throw new NasxError('config', `AREA ranks its initial population with the auxiliary estimator "${o.proxy}", which the config does not define`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/searcher/options/proxy',
        fix: `add it, e.g. "estimators: { ${o.proxy}: { use: naswot } }", or set searcher.options.proxy to one of: ${Object.keys(deps.estimators).join(', ') || '(none defined)'}`,
      });
    }
    const metric = proxy.metrics[0];
    const sign = (metric?.direction ?? metricDirection(metric?.name ?? '') ?? 'maximize') === 'maximize' ? 1 : -1;
    // M = 2P unless given (§4.1: "we double the randomly-selected population size to 20").
    const samples = o.samples ?? 2 * o.population;
    if (samples < o.population) {
      throw new NasxError(
        'config',
        `AREA keeps the proxy's top ${o.population} (population) of its ${samples} samples, so samples must be at least population`,
        {
          pkg: PKG,
          contribution: ID,
          pointer: '/searcher/options/samples',
          fix: `set samples ≥ ${o.population} (the paper uses 2 × population), or lower population`,
        },
      );
    }
    const domain = o.samplesFrom === 'proxy' ? proxy.domain?.() : undefined;
    if (o.samplesFrom === 'proxy' && domain === undefined) {
      throw new NasxError(
        'config',
        `samplesFrom: proxy draws the samples from the cells the proxy "${o.proxy}" can score, but that estimator (${proxy.id}) scores any cell`,
        {
          pkg: PKG,
          contribution: ID,
          pointer: '/searcher/options/samplesFrom',
          fix: 'use samplesFrom: space, or a proxy backed by a score table (estimators: { proxy: { use: score-table, options: { file: … } } })',
        },
      );
    }
    const rng = deps.rng.fork('area-samples');
    const rank = async ({ signal, emit }: Pick<RunContext, 'signal' | 'emit'>): Promise<Architecture[]> => {
      const seen = new Set<string>();
      const archs: Architecture[] = [];
      if (domain !== undefined) {
        // A uniform draw without repeats from the proxy's cells (partial Fisher–Yates). When the
        // table is itself a uniform sample of the space (NASLib's 725 NB201 cells), this is a
        // uniform draw from the space.
        const pool: Architecture[] = [];
        for (const a of domain) {
          if (!seen.has(a.key)) {
            seen.add(a.key);
            pool.push(a);
          }
        }
        for (let i = 0; i < Math.min(samples, pool.length); i++) {
          const j = i + rng.int(pool.length - i);
          [pool[i], pool[j]] = [pool[j] as Architecture, pool[i] as Architecture];
          archs.push(pool[i] as Architecture);
        }
      } else {
        const limit = deps.space.uniqueSize ?? deps.space.size ?? Infinity;
        for (let tries = 0; archs.length < Math.min(samples, limit) && tries < samples * 20; tries++) {
          const a = deps.space.sample(rng);
          if (!seen.has(a.key)) {
            seen.add(a.key);
            archs.push(a);
          }
        }
      }
      const ctx = (trial: number): EstimateContext => ({
        runId: ID,
        trial,
        rng: deps.rng.fork(`area-proxy-${trial}`),
        signal,
        logger: deps.logger,
        emit: () => undefined,
      });
      const started = Date.now();
      const scores: number[] = [];
      const phase = phaseReporter({ emit }, `ranking ${archs.length} cells with ${o.proxy}`, { total: archs.length, unit: 'cells', source: ID });
      for (const [i, a] of archs.entries()) {
        signal.throwIfAborted();
        const e = await proxy.estimate(a, ctx(i));
        const v = e.metrics[metric?.name ?? ''];
        scores.push(typeof v === 'number' && Number.isFinite(v) ? sign * v : -Infinity);
        phase.update(i + 1);
        // An in-process proxy computes synchronously: let the event loop turn between cells, so a
        // progress display redraws and Ctrl-C is handled during the ranking.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      phase.end();
      deps.logger.info(`${ID}: ranked ${archs.length} samples with "${o.proxy}" (${metric?.name}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return archs
        .map((a, i) => ({ a, s: scores[i] as number, i }))
        .sort((x, y) => y.s - x.s || x.i - y.i)
        .slice(0, o.population)
        .map((x) => x.a);
    };
    return new AssistedRegularizedEvolutionSearcher(new RegularizedEvolutionSearcher(deps.space, deps.rng, o), rank);
  },
});
