import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Architecture } from './architecture';
import type { Logger } from './context';
import type { DatasetDefinition } from './dataset.contract';
import type { Estimator } from './estimator.contract';
import type { Executor, ExecutorWorker } from './executor.contract';
import type { JsonObject, JsonSchema } from './json';
import type { LatencyModel } from './latency-model.contract';
import type { ObjectiveInfo } from './objective';
import type { Rng } from './rng';
import type { Searcher } from './searcher.contract';
import type { SearchSpace } from './search-space.contract';
import type { Task } from './task.contract';

/**
 * The kinds of contribution a plugin can make: one extension point each, `service`, an object
 * one plugin provides under a token for other plugins to inject (see {@link defineService}), and
 * `dataset`, data that `nasx data fetch` downloads and converts (see `defineDataset`).
 */
export const CONTRIBUTION_KINDS = ['task', 'search-space', 'estimator', 'searcher', 'latency-model', 'executor', 'service', 'dataset'] as const;
/** One of {@link CONTRIBUTION_KINDS}. */
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];
/** The kinds a run creates from a factory (`create(options, deps)`): all but services and datasets. */
export type FactoryKind = Exclude<ContributionKind, 'service' | 'dataset'>;

/** What every factory receives. */
export interface CommonDeps {
  /** Data directory (`--data-dir`, config `dataDir`, or `NASX_DATA`), if configured. */
  readonly dataDir?: string;
  /** Directory of the config file, to resolve relative paths in options. */
  readonly configDir: string;
  /**
   * nasx's per-user cache folder (`NASX_CACHE_DIR`, else the system's user cache folder + `/nasx`),
   * for derived files worth keeping between runs (an index built once, a release unpacked for
   * streaming); undefined when caching is off (`NASX_CACHE_DIR=off`) or the caller set none.
   * Everything in it may be deleted at any time.
   */
  readonly cacheDir?: string;
  readonly logger: Logger;
  /** A stream forked for this contribution from the run seed. */
  readonly rng: Rng;
}

/**
 * The options type of a contribution, derived from its options schema given as a literal
 * (`as const`), so the schema stays the one source of truth. Properties with a `default` are
 * required: the kernel's validation fills them in before `create` runs (outside the kernel, use
 * {@link withSchemaDefaults}).
 *
 * @example
 * export const nb201Schema = { type: 'object', properties: { ops: { type: 'array', items: { type: 'string' }, default: [] } } } as const;
 * export type Nb201Options = OptionsFromSchema<typeof nb201Schema>; // { ops: string[]; [k: string]: unknown }
 */
export type OptionsFromSchema<S extends JSONSchema> = FromSchema<S>;

/** Factory dependencies of a task. */
export type TaskDeps = CommonDeps;
/** Factory dependencies of a search space. */
export type SearchSpaceDeps = CommonDeps;
/** Factory dependencies of a latency model. */
export interface LatencyModelDeps extends CommonDeps {
  readonly space: SearchSpace;
  /**
   * The run's state folder, where a model may keep what it fitted (a learned predictor) so a
   * resumed run does not fit again. Absent for runs without a run folder.
   */
  readonly stateDir?: string;
}
/** Factory dependencies of an estimator: the space it scores, the task (if any), latency models. */
export interface EstimatorDeps extends CommonDeps {
  readonly space: SearchSpace;
  readonly task?: Task;
  readonly latencyModels: readonly LatencyModel[];
  /** Other estimators of the run by name (a GCN predictor fitted to a supernet's estimates). */
  readonly estimators: { readonly [name: string]: Estimator };
}
/** Factory dependencies of a searcher. */
export interface SearcherDeps extends CommonDeps {
  readonly space: SearchSpace;
  readonly objective: ObjectiveInfo;
  /** Named estimators of the run other than the primary one (AREA's proxy, a predictor). */
  readonly estimators: { readonly [name: string]: Estimator };
  readonly task?: Task;
  readonly budget: { readonly evaluations?: number; readonly seconds?: number };
  /**
   * The key by which the run answers a repeated proposal from its cache: the canonical
   * `arch.key`, or `exactArchKey(arch)` when the run's metrics differ within an equivalence
   * class (it has latency models). A searcher that avoids re-proposing architectures should use
   * it, so it neither wastes proposals nor shuns ones the run would evaluate. Absent outside a
   * run (tests): use `arch.key`.
   */
  readonly evaluationKey?: (arch: Architecture) => string;
}

