import * as path from 'node:path';
import {
  defineEstimator,
  parseMetricName,
  withSchemaDefaults,
  type Architecture,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type Json,
  type MetricDeclaration,
  type MetricName,
  type WorkContext,
} from '@nasx/contracts';
import { BenchmarkTable, resolveBenchmarkDir, tabularError, type TabularAdapter } from './benchmark-table';
import { nb101Adapter } from './nb101.table';
import { nb201Adapter } from './nb201.table';
import { tabularSchema, type TabularOptions } from './tabular.schema';

export type { TabularOptions } from './tabular.schema';

/** The benchmarks this estimator reads, by option value. */
export const TABULAR_ADAPTERS = { nb201: nb201Adapter, nb101: nb101Adapter } as const satisfies { readonly [benchmark: string]: TabularAdapter };

/** The estimator instance: the contract plus the table for synchronous lookups. */
export interface TabularEstimator extends Estimator {
  /** Primary metric, `<metric>@<epochs>`, e.g. `val_acc@12`. */
  readonly primary: MetricName;
  /**
   * The table behind it, for the synchronous fast path:
   * `estimator.table.lookup(arch, 'test_acc@200')` (≥ 1M lookups/s).
   */
  readonly table: BenchmarkTable;
}

/**
 * Opens one dataset of a benchmark outside a run (scripts, notebooks, benchmarks). `dataDir` is
 * the data root holding `nas-bench-201/` (or that folder). Columns load on first lookup.
 */
export function openBenchmarkTable(options: { benchmark?: string; dataset: string; dataDir: string | undefined }): BenchmarkTable {
  const adapter = editionFor(adapterFor(options.benchmark ?? tabularSchema.properties.benchmark.default), options.dataDir);
  const sources = adapter.sources(options.dataset);
  if (!sources) throw tabularError('config', `${adapter.title} has no dataset "${options.dataset}"`, { fix: `use one of ${adapter.datasets.join(', ')}` });
  const files = [...new Set(Object.values(sources).map((s) => s.file))];
  return new BenchmarkTable(adapter, options.dataset, resolveBenchmarkDir(adapter, options.dataDir, files));
}

/** The adapter of the table edition the data directory holds (see {@link TabularAdapter.select}). */
function editionFor(adapter: TabularAdapter, dataDir: string | undefined): TabularAdapter {
  return adapter.select ? adapter.select(dataDir) : adapter;
}

function adapterFor(benchmark: string): TabularAdapter {
  if (!Object.prototype.hasOwnProperty.call(TABULAR_ADAPTERS, benchmark)) {
    throw tabularError('config', `unknown benchmark "${benchmark}"`, { fix: `set "benchmark" to one of ${Object.keys(TABULAR_ADAPTERS).join(', ')}` });
  }
  return TABULAR_ADAPTERS[benchmark as keyof typeof TABULAR_ADAPTERS];
}

/** Every (dataset, metric) the adapter has, as `cifar10: val_acc@12, …; cifar100: …`. */
function availability(adapter: TabularAdapter): string {
  return adapter.datasets.map((d) => `${d}: ${Object.keys(adapter.sources(d) ?? {}).join(', ')}`).join('; ');
}

/**
 * Tabular lookup: the ground truth of a NAS benchmark as an estimator (NAS-Bench-201, Dong &
 * Yang, ICLR 2020, its 200-epoch numbers from NATS-Bench, Dong et al., TPAMI 2021; NAS-Bench-101,
 * Ying et al., ICML 2019). Estimates are deterministic. NB201 estimates are free (`cost.seconds`
 * 0: its tables carry no training time); NB101 estimates cost the table's simulated training time.
 */
