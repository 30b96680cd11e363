// The composition root: the only module that imports tsyringe's container, and the place where
// reflect-metadata is loaded, once, before it. Each run gets a child container in which every
// contribution of the run (and every service they inject) is a factory provider under its token;
// a factory resolves its own dependencies from the container, so the creation order follows the
// dependency graph instead of a hand-written sequence. Domain code and plugins never resolve: they
// receive what they need in their factory's `deps`.
import 'reflect-metadata';
import {
  Estimator,
  LatencyModel,
  NasxError,
  SearchSpace,
  Searcher,
  Task,
  exactArchKey,
  isNasxError,
  type Architecture,
  type AnyContribution,
  type CommonDeps,
  type ContributionTypes,
  type FactoryKind,
  type EventDraft,
  type Logger,
  type MetricDeclaration,
  type Rng,
  type ServiceDefinition,
} from '@nasx/contracts';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { cacheDir, compileSchema, describeAjvError } from './ajv';
import type { ResolvedConfig, ResolvedEntry } from './config/resolved-config';
import { createObjective, type Objective } from './objective/objective';
import type { DiscoveredContribution } from './plugins/discovered-plugin';
import type { PluginRegistry } from './plugins/plugin-registry';
import { planServices, type ServiceConsumer } from './plugins/services';
import { createRng } from './rng/rng';
import type { LoopParts } from './run/run-loop';
import { TRIALS_STREAM } from './run/trial-runner';
import { createPooledEstimator } from './workers/pooled-estimator';
import { estimationJob } from './executors/remote-estimation';

/** The estimator with `dispose` also releasing what `release` holds (an executor's connections). */
function withRelease(estimator: Estimator, release: () => Promise<void> | void | undefined): Estimator {
  const own = estimator.dispose?.bind(estimator);
  return Object.create(estimator, {
    dispose: {
      value: async () => {
        try {
          await own?.();
        } finally {
          await release();
        }
      },
    },
  }) as Estimator;
}

/** A log sink whose lines are emitted into the run's stream at the next event. */
export function createRunLogger(): { logger: Logger; drain(): EventDraft[] } {
  const pending: EventDraft[] = [];
  const push = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) =>
    pending.push({ type: 'log', level, message, source: 'plugin' } as EventDraft);
  return { logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') }, drain: () => pending.splice(0) };
}

/** A composed run: the child container and the resolved parts the loop drives. */
export interface RunComposition {
  readonly container: DependencyContainer;
  readonly parts: LoopParts;
  /** What was created, in creation order (labels such as `estimator "tabular" at /estimator`). */
  readonly created: readonly string[];
  dispose(): Promise<void>;
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
  /** What was created, in creation order. */
  readonly created: readonly string[];
  dispose(): Promise<void>;
}

/** How a run is composed: its logger, its state folder, and whether this is an estimator worker. */
interface RunSettings {
  readonly logger: Logger;
  readonly stateDir?: string;
  readonly inWorker?: boolean;
  /** Load the task's data when it is created (default true; `composeSpaceAndTask` may skip it). */
  readonly loadTask?: boolean;
}

type LatencyEntry = LoopParts['latencyModels'][number];

/**
 * Tokens of the kernel's own nodes in the run graph, beside the contracts' tokens (SearchSpace,
 * Task, Estimator, Searcher, LatencyModel) and the services' string tokens. Symbols local to this
 * module: nothing outside the composition root resolves them.
 */
const RunTokens = {
  /** A named estimator of the config (`estimators: { proxy: … }`). */
  estimator: (name: string): InjectionToken<Estimator> => Symbol.for(`nasx.Estimator#${name}`),
  /** The i-th entry of `latency:`, with its device and metric name. */
  latency: (i: number): InjectionToken<LatencyEntry> => Symbol.for(`nasx.LatencyModel#${i}`),
  /** Every latency entry, in config order. */
  latencies: Symbol.for('nasx.run.latencies') as InjectionToken<readonly LatencyEntry[]>,
  /** The objective, compiled against the metrics the estimators and latency models report. */
  objective: Symbol.for('nasx.run.objective') as InjectionToken<Objective>,
  /** The estimation pipeline (what a worker needs). */
  estimation: Symbol.for('nasx.run.estimation') as InjectionToken<Omit<EstimationComposition, 'container' | 'created' | 'dispose'>>,
  /** The parts the run loop drives. */
  parts: Symbol.for('nasx.run.parts') as InjectionToken<LoopParts>,
};

