// The only module that registers into tsyringe; reflect-metadata is loaded once, here, before it.
import 'reflect-metadata';
import {
  Estimator,
  LatencyModel,
  NasxError,
  SearchSpace,
  Searcher,
  Task,
  isNasxError,
  type AnyContribution,
  type CommonDeps,
  type ContributionKind,
  type ContributionTypes,
  type EventDraft,
  type Logger,
  type MetricDeclaration,
  type Rng,
} from '@nasx/contracts';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ResolvedConfig, ResolvedEntry } from './config/resolved-config';
import { createObjective } from './objective/objective';
import type { PluginRegistry } from './plugins/plugin-registry';
import { createRng } from './rng/rng';
import type { LoopParts } from './run/run-loop';
import { createPooledEstimator } from './workers/pooled-estimator';

/** A log sink whose lines are emitted into the run's stream at the next event. */
export function createRunLogger(): { logger: Logger; drain(): EventDraft[] } {
  const pending: EventDraft[] = [];
  const push = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => pending.push({ type: 'log', level, message, source: 'plugin' } as EventDraft);
  return { logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') }, drain: () => pending.splice(0) };
}

/** A composed run: the child container and the resolved parts the loop drives. */
export interface RunComposition {
  readonly container: DependencyContainer;
  readonly parts: LoopParts;
  dispose(): Promise<void>;
}

async function instantiate<K extends ContributionKind>(
  registry: PluginRegistry,
  config: ResolvedConfig,
  entry: ResolvedEntry,
  deps: ContributionTypes[K]['deps'],
): Promise<ContributionTypes[K]['instance']> {
  const where = {
    file: config.file,
    line: config.lineOf(entry.pointer),
    pointer: entry.pointer,
    pkg: entry.contribution.plugin.name,
    contribution: entry.id,
  };
  let def: AnyContribution;
  try {
    def = await registry.activate(entry.contribution);
  } catch (e) {
    if (isNasxError(e)) throw e.at(where);
    throw new NasxError('plugin', `could not load ${entry.contribution.plugin.name}: ${(e as Error).message}`, { ...where, fix: 'reinstall or rebuild the plugin package' });
  }
  try {
    return (await (def as unknown as { create(o: unknown, d: unknown): unknown }).create(entry.options, deps)) as ContributionTypes[K]['instance'];
  } catch (e) {
    if (isNasxError(e)) {
      // Point at the config entry; a data file the plugin named stays in the message.
      // A pointer from create() that starts with /options is relative to the entry; others are absolute.
      const p = e.where.pointer;
      const pointer = p === undefined ? entry.pointer : p === '/options' || p.startsWith('/options/') ? `${entry.pointer}${p}` : p;
      // A line in a file of its own (an architecture list, a data table) is the most precise place;
      // otherwise point at the config entry and keep the plugin's file in the message.
      if (e.where.file && e.where.line) throw new NasxError(e.kind, e.message, { ...where, pointer, file: e.where.file, line: e.where.line, fix: e.fix });
      const own = e.where.file && e.where.file !== config.file && !e.message.includes(e.where.file) ? ` (${e.where.file})` : '';
      throw new NasxError(e.kind, `${e.message}${own}`, { ...where, pointer, line: config.lineOf(pointer), fix: e.fix });
    }
    throw new NasxError('plugin', `${entry.kind} "${entry.id}" failed to start: ${(e as Error).message}`, { ...where, fix: `check its options; if they are right, report a bug to ${entry.contribution.plugin.name}` });
  }
}

/** What estimation needs: the space, the task, latency models and the estimators (no searcher). */
export interface EstimationComposition {
  readonly container: DependencyContainer;
  readonly space: SearchSpace;
  readonly task?: Task;
  readonly latencyModels: LoopParts['latencyModels'];
  readonly estimators: { readonly [name: string]: Estimator };
  readonly estimator: Estimator;
  readonly rng: Rng;
  dispose(): Promise<void>;
}

/**
 * Creates the contributions estimation needs, in dependency order (space → task → latency models →
 * named estimators → primary estimator), in a child container. With `config.workers > 0` and not
 * already inside a worker, the primary estimator is a pool of worker threads that each compose the
 * same pipeline; otherwise it runs in-process.
 */
export async function composeEstimation(registry: PluginRegistry, config: ResolvedConfig, run: { logger: Logger; stateDir?: string; inWorker?: boolean }): Promise<EstimationComposition> {
  const container = rootContainer.createChildContainer();
  const rng = createRng(config.seed);
  const common = (slot: string): CommonDeps => ({ dataDir: config.dataDir, configDir: config.dir, logger: run.logger, rng: rng.fork(slot) });

  const space = await instantiate<'search-space'>(registry, config, config.space, common('space'));
  container.register(SearchSpace, { useValue: space });

  const task = config.task ? await instantiate<'task'>(registry, config, config.task, common('task')) : undefined;
  if (task) {
    await task.load?.();
    container.register(Task, { useValue: task });
  }

  const latencyModels: LoopParts['latencyModels'][number][] = [];
  for (const entry of config.latency) {
    const model = await instantiate<'latency-model'>(registry, config, entry, { ...common(`latency-${entry.pointer}`), space });
    container.register(LatencyModel, { useValue: model });
    const device = (entry.options['device'] as string | undefined) ?? model.devices[0] ?? 'default';
    latencyModels.push({ model, device, metric: config.latency.length > 1 ? `latency_ms:${device}` : 'latency_ms' });
  }

  const estimators: Record<string, Estimator> = {};
  for (const [name, entry] of Object.entries(config.estimators)) {
    estimators[name] = await instantiate<'estimator'>(registry, config, entry, { ...common(`estimator-${name}`), space, task, latencyModels: latencyModels.map((l) => l.model), estimators: { ...estimators } });
  }
  const estimator =
    config.workers > 0 && !run.inWorker
      ? await createPooledEstimator(config, { logger: run.logger }).catch((e: unknown) => {
          // A worker's start-up error knows the pointer but not the line of the file.
          if (isNasxError(e) && e.where.pointer && !e.where.line) throw new NasxError(e.kind, e.message, { ...e.where, file: config.file, line: config.lineOf(e.where.pointer), fix: e.fix });
          throw e;
        })
      : await instantiate<'estimator'>(registry, config, config.estimator, { ...common('estimator'), space, task, latencyModels: latencyModels.map((l) => l.model), estimators });
  container.register(Estimator, { useValue: estimator });

  return {
    container,
    space,
    task,
    latencyModels,
    estimators,
    estimator,
    rng,
    async dispose() {
      for (const e of [estimator, ...Object.values(estimators)]) await e.dispose?.();
      container.clearInstances();
    },
  };
}

/**
 * The composition root: the estimation pipeline, then the objective (compiled against the metrics
 * the pipeline reports) and the searcher, all registered in the run's child container.
 */
export async function composeRun(registry: PluginRegistry, config: ResolvedConfig, run: { logger: Logger; stateDir?: string }): Promise<RunComposition> {
  const est = await composeEstimation(registry, config, run);
  const { container, space, task, latencyModels, estimators, estimator, rng } = est;
  const common = (slot: string): CommonDeps => ({ dataDir: config.dataDir, configDir: config.dir, logger: run.logger, rng: rng.fork(slot) });

  const reporters = config.report.map((name) => estimators[name] as Estimator);
  const metrics: MetricDeclaration[] = [
    ...estimator.metrics,
    ...reporters.flatMap((r) => r.metrics).filter((m) => !estimator.metrics.some((p) => p.name === m.name)),
    ...latencyModels.map((l) => ({ name: l.metric, direction: 'minimize' as const, unit: 'ms' })),
  ];
  const objective = createObjective(config.objective, metrics, { file: config.file, line: config.lineOf('/objective') });

  const searcher = await instantiate<'searcher'>(registry, config, config.searcher, {
    ...common('searcher'),
    space,
    objective: objective.info,
    estimators,
    task,
    budget: { evaluations: config.budget.evaluations, seconds: config.budget.seconds },
  });
  container.register(Searcher, { useValue: searcher });

  return {
    container,
    parts: { space, task, estimator, estimators, latencyModels, reporters, searcher, objective, rng: rng.fork('trials'), stateDir: run.stateDir },
    dispose: () => est.dispose(),
  };
}