export const tabularEstimator = defineEstimator<TabularOptions>({
  id: 'tabular',
  title: 'Tabular benchmark lookup',
  description:
    'Looks architectures up in NAS benchmark ground-truth tables read from a data directory: NAS-Bench-201 (12- and 200-epoch fidelities) and NAS-Bench-101 (4/12/36/108 epochs).',
  optionsSchema: tabularSchema,
  create(rawOptions, deps): TabularEstimator {
    // Defaults again for callers without the kernel (scripts, tests); a no-op after validation.
    const options = withSchemaDefaults<TabularOptions>(tabularSchema, rawOptions);
    const dataDir = options.dataDir !== undefined ? path.resolve(deps.configDir ?? process.cwd(), options.dataDir) : deps.dataDir;
    const adapter = editionFor(adapterFor(options.benchmark), dataDir);
    const more = adapter.moreMetrics ? `; ${adapter.moreMetrics}` : '';
    if (deps.space && deps.space.id !== adapter.space) {
      throw tabularError(
        'config',
        `benchmark "${adapter.benchmark}" answers only for the ${adapter.space} search space, but the run's space is "${deps.space.id}"`,
        {
          fix: `use search space ${adapter.space}, or another estimator for ${deps.space.id}`,
        },
      );
    }
    const sources = adapter.sources(options.dataset);
    if (!sources) {
      throw tabularError('config', `${adapter.title} has no dataset "${options.dataset}"`, { fix: `set "dataset" to one of ${adapter.datasets.join(', ')}` });
    }
    const available = Object.keys(sources);
    const primary = `${options.metric}@${options.epochs}`;
    if (!sources[primary]) {
      throw tabularError(
        'config',
        `the ${adapter.title} tables have no ${options.metric} after ${options.epochs} epochs for ${options.dataset} (metric "${options.metric}", epochs ${options.epochs})`,
        { fix: `choose "metric"/"epochs" among what ${options.dataset} has: ${available.join(', ')} (all: ${availability(adapter)})${more}` },
      );
    }
    const names: MetricName[] = [primary];
    for (const r of options.report ?? adapter.defaultReport?.(options.dataset) ?? []) {
      const { base, epochs } = parseMetricName(r);
      if (!sources[r]) {
        throw tabularError(
          'config',
          `"report" asks for ${r} (${base}${epochs === undefined ? '' : ` after ${epochs} epochs`}) on ${options.dataset}, which the ${adapter.title} tables do not have`,
          {
            fix: `report only metrics ${options.dataset} has: ${available.join(', ')}${options.report === undefined ? ' (this was the default report; set "report" explicitly)' : ''}${more}`,
          },
        );
      }
      if (!names.includes(r)) names.push(r);
    }
    // Simulated cost: the table's training time of the primary fidelity; pro rata when only
    // another budget is timed (the NB101 slice has the 108-epoch time only; its per-epoch cost is
    // about constant across budgets).
    const timed = typeof adapter.trainSeconds === 'function' ? adapter.trainSeconds(options.epochs) : adapter.trainSeconds;
    const timing = timed && sources[timed.metric] ? timed : undefined;
    const files = [...new Set([...names, ...(timing ? [timing.metric] : [])].map((m) => sources[m]!.file))];
    const table = new BenchmarkTable(adapter, options.dataset, resolveBenchmarkDir(adapter, dataDir, files));

    const metrics: MetricDeclaration[] = names.map((name) => ({
      name,
      direction: sources[name]!.direction ?? 'maximize',
      unit: sources[name]!.unit ?? '%',
      description: sources[name]!.description,
    }));
    const fidelity = { epochs: options.epochs, kind: 'table' } as const;
    const benchmark = adapter.benchmark;
    const dataset = options.dataset;
    const timeScale = timing ? options.epochs / timing.epochs : 0;
    const costNote = timing && timing.epochs !== options.epochs ? `${timing.metric} x ${options.epochs}/${timing.epochs}` : undefined;

    const estimateOne = (arch: Architecture): Estimate => {
      const values: { [name: MetricName]: number } = {};
      for (const m of names) values[m] = table.lookup(arch, m);
      const index = table.index(arch);
      if (!timing) return { metrics: values, fidelity, cost: { seconds: 0 }, info: { benchmark, dataset, index } };
      const seconds = table.lookup(arch, timing.metric) * timeScale;
      const info: { [name: string]: Json } = { benchmark, dataset, index, key: arch.key };
      if (costNote) info['cost'] = costNote;
      return { metrics: values, fidelity, cost: { seconds, epochs: options.epochs }, info };
    };

    return {
      id: 'tabular',
      metrics,
      // Every estimate is a table row: a whole NB201/NB101 space can be scored (exact Pareto fronts).
      tabulated: true,
      primary,
      table,
      async estimate(arch: Architecture, _ctx: EstimateContext): Promise<Estimate> {
        return estimateOne(arch);
      },
      async estimateMany(archs: readonly Architecture[], ctx: EstimateContext): Promise<Estimate[]> {
        ctx?.signal?.throwIfAborted();
        return archs.map(estimateOne);
      },
      async prepare(ctx: WorkContext): Promise<void> {
        const files = table.load(timing ? [...names, timing.metric] : names);
        const ms = files.reduce((s, f) => s + f.loadMs, 0);
        ctx?.logger?.debug(
          `tabular: ${adapter.title} ${dataset} ${names.join(', ')} from ${table.dir} (${files.length} file(s), ${ms.toFixed(0)} ms if not cached)`,
        );
      },
    };
  },
});