/** Providers hold the Promise of an instance: the container's view of a token. */
const promised = <T>(t: InjectionToken<T>): InjectionToken<Promise<T>> => t as unknown as InjectionToken<Promise<T>>;

const tokenName = (t: InjectionToken<unknown>): string =>
  typeof t === 'symbol' ? (t.description ?? 'symbol') : typeof t === 'string' ? t : ((t as { name?: string }).name ?? 'token');

/** Resolved dependencies of a node, by token. */
type Get = <T>(token: InjectionToken<T>) => T;

interface Node {
  readonly label: string;
  readonly needs: readonly InjectionToken<unknown>[];
  /** Where the config selects the contribution behind it, for error messages. */
  readonly where: { readonly file?: string; readonly line?: number; readonly pointer?: string; readonly pkg?: string; readonly contribution?: string };
}

/**
 * The run's child container plus what the container does not know: each provider's label and
 * declared dependencies, so a cycle or a missing provider is reported, naming the contributions,
 * before any plugin code runs.
 */
class RunGraph {
  readonly container: DependencyContainer = rootContainer.createChildContainer();
  private readonly nodes = new Map<InjectionToken<unknown>, Node>();
  /** Created instances in creation order, with how to release each. */
  private readonly createdValues: { label: string; release?: () => unknown }[] = [];

  get created(): string[] {
    return this.createdValues.map((c) => c.label);
  }

  /**
   * Register a factory provider whose value is the memoised Promise of the instance. The factory
   * resolves `needs` from the container one after another (a deterministic creation order), then
   * builds; `release` runs when the run is disposed.
   */
  provide<T>(token: InjectionToken<T>, node: Node, build: (get: Get) => Promise<T>, opts: { release?: (value: T) => unknown } = {}): void {
    this.nodes.set(token, node);
    const factory = instanceCachingFactory<Promise<T>>(async (c) => {
      const values = new Map<InjectionToken<unknown>, unknown>();
      for (const t of node.needs) values.set(t, await c.resolve(promised(t)));
      const value = await build(<U>(t: InjectionToken<U>) => {
        if (!values.has(t)) throw new Error(`composition root: ${node.label} reads ${tokenName(t)} without declaring it`);
        return values.get(t) as U;
      });
      this.createdValues.push({ label: node.label, release: opts.release ? () => opts.release?.(value) : undefined });
      return value;
    });
    this.container.register(promised(token), { useFactory: factory });
  }

  /** Check the graph below `token` (cycles, missing providers), then resolve it from the container. */
  async resolve<T>(token: InjectionToken<T>): Promise<T> {
    this.check(token);
    return this.container.resolve(promised(token));
  }

  private check(root: InjectionToken<unknown>): void {
    const done = new Set<InjectionToken<unknown>>();
    const path: InjectionToken<unknown>[] = [];
    const visit = (t: InjectionToken<unknown>, from: Node | undefined): void => {
      if (done.has(t)) return;
      const node = this.nodes.get(t);
      if (!node || !this.container.isRegistered(t, true)) {
        throw new NasxError('plugin', `${from?.label ?? 'the run'} needs ${tokenName(t)}, which nothing in this run provides`, {
          ...from?.where,
          fix: 'install the plugin that provides it, or remove the contribution that needs it',
        });
      }
      const at = path.indexOf(t);
      if (at >= 0) {
        const label = (x: InjectionToken<unknown>): Node => this.nodes.get(x) as Node;
        const cycle = [...path.slice(at), t].map((x) => label(x).label);
        // Point at the config entry that leads into the cycle (services have no place in the config).
        const entry = path
          .slice(0, at + 1)
          .reverse()
          .map(label)
          .find((n) => n.where.pointer !== undefined);
        throw new NasxError('plugin', `the run's dependencies form a cycle: ${cycle.join(' → ')}${entry ? `, reached from ${entry.label}` : ''}`, {
          ...(entry ?? label(t)).where,
          fix: 'a contribution cannot depend on itself, directly or through services it injects; remove one of these injections (a service that needs another should not be injected back by it)',
        });
      }
      path.push(t);
      for (const n of node.needs) visit(n, node);
      path.pop();
      done.add(t);
    };
    visit(root, undefined);
  }

