import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Logger } from './context';
import type { Estimator } from './estimator.contract';
import type { JsonSchema } from './json';
import type { LatencyModel } from './latency-model.contract';
import type { ObjectiveInfo } from './objective';
import type { Rng } from './rng';
import type { Searcher } from './searcher.contract';
import type { SearchSpace } from './search-space.contract';
import type { Task } from './task.contract';

/** The kinds of contribution a plugin can make (one extension point each). */
export const CONTRIBUTION_KINDS = ['task', 'search-space', 'estimator', 'searcher', 'latency-model'] as const;
/** One of {@link CONTRIBUTION_KINDS}. */
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

/** What every factory receives. */
export interface CommonDeps {
  /** Data directory (`--data-dir`, config `dataDir`, or `NASX_DATA`), if configured. */
  readonly dataDir?: string;
  /** Directory of the config file, to resolve relative paths in options. */
  readonly configDir: string;
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
}

/** Maps each kind to what its factory produces and receives. */
export interface ContributionTypes {
  task: { instance: Task; deps: TaskDeps };
  'search-space': { instance: SearchSpace; deps: SearchSpaceDeps };
  estimator: { instance: Estimator; deps: EstimatorDeps };
  searcher: { instance: Searcher; deps: SearcherDeps };
  'latency-model': { instance: LatencyModel; deps: LatencyModelDeps };
}

/**
 * A contribution: a plain definition object, ESLint-rule style. `optionsSchema` is the same JSON
 * Schema the package manifest points to; the kernel validates (and fills defaults into) options
 * with it before `create` runs.
 */
export interface ContributionDefinition<K extends ContributionKind = ContributionKind, O = any> {
  readonly kind: K;
  readonly id: string;
  readonly title?: string;
  readonly description: string;
  readonly optionsSchema: JsonSchema;
  create(options: O, deps: ContributionTypes[K]['deps']): ContributionTypes[K]['instance'] | Promise<ContributionTypes[K]['instance']>;
}

/** Any contribution definition. */
export type AnyContribution = { [K in ContributionKind]: ContributionDefinition<K> }[ContributionKind];

type Def<K extends ContributionKind, O> = Omit<ContributionDefinition<K, O>, 'kind'>;

/** Define a task contribution. */
export function defineTask<O = Record<string, never>>(def: Def<'task', O>): ContributionDefinition<'task', O> {
  return { ...def, kind: 'task' };
}
/** Define a search-space contribution. */
export function defineSearchSpace<O = Record<string, never>>(def: Def<'search-space', O>): ContributionDefinition<'search-space', O> {
  return { ...def, kind: 'search-space' };
}
/** Define an estimator contribution. */
export function defineEstimator<O = Record<string, never>>(def: Def<'estimator', O>): ContributionDefinition<'estimator', O> {
  return { ...def, kind: 'estimator' };
}
/** Define a searcher contribution. */
export function defineSearcher<O = Record<string, never>>(def: Def<'searcher', O>): ContributionDefinition<'searcher', O> {
  return { ...def, kind: 'searcher' };
}
/** Define a latency-model contribution. */
export function defineLatencyModel<O = Record<string, never>>(def: Def<'latency-model', O>): ContributionDefinition<'latency-model', O> {
  return { ...def, kind: 'latency-model' };
}

/** What a plugin package default-exports. */
export interface PluginDefinition {
  readonly contributions: readonly AnyContribution[];
}

/**
 * Declare a plugin's contributions; the package's entry default-exports the result.
 *
 * @example
 * export default definePlugin({ contributions: [nb201SearchSpace] });
 */
export function definePlugin(def: { contributions: readonly ContributionDefinition<any, any>[] }): PluginDefinition {
  return { contributions: def.contributions as readonly AnyContribution[] };
}