/** Factory dependencies of an executor (both sides: the run's and `nasx worker`'s). */
export type ExecutorDeps = CommonDeps;

/** Factory dependencies of a service (plus the services it injects). */
export type ServiceDeps = CommonDeps;

/** Maps each kind to what its factory produces and receives. */
export interface ContributionTypes {
  task: { instance: Task; deps: TaskDeps };
  'search-space': { instance: SearchSpace; deps: SearchSpaceDeps };
  estimator: { instance: Estimator; deps: EstimatorDeps };
  searcher: { instance: Searcher; deps: SearcherDeps };
  'latency-model': { instance: LatencyModel; deps: LatencyModelDeps };
  executor: { instance: Executor; deps: ExecutorDeps };
  service: { instance: unknown; deps: ServiceDeps };
}

/**
 * The token of a service: a dotted name (`acme.tokenizer`), typed with what it provides so that a
 * contribution injecting it gets a typed `deps` entry. Any string works; the type is a phantom.
 *
 * @example
 * export const Tokenizer = serviceToken<Tokenizer>('acme.tokenizer');
 */
export type ServiceToken<T = unknown> = string & { readonly __service?: T };

/** Names a service token, typed with the interface of the service. */
export function serviceToken<T>(token: string): ServiceToken<T> {
  return token as ServiceToken<T>;
}

/** What a contribution injects: a `deps` name for each service token, e.g. `{ tokenizer: 'acme.tokenizer' }`. */
export type InjectMap = { readonly [name: string]: string };

/** The `deps` entries of the services an {@link InjectMap} names. */
export type InjectedDeps<I> = { readonly [N in keyof I]: I[N] extends ServiceToken<infer T> ? T : unknown };

/**
 * `deps` names an inject map may not use: they are the standard dependencies of some kind.
 * The manifest schema refuses them, so a clash fails at load time.
 */
export const RESERVED_DEPS = ['dataDir', 'configDir', 'logger', 'rng', 'space', 'task', 'latencyModels', 'estimators', 'objective', 'budget'] as const;

/**
 * A contribution: a plain definition object, ESLint-rule style. `optionsSchema` is the same JSON
 * Schema the package manifest points to; the kernel validates (and fills defaults into) options
 * with it before `create` runs.
 */
export interface ContributionDefinition<K extends keyof ContributionTypes = keyof ContributionTypes, O = any, I extends InjectMap = Record<never, never>> {
  readonly kind: K;
  readonly id: string;
  readonly title?: string;
  readonly description: string;
  readonly optionsSchema: JsonSchema;
  /**
   * Services this contribution receives in `deps`, by name → token; the manifest entry declares the
   * same map, so the kernel knows (without importing code) which package to activate for each.
   */
  readonly inject?: I;
  create(options: O, deps: ContributionTypes[K]['deps'] & InjectedDeps<I>): ContributionTypes[K]['instance'] | Promise<ContributionTypes[K]['instance']>;
}

/**
 * A service: an object one plugin provides under a token and other plugins inject (a tokenizer, a
 * dataset cache, a shared device pool). The kernel creates it once per run, only when a selected
 * contribution injects its token; `dispose` runs when the run ends.
 *
 * @example
 * defineService({ id: 'tokenizer', token: 'acme.tokenizer', description: 'BPE tokenizer',
 *                 create: (options, { dataDir }) => loadTokenizer(dataDir) });
 */
export interface ServiceDefinition<T = unknown, O = any, I extends InjectMap = Record<never, never>> {
  readonly kind: 'service';
  /** kebab-case id, like every contribution's. */
  readonly id: string;
  /** The token it provides (one provider per token among installed plugins). */
  readonly token: ServiceToken<T>;
  readonly title?: string;
  readonly description: string;
  /** Options schema; the service gets its defaults. Omitted: the service takes no options. */
  readonly optionsSchema?: JsonSchema;
  /** Other services it injects, as for any contribution. */
  readonly inject?: I;
  create(options: O, deps: ServiceDeps & InjectedDeps<I>): T | Promise<T>;
  /** Release what `create` acquired, at the end of the run. */
  dispose?(instance: T): void | Promise<void>;
}

/** Any contribution definition. */
export type AnyContribution = { [K in FactoryKind]: ContributionDefinition<K> }[FactoryKind] | ServiceDefinition;

/** Anything a plugin contributes: a run's contributions and services ({@link AnyContribution}), or a dataset. */
export type PluginContribution = AnyContribution | DatasetDefinition;