  /** Release what was created (estimators, services), dependents first. */
  async dispose(): Promise<void> {
    // Each release runs even if an earlier one failed; the first failure is rethrown at the end.
    let failure: { error: unknown } | undefined;
    for (const c of this.createdValues.splice(0).reverse()) {
      try {
        await c.release?.();
      } catch (error) {
        failure ??= { error };
      }
    }
    this.container.clearInstances();
    if (failure) throw failure.error;
  }
}

/** Where an entry is in the config, for errors. */
function whereOf(config: ResolvedConfig, entry: ResolvedEntry) {
  return { file: config.file, line: config.lineOf(entry.pointer), pointer: entry.pointer, pkg: entry.contribution.plugin.name, contribution: entry.id };
}

const labelOf = (entry: ResolvedEntry): string => `${entry.kind} "${entry.id}" (${entry.pointer})`;

async function activate(registry: PluginRegistry, c: DiscoveredContribution, where: Node['where']): Promise<AnyContribution> {
  try {
    return await registry.activate(c);
  } catch (e) {
    if (isNasxError(e)) throw e.at(where);
    throw new NasxError('plugin', `could not load ${c.plugin.name}: ${(e as Error).message}`, { ...where, fix: 'reinstall or rebuild the plugin package' });
  }
}

async function instantiate<K extends FactoryKind>(
  registry: PluginRegistry,
  config: ResolvedConfig,
  entry: ResolvedEntry,
  deps: ContributionTypes[K]['deps'],
): Promise<ContributionTypes[K]['instance']> {
  const where = whereOf(config, entry);
  const def = await activate(registry, entry.contribution, where);
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
    throw new NasxError('plugin', `${entry.kind} "${entry.id}" failed to start: ${(e as Error).message}`, {
      ...where,
      fix: `check its options; if they are right, report a bug to ${entry.contribution.plugin.name}`,
    });
  }
}

/** The services a contribution injects, as `deps` entries (resolved by its node). */
function injected(c: DiscoveredContribution, get: Get): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c.inject ?? {}).map(([name, token]) => [name, get(token)]));
}
const serviceTokens = (c: DiscoveredContribution): InjectionToken<unknown>[] => Object.values(c.inject ?? {});

/**
 * The services the selected entries inject, transitively, with the one package that provides each
 * (from manifests, no code imported). Estimator workers need these packages too.
 */
export function requiredServices(registry: PluginRegistry, config: ResolvedConfig, entries: readonly ResolvedEntry[]): DiscoveredContribution[] {
  const consumers: ServiceConsumer[] = entries.map((e) => ({
    contribution: e.contribution,
    label: `${e.kind} "${e.id}"`,
    where: { file: config.file, line: config.lineOf(e.pointer), pointer: e.pointer },
  }));
  return [...planServices(registry.contributions(), consumers).values()];
}

/** The entries a run (or, without the searcher, an estimation) composes. */
function entriesOf(config: ResolvedConfig, withSearcher: boolean): ResolvedEntry[] {
  return [
    config.space,
    ...(config.task ? [config.task] : []),
    ...config.latency,
    ...Object.values(config.estimators),
    config.estimator,
    ...(withSearcher ? [config.searcher] : []),
  ];
}

