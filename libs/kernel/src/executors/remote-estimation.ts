// The kernel's two ends of an executor: the job a run hands to its executor (what a worker needs to
// compose the run's estimation pipeline), and the host `nasx worker` gives the executor's worker
// side (composing and preparing those pipelines from the plugins installed on its machine).
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  NasxError,
  isNasxError,
  stableJson,
  type ComposedEstimation,
  type EstimationJob,
  type ExecutorWorkerHost,
  type JsonObject,
  type Logger,
} from '@nasx/contracts';
import { composeEstimation } from '../composition-root';
import { ConfigDocument } from '../config/config-document';
import type { ResolvedConfig } from '../config/resolved-config';
import { validateConfig } from '../config/validate-config';
import type { DiscoveredPlugin } from '../plugins/discovered-plugin';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { createRng } from '../rng/rng';

/**
 * The job of a run's estimation pipeline: the config as data (seed explicit, no executor, no
 * worker threads, no data directory: a worker uses its own), the packages the pipeline's
 * contributions (and the services they inject) come from, and the estimators a worker must run.
 */
export function estimationJob(config: ResolvedConfig, plugins: readonly DiscoveredPlugin[]): EstimationJob {
  const data: Record<string, unknown> = { ...config.data, seed: config.seed, workers: 0 };
  for (const key of ['executor', 'dataDir', 'plugins', 'runsDir', 'concurrency', '$schema']) delete data[key];
  const byName = new Map(plugins.map((p) => [p.name, p.version]));
  const packages = [...byName].map(([name, version]) => ({ name, version })).sort((a, b) => a.name.localeCompare(b.name));
  const estimators = [config.estimator.id, ...Object.values(config.estimators).map((e) => e.id)];
  const digest = createHash('sha256')
    .update(stableJson({ config: data, packages }))
    .digest('hex')
    .slice(0, 20);
  return { run: config.name, config: data as JsonObject, configFile: config.file, packages, estimators: [...new Set(estimators)], digest };
}

/** Options of {@link createExecutorWorkerHost}. */
export interface ExecutorWorkerHostOptions {
  /** The plugins installed on this machine (the CLI's discovery). */
  readonly registry: PluginRegistry;
  readonly logger: Logger;
  /** Where preparations keep their state: `<stateDir>/<job digest>/`. */
  readonly stateDir: string;
  /** The data directory of this machine (`--data-dir`, `NASX_DATA`). */
  readonly dataDir?: string;
  /** The tensor backends this machine has (for routing jobs that need one). */
  readonly backends: readonly string[];
  /** Only these estimators are served (default: every estimator installed). */
  readonly estimators?: readonly string[];
  /**
   * Threads for compute-heavy estimators (those whose manifest says `workers`): their estimates
   * run in a pool of this many worker threads, so this process's event loop stays free to renew
   * the executor's job leases and heartbeats while a network trains. Default 1.
   */
  readonly threads?: number;
  readonly signal: AbortSignal;
}

/**
 * The host of an executor's worker side: composes a job's estimation pipeline from this machine's
 * plugins exactly as a worker thread of the in-process pool does, so a worker's estimate equals the
 * in-process one for the same trial seed.
 */
export function createExecutorWorkerHost(options: ExecutorWorkerHostOptions): ExecutorWorkerHost {
  const { registry, logger } = options;
  const installed = registry.contributions('estimator').map((c) => c.id);
  const served = options.estimators ?? installed;
  const unknown = served.filter((id) => !installed.includes(id));
  if (unknown.length) {
    throw new NasxError(
      'usage',
      `this worker is asked to serve estimator${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which no installed plugin provides`,
      {
        fix: `name installed estimators (${installed.join(', ')}), or install the plugin that provides it`,
      },
    );
  }
  return {
    capabilities: { estimators: served, backends: options.backends },
    rng: (seed) => createRng(seed),
    stateDir: options.stateDir,
    logger,
    signal: options.signal,
    async compose(job: EstimationJob): Promise<ComposedEstimation> {
      const where = `the job of run "${job.run}" (config ${job.configFile})`;
      const plugins = new Map(registry.plugins.map((p) => [p.name, p] as const));
      const missing = job.packages.filter((p) => !plugins.has(p.name));
      if (missing.length) {
        throw new NasxError('plugin', `${where} uses ${missing.map((p) => `${p.name}@${p.version}`).join(', ')}, which this worker does not have`, {
          fix: `install ${missing.map((p) => `${p.name}@${p.version}`).join(' ')} where the worker runs (npm install), or pass its folder with --plugins`,
        });
      }
      for (const p of job.packages) {
        const here = plugins.get(p.name)!.version;
        if (here !== p.version)
          logger.warn(`${where} was made with ${p.name}@${p.version}; this worker has ${here}: its estimates may differ from an in-process run`);
      }
      const data = { ...job.config, ...(options.dataDir ? { dataDir: path.resolve(options.dataDir) } : {}) } as JsonObject;
      let config: ResolvedConfig;
      try {
        config = validateConfig(ConfigDocument.fromObject(data, job.configFile), data, registry, { estimationOnly: true });
      } catch (e) {
        if (isNasxError(e)) throw new NasxError(e.kind, `${where}: ${e.message}`, { ...e.where, fix: e.fix });
        throw e;
      }
      // A compute-heavy estimator runs in worker threads (as the kernel's pool runs it in-process).
      const entry = config.estimator.contribution;
      const pooled = entry.workers === true && entry.plugin.source !== 'inline';
      const est = await composeEstimation(registry, pooled ? { ...config, workers: Math.max(1, options.threads ?? 1) } : config, { logger, inWorker: !pooled });
      return {
        estimator: est.estimator,
        prepares: [est.estimator, ...Object.values(est.estimators)].some((e) => typeof e.prepare === 'function'),
        async prepare(seed: number, stateDir: string, signal: AbortSignal): Promise<void> {
          const ctx = (rng: ReturnType<typeof createRng>) => ({ runId: job.run, rng, signal, logger, emit: () => undefined, stateDir });
          // The pool's threads prepare their own pipelines (named estimators first) from the seed.
          if (pooled) return est.estimator.prepare?.(ctx(createRng(seed)));
          // The kernel's order: named estimators first (the primary one may use them), each from
          // its own stream; the primary one from the stream the run gives its estimator.
          for (const [name, e] of Object.entries(est.estimators)) await e.prepare?.(ctx(createRng(seed).fork(`prepare-${name}`)));
          await est.estimator.prepare?.(ctx(createRng(seed)));
        },
        dispose: () => est.dispose(),
      };
    },
  };
}