type Def<K extends keyof ContributionTypes, O, I extends InjectMap = Record<never, never>> = Omit<ContributionDefinition<K, O, I>, 'kind'>;

/** Define a task contribution. */
export function defineTask<O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Def<'task', O, I>,
): ContributionDefinition<'task', O, I> {
  return { ...def, kind: 'task' };
}
/** Define a search-space contribution. */
export function defineSearchSpace<O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Def<'search-space', O, I>,
): ContributionDefinition<'search-space', O, I> {
  return { ...def, kind: 'search-space' };
}
/** Define an estimator contribution. */
export function defineEstimator<O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Def<'estimator', O, I>,
): ContributionDefinition<'estimator', O, I> {
  return { ...def, kind: 'estimator' };
}
/** Define a searcher contribution. */
export function defineSearcher<O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Def<'searcher', O, I>,
): ContributionDefinition<'searcher', O, I> {
  return { ...def, kind: 'searcher' };
}
/** A device a latency model can answer for, as `nasx latency devices` lists it. */
export interface LatencyDevice {
  readonly device: string;
  /** Options of a `latency:` entry that selects it, e.g. `{ table: 'tfnas', device: 'gpu' }`. */
  readonly options: JsonObject;
  /** Where its numbers come from: a file of the data directory, a backend. */
  readonly source: string;
}

/** A latency-model contribution, which may list its devices without creating a model. */
export interface LatencyModelDefinition<O = any, I extends InjectMap = Record<never, never>> extends ContributionDefinition<'latency-model', O, I> {
  /**
   * The devices it can answer for with the data at hand (tables in the data directory, the local
   * backend), read without loading whole tables. Absent: a model created with default options
   * says (`devices`).
   */
  listDevices?(deps: CommonDeps): readonly LatencyDevice[] | Promise<readonly LatencyDevice[]>;
}

/** Define a latency-model contribution. */
export function defineLatencyModel<O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Def<'latency-model', O, I> & Pick<LatencyModelDefinition<O, I>, 'listDevices'>,
): LatencyModelDefinition<O, I> {
  return { ...def, kind: 'latency-model' };
}

/**
 * An executor contribution: where a run's estimates are computed. `create` makes the run's side
 * (an {@link Executor}, from the config's `executor:` options); `createWorker` makes the side
 * `nasx worker` runs on each machine, from the same options schema.
 */
export interface ExecutorDefinition<O = any, I extends InjectMap = Record<never, never>> extends ContributionDefinition<'executor', O, I> {
  createWorker(options: O, deps: ExecutorDeps): ExecutorWorker | Promise<ExecutorWorker>;
}

/** Define an executor contribution. */
export function defineExecutor<O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Def<'executor', O, I> & Pick<ExecutorDefinition<O, I>, 'createWorker'>,
): ExecutorDefinition<O, I> {
  return { ...def, kind: 'executor' };
}

/** Define a service another plugin can inject by its token. */
export function defineService<T, O = Record<string, never>, I extends InjectMap = Record<never, never>>(
  def: Omit<ServiceDefinition<T, O, I>, 'kind'>,
): ServiceDefinition<T, O, I> {
  return { ...def, kind: 'service' };
}

/** What a plugin package default-exports. */
export interface PluginDefinition {
  /** What runs use: tasks, spaces, estimators, searchers, latency models, services. */
  readonly contributions: readonly AnyContribution[];
  /** The datasets `nasx data fetch` gets (see `defineDataset`). */
  readonly datasets?: readonly DatasetDefinition[];
}

/**
 * Declare a plugin's contributions; the package's entry default-exports the result. Datasets go
 * in the same list and are kept apart in `datasets`.
 *
 * @example
 * export default definePlugin({ contributions: [nb201SearchSpace] });
 */
export function definePlugin(def: {
  contributions: readonly (ContributionDefinition<any, any, any> | ServiceDefinition<any, any, any> | DatasetDefinition)[];
}): PluginDefinition {
  const datasets = def.contributions.filter((c): c is DatasetDefinition => c.kind === 'dataset');
  const contributions = def.contributions.filter((c) => c.kind !== 'dataset') as readonly AnyContribution[];
  return datasets.length ? { contributions, datasets } : { contributions };
}

/** Every contribution of a plugin definition, datasets included. */
export function pluginContributions(def: PluginDefinition): readonly PluginContribution[] {
  return [...def.contributions, ...(def.datasets ?? [])];
}