/** Register every provider of the run in a fresh child container. */
function registerRun(registry: PluginRegistry, config: ResolvedConfig, run: RunSettings, withSearcher: boolean): RunGraph {
  const graph = new RunGraph();
  const rng = createRng(config.seed);
  const cache = cacheDir();
  const common = (slot: string): CommonDeps => ({
    dataDir: config.dataDir,
    configDir: config.dir,
    ...(cache !== undefined ? { cacheDir: cache } : {}),
    logger: run.logger,
    rng: rng.fork(slot),
  });
  const remote = config.executor !== undefined && !run.inWorker;
  const pooled = !remote && config.workers > 0 && !run.inWorker;

  // Services first: a missing or ambiguous provider fails here, before any plugin code is imported.
  const consumers = entriesOf(config, withSearcher).filter((e) => !((pooled || remote) && e === config.estimator));
  for (const s of requiredServices(registry, config, consumers)) {
    const token = s.token as string;
    const where = { file: config.file, pkg: s.plugin.name, contribution: s.id };
    let def: ServiceDefinition | undefined;
    graph.provide(
      token,
      { label: `service "${token}" (${s.plugin.name})`, needs: serviceTokens(s), where },
      async (get) => {
        def = (await activate(registry, s, where)) as ServiceDefinition;
        // Services take no options from the config: their schema's defaults.
        const options = {};
        const validate = compileSchema(s.optionsSchema);
        if (!validate(options)) {
          const e = validate.errors?.[0];
          throw new NasxError(
            'plugin',
            `service "${token}" of ${s.plugin.name} cannot start from its default options: ${e ? describeAjvError(e) : 'schema mismatch'}`,
            {
              ...where,
              fix: `give every option of the service's schema a default; report it to ${s.plugin.name}`,
            },
          );
        }
        try {
          return await def.create(options, { ...common(`service-${token}`), ...injected(s, get) });
        } catch (e) {
          if (isNasxError(e)) throw e.at(where);
          throw new NasxError('plugin', `service "${token}" of ${s.plugin.name} failed to start: ${(e as Error).message}`, {
            ...where,
            fix: `report a bug to ${s.plugin.name}`,
          });
        }
      },
      { release: (instance) => def?.dispose?.(instance) },
    );
  }

  const space = config.space;
  graph.provide(SearchSpace, { label: labelOf(space), needs: [], where: whereOf(config, space) }, () =>
    instantiate<'search-space'>(registry, config, space, common('space')),
  );

  const task = config.task;
  if (task) {
    graph.provide(Task, { label: labelOf(task), needs: serviceTokens(task.contribution), where: whereOf(config, task) }, async (get) => {
      const t = await instantiate<'task'>(registry, config, task, { ...common('task'), ...injected(task.contribution, get) });
      if (run.loadTask !== false) await t.load?.();
      return t;
    });
  }
  const withTask = task ? [Task as InjectionToken<unknown>] : [];

  config.latency.forEach((entry, i) => {
    graph.provide(
      RunTokens.latency(i),
      { label: labelOf(entry), needs: [SearchSpace, ...serviceTokens(entry.contribution)], where: whereOf(config, entry) },
      async (get) => {
        const model = await instantiate<'latency-model'>(registry, config, entry, {
          ...common(`latency-${entry.pointer}`),
          space: get(SearchSpace),
          ...(run.stateDir ? { stateDir: run.stateDir } : {}),
          ...injected(entry.contribution, get),
        });
        const device = (entry.options['device'] as string | undefined) ?? model.devices[0] ?? 'default';
        const suffix = config.latency.length > 1 ? `:${device}` : '';
        return { model, device, metric: `latency_ms${suffix}`, ...(model.energy ? { energyMetric: `energy_mj${suffix}` } : {}) };
      },
    );
  });
  const latencyTokens = config.latency.map((_, i) => RunTokens.latency(i));
  graph.provide(RunTokens.latencies, { label: 'the latency models', needs: latencyTokens, where: {} }, async (get) => latencyTokens.map((t) => get(t)));
  // The contract's token resolves to every latency model (container.resolveAll(LatencyModel)).
  config.latency.forEach((_, i) =>
    graph.container.register(promised(LatencyModel), { useFactory: (c) => c.resolve(promised(RunTokens.latency(i))).then((l) => l.model) }),
  );

  // A named estimator sees the ones listed before it (a predictor labelled by a table); the
  // primary estimator sees them all.
  const names = Object.keys(config.estimators);
  const estimatorNode = (entry: ResolvedEntry, slot: string, visible: readonly string[]) => ({
    node: {
      label: labelOf(entry),
      needs: [SearchSpace, ...withTask, RunTokens.latencies, ...visible.map(RunTokens.estimator), ...serviceTokens(entry.contribution)],
      where: whereOf(config, entry),
    },
    build: (get: Get) =>
      instantiate<'estimator'>(registry, config, entry, {
        ...common(slot),
        space: get(SearchSpace),
        task: task ? get(Task) : undefined,
        latencyModels: get(RunTokens.latencies).map((l) => l.model),
        estimators: Object.fromEntries(visible.map((n) => [n, get(RunTokens.estimator(n))])),
        ...injected(entry.contribution, get),
      }),
  });
  const disposeEstimator = (e: Estimator) => e.dispose?.();
  names.forEach((name, i) => {
    const { node, build } = estimatorNode(config.estimators[name] as ResolvedEntry, `estimator-${name}`, names.slice(0, i));
    graph.provide(RunTokens.estimator(name), node, build, { release: disposeEstimator });
  });
  if (remote) {
    // The executor's workers compose the estimation pipeline for themselves, from the job.
    const entry = config.executor!;
    graph.provide(
      Estimator,
      { label: `${labelOf(config.estimator)} on executor "${entry.id}"`, needs: [], where: whereOf(config, entry) },
      async () => {
        const executor = await instantiate<'executor'>(registry, config, entry, common('executor'));
        const estimation = entriesOf(config, false);
        const plugins = [...estimation.map((e) => e.contribution.plugin), ...requiredServices(registry, config, estimation).map((c) => c.plugin)];
        const opening = new AbortController();
        try {
          const remoteEstimator = await executor.open(estimationJob(config, plugins), { logger: run.logger, signal: opening.signal });
          return withRelease(remoteEstimator, () => executor.dispose?.());
        } catch (e) {
          await executor.dispose?.();
          if (isNasxError(e)) throw e.at(whereOf(config, entry));
          throw new NasxError('plugin', `executor "${entry.id}" could not start: ${(e as Error).message}`, {
            ...whereOf(config, entry),
            fix: `check its options; if they are right, report a bug to ${entry.contribution.plugin.name}`,
          });
        }
      },
      { release: disposeEstimator },
    );
  } else if (pooled) {
    // A pool of worker threads, each composing the same estimation pipeline for itself.
    graph.provide(
      Estimator,
      { label: `${labelOf(config.estimator)} in ${config.workers} worker threads`, needs: [], where: whereOf(config, config.estimator) },
      () =>
        // Workers discover the packages of the estimation entries and of the services they inject.
        createPooledEstimator(config, {
          logger: run.logger,
          servicePlugins: requiredServices(registry, config, entriesOf(config, false)).map((c) => c.plugin),
        }).catch((e: unknown) => {
          // A worker's start-up error knows the pointer but not the line of the file.
          if (isNasxError(e) && e.where.pointer && !e.where.line)
            throw new NasxError(e.kind, e.message, { ...e.where, file: config.file, line: config.lineOf(e.where.pointer), fix: e.fix });
          throw e;
        }),
      { release: disposeEstimator },
    );
  } else {
    const { node, build } = estimatorNode(config.estimator, 'estimator', names);
    graph.provide(Estimator, node, build, { release: disposeEstimator });
  }
  const namedTokens = names.map(RunTokens.estimator);
  const namedOf = (get: Get): Record<string, Estimator> => Object.fromEntries(names.map((n) => [n, get(RunTokens.estimator(n))]));

  graph.provide(
    RunTokens.estimation,
    { label: 'the estimation pipeline', needs: [SearchSpace, ...withTask, RunTokens.latencies, ...namedTokens, Estimator], where: {} },
    async (get) => ({
      space: get(SearchSpace),
      task: task ? get(Task) : undefined,
      latencyModels: get(RunTokens.latencies),
      estimators: namedOf(get),
      estimator: get(Estimator),
      rng,
    }),
  );
  if (!withSearcher) return graph;

  // The objective is compiled against the metrics the pipeline reports.
  graph.provide(
    RunTokens.objective,
    {
      label: 'the objective (/objective)',
      needs: [Estimator, RunTokens.latencies, ...config.report.map(RunTokens.estimator)],
      where: { file: config.file, line: config.lineOf('/objective'), pointer: '/objective' },
    },
    async (get) => {
      const estimator = get(Estimator);
      const reporters = config.report.map((n) => get(RunTokens.estimator(n)));
      const metrics: MetricDeclaration[] = [
        ...estimator.metrics,
        ...reporters.flatMap((r) => r.metrics).filter((m) => !estimator.metrics.some((p) => p.name === m.name)),
        ...get(RunTokens.latencies).flatMap((l) => [
          { name: l.metric, direction: 'minimize' as const, unit: 'ms' },
          ...(l.energyMetric ? [{ name: l.energyMetric, direction: 'minimize' as const, unit: 'mJ' }] : []),
        ]),
      ];
      return createObjective(config.objective, metrics, { file: config.file, line: config.lineOf('/objective') });
    },
  );

  const searcher = config.searcher;
  graph.provide(
    Searcher,
    {
      label: labelOf(searcher),
      needs: [SearchSpace, ...withTask, RunTokens.objective, ...namedTokens, ...serviceTokens(searcher.contribution)],
      where: whereOf(config, searcher),
    },
    (get) =>
      instantiate<'searcher'>(registry, config, searcher, {
        ...common('searcher'),
        space: get(SearchSpace),
        objective: get(RunTokens.objective).info,
        estimators: namedOf(get),
        task: task ? get(Task) : undefined,
        budget: { evaluations: config.budget.evaluations, seconds: config.budget.seconds },
        evaluationKey: config.dedup === 'exact' ? exactArchKey : (a: Architecture) => a.key,
        ...injected(searcher.contribution, get),
      }),
  );

  graph.provide(RunTokens.parts, { label: 'the run', needs: [RunTokens.estimation, RunTokens.objective, Searcher], where: {} }, async (get) => {
    const est = get(RunTokens.estimation);
    return {
      space: est.space,
      task: est.task,
      estimator: est.estimator,
      estimators: est.estimators,
      latencyModels: est.latencyModels,
      reporters: config.report.map((n) => est.estimators[n] as Estimator),
      searcher: get(Searcher),
      objective: get(RunTokens.objective),
      rng: rng.fork(TRIALS_STREAM),
      stateDir: run.stateDir,
    };
  });
  return graph;
}

