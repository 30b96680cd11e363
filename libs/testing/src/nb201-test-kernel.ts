import type { Json, JsonObject, PluginDefinition } from '@nasx/contracts';
import { startTestKernel, type TestKernel } from './test-kernel';

/**
 * The plugins of a tabular NAS-Bench-201 test kernel. The spec passes the packages' default exports
 * (a lib may not import plugins; a plugin's specs may), the helper names and wires them.
 */
export interface Nb201TestKernelPlugins {
  /** `@nasx/search-space-nb201`. */
  readonly nb201: PluginDefinition;
  /** `@nasx/estimator-tabular`: the NB201 tables as the estimator. */
  readonly tabular: PluginDefinition;
  /** `@nasx/latency-model-table`, for runs that read measured latencies (`latency` of {@link Nb201TestKernel.config}). */
  readonly table?: PluginDefinition;
  /** Further packages by name: the searchers under test, random search as the baseline, predictors. */
  readonly more: Readonly<Record<string, PluginDefinition>>;
}

/** What a run over NB201 with the tabular estimator varies; every other key goes into the config as is. */
export interface Nb201RunConfig {
  readonly seed: number;
  readonly searcher: Json;
  /** Options of the tabular estimator; `dataset` defaults to `cifar10`. */
  readonly tabular: JsonObject;
  /** A device of the latency table (e.g. `pixel3`): adds `latency: [{ use: table, options: { device } }]`. */
  readonly latency?: string;
  readonly [key: string]: Json | undefined;
}

/** A test kernel over NB201 with the tabular estimator, and the run configs of its reference data. */
export interface Nb201TestKernel extends TestKernel {
  /** The data folder the tables are read from. */
  readonly dataDir: string;
  /**
   * `{ seed, dataDir, space: nb201, estimator: tabular(options), latency?, searcher, ...rest }`.
   *
   * @example
   * tk.run(tk.config({ seed: 0, searcher: 'random', tabular: { metric: 'val_acc', epochs: 12 }, budget: { evaluations: 100 } }), { persist: false })
   */
  config(run: Nb201RunConfig): JsonObject;
}

/**
 * A test kernel with NAS-Bench-201, the tabular estimator (and the latency table, when given) over
 * the reference data in `dataDir`, plus the searchers a science spec compares; run folders in a
 * temporary directory (`cleanup()` removes it).
 *
 * @example
 * let tk: Nb201TestKernel;
 * beforeAll(() => (tk = startNb201TestKernel(dataDir, { nb201, tabular, more: { '@nasx/searcher-random': random } })));
 * afterAll(() => tk.cleanup());
 */
export function startNb201TestKernel(dataDir: string, plugins: Nb201TestKernelPlugins): Nb201TestKernel {
  const tk = startTestKernel({
    plugins: [
      { name: '@nasx/search-space-nb201', definition: plugins.nb201 },
      { name: '@nasx/estimator-tabular', definition: plugins.tabular },
      ...(plugins.table ? [{ name: '@nasx/latency-model-table', definition: plugins.table }] : []),
      ...Object.entries(plugins.more).map(([name, definition]) => ({ name, definition })),
    ],
  });
  return {
    ...tk,
    dataDir,
    config({ seed, searcher, tabular, latency, ...rest }) {
      if (latency !== undefined && !plugins.table) {
        throw new Error(
          `startNb201TestKernel: a run with latency "${latency}" needs the latency table plugin; pass table: <@nasx/latency-model-table's default export>`,
        );
      }
      const out: JsonObject = {
        seed,
        dataDir,
        space: 'nb201',
        estimator: { use: 'tabular', options: { dataset: 'cifar10', ...tabular } },
        ...(latency !== undefined ? { latency: [{ use: 'table', options: { device: latency } }] } : {}),
        searcher,
      };
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
      return out;
    },
  };
}