/** Resolve `token` from a run graph; on failure, release whatever was created before rethrowing. */
async function resolveOrRelease<T>(graph: RunGraph, token: InjectionToken<T>): Promise<T> {
  try {
    return await graph.resolve(token);
  } catch (e) {
    await graph.dispose().catch(() => undefined);
    throw e;
  }
}

/**
 * Composes what estimation needs (space, task, latency models, named estimators, the primary
 * estimator) in a child container. With `config.workers > 0` and not already inside a worker, the
 * primary estimator is a pool of worker threads that each compose the same pipeline; otherwise it
 * runs in-process.
 */
export async function composeEstimation(registry: PluginRegistry, config: ResolvedConfig, run: RunSettings): Promise<EstimationComposition> {
  const graph = registerRun(registry, config, run, false);
  const est = await resolveOrRelease(graph, RunTokens.estimation);
  return { ...est, container: graph.container, created: graph.created, dispose: () => graph.dispose() };
}

/**
 * Creates only the search space and the task of a config (and the services they inject): no
 * estimator, no searcher. For tools that build a config's networks outside a run (`nasx export`).
 * With `loadTask: false` the task's data is not loaded (its shapes are known without it).
 */
export async function composeSpaceAndTask(
  registry: PluginRegistry,
  config: ResolvedConfig,
  run: { logger: Logger; loadTask?: boolean },
): Promise<{ space: SearchSpace; task?: Task; dispose(): Promise<void> }> {
  const graph = registerRun(registry, config, run, false);
  const space = await resolveOrRelease(graph, SearchSpace);
  const task = config.task ? await resolveOrRelease(graph, Task) : undefined;
  return { space, task, dispose: () => graph.dispose() };
}

/**
 * Creates only the search space and the latency models of a config (and the services they
 * inject): no task, estimator or searcher. For predicting latencies outside a run (`nasx latency
 * predict`).
 */
export async function composeLatency(
  registry: PluginRegistry,
  config: ResolvedConfig,
  run: { logger: Logger },
): Promise<{ space: SearchSpace; latencies: readonly LatencyEntry[]; dispose(): Promise<void> }> {
  const graph = registerRun(registry, config, run, false);
  const space = await resolveOrRelease(graph, SearchSpace);
  const latencies = await resolveOrRelease(graph, RunTokens.latencies);
  return { space, latencies, dispose: () => graph.dispose() };
}

/**
 * The composition root of a run: registers every contribution of the config (and the services
 * they inject) in the run's child container, then resolves the parts the run loop drives.
 */
export async function composeRun(registry: PluginRegistry, config: ResolvedConfig, run: { logger: Logger; stateDir?: string }): Promise<RunComposition> {
  const graph = registerRun(registry, config, run, true);
  const parts = await resolveOrRelease(graph, RunTokens.parts);
  return { container: graph.container, parts, created: graph.created, dispose: () => graph.dispose() };
}
